package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
)

// What the README and the help say about BC5 for a newcomer who reads
// nothing else: where each setting lives, which server a login uses, what
// ids prints, what the demo does. Each test names the words it keeps true.

// readmeText is the README.
func readmeText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readmeSection is the README from a second-level heading to the next.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	_, after, ok := strings.Cut(readmeText(t), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("the README has no %q", heading)
	}
	section, _, _ := strings.Cut(after, "\n## ")
	return section
}

// clientSettings is every client setting: its environment variable and
// its key in config.json, a value that is valid there, and the key of
// status --json's client object that says where it came from.
var clientSettings = []struct{ env, key, value string }{
	{auth.SettingClientID, "client_id", "file-client"},
	{auth.SettingClientSecret, "client_secret", "file-secret"},
	{auth.SettingRedirectURI, "redirect_uri", "http://127.0.0.1:8976/callback"},
	{auth.SettingLaunchpadURL, "launchpad_url", "https://launchpad.37signals.com"},
	{auth.SettingBC5ClientID, "bc5_client_id", "file-bc5-client"},
	{auth.SettingResource, "base_url", "https://3.basecampapi.com"},
	{auth.SettingIssuer, "oauth_issuer", "https://app.basecamp.com"},
}

// The README's Configuration table gives each setting's environment
// variable and its config.json key, and `bcauth --help`'s Settings
// paragraph and `bcauth man` name every variable: each key written in
// config.json (with "version": 1, as the README says) is the setting's,
// as status --json's client says ("file").
func TestREADMEConfigurationNamesEveryKeyAndVariable(t *testing.T) {
	table := readmeSection(t, "## Configuration")
	rows := map[string]string{}
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, "| ") {
			for _, s := range clientSettings {
				if strings.Contains(l, "`"+s.env+"`") {
					rows[s.env] = l
				}
			}
		}
	}
	for _, s := range clientSettings {
		if !strings.Contains(rows[s.env], "`"+s.key+"`") {
			t.Errorf("the README's Configuration table has no row with %s and its config.json key %s: %q", s.env, s.key, rows[s.env])
		}
	}
	if !strings.Contains(table, "`"+core.KeyringSetting+"`") || !strings.Contains(table, "| `keyring` (`true`) |") {
		t.Errorf("the Configuration table does not give %s and its key keyring", core.KeyringSetting)
	}
	if !strings.Contains(table, `"version": 1`) {
		t.Error(`the README does not say a config.json written by hand needs "version": 1`)
	}

	// The file, each key in it, read as that setting.
	env := []string{auth.SettingToken, "", core.IDSetting, "", core.KeyringSetting, ""}
	file := map[string]any{"version": 1}
	for _, s := range clientSettings {
		env = append(env, s.env, "")
		file[s.key] = s.value
	}
	emptyConfig(t, env...)
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(st.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(st.Dir(), "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, _ := bcauth(t, "status", "--json")
	var status struct {
		Client map[string]any `json:"client"`
	}
	if err := json.Unmarshal([]byte(stdout), &status); err != nil || status.Client == nil {
		t.Fatalf("status --json: %v\n%s%s", err, stdout, stderr)
	}
	for _, s := range clientSettings {
		if got := status.Client[s.key+"_source"]; got != "file" {
			t.Errorf("%s in config.json: status --json says %s_source %v, want file", s.key, s.key, got)
		}
		if s.key != "client_secret" && status.Client[s.key] != s.value {
			t.Errorf("%s in config.json: status --json says %v, want %q", s.key, status.Client[s.key], s.value)
		}
	}

	// The help and the man page name every variable.
	help, _, code := bcauth(t, "--help")
	cmd := bcauthProcess(t, "man")
	var man bytes.Buffer
	cmd.Stdout = &man
	if err := cmd.Run(); err != nil || code != 0 {
		t.Fatalf("--help exits %d, man: %v", code, err)
	}
	names := []string{auth.SettingToken, core.IDSetting, core.KeyringSetting, "BASECAMP_PASSWORD", "BASECAMP_API_TOKEN"}
	for _, s := range clientSettings {
		names = append(names, s.env)
	}
	for _, s := range names {
		if !strings.Contains(help, s) {
			t.Errorf("bcauth --help does not name %s:\n%s", s, help)
		}
		if !strings.Contains(man.String(), s) {
			t.Errorf("bcauth man does not name %s", s)
		}
	}
}

// login --help's "Which server" and the README's table: BC5 only when the
// API origin advertises one BC5 issuer, or the one pinned (which must be
// advertised too), and a BC5 client is configured; two issuers and none
// pinned, a pinned issuer not advertised (or an unreadable origin while
// one is pinned), a pinned one with no BC5 client: errors naming the
// setting. Each case through `bcauth discover`, which decides as login
// does; the error for two issuers reads as one sentence.
func TestLoginHelpIsExactAboutWhichServer(t *testing.T) {
	help, _, _ := bcauth(t, "login", "--help")
	for _, want := range []string{
		"only when that origin advertises one BC5 issuer, or advertises the one pinned with BASECAMP_OAUTH_ISSUER (a pinned issuer must be advertised too), and a BC5 client is configured (BCAUTH_BC5_CLIENT_ID)",
		"Two BC5 issuers and none pinned, a pinned issuer the origin does not advertise (or an origin that cannot be read while one is pinned), a pinned one with no BC5 client, or a BC5 issuer whose metadata is unusable, is an error naming the setting to fix",
		"--scope read|full On BC5",
	} {
		if !strings.Contains(words(help), want) {
			t.Errorf("login --help lacks %q:\n%s", want, help)
		}
	}

	one := newFakeOrigin(t, nil)
	issuer := newFakeOrigin(t, nil)
	two := newFakeOrigin(t, nil)
	unreadable := newFakeOrigin(t, nil)
	one.routes["/.well-known/oauth-protected-resource"] = &fakeHop{Body: fmt.Appendf(nil,
		`{"resource": %q, "authorization_servers": [%q]}`, one.url(), issuer.url())}
	issuer.routes["/.well-known/oauth-authorization-server"] = &fakeHop{Body: fmt.Appendf(nil,
		`{"issuer": %[1]q, "token_endpoint": "%[1]s/oauth/token", "device_authorization_endpoint": "%[1]s/oauth/device"}`, issuer.url())}
	two.routes["/.well-known/oauth-protected-resource"] = &fakeHop{Body: fmt.Appendf(nil,
		`{"resource": %q, "authorization_servers": ["https://one.example", "https://two.example"]}`, two.url())}
	for _, o := range []*fakeOrigin{one, issuer, two, unreadable} {
		o.srv.Start()
	}
	launchpad := []string{auth.SettingClientID, "client", auth.SettingClientSecret, "secret"}
	bc5 := []string{auth.SettingBC5ClientID, "bc5-client"}
	for _, tc := range []struct {
		name    string
		env     []string
		code    int
		kind    string // the server chosen, when code is 0
		setting string // named in problem.setting, when code is 2
	}{
		{"one issuer, a BC5 client", concat(bc5, launchpad, []string{auth.SettingResource, one.url()}), 0, "bc5", ""},
		{"one issuer pinned and advertised", concat(bc5, []string{auth.SettingResource, one.url(), auth.SettingIssuer, issuer.url()}), 0, "bc5", ""},
		{"one issuer, no BC5 client", concat(launchpad, []string{auth.SettingResource, one.url()}), 0, "launchpad", ""},
		{"pinned, not advertised", concat(bc5, []string{auth.SettingResource, one.url(), auth.SettingIssuer, "https://other.example"}), 2, "", auth.SettingIssuer},
		{"pinned, the origin unreadable", concat(bc5, []string{auth.SettingResource, unreadable.url(), auth.SettingIssuer, issuer.url()}), 2, "", auth.SettingIssuer},
		{"pinned, no BC5 client", concat(launchpad, []string{auth.SettingResource, one.url(), auth.SettingIssuer, issuer.url()}), 2, "", auth.SettingBC5ClientID},
		{"two issuers, none pinned", concat(bc5, []string{auth.SettingResource, two.url()}), 2, "", auth.SettingIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emptyConfig(t, concat([]string{auth.SettingToken, "", auth.SettingBC5ClientID, "", auth.SettingResource, "", auth.SettingIssuer, "",
				core.IDSetting, "", core.KeyringSetting, ""}, tc.env)...)
			stdout, stderr, code := discoverIn(t, "--json")
			var doc discoverDoc
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != tc.code {
				t.Fatalf("exit %d, want %d (%v)\n%s%s", code, tc.code, err, stdout, stderr)
			}
			switch {
			case tc.code == 0 && (doc.Server == nil || doc.Server.Kind != tc.kind):
				t.Errorf("server %+v, want %s\n%s", doc.Server, tc.kind, stdout)
			case tc.code == 2 && (doc.Problem == nil || optStr(doc.Problem.Setting) != tc.setting):
				t.Errorf("problem %+v, want one naming %s\n%s", doc.Problem, tc.setting, stdout)
			}
			if tc.name == "two issuers, none pinned" {
				// "… does not guess which one to use: check
				// BASECAMP_OAUTH_ISSUER; nothing was sent to Launchpad":
				// one colon, not one after another.
				m := doc.Problem.Message
				if !strings.Contains(m, "bcauth does not guess") || strings.Count(m, ": ") != 1 {
					t.Errorf("the message does not read as one sentence: %q", m)
				}
			}
		})
	}
}

// concat is its arguments, one after the other.
func concat(parts ...[]string) []string { return slices.Concat(parts...) }

// The README's ids row: "once any login here is BC5's, a seventh column
// …: Launchpad, or the BC5 issuer and the scope granted, so piped lines
// have 6 fields with Launchpad logins only and 7 with any BC5 login".
func TestREADMEIDsHasAServerColumnOnceALoginIsBC5s(t *testing.T) {
	row := ""
	for _, l := range strings.Split(readmeSection(t, "## Commands"), "\n") {
		if strings.HasPrefix(l, "| `bcauth ids [--json]`") {
			row = l
		}
	}
	if !strings.Contains(row, "6 fields with Launchpad logins only and 7 with any BC5 login") {
		t.Errorf("the README's ids row does not say when it has 6 fields and when 7: %q", row)
	}
	fields := func(t *testing.T) [][]string {
		t.Helper()
		stdout, stderr, code := bcauthProc(t, "ids")
		if code != 0 {
			t.Fatalf("ids: exit %d\n%s", code, stderr)
		}
		var out [][]string
		for l := range strings.Lines(stdout) {
			out = append(out, strings.Split(strings.TrimSuffix(l, "\n"), "\t"))
		}
		return out
	}
	t.Run("Launchpad logins only", func(t *testing.T) {
		twoIDsOnDisk(t)
		lines := fields(t)
		for _, l := range lines {
			if len(l) != 6 {
				t.Errorf("%d fields, want 6: %q", len(l), l)
			}
		}
		if len(lines) != 2 {
			t.Errorf("%d lines, want 2", len(lines))
		}
	})
	t.Run("a BC5 login beside a Launchpad one", func(t *testing.T) {
		w := newBC5World(t, launchpadtest.BC5Options{})
		w.withLaunchpadClient(t)
		w.logIn(t, "full")
		w.svc.Env.BC5ClientID = "" // the next login falls back to Launchpad
		w.logInLaunchpad(t)
		lines := fields(t)
		var servers []string
		for _, l := range lines {
			if len(l) != 7 {
				t.Errorf("%d fields, want 7: %q", len(l), l)
				continue
			}
			servers = append(servers, l[6])
		}
		slices.Sort(servers)
		if want := []string{"Launchpad", w.bc5.Issuer + " (full)"}; !slices.Equal(servers, want) {
			t.Errorf("the server column says %q, want %q", servers, want)
		}
	})
}

// The README's status --json example is a Launchpad login made while BC5
// is dark, as it is in production today: its server.note is the one such
// a login carries.
func TestREADMEStatusExampleNoteIsALaunchpadLoginsWhileBC5IsDark(t *testing.T) {
	readme := readmeText(t)
	_, example, _ := strings.Cut(readme, "`bcauth status --json`:\n\n```json\n")
	example, _, _ = strings.Cut(example, "```")
	var doc struct {
		Server *serverDoc `json:"server"`
	}
	if err := json.Unmarshal([]byte(example), &doc); err != nil || doc.Server == nil {
		t.Fatalf("the README's status --json example: %v\n%s", err, example)
	}
	w := newBC5World(t, launchpadtest.BC5Options{Dark: true})
	w.withLaunchpadClient(t)
	w.logInLaunchpad(t)
	stdout, stderr, code := bcauthProc(t, "status", "--json")
	s := serverOfJSON(t, stdout)
	if code != 0 || s == nil {
		t.Fatalf("status --json: exit %d\n%s%s", code, stdout, stderr)
	}
	if s.Kind != doc.Server.Kind || s.Name != doc.Server.Name || str(s.Note) != str(doc.Server.Note) || s.Issuer != nil || s.Scope != nil || s.Resource != nil {
		t.Errorf("status --json says server %+v (note %q); the README's example says %+v (note %q)", s, str(s.Note), doc.Server, str(doc.Server.Note))
	}
}

// The README's demo paragraph: "`enter` opens the fake's consent page in
// your browser … With `--bc5` … `enter` opens the fake BC5's page with
// the code filled in … With no browser (a server, CI) the demo approves by
// itself after three seconds (with `--bc5`, it enters the code itself),
// says so and counts down". The built bcauth in tmux, with a $BROWSER that
// only writes down what it is given, and with none.
func TestREADMEDemoWaitsForEnterWhenItCanOpenABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bcauth and runs it in tmux: not with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("no tmux on PATH: install it (apt-get install -y tmux) to run the real-terminal tests")
	}
	tmp := t.TempDir()
	bin := build(t, tmp)
	browser := filepath.Join(tmp, "browser")
	opened := filepath.Join(tmp, "opened")
	if err := os.WriteFile(browser, fmt.Appendf(nil, "#!/bin/sh\nprintf '%%s\\n' \"$1\" >> '%s'\n", opened), 0o755); err != nil {
		t.Fatal(err)
	}
	readme := words(readmeText(t))
	for _, want := range []string{
		"`enter` opens the fake's consent page in your browser, where you approve as Annie or Ben.",
		"With `--bc5` the fake serves BC5 too and the login is the device code: `enter` opens the fake BC5's page with the code filled in",
		"With no browser (a server, CI) the demo approves by itself after three seconds (with `--bc5`, it enters the code itself), says so and counts down; `enter` does it at once.",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README does not say %q", want)
		}
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "TERM=xterm-256color", "LANG=C.UTF-8", "TMPDIR=" + tmp}
	for i, tc := range []struct {
		name    string
		args    []string
		browser bool
		hint    string // what the connect screen says to do
		open    string // in the address the browser is given, or the page it leads to
	}{
		{"Launchpad, a browser", []string{"demo"}, true, "Press enter to open this address in your browser", "/start/"},
		{"BC5, a browser", []string{"demo", "--bc5"}, true, "Press enter to open it with the code filled in", "user_code="},
		{"Launchpad, no browser", []string{"demo"}, false, "No browser here: the demo approves on your behalf in", ""},
		{"BC5, no browser", []string{"demo", "--bc5"}, false, "No browser here: the demo enters the code on your behalf in", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := slices.Clone(base)
			if tc.browser {
				env = append(env, "BROWSER="+browser)
			}
			os.Remove(opened)
			s := &tmuxSession{t: t, socket: filepath.Join(tmp, fmt.Sprintf("tmux%d.sock", i)), env: env}
			s.must("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "40", bin+" "+strings.Join(tc.args, " "))
			t.Cleanup(func() { _, _ = s.tmux("kill-server") })
			s.waitFor(tc.hint, 20*time.Second)
			if !tc.browser {
				// It approves (enters the code) by itself: the accounts.
				s.waitFor("Honcho Design", 20*time.Second)
				return
			}
			// Past the three seconds a browser-less demo waits: this one
			// still waits for enter, and has opened nothing.
			time.Sleep(4 * time.Second)
			if screen := s.screen(); !strings.Contains(screen, tc.hint) || strings.Contains(screen, "Honcho Design") {
				t.Fatalf("the demo did not wait for enter:\n%s", screen)
			}
			if _, err := os.Stat(opened); err == nil {
				t.Fatal("the browser was opened before enter")
			}
			s.must("send-keys", "-t", "e2e", "Enter")
			deadline := time.Now().Add(20 * time.Second)
			var addr []byte
			for len(addr) == 0 && time.Now().Before(deadline) {
				addr, _ = os.ReadFile(opened)
				time.Sleep(50 * time.Millisecond)
			}
			u := strings.TrimSpace(string(addr))
			if u == "" {
				t.Fatal("enter opened no browser")
			}
			// The page the browser lands on: Launchpad's start address
			// as it is; BC5's, a link to the device page with the code.
			landed := u
			if tc.open == "user_code=" {
				c := &http.Client{Timeout: 10 * time.Second}
				resp, err := c.Get(u)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				landed = resp.Request.URL.String()
				if code := userCodeRE.FindString(s.screen()); code == "" || !strings.Contains(landed, code) {
					t.Errorf("the browser landed on %s, not the device page with the code %q filled in", landed, code)
				}
			}
			if !strings.Contains(landed, tc.open) {
				t.Errorf("the browser was given %s, landing on %s; want %q in it", u, landed, tc.open)
			}
		})
	}
}
