package launchpadtest

import (
	"net/http"
	"net/url"
)

// maxFormBytes bounds the form bodies the fake reads.
const maxFormBytes = 64 << 10

// consent serves the page where a person allows or denies the app. As on
// the real Launchpad, an unknown client or a redirect URI that is not the
// registered one byte for byte gets an error page and never a redirect, so
// the app never hears of it.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.consentPage(w, r)
	case http.MethodPost:
		s.consentDecision(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	}
}

func (s *Server) consentPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.checkClient(w, q) {
		return
	}
	if q.Get("type") != "web_server" && q.Get("response_type") != "code" {
		writePage(w, http.StatusBadRequest, messagePage{
			Title:   "Unsupported authorization type",
			Message: "Launchpad only supports type=web_server (or response_type=code).",
			Detail:  "type=" + q.Get("type") + " response_type=" + q.Get("response_type"),
		})
		return
	}
	state, hasState := q["state"]
	if s.opts.AutoApprove {
		s.redirectWithCode(w, r, http.StatusFound, first(state), hasState, personFirst)
		return
	}
	s.mu.Lock()
	one, two := s.identity, s.second
	s.mu.Unlock()
	writePage(w, http.StatusOK, consentPage{
		AppName: s.opts.AppName,
		People: []consentPerson{
			{ID: one.ID, Name: fullName(one), Email: one.EmailAddress, Checked: true},
			{ID: two.ID, Name: fullName(two), Email: two.EmailAddress},
		},
		ClientID:    q.Get("client_id"),
		RedirectURI: q.Get("redirect_uri"),
		State:       first(state),
		HasState:    hasState,
	})
}

func (s *Server) consentDecision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writePage(w, http.StatusBadRequest, messagePage{Title: "Bad request", Message: "The form could not be read.", Detail: err.Error()})
		return
	}
	form := r.PostForm
	if !s.checkClient(w, form) {
		return
	}
	state, hasState := form["state"]
	switch form.Get("decision") {
	case "allow":
		who, ok := s.approvedAs(form.Get("as"))
		if !ok {
			writePage(w, http.StatusBadRequest, messagePage{
				Title:   "Bad request",
				Message: "Choose which Basecamp ID to approve as.",
				Detail:  "as=" + form.Get("as"),
			})
			return
		}
		s.redirectWithCode(w, r, http.StatusSeeOther, first(state), hasState, who)
	case "deny":
		v := url.Values{
			"error":             {"access_denied"},
			"error_description": {"The person declined to give " + s.opts.AppName + " access to their Basecamp ID."},
		}
		if hasState {
			v.Set("state", first(state))
		}
		redirect(w, r, withQuery(s.opts.RedirectURI, v), http.StatusSeeOther)
	default:
		writePage(w, http.StatusBadRequest, messagePage{
			Title:   "Bad request",
			Message: "Choose Allow or Deny.",
			Detail:  "decision=" + form.Get("decision"),
		})
	}
}

// checkClient answers with an error page, and reports false, unless params
// name the registered client and its registered redirect URI.
func (s *Server) checkClient(w http.ResponseWriter, params url.Values) bool {
	if id := params.Get("client_id"); id != s.opts.ClientID {
		writePage(w, http.StatusBadRequest, messagePage{
			Title:   "Unknown application",
			Message: "This application is not registered with Launchpad: its client_id is not known.",
			Detail:  "client_id=" + id,
		})
		return false
	}
	if uri := params.Get("redirect_uri"); uri != s.opts.RedirectURI {
		writePage(w, http.StatusBadRequest, messagePage{
			Title:   "The redirect_uri is not approved",
			Message: "The redirect_uri this application sent is not approved for it. It must match the one registered for the application exactly.",
			Detail:  "redirect_uri=" + uri,
		})
		return false
	}
	return true
}

// redirectWithCode sends the browser back to the registered redirect URI
// with a fresh code and the state, unchanged, if the app sent one.
func (s *Server) redirectWithCode(w http.ResponseWriter, r *http.Request, status int, state string, hasState bool, who person) {
	v := url.Values{"code": {s.issueCode(who)}}
	if hasState {
		v.Set("state", state)
	}
	redirect(w, r, withQuery(s.opts.RedirectURI, v), status)
}

func redirect(w http.ResponseWriter, r *http.Request, to string, status int) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, status)
}

// withQuery appends v to uri's query, keeping any query the registered URI
// already has exactly as it is.
func withQuery(uri string, v url.Values) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery == "" {
		u.RawQuery = v.Encode()
	} else {
		u.RawQuery += "&" + v.Encode()
	}
	return u.String()
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func fullName(id Identity) string {
	switch {
	case id.FirstName != "" && id.LastName != "":
		return id.FirstName + " " + id.LastName
	case id.FirstName != "" || id.LastName != "":
		return id.FirstName + id.LastName
	default:
		return id.EmailAddress
	}
}
