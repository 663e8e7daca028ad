package launchpadtest

import (
	"encoding/xml"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The product APIs' own answers.
const (
	errBasicDenied = "HTTP Basic: Access denied.\n"
	textInactive   = "This account is no longer active."
	// ReasonInactive is the Reason header value of a closed or suspended
	// account's 404.
	ReasonInactive = "Account Inactive"
)

// ProductAnswer is one scripted answer of a product's "who am I" endpoint.
// The zero value is the usual answer: the person, once the credentials
// check out.
type ProductAnswer struct {
	// Status is the HTTP status to answer with, whatever the credentials;
	// zero means the usual answer.
	Status int
	// Body is sent as is; ContentType is its type ("text/plain;
	// charset=utf-8" when empty).
	Body        string
	ContentType string
	// Header holds extra response headers, such as Retry-After or Reason.
	Header http.Header
	// Delay is how long to wait, in real time, before answering, on top of
	// Options.ProductLatency.
	Delay time.Duration
	// LargeJSON, when more than zero, makes a 200 whose body is a JSON
	// array of generated projects of at least this many bytes, written as
	// it goes, so the fake holds none of it (API slices only, see api.go).
	LargeJSON int64
	// LongString, when more than zero, makes a 200 whose body is a JSON
	// array whose first element's name is one string of this many bytes,
	// written as it goes: a hostile answer's endless value.
	LongString int64
	// EndlessPages makes a 200 JSON array of one project, the page's
	// number, with a Link to the next page, for ever.
	EndlessPages bool
}

// AnswerReachable is the usual answer: the person, when the credentials are
// good.
func AnswerReachable() ProductAnswer { return ProductAnswer{} }

// AnswerRefused is a 401 for an expired OAuth token, in Basecamp's JSON.
func AnswerRefused() ProductAnswer {
	return ProductAnswer{Status: http.StatusUnauthorized, Body: `{"error":"` + errTokenExpired + `"}`,
		ContentType: "application/json; charset=utf-8",
		Header:      http.Header{"Www-Authenticate": {`Bearer realm="Basecamp", error="invalid_token"`}}}
}

// AnswerRefusedPlain is a 401 in Rails' plain text, as the classic products
// answer.
func AnswerRefusedPlain() ProductAnswer {
	return ProductAnswer{Status: http.StatusUnauthorized, Body: errBasicDenied,
		Header: http.Header{"Www-Authenticate": {`Basic realm="Application"`}}}
}

// AnswerInactive is a closed or suspended account: 404 with
// "Reason: Account Inactive".
func AnswerInactive() ProductAnswer {
	return ProductAnswer{Status: http.StatusNotFound, Body: textInactive,
		Header: http.Header{"Reason": {ReasonInactive}}}
}

// AnswerNotFound is a plain 404.
func AnswerNotFound() ProductAnswer {
	return ProductAnswer{Status: http.StatusNotFound, Body: `{"status":404,"error":"Not Found"}`,
		ContentType: "application/json; charset=utf-8"}
}

// AnswerRateLimited is a 429 asking the client to wait retryAfter seconds.
// Follow it with AnswerReachable for "rate limited, then fine".
func AnswerRateLimited(retryAfter int) ProductAnswer {
	return ProductAnswer{Status: http.StatusTooManyRequests, Body: "Rate limit exceeded; slow down.",
		Header: http.Header{"Retry-After": {strconv.Itoa(retryAfter)}}}
}

// AnswerServerError is a 500.
func AnswerServerError() ProductAnswer {
	return ProductAnswer{Status: http.StatusInternalServerError, Body: `{"status":500,"error":"Internal Server Error"}`,
		ContentType: "application/json; charset=utf-8"}
}

// AnswerSlow is the usual answer after d, in real time.
func AnswerSlow(d time.Duration) ProductAnswer { return ProductAnswer{Delay: d} }

// ProductRequest is one request to a product endpoint as the fake saw it.
type ProductRequest struct {
	// Time is when it arrived, in real time (not Options.Now), so tests can
	// measure a client's request rate.
	Time time.Time
	// Method is the request's method.
	Method string
	// Host is the request's Host header: "per host" is per host:port.
	Host string
	// Path is the request path, such as /bc3/99999999/my/profile.json, and
	// Query its raw query string.
	Path, Query string
	// Account is the account's "product:id", empty when no account matched.
	Account string
	// Auth is the Authorization header's scheme ("Bearer", "Basic"), empty
	// when none came.
	Auth string
	// UserAgent, Accept and ContentType are the request's headers.
	UserAgent, Accept, ContentType string
	// Status is the answer's status, 0 while it is in flight.
	Status int
}

// products is the fake's product API state. Its zero value is ready.
type products struct {
	mu          sync.Mutex
	scripts     map[string][]ProductAnswer // "product:id" → answers left
	apiScripts  map[string][]ProductAnswer // the same, for the API slices
	created     map[string][]createdProject
	basic       map[string]string // Basic user → password
	inFlight    int
	maxInFlight int
	log         []ProductRequest
	dropped     int // requests dropped from the front of log (see keepLatest)
}

// demoScripts give the demo accounts some variety: one closed account and
// one that does not take the token. Everything else answers.
var demoScripts = map[string][]ProductAnswer{
	"bc3:99999995":      {AnswerInactive()},
	"basecamp:77777777": {AnswerRefusedPlain()},
}

// ScriptProduct makes the who-am-I endpoint of the account with this
// product and id answer with answers, one per request, in order; the last
// one then stays. AnswerRateLimited(1), AnswerReachable() is "429 once, then
// fine". No answers restores the usual (or demo) behaviour.
func (s *Server) ScriptProduct(accountID int64, product string, answers ...ProductAnswer) {
	s.products.script(&s.products.scripts, accountID, product, answers)
}

// script sets the answers of one account in *scripts, or clears them.
func (p *products) script(scripts *map[string][]ProductAnswer, accountID int64, product string, answers []ProductAnswer) {
	key := product + ":" + strconv.FormatInt(accountID, 10)
	p.mu.Lock()
	defer p.mu.Unlock()
	if *scripts == nil {
		*scripts = map[string][]ProductAnswer{}
	}
	if len(answers) == 0 {
		delete(*scripts, key)
		return
	}
	c := make([]ProductAnswer, len(answers))
	for i, a := range answers {
		a.Header = a.Header.Clone()
		c[i] = a
	}
	(*scripts)[key] = c
}

// AllowBasic makes the product endpoints accept HTTP Basic credentials
// user:password besides the fake's Bearer tokens, as Basecamp 2 does for a
// person's login and the classic products for an API token (password "X").
func (s *Server) AllowBasic(user, password string) {
	p := &s.products
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.basic == nil {
		p.basic = map[string]string{}
	}
	p.basic[user] = password
}

// MaxInFlight is the most product requests the fake has served at once.
func (s *Server) MaxInFlight() int {
	s.products.mu.Lock()
	defer s.products.mu.Unlock()
	return s.products.maxInFlight
}

// ProductRequests returns the product requests so far, oldest first: the
// latest maxLog of them at least (the fake keeps a bounded log, so that a
// demo server another user floods with requests stays small).
func (s *Server) ProductRequests() []ProductRequest {
	s.products.mu.Lock()
	defer s.products.mu.Unlock()
	out := make([]ProductRequest, len(s.products.log))
	copy(out, s.products.log)
	return out
}

// IssueToken mints an access and a refresh token as if a login had just
// finished, for tests of product APIs that need no browser. It returns the
// access token's expiry on the fake's clock.
func (s *Server) IssueToken() (access, refresh string, expiry time.Time) {
	access, refresh = newToken(), newToken()
	now := s.opts.Now()
	expiry = now.Add(s.opts.AccessTTL)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[access] = issued{expiry, personFirst}
	s.refresh[refresh] = issued{now.Add(s.opts.RefreshTTL), personFirst}
	return access, refresh, expiry
}

// productShapes are the who-am-I paths under the demo hrefs' prefixes.
var productShapes = []struct{ pattern, suffix, product string }{
	{"GET /bc3/{account}/my/profile.json", "/my/profile.json", "bc3"},
	{"GET /bcx/{account}/api/v1/people/me.json", "/people/me.json", "bcx"},
	{"GET /classic/{account}/me.xml", "/me.xml", "basecamp"},
	{"GET /campfire/{account}/users/me.xml", "/users/me.xml", "campfire"},
	{"GET /campfire/{account}/users/me.json", "/users/me.json", "campfire"},
	{"GET /highrise/{account}/me.xml", "/me.xml", "highrise"},
	{"GET /backpack/{account}/me.xml", "/me.xml", "backpack"},
}

// productRoutes registers the who-am-I endpoints of every product.
func (s *Server) productRoutes(mux *http.ServeMux) {
	for _, shape := range productShapes {
		mux.HandleFunc(shape.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.whoAmI(w, r, shape.product, strings.TrimSuffix(r.URL.Path, shape.suffix))
		})
	}
}

// statusRecorder keeps the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// whoAmI answers a product's "who am I" request for the account whose href
// path is base.
func (s *Server) whoAmI(w http.ResponseWriter, r *http.Request, product, base string) {
	acc, found := s.productAccount(product, base)
	key := ""
	if found {
		key = product + ":" + strconv.FormatInt(acc.ID, 10)
	}
	rec, answer, scripted, done := s.logProductRequest(w, r, key, func(oauth bool) (ProductAnswer, bool) {
		return s.nextAnswer(key, found, oauth)
	})
	defer done()

	if !s.productDelay(r, s.opts.ProductLatency+answer.Delay) {
		return
	}
	switch {
	case r.UserAgent() == "":
		writeText(rec, http.StatusBadRequest, textNoUserAgent)
	case !found:
		writeJSON(rec, http.StatusNotFound, map[string]any{"status": 404, "error": "Not Found"})
	case scripted && answer.Status != 0:
		writeCanned(rec, answer.Status, answer.Header, answer.ContentType, answer.Body)
	default:
		if who, ok := s.productCredentials(rec, r); ok {
			s.writePerson(rec, product, acc, who)
		}
	}
}

// logProductRequest records a product API request and takes its scripted
// answer with next, under the products' lock. done records the status the
// handler answered with on rec; call it when the answer is written.
func (s *Server) logProductRequest(w http.ResponseWriter, r *http.Request, key string, next func(oauth bool) (ProductAnswer, bool)) (rec *statusRecorder, answer ProductAnswer, scripted bool, done func()) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	p := &s.products
	p.mu.Lock()
	p.inFlight++
	p.maxInFlight = max(p.maxInFlight, p.inFlight)
	var dropped int
	p.log, dropped = keepLatest(p.log, maxLog)
	p.dropped += dropped
	i := p.dropped + len(p.log)
	p.log = append(p.log, ProductRequest{Time: time.Now(), Method: r.Method, Host: logged(r.Host), Path: logged(r.URL.Path), Query: logged(r.URL.RawQuery),
		Account: key, Auth: logged(scheme), UserAgent: logged(r.UserAgent()), Accept: logged(r.Header.Get("Accept")), ContentType: logged(r.Header.Get("Content-Type"))})
	answer, scripted = next(scheme == "Bearer")
	p.mu.Unlock()
	rec = &statusRecorder{ResponseWriter: w}
	return rec, answer, scripted, func() {
		p.mu.Lock()
		p.inFlight--
		if j := i - p.dropped; j >= 0 {
			p.log[j].Status = rec.status
		}
		p.mu.Unlock()
	}
}

// nextAnswer takes the account's next scripted answer. The demo's own
// scripts speak for OAuth tokens only: its Classic account refuses the
// Bearer token, as Classic may, and still takes its API token. The caller
// holds s.products.mu.
func (s *Server) nextAnswer(key string, found, oauth bool) (ProductAnswer, bool) {
	if !found {
		return ProductAnswer{}, false
	}
	p := &s.products
	q, ok := p.scripts[key]
	if !ok {
		if s.opts.Accounts != nil {
			return ProductAnswer{}, false
		}
		if q, ok = demoScripts[key]; !ok || !oauth {
			return ProductAnswer{}, false
		}
	}
	a := q[0]
	if len(q) > 1 {
		if p.scripts == nil {
			p.scripts = map[string][]ProductAnswer{}
		}
		p.scripts[key] = q[1:]
	}
	return a, true
}

// productDelay waits d, reporting false when the request or the fake ended
// first.
func (s *Server) productDelay(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		panic(http.ErrAbortHandler)
	}
}

// productAccount finds the listed account of this product whose href path
// is base, whatever host the href names, among either person's accounts.
func (s *Server) productAccount(product, base string) (Account, bool) {
	// Looked up in place, only the one found copied: at 30,000 accounts
	// copying them all cost each API request milliseconds, which a
	// benchmark beside curl counted as the transfer's.
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, list := range [][]Account{s.accounts, s.seconds} {
		for _, a := range list {
			if a.Product != product {
				continue
			}
			if u, err := url.Parse(a.Href); err == nil && strings.TrimRight(u.Path, "/") == base {
				a.Extra = maps.Clone(a.Extra)
				return a, true
			}
		}
	}
	return Account{}, false
}

// productCredentials checks a Bearer token the fake issued, or Basic
// credentials allowed by AllowBasic (the first person's), answering 401 as
// the products do when they fail. It says whose credentials they are.
func (s *Server) productCredentials(w http.ResponseWriter, r *http.Request) (person, bool) {
	if token, ok := bearer(r); ok {
		now := s.opts.Now()
		s.mu.Lock()
		grant, known := s.access[token]
		s.mu.Unlock()
		switch {
		case !known:
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": errTokenUnknown})
			return 0, false
		case !now.Before(grant.expiry):
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": errTokenExpired})
			return 0, false
		}
		return grant.who, true
	}
	if user, pass, ok := r.BasicAuth(); ok {
		s.products.mu.Lock()
		want, known := s.products.basic[user]
		s.products.mu.Unlock()
		if known && pass == want {
			return personFirst, true
		}
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Application"`)
	writeText(w, http.StatusUnauthorized, errBasicDenied)
	return 0, false
}

// personID is the identity's person id inside one account: products number
// people themselves, never with the Launchpad id.
func personID(a Account) int64 { return 1_000_000_000 + a.ID%100_000_000*7%900_000_000 }

// writePerson answers with who's identity as the product shows it.
func (s *Server) writePerson(w http.ResponseWriter, product string, a Account, who person) {
	s.mu.Lock()
	id, _ := s.personLocked(who)
	s.mu.Unlock()
	pid := personID(a)
	name := fullName(id)
	admin := a.ID%2 == 1
	owner := a.ID%4 == 3
	stamp := "2024-01-15T09:30:00.000-06:00"
	// Links in the answers point at the fake itself, never at Basecamp's
	// hosts: a client that follows one stays on this machine.
	assets := s.URL + "/assets"
	switch product {
	case "bc3":
		writeJSON(w, http.StatusOK, map[string]any{
			"id": pid, "attachable_sgid": "BAh7CEkiCGdpZAY6BkVUSSIr" + strconv.FormatInt(pid, 36),
			"name": name, "email_address": id.EmailAddress, "personable_type": "User",
			"title": "", "bio": nil, "location": nil, "created_at": stamp, "updated_at": stamp,
			"admin": admin, "owner": owner, "client": false, "employee": true,
			"time_zone":  "America/Chicago",
			"avatar_url": assets + "/default/avatar?v=1",
			"company":    map[string]any{"id": a.ID % 10_000_000, "name": a.Name},
			"can_ping":   true, "can_manage_projects": admin, "can_manage_people": admin,
		})
	case "bcx":
		writeJSON(w, http.StatusOK, map[string]any{
			"id": pid, "identity_id": id.ID, "name": name, "email_address": id.EmailAddress,
			"admin": admin, "trashed": false, "created_at": stamp, "updated_at": stamp,
			"avatar_url": assets + "/global/missing/avatar.gif?r=3",
			"url":        s.URL + "/bcx/" + strconv.FormatInt(a.ID, 10) + "/api/v1/people/" + strconv.FormatInt(pid, 10) + ".json",
		})
	case "basecamp":
		writeXML(w, classicPerson{
			ID: xmlInt{"integer", pid}, FirstName: id.FirstName, LastName: id.LastName,
			Email: id.EmailAddress, Administrator: xmlBool{"boolean", admin},
			CompanyID: xmlInt{"integer", a.ID % 1_000_000}, Deleted: xmlBool{"boolean", false},
			UserName: strings.ToLower(id.FirstName), Title: "",
		})
	case "campfire", "highrise", "backpack":
		u := user{ID: xmlInt{"integer", pid}, Name: name, Email: id.EmailAddress,
			Admin: xmlBool{"boolean", admin}, CreatedAt: xmlTime{"datetime", "2024-01-15T15:30:00Z"}}
		switch product {
		case "campfire":
			u.Type = "Member"
			u.AvatarURL = assets + "/global/missing/avatar.png"
		case "highrise":
			// Highrise hands out the person's own API token here, as
			// launchpad.md warns: clients must never show it.
			u.Token = HighriseAPIToken(a.ID)
			u.Dropbox = "dropbox@" + strconv.FormatInt(a.ID, 10) + ".highrisehq.com"
		}
		writeXML(w, u)
	}
}

type xmlInt struct {
	Type  string `xml:"type,attr"`
	Value int64  `xml:",chardata"`
}

type xmlBool struct {
	Type  string `xml:"type,attr"`
	Value bool   `xml:",chardata"`
}

type xmlTime struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// classicPerson is Basecamp Classic's <person>.
type classicPerson struct {
	XMLName       xml.Name `xml:"person"`
	ID            xmlInt   `xml:"id"`
	FirstName     string   `xml:"first-name"`
	LastName      string   `xml:"last-name"`
	Title         string   `xml:"title"`
	Email         string   `xml:"email-address"`
	UserName      string   `xml:"user-name"`
	Administrator xmlBool  `xml:"administrator"`
	CompanyID     xmlInt   `xml:"company-id"`
	Deleted       xmlBool  `xml:"deleted"`
}

// user is the <user> of Campfire, Highrise and Backpack.
type user struct {
	XMLName   xml.Name `xml:"user"`
	ID        xmlInt   `xml:"id"`
	Name      string   `xml:"name"`
	Email     string   `xml:"email-address"`
	Admin     xmlBool  `xml:"admin"`
	CreatedAt xmlTime  `xml:"created-at"`
	Type      string   `xml:"type,omitempty"`
	AvatarURL string   `xml:"avatar-url,omitempty"`
	Token     string   `xml:"token,omitempty"`
	Dropbox   string   `xml:"dropbox,omitempty"`
}

// HighriseAPIToken is the API token the fake's Highrise account id gives
// its person in /me.xml: something a test can look for in output.
func HighriseAPIToken(accountID int64) string {
	return "highrise-api-token-" + strconv.FormatInt(accountID, 10)
}

// writeXML answers with v as Rails-style XML.
func writeXML(w http.ResponseWriter, v any) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		writeText(w, http.StatusInternalServerError, "launchpadtest: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
}

// maxLog is how many requests of each kind the fake remembers at least;
// loggedBytes how much of each string of a request it keeps. A demo
// server runs for as long as a person likes, open to every local user.
const (
	maxLog      = 10_000
	loggedBytes = 512
)

// keepLatest makes room in log for one more entry: once it holds half
// again as many as max, the oldest are dropped down to max/2 (a copy, so
// the dropped entries can be collected). It returns how many it dropped.
func keepLatest[T any](log []T, max int) ([]T, int) {
	if len(log) < max+max/2 {
		return log, 0
	}
	n := len(log) - max/2
	return append(make([]T, 0, max+max/2), log[n:]...), n
}

// logged is s, cut to loggedBytes.
func logged(s string) string {
	if len(s) > loggedBytes {
		return strings.Clone(s[:loggedBytes])
	}
	return s
}
