package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// cliEnv is a real store in a temporary directory and a fake Launchpad,
// with the client configured to reach it.
type cliEnv struct {
	*uitest.Env
}

type cliOpts struct {
	configInFile bool // client settings in config.json rather than the environment
	noLogin      bool
}

func newCLIEnv(t *testing.T, o cliOpts) *cliEnv {
	t.Helper()
	e := &cliEnv{uitest.New(t, launchpadtest.Options{AutoApprove: true})}
	if o.configInFile {
		e.ClientInFile(t)
	}
	if !o.noLogin {
		e.LogIn(t)
	}
	return e
}

type cliResult struct {
	code           int
	stdout, stderr string
}

func cliRun(f func(Output) int) cliResult {
	var o, e bytes.Buffer
	code := f(Output{Stdout: &o, Stderr: &e})
	return cliResult{code, o.String(), e.String()}
}

func (e *cliEnv) status(t *testing.T, asJSON bool) cliResult {
	return cliRun(func(o Output) int { return Status(t.Context(), e.Svc, o, asJSON) })
}

func (e *cliEnv) accounts(t *testing.T, asJSON bool, product string) cliResult {
	return cliRun(func(o Output) int { return Accounts(t.Context(), e.Svc, o, asJSON, product) })
}

func (e *cliEnv) token(t *testing.T) cliResult {
	return cliRun(func(o Output) int { return Token(t.Context(), e.Svc, o, false) })
}

func (e *cliEnv) logout(t *testing.T, all bool) cliResult {
	return cliRun(func(o Output) int { return Logout(t.Context(), e.Svc, o, all) })
}

// cliStatusDoc mirrors the documented status --json object.
type cliStatusDoc struct {
	LoggedIn bool `json:"logged_in"`
	Valid    bool `json:"valid"`
	Identity *struct {
		ID           int64  `json:"id"`
		Name         string `json:"name"`
		FirstName    string `json:"first_name"`
		LastName     string `json:"last_name"`
		EmailAddress string `json:"email_address"`
	} `json:"identity"`
	Server *cliServerDoc `json:"server"`
	Token  *struct {
		ExpiresAt *time.Time `json:"expires_at"`
		Refreshed bool       `json:"refreshed"`
		Renewable bool       `json:"renewable"`
		Source    string     `json:"source"`
	} `json:"token"`
	StateDir string `json:"state_dir"`
	Client   struct {
		ConfigFile         string `json:"config_file"`
		ClientID           string `json:"client_id"`
		ClientIDSource     string `json:"client_id_source"`
		ClientSecretSet    bool   `json:"client_secret_set"`
		ClientSecretSource string `json:"client_secret_source"`
		RedirectURI        string `json:"redirect_uri"`
		RedirectURISource  string `json:"redirect_uri_source"`
		LaunchpadURL       string `json:"launchpad_url"`
		LaunchpadURLSource string `json:"launchpad_url_source"`
		BC5ClientID        string `json:"bc5_client_id"`
		BC5ClientIDSource  string `json:"bc5_client_id_source"`
		BaseURL            string `json:"base_url"`
		BaseURLSource      string `json:"base_url_source"`
		Issuer             string `json:"oauth_issuer"`
		IssuerSource       string `json:"oauth_issuer_source"`
	} `json:"client"`
	AccountsByProduct map[string]int `json:"accounts_by_product"`
	AccountsFetchedAt *time.Time     `json:"accounts_fetched_at"`
	Secrets           struct {
		Tokens        string `json:"tokens"`
		ClientSecret  string `json:"client_secret"`
		Keyring       bool   `json:"keyring"`
		KeyringSource string `json:"keyring_source"`
		KeyringName   string `json:"keyring_name"`
	} `json:"secrets"`
	Problem *struct {
		Kind      string     `json:"kind"`
		Message   string     `json:"message"`
		Fix       string     `json:"fix"`
		RefusedAt *time.Time `json:"refused_at"`
	} `json:"problem"`
	Hold *struct {
		Reason  string     `json:"reason"`
		Since   *time.Time `json:"since"`
		Until   *time.Time `json:"until"`
		Message string     `json:"message"`
	} `json:"hold"`
	Warnings []string `json:"warnings"`
}

// cliServerDoc mirrors the documented "server" of status, ids and token
// --json.
type cliServerDoc struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Issuer   *string `json:"issuer"`
	Scope    *string `json:"scope"`
	Resource *string `json:"resource"`
	Note     *string `json:"note"`
}

func cliDecodeStatus(t *testing.T, r cliResult) cliStatusDoc {
	t.Helper()
	var doc cliStatusDoc
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("status --json is not the documented object: %v\n%s", err, r.stdout)
	}
	if doc.Warnings == nil || doc.AccountsByProduct == nil {
		t.Errorf("warnings and accounts_by_product must be [] and {}, never null:\n%s", r.stdout)
	}
	return doc
}

// cliDemoCounts is DemoAccounts per product.
var cliDemoCounts = map[string]int{"bc3": 6, "bcx": 2, "basecamp": 1, "campfire": 1, "highrise": 1, "sortfolio": 1}

func TestStatusValid(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	sess := e.Current(t)

	r := e.status(t, true)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("status --json = %d, stderr %q", r.code, r.stderr)
	}
	doc := cliDecodeStatus(t, r)
	if !doc.LoggedIn || !doc.Valid || doc.Problem != nil {
		t.Errorf("logged_in %v valid %v problem %+v, want true true null", doc.LoggedIn, doc.Valid, doc.Problem)
	}
	want := launchpadtest.DemoIdentity()
	if doc.Identity == nil || doc.Identity.ID != want.ID || doc.Identity.EmailAddress != want.EmailAddress || doc.Identity.Name != "Annie Bryan" {
		t.Errorf("identity = %+v, want %+v", doc.Identity, want)
	}
	if doc.Token == nil || doc.Token.ExpiresAt == nil || !doc.Token.ExpiresAt.Equal(sess.Token.Expiry.Truncate(time.Second)) || doc.Token.Refreshed {
		t.Errorf("token = %+v, want expires_at %v, not refreshed", doc.Token, sess.Token.Expiry)
	}
	if doc.StateDir != e.Svc.Store.Dir() {
		t.Errorf("state_dir = %q, want %q", doc.StateDir, e.Svc.Store.Dir())
	}
	c := doc.Client
	if c.ClientID != e.Fake.Options().ClientID || c.ClientIDSource != "environment" || !c.ClientSecretSet ||
		c.ClientSecretSource != "environment" || c.LaunchpadURL != e.Fake.URL || c.RedirectURISource != "environment" {
		t.Errorf("client = %+v", c)
	}
	if !cliMapsEqual(doc.AccountsByProduct, cliDemoCounts) {
		t.Errorf("accounts_by_product = %v, want %v", doc.AccountsByProduct, cliDemoCounts)
	}
	if doc.AccountsFetchedAt == nil {
		t.Error("accounts_fetched_at is null after a check")
	}

	r = e.status(t, false)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("status = %d, stderr %q", r.code, r.stderr)
	}
	for _, s := range []string{"Annie Bryan <annie@example.com>, Launchpad id 9999999", "accepted by Launchpad",
		e.Svc.Store.Dir(), "from " + auth.SettingClientID, "Basecamp 2: 2", "Other: sortfolio: 1", "Client secret set"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("status lacks %q:\n%s", s, r.stdout)
		}
	}
	// Known products in catalogue order, then the unknown one.
	if i, j := strings.Index(r.stdout, "Highrise: 1"), strings.Index(r.stdout, "Other: sortfolio: 1"); i < 0 || j < i {
		t.Errorf("products out of order:\n%s", r.stdout)
	}
}

func TestStatusRefreshesAnExpiredToken(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{configInFile: true})
	before := e.Current(t).Token.AccessToken
	e.Fake.ExpireAccessTokens()

	r := e.status(t, true)
	if r.code != 0 {
		t.Fatalf("status = %d, stderr %q", r.code, r.stderr)
	}
	doc := cliDecodeStatus(t, r)
	if !doc.Valid || doc.Token == nil || !doc.Token.Refreshed {
		t.Errorf("valid %v token %+v, want a refreshed valid token", doc.Valid, doc.Token)
	}
	if doc.Client.ClientIDSource != "file" || doc.Client.ClientSecretSource != "file" || doc.Client.ConfigFile != filepath.Join(e.Svc.Store.Dir(), "config.json") {
		t.Errorf("client = %+v, want settings from the file", doc.Client)
	}
	if after := e.Current(t).Token.AccessToken; after == before {
		t.Error("the refreshed token was not saved")
	}
}

func TestStatusProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setup     func(t *testing.T, e *cliEnv)
		noLogin   bool
		code      int
		kind      string
		loggedIn  bool
		message   string // in problem.message and on stderr
		fix       string // in problem.fix and on stderr
		cachedIDs bool   // identity and accounts still reported
	}{
		{
			name: "not logged in", noLogin: true,
			code: ExitRelogin, kind: core.KindNotLoggedIn, fix: "run bcauth login",
		},
		{
			name: "token rejected",
			setup: func(t *testing.T, e *cliEnv) {
				e.Fake.RevokeAll()
				e.Fake.ExpireAccessTokens()
			},
			code: ExitRelogin, kind: core.KindRejected, loggedIn: true, fix: "run bcauth login", cachedIDs: true,
		},
		{
			name: "refresh refused after a password change",
			setup: func(t *testing.T, e *cliEnv) {
				e.Fake.RevokeAll()
				s := e.Current(t)
				s.Token.Expiry = time.Now().Add(-time.Hour)
				if err := e.Svc.Store.SaveToken(s.Key(), s.Token); err != nil {
					t.Fatal(err)
				}
			},
			code: ExitRelogin, kind: core.KindRejected, loggedIn: true, message: "deadbolt", fix: "run bcauth login", cachedIDs: true,
		},
		{
			name: "Launchpad unreachable",
			setup: func(t *testing.T, e *cliEnv) {
				e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusServiceUnavailable, Body: "down for maintenance"})
			},
			code: 1, kind: core.KindUnreachable, loggedIn: true, message: "temporary", fix: "then try again", cachedIDs: true,
		},
		{
			name:  "no client configured",
			setup: func(t *testing.T, e *cliEnv) { e.Svc.Env = store.ClientConfig{} },
			code:  2, kind: core.KindNotConfigured, fix: "run bcauth setup to enter the client ID and secret of the integration registered at https://launchpad.37signals.com/integrations (redirect URI ",
		},
		{
			name:  "no client configured, the variables",
			setup: func(t *testing.T, e *cliEnv) { e.Svc.Env = store.ClientConfig{} },
			code:  2, kind: core.KindNotConfigured, fix: "or set " + auth.SettingClientID + " and " + auth.SettingClientSecret,
		},
		{
			name:  "no client secret",
			setup: func(t *testing.T, e *cliEnv) { e.Svc.Env.ClientSecret = "" },
			code:  2, kind: core.KindNotConfigured, fix: "run bcauth setup to enter the client secret of the integration",
		},
		{
			name: "client secret mistyped into config.json",
			setup: func(t *testing.T, e *cliEnv) {
				cliBadSecret(t, e, true)
			},
			code: 2, kind: core.KindClientRejected, loggedIn: true, fix: "run bcauth setup to enter the client ID and secret again (a mistyped secret is the usual cause); check", cachedIDs: true,
		},
		{
			name: "client secret mistyped into the environment",
			setup: func(t *testing.T, e *cliEnv) {
				cliBadSecret(t, e, false)
			},
			code: 2, kind: core.KindClientRejected, loggedIn: true, fix: "; correct them in " + auth.SettingClientID + " and " + auth.SettingClientSecret + ", which win over what bcauth setup saves", cachedIDs: true,
		},
		{
			// Refused as it is parsed: nothing listens or dials.
			name:  "malformed redirect URI",
			setup: func(t *testing.T, e *cliEnv) { e.Svc.Env.RedirectURI = "https://example.com/callback" },
			code:  2, kind: core.KindInvalidConfig, message: "https://example.com/callback", fix: "correct " + auth.SettingRedirectURI,
		},
		{
			name: "corrupt state file",
			setup: func(t *testing.T, e *cliEnv) {
				cliWriteFile(t, filepath.Join(e.Svc.Store.Dir(), "state.json"), "{\"version\": 1, \"sessions\": [")
			},
			code: 2, kind: core.KindCorruptState, message: "state.json is unreadable or corrupt", fix: "run bcauth login",
		},
		{
			name: "state file from a newer bcauth",
			setup: func(t *testing.T, e *cliEnv) {
				cliWriteFile(t, filepath.Join(e.Svc.Store.Dir(), "state.json"), `{"version": 99}`)
			},
			code: 2, kind: core.KindNewerFile, message: "kept it as is", fix: "upgrade bcauth",
		},
		{
			name: "corrupt config file and no environment",
			setup: func(t *testing.T, e *cliEnv) {
				e.Svc.Env = store.ClientConfig{}
				cliWriteFile(t, filepath.Join(e.Svc.Store.Dir(), "config.json"), "not json")
			},
			code: 2, kind: core.KindCorruptConfig, message: "config.json is unreadable or corrupt", fix: "enter the client settings again",
		},
		{
			name:  "login made with another client",
			setup: func(t *testing.T, e *cliEnv) { e.Svc.Env.ClientID = "another-client" },
			code:  ExitRelogin, kind: core.KindOtherClient, message: "Annie Bryan", fix: "run bcauth login",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{noLogin: tt.noLogin})
			if tt.setup != nil {
				tt.setup(t, e)
			}
			stateFile := filepath.Join(e.Svc.Store.Dir(), "state.json")
			before, _ := os.ReadFile(stateFile)

			r := e.status(t, true)
			if r.code != tt.code || r.stderr != "" {
				t.Fatalf("status --json = %d, stderr %q; want %d and nothing on stderr", r.code, r.stderr, tt.code)
			}
			doc := cliDecodeStatus(t, r)
			if doc.Problem == nil {
				t.Fatalf("problem is null:\n%s", r.stdout)
			}
			if doc.Valid || doc.LoggedIn != tt.loggedIn || doc.Problem.Kind != tt.kind ||
				!strings.Contains(doc.Problem.Message, tt.message) || !strings.Contains(doc.Problem.Fix, tt.fix) {
				t.Errorf("got valid %v logged_in %v problem %+v; want logged_in %v, kind %s, message ~%q, fix ~%q",
					doc.Valid, doc.LoggedIn, *doc.Problem, tt.loggedIn, tt.kind, tt.message, tt.fix)
			}
			if tt.cachedIDs && (doc.Identity == nil || !cliMapsEqual(doc.AccountsByProduct, cliDemoCounts)) {
				t.Errorf("identity %+v, accounts %v: want the cached ones", doc.Identity, doc.AccountsByProduct)
			}

			r = e.status(t, false)
			if r.code != tt.code {
				t.Fatalf("status = %d, want %d", r.code, tt.code)
			}
			if !strings.Contains(r.stderr, tt.message) || !strings.Contains(r.stderr, "to fix: ") || !strings.Contains(r.stderr, tt.fix) {
				t.Errorf("stderr does not say what happened and how to fix it:\n%s", r.stderr)
			}
			if !strings.Contains(r.stdout, e.Svc.Store.Dir()) {
				t.Errorf("stdout does not say where state is stored:\n%s", r.stdout)
			}
			// An unreadable file is reported, never replaced.
			if after, _ := os.ReadFile(stateFile); (tt.kind == core.KindCorruptState || tt.kind == core.KindNewerFile) && !bytes.Equal(before, after) {
				t.Errorf("%s changed from %q to %q", stateFile, before, after)
			}
		})
	}
}

// cliBadSecret gives the logged-in env a wrong client secret, in
// config.json or in the environment, and an expired token, so the next
// command's refresh shows Launchpad the secret.
func cliBadSecret(t *testing.T, e *cliEnv, inFile bool) {
	t.Helper()
	c := e.Svc.Env
	c.ClientSecret = "mistyped-" + c.ClientSecret
	if inFile {
		if err := e.Svc.Store.SaveClient(c); err != nil {
			t.Fatal(err)
		}
		e.Svc.Env = store.ClientConfig{}
	} else {
		e.Svc.Env = c
	}
	s := e.Current(t)
	s.Token.Expiry = time.Now().Add(-time.Hour)
	if err := e.Svc.Store.SaveToken(s.Key(), s.Token); err != nil {
		t.Fatal(err)
	}
}

func TestStatusWarnsAboutACorruptConfigTheEnvironmentOverrides(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	cliWriteFile(t, filepath.Join(e.Svc.Store.Dir(), "config.json"), "not json")
	r := e.status(t, true)
	if r.code != 0 {
		t.Fatalf("status = %d, stdout %s", r.code, r.stdout)
	}
	doc := cliDecodeStatus(t, r)
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "config.json") {
		t.Errorf("warnings = %q, want one about config.json", doc.Warnings)
	}
}

func cliWriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func cliMapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestAccountsPlain(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	r := e.accounts(t, false, "")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("accounts = %d, stderr %q", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07\r") {
		t.Errorf("output holds terminal controls: %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	demo := launchpadtest.DemoAccounts(e.Fake.URL)
	if len(lines) != len(demo) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(demo), r.stdout)
	}
	var products, bc3Names []string
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			t.Fatalf("line %q has %d fields, want 4", l, len(f))
		}
		products = append(products, f[0])
		if f[0] == "bc3" {
			bc3Names = append(bc3Names, strings.ToLower(f[2]))
		}
	}
	wantProducts := []string{"bc3", "bc3", "bc3", "bc3", "bc3", "bc3", "bcx", "bcx", "basecamp", "campfire", "highrise", "sortfolio"}
	if !slices.Equal(products, wantProducts) {
		t.Errorf("products in order %v, want %v", products, wantProducts)
	}
	if !slices.IsSorted(bc3Names) {
		t.Errorf("names not sorted: %q", bc3Names)
	}
	wantLine := "bc3\t99999994\tEvil Corp\t" + e.Fake.URL + "/bc3/99999994"
	if !slices.Contains(lines, wantLine) {
		t.Errorf("no line %q for the hostile name in:\n%s", wantLine, r.stdout)
	}
}

func TestAccountsPlainNeverSplitsAField(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.SetAccounts([]launchpadtest.Account{
		{Product: "bc3\tx", ID: 1, Name: "Tab\there\nnew line\r\u2028sep", Href: e.Fake.URL + "/x/1\n2"},
	})
	r := e.accounts(t, false, "")
	if r.code != 0 {
		t.Fatalf("accounts = %d, stderr %q", r.code, r.stderr)
	}
	want := "bc3 x\t1\tTab here new line  sep\t" + e.Fake.URL + "/x/1 2\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
}

// cliAccountDoc mirrors one element of accounts --json.
type cliAccountDoc struct {
	Product     string  `json:"product"`
	ProductName string  `json:"product_name"`
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Href        string  `json:"href"`
	AppHref     *string `json:"app_href"`
}

func cliDecodeAccounts(t *testing.T, r cliResult) []cliAccountDoc {
	t.Helper()
	var docs []cliAccountDoc
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&docs); err != nil {
		t.Fatalf("accounts --json: %v\n%s", err, r.stdout)
	}
	return docs
}

func TestAccountsJSON(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	r := e.accounts(t, true, "")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("accounts --json = %d, stderr %q", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `\u001b[2J`) {
		t.Errorf("control characters not escaped:\n%s", r.stdout)
	}
	docs := cliDecodeAccounts(t, r)
	demo := launchpadtest.DemoAccounts(e.Fake.URL)
	if len(docs) != len(demo) {
		t.Fatalf("%d accounts, want %d", len(docs), len(demo))
	}
	for _, want := range demo {
		i := slices.IndexFunc(docs, func(d cliAccountDoc) bool { return d.Product == want.Product && d.ID == want.ID })
		if i < 0 {
			t.Errorf("account %s:%d missing", want.Product, want.ID)
			continue
		}
		d := docs[i]
		if d.Name != want.Name || d.Href != want.Href || d.ProductName != auth.LookupProduct(want.Product).Name {
			t.Errorf("account = %+v, want %+v", d, want)
		}
		// app_href is left out, as Launchpad leaves it out, when there is none.
		if (want.AppHref == "") != (d.AppHref == nil) || (d.AppHref != nil && *d.AppHref != want.AppHref) {
			t.Errorf("%s app_href = %v, want %q", want.Name, d.AppHref, want.AppHref)
		}
	}
	if docs[0].Product != "bc3" || docs[len(docs)-1].ProductName != "sortfolio" {
		t.Errorf("not in product order: first %s, last %s", docs[0].Product, docs[len(docs)-1].Product)
	}
}

func TestAccountsJSONIsRawButTerminalSafe(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	name := "A&B <Co> \u202egnp.exe\u202c \u0085\u009b31m 株式会社 👩\u200d💻 \U000e0041"
	e.Fake.SetAccounts([]launchpadtest.Account{{Product: "bc3", ID: 7, Name: name, Href: e.Fake.URL + "/x/7?a=1&b=2"}})
	r := e.accounts(t, true, "")
	if r.code != 0 {
		t.Fatalf("accounts --json = %d, stderr %q", r.code, r.stderr)
	}
	for _, raw := range []string{"\u202e", "\u202c", "\u0085", "\u009b", "\U000e0041"} {
		if strings.Contains(r.stdout, raw) {
			t.Errorf("output holds %U raw:\n%s", []rune(raw)[0], r.stdout)
		}
	}
	for _, kept := range []string{"A&B <Co>", "?a=1&b=2", "株式会社", "👩\u200d💻", `\u202e`, `\udb40\udc41`} {
		if !strings.Contains(r.stdout, kept) {
			t.Errorf("output lacks %q:\n%s", kept, r.stdout)
		}
	}
	docs := cliDecodeAccounts(t, r)
	if len(docs) != 1 || docs[0].Name != name || docs[0].AppHref != nil {
		t.Errorf("round trip = %+v, want name %q and no app_href", docs, name)
	}
}

func TestAccountsProductFilter(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	tests := []struct {
		product string
		want    []int64
		note    bool // a note on stderr that nothing matched
	}{
		{product: "bcx", want: []int64{88888887, 88888888}},
		{product: "BCX", want: []int64{88888887, 88888888}},
		{product: "highrise", want: []int64{88888888}},
		{product: "sortfolio", want: []int64{55555555}},
		{product: "hey", note: true},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			r := e.accounts(t, false, tt.product)
			if r.code != 0 || (r.stderr != "") != tt.note {
				t.Fatalf("accounts --product %s = %d, stderr %q", tt.product, r.code, r.stderr)
			}
			var got []int64
			for l := range strings.Lines(r.stdout) {
				var id int64
				f := strings.Split(l, "\t")
				fmt.Sscan(f[1], &id)
				got = append(got, id)
				if !strings.EqualFold(f[0], tt.product) {
					t.Errorf("line %q is not of %s", l, tt.product)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids %v, want %v", got, tt.want)
			}

			r = e.accounts(t, true, tt.product)
			docs := cliDecodeAccounts(t, r)
			if r.code != 0 || len(docs) != len(tt.want) {
				t.Errorf("--json: %d, %d accounts, want %d", r.code, len(docs), len(tt.want))
			}
			if len(tt.want) == 0 && strings.TrimSpace(r.stdout) != "[]" {
				t.Errorf("--json with no match = %q, want []", r.stdout)
			}
		})
	}
}

func TestAccountsFallsBackToTheCacheWhenLaunchpadIsDown(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	r := e.accounts(t, false, "")
	if r.code != 0 {
		t.Fatalf("accounts = %d, stderr %q", r.code, r.stderr)
	}
	if got := strings.Count(r.stdout, "\n"); got != len(launchpadtest.DemoAccounts(e.Fake.URL)) {
		t.Errorf("%d cached accounts, want all", got)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "probably temporary") {
		t.Errorf("stderr = %q, want a warning that the list is cached", r.stderr)
	}
}

func TestAccountsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		noLogin bool
		setup   func(e *cliEnv)
		stderr  string
		code    int
	}{
		{name: "not logged in", noLogin: true, stderr: "run bcauth login", code: ExitRelogin},
		{name: "rejected", setup: func(e *cliEnv) { e.Fake.RevokeAll(); e.Fake.ExpireAccessTokens() }, stderr: "run bcauth login", code: ExitRelogin},
		{name: "not configured", setup: func(e *cliEnv) { e.Svc.Env = store.ClientConfig{} }, stderr: "to fix: run bcauth setup to enter the client ID and secret", code: ExitMisconfigured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{noLogin: tt.noLogin})
			if tt.setup != nil {
				tt.setup(e)
			}
			for _, asJSON := range []bool{false, true} {
				r := e.accounts(t, asJSON, "")
				if r.code != tt.code || r.stdout != "" || !strings.Contains(r.stderr, tt.stderr) {
					t.Errorf("json %v: %d, stdout %q, stderr %q; want %d and %q on stderr", asJSON, r.code, r.stdout, r.stderr, tt.code, tt.stderr)
				}
			}
		})
	}
}

func TestTokenPrintsOnlyTheToken(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	sess := e.Current(t)
	r := e.token(t)
	if r.code != 0 || r.stderr != "" || r.stdout != sess.Token.AccessToken+"\n" {
		t.Fatalf("token = %d, stdout %q, stderr %q; want the stored access token", r.code, r.stdout, r.stderr)
	}
	if e.Fake.Requests(launchpadtest.EndpointToken) != 1 {
		t.Errorf("a fresh token was refreshed")
	}
}

func TestTokenRefreshesAnExpiredToken(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	sess := e.Current(t)
	old := sess.Token.AccessToken
	sess.Token.Expiry = time.Now().Add(-time.Minute)
	if err := e.Svc.Store.SaveToken(sess.Key(), sess.Token); err != nil {
		t.Fatal(err)
	}
	e.Fake.ExpireAccessTokens()

	r := e.token(t)
	fresh := e.Current(t).Token
	if r.code != 0 || r.stderr != "" || r.stdout != fresh.AccessToken+"\n" || fresh.AccessToken == old {
		t.Fatalf("token = %d, stdout %q, stderr %q; want the new token %q (old %q)", r.code, r.stdout, r.stderr, fresh.AccessToken, old)
	}
	if !fresh.Expiry.After(time.Now()) {
		t.Errorf("saved expiry %v is not in the future", fresh.Expiry)
	}
	// Launchpad accepts it.
	if r := e.status(t, false); r.code != 0 {
		t.Errorf("status after refresh = %d: %s", r.code, r.stderr)
	}
}

func TestTokenFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		noLogin bool
		setup   func(t *testing.T, e *cliEnv)
		stderr  string
		code    int
	}{
		{name: "not logged in", noLogin: true, stderr: "run bcauth login", code: ExitRelogin},
		{name: "refresh rejected", setup: func(t *testing.T, e *cliEnv) {
			e.Fake.RevokeAll()
			s := e.Current(t)
			s.Token.Expiry = time.Now().Add(-time.Minute)
			if err := e.Svc.Store.SaveToken(s.Key(), s.Token); err != nil {
				t.Fatal(err)
			}
		}, stderr: "run bcauth login", code: ExitRelogin},
		{name: "not configured", setup: func(t *testing.T, e *cliEnv) { e.Svc.Env.ClientSecret = "" }, stderr: "to fix: run bcauth setup to enter the client secret", code: ExitMisconfigured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newCLIEnv(t, cliOpts{noLogin: tt.noLogin})
			if tt.setup != nil {
				tt.setup(t, e)
			}
			r := e.token(t)
			if r.code != tt.code || r.stdout != "" || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("token = %d, stdout %q, stderr %q; want %d, nothing on stdout, %q on stderr", r.code, r.stdout, r.stderr, tt.code, tt.stderr)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{configInFile: true})
	e.Fake.SetIdentity(launchpadtest.Identity{ID: 1234, FirstName: "Evil\x1b[2J", LastName: "Twin", EmailAddress: "twin@example.com"})
	e.LogIn(t)
	clientBefore, err := e.Svc.Store.LoadClient()
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		all  bool
		want string
	}{
		{false, "Logged out of Evil Twin (twin@example.com).\nNow logged in as Annie Bryan (annie@example.com) (bcauth logout --all forgets every Basecamp ID).\n"},
		{false, "Logged out of Annie Bryan (annie@example.com).\n"},
		{false, "Not logged in.\n"},
		{true, "Not logged in.\n"},
	}
	for i, s := range steps {
		r := e.logout(t, s.all)
		if r.code != 0 || r.stdout != s.want || r.stderr != "" {
			t.Errorf("step %d: logout(all=%v) = %d, stdout %q, stderr %q; want %q", i, s.all, r.code, r.stdout, r.stderr, s.want)
		}
	}
	if clientAfter, err := e.Svc.Store.LoadClient(); err != nil || clientAfter != clientBefore {
		t.Errorf("client config after logout = %+v, %v; want it kept", clientAfter, err)
	}
	if r := e.status(t, false); r.code != ExitRelogin || !strings.Contains(r.stderr, "run bcauth login") {
		t.Errorf("status after logout = %d, %q", r.code, r.stderr)
	}
}

func TestLogoutAll(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.SetIdentity(launchpadtest.Identity{ID: 1234, FirstName: "Second", EmailAddress: "second@example.com"})
	e.LogIn(t)
	r := e.logout(t, true)
	want := "Logged out of Annie Bryan (annie@example.com).\nLogged out of Second (second@example.com).\n"
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("logout --all = %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	st, err := e.Svc.Store.Load()
	if err != nil || len(st.Sessions) != 0 || st.Current != "" {
		t.Errorf("state after logout --all = %+v, %v", st, err)
	}
	if r := e.logout(t, true); r.code != 0 || r.stdout != "Not logged in.\n" {
		t.Errorf("second logout --all = %d, %q", r.code, r.stdout)
	}
}

func TestLogoutKeepsAnUnreadableStateFile(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{noLogin: true})
	path := filepath.Join(e.Svc.Store.Dir(), "state.json")
	cliWriteFile(t, path, "garbage")
	r := e.logout(t, true)
	if r.code != ExitMisconfigured || r.stdout != "" || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "kept it") {
		t.Errorf("logout = %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != "garbage" {
		t.Errorf("state.json changed to %q", b)
	}
}

// TestCLINeverPrintsSecrets runs every command but token and checks that no
// token or client secret reaches either stream.
func TestCLINeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, cliOpts{})
	e.Fake.ExpireAccessTokens() // make status refresh, so there are two tokens
	if r := e.status(t, false); r.code != 0 {
		t.Fatalf("status = %d: %s", r.code, r.stderr)
	}
	sess := e.Current(t)
	secrets := []string{sess.Token.AccessToken, sess.Token.RefreshToken, e.Fake.Options().ClientSecret}
	var all []cliResult
	for _, asJSON := range []bool{false, true} {
		all = append(all, e.status(t, asJSON), e.accounts(t, asJSON, ""))
	}
	e.Fake.RevokeAll()
	all = append(all, e.status(t, true), e.status(t, false), e.accounts(t, false, ""), e.logout(t, false))
	for i, r := range all {
		for _, s := range secrets {
			if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
				t.Errorf("output %d holds a secret %q:\n%s\n%s", i, s, r.stdout, r.stderr)
			}
		}
	}
}

// TestStatusRedactsSettingURLs: a setting URL that carries a password or a
// token is shown without them, on stdout and in --json.
func TestStatusRedactsSettingURLs(t *testing.T) {
	e := newCLIEnv(t, cliOpts{noLogin: true})
	e.Svc.Env.LaunchpadURL = "http://user:hunter2@127.0.0.1:9/?token=sekrit"
	for _, asJSON := range []bool{false, true} {
		r := e.status(t, asJSON)
		if out := r.stdout + r.stderr; strings.Contains(out, "hunter2") || strings.Contains(out, "sekrit") {
			t.Errorf("status (json %v) prints a secret of the Launchpad URL:\n%s", asJSON, out)
		}
	}
}
