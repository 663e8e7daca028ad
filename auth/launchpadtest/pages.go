package launchpadtest

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"sync"
)

// The pages are small and self-contained (inline CSS, no external assets) so
// they render the same offline, in a headless browser and in screenshots.
const pageHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.PageTitle}}</title>
<style>
body{margin:0;font:16px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#f6f4ef;color:#1d1d1d}
main{max-width:32rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 1rem}
.who{padding:.75rem 1rem;background:#f6f4ef;border-radius:8px}
.detail{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all;color:#555}
form{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}
fieldset{flex-basis:100%;border:0;margin:0}
button{font:inherit;padding:.6rem 1.2rem;border-radius:8px;border:1px solid #bbb;background:#fff;cursor:pointer}
button#allow{background:#1f7a3a;border-color:#1f7a3a;color:#fff;font-weight:600}
.fine{margin-top:2rem;font-size:.8rem;color:#777}
</style>
</head>
<body>
<main>
`

const pageFoot = `<p class="fine">This is a fake Launchpad for tests and demos. Nothing leaves this computer.</p>
</main>
</body>
</html>
`

var consentTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(pageHead + `<h1><strong>{{.AppName}}</strong> wants to access your Basecamp ID</h1>
<p>If you allow it, {{.AppName}} can see and change everything you can in your Basecamp accounts.</p>
<form method="post" action="/authorization/new">
<fieldset class="who"><legend>Approve as</legend>
{{range .People}}<label><input type="radio" name="as" value="{{.ID}}"{{if .Checked}} checked{{end}}> <strong>{{.Name}}</strong> {{.Email}}</label><br>
{{end}}</fieldset>
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
{{if .HasState}}<input type="hidden" name="state" value="{{.State}}">
{{end}}<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>
` + pageFoot))
})

var messageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(pageHead + `<h1>{{.Title}}</h1>
<p class="message">{{.Message}}</p>
{{if .Detail}}<p class="detail">{{.Detail}}</p>
{{end}}` + pageFoot))
})

// consentPage is what the consent page shows.
type consentPage struct {
	AppName               string
	People                []consentPerson // whom the person may approve as
	ClientID, RedirectURI string
	State                 string
	HasState              bool
}

// consentPerson is one Basecamp ID the consent page offers to approve as.
type consentPerson struct {
	ID          int64
	Name, Email string
	Checked     bool
}

func (p consentPage) PageTitle() string { return p.AppName + " wants to access your Basecamp ID" }

// messagePage is a page with one message, such as the error pages Launchpad
// shows instead of redirecting.
type messagePage struct {
	Title, Message, Detail string
}

func (p messagePage) PageTitle() string { return p.Title }

// writePage renders one of the fake's HTML pages.
func writePage(w http.ResponseWriter, status int, page any) {
	t := messageTemplate()
	if _, ok := page.(consentPage); ok {
		t = consentTemplate()
	}
	writeTemplate(w, status, t, page)
}

// writeTemplate renders page with t.
func writeTemplate(w http.ResponseWriter, status int, t *template.Template, page any) {
	var b bytes.Buffer
	if err := t.Execute(&b, page); err != nil {
		writeText(w, http.StatusInternalServerError, "launchpadtest: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeText answers in plain text, as Launchpad does for some errors.
func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeText(w, http.StatusInternalServerError, "launchpadtest: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// webPage stands in for an account's app_href, so that opening a demo
// account in a browser shows something rather than a real Basecamp login.
func (s *Server) webPage(w http.ResponseWriter, r *http.Request) {
	product := r.PathValue("product")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, a := range s.Accounts() {
		if a.Product == product && a.ID == id {
			writePage(w, http.StatusOK, messagePage{
				Title:   a.Name,
				Message: "A demo " + product + " account served by the fake Launchpad.",
				Detail:  a.Href,
			})
			return
		}
	}
	writePage(w, http.StatusNotFound, messagePage{Title: "No such account", Message: "The fake Launchpad has no " + product + " account " + r.PathValue("id") + "."})
}

// integrationsPage stands in for Launchpad's integrations page, where a
// person registers a client and reads back its settings: the demo's setup
// screen points here, not at the real Launchpad.
func (s *Server) integrationsPage(w http.ResponseWriter, _ *http.Request) {
	writePage(w, http.StatusOK, messagePage{
		Title:   "Integrations",
		Message: "The fake Launchpad has one integration, " + s.opts.AppName + ": client ID " + s.opts.ClientID + ", redirect URI " + s.opts.RedirectURI + ".",
		Detail:  "Its client secret is the one bcauth demo configured; a real Launchpad shows it here once.",
	})
}
