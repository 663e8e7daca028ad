package launchpadtest

import (
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The verification page, {issuer}/device: the browser half of the device
// grant. The person, signed in as one of the fake's two people, enters the
// user code the app shows (verification_uri_complete fills it in), chooses
// whom to approve as, and allows or denies. A plain form: no script, so any
// browser, headless chromium included, can submit it.

const bc5PageFoot = `<p class="fine">This is a fake Basecamp sign-in (BC5) for tests and demos. Nothing leaves this computer.</p>
</main>
</body>
</html>
`

var devicePageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("device").Parse(pageHead + `<h1>Connect an app to your Basecamp ID</h1>
{{if .Problem}}<p class="problem" style="color:#a3231f;font-weight:600">{{.Problem}}</p>
{{end}}{{if .Asks}}<p class="asks">{{.Asks}}</p>
{{end}}<form method="post" action="/device">
<fieldset><legend>Enter the code the app shows</legend>
<input type="text" id="user_code" name="user_code" value="{{.UserCode}}" autocomplete="off" autocapitalize="characters" spellcheck="false" required style="font:1.4rem ui-monospace,Menlo,Consolas,monospace;letter-spacing:.1em;padding:.3rem .5rem">
</fieldset>
<fieldset class="who"><legend>Signed in as</legend>
{{range .People}}<label><input type="radio" name="as" value="{{.ID}}"{{if .Checked}} checked{{end}}> <strong>{{.Name}}</strong> {{.Email}}</label><br>
{{end}}</fieldset>
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>
` + bc5PageFoot))
})

var deviceDoneTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("device-done").Parse(pageHead + `<h1 id="{{.ID}}">{{.Title}}</h1>
<p class="message">{{.Message}}</p>
` + bc5PageFoot))
})

// devicePage is what the verification page shows.
type devicePage struct {
	UserCode string
	Problem  string // why the last try failed, if it did
	Asks     string // what the filled-in code asks for, when it is known
	People   []consentPerson
}

func (devicePage) PageTitle() string { return "Connect an app to your Basecamp ID" }

// deviceDone is the page after a decision.
type deviceDone struct {
	ID, Title, Message string
}

func (p deviceDone) PageTitle() string { return p.Title }

// page serves the verification page and its form.
func (b *BC5) page(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		code := r.URL.Query().Get("user_code")
		page := b.devicePage(code, "")
		if code != "" {
			d, problem := b.pendingDevice(code)
			if d == nil {
				page.Problem = problem
			} else {
				page.Asks = b.asks(d.scope)
			}
		}
		writeTemplate(w, http.StatusOK, devicePageTemplate(), page)
	case http.MethodPost:
		b.decision(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	}
}

// decision takes the form: the code, whom to approve as, allow or deny.
// A code that cannot be decided gets the form again, with a 400.
func (b *BC5) decision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeTemplate(w, http.StatusBadRequest, deviceDoneTemplate(), deviceDone{"bad-request", "Bad request", "The form could not be read: " + err.Error()})
		return
	}
	form := r.PostForm
	code, as, decision := form.Get("user_code"), form.Get("as"), form.Get("decision")
	again := func(problem string) {
		page := b.devicePage(code, as)
		page.Problem = problem
		writeTemplate(w, http.StatusBadRequest, devicePageTemplate(), page)
	}
	who, ok := b.s.approvedAs(as)
	if !ok {
		again("Choose which Basecamp ID to approve as.")
		return
	}
	if decision != "allow" && decision != "deny" {
		again("Choose Allow or Deny.")
		return
	}
	now := b.now()
	s := b.s
	s.mu.Lock()
	d, problem := b.pendingDeviceLocked(code, now)
	if d != nil {
		d.who = who
		d.state = deviceApproved
		if decision == "deny" {
			d.state = deviceDenied
		}
	}
	id := s.personIdentityLocked(who)
	s.mu.Unlock()
	if d == nil {
		again(problem)
		return
	}
	app := b.s.opts.AppName
	if decision == "deny" {
		writeTemplate(w, http.StatusOK, deviceDoneTemplate(), deviceDone{"denied", "Request denied",
			app + " was not given access to your Basecamp ID. You can close this page."})
		return
	}
	writeTemplate(w, http.StatusOK, deviceDoneTemplate(), deviceDone{"approved", "You're connected",
		app + " can now " + scopeWords(d.scope) + " as " + fullName(id) + ". Go back to " + app + ": it finishes by itself."})
}

// devicePage is the form, the code filled in, the person as chosen ("" or
// an unknown id: the first).
func (b *BC5) devicePage(code, as string) devicePage {
	s := b.s
	s.mu.Lock()
	one, two := s.identity, s.second
	s.mu.Unlock()
	second := as == strconv.FormatInt(two.ID, 10)
	return devicePage{UserCode: code, People: []consentPerson{
		{ID: one.ID, Name: fullName(one), Email: one.EmailAddress, Checked: !second},
		{ID: two.ID, Name: fullName(two), Email: two.EmailAddress, Checked: second},
	}}
}

// pendingDevice finds the device code a user code names, if it can still
// be decided, or says why not.
func (b *BC5) pendingDevice(code string) (*deviceCode, string) {
	now := b.now()
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	return b.pendingDeviceLocked(code, now)
}

func (b *BC5) pendingDeviceLocked(code string, now time.Time) (*deviceCode, string) {
	d := b.userCodes[normalUserCode(code)]
	switch {
	case d == nil || !now.Before(d.expiry):
		return nil, "That code is not valid, or it has expired. Check the code the app shows, or start again there."
	case d.state != devicePending:
		return nil, "That code was used already. Start again in the app for a new one."
	}
	return d, ""
}

// asks says what a code's app asks for.
func (b *BC5) asks(scope string) string {
	return b.s.opts.AppName + " asks to " + scopeWords(scope) + "."
}

func scopeWords(scope string) string {
	if scope == "full" {
		return "see and change everything you can in your Basecamp accounts"
	}
	return "see everything you can in your Basecamp accounts, but change nothing"
}
