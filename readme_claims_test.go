package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/cli"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// Promises the README makes that no other test held: each test names the
// README's words it keeps true (issue 25).

// storedSecrets is every token state.json holds now, and the client
// secret bcauth was given.
func storedSecrets(t *testing.T) []string {
	t.Helper()
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{os.Getenv(auth.SettingClientSecret)}
	for _, s := range state.Sessions {
		secrets = append(secrets, s.Token.AccessToken, s.Token.RefreshToken)
	}
	return secrets
}

// "nothing but `bcauth token` ever prints a token" (and refresh "prints
// who and the new expiry, never the token"): every other command, plain
// and --json, on a login whose tokens are refreshed along the way.
func TestREADMENoCommandButTokenPrintsAToken(t *testing.T) {
	fake := twoIDsOnDisk(t)
	seen := map[string]bool{}
	remember := func() {
		for _, s := range storedSecrets(t) {
			if s != "" {
				seen[s] = true
			}
		}
	}
	remember()
	type printed struct {
		args           []string
		stdout, stderr string
	}
	var outs []printed
	run := func(code int, args ...string) {
		t.Helper()
		stdout, stderr, got := bcauth(t, args...)
		if got != code {
			t.Errorf("bcauth %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, stdout, stderr)
		}
		outs = append(outs, printed{args, stdout, stderr})
		remember()
	}
	for _, asJSON := range []bool{false, true} {
		j := func(args ...string) []string {
			if asJSON {
				return append(args, "--json")
			}
			return args
		}
		run(0, j("status")...)
		run(0, j("status", "--id", "annie")...)
		run(0, j("accounts")...)
		run(0, j("ids")...)
		run(0, j("switch", "annie@example.com")...)
		run(0, j("switch", "ben@example.com")...)
		run(0, j("refresh")...)
		run(0, j("refresh", "--id", "annie")...)
		run(0, j("probe", "--product", "bcx")...)
		// Launchpad calls the stored tokens expired: the next command
		// refreshes on its own, and prints no more than before.
		fake.ExpireAccessTokens()
		run(0, j("status")...)
		run(0, j("accounts", "--id", "annie")...)
	}
	run(0, "logout", "--id", "annie")
	run(0, "logout", "--all")
	if len(seen) < 6 {
		t.Fatalf("only %d tokens seen: the refreshes did not happen", len(seen))
	}
	for _, o := range outs {
		for s := range seen {
			if strings.Contains(o.stdout, s) || strings.Contains(o.stderr, s) {
				t.Errorf("bcauth %s printed a secret %.12s…:\nstdout %s\nstderr %s", strings.Join(o.args, " "), s, o.stdout, o.stderr)
			}
		}
	}
}

// perm is the permission bits of path.
func perm(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// "Two directories, both 0700 with files 0600; looser modes are
// tightened and you are told once."
func TestREADMELooserModesAreTightenedAndToldOnce(t *testing.T) {
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	access, _, _ := fake.IssueToken()
	emptyConfig(t, auth.SettingLaunchpadURL, fake.URL, auth.SettingToken, "", core.IDSetting, "")
	o := fake.Options()
	// A login as a script stores one: state.json, config.json, the cache.
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveClient(store.ClientConfig{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURI: o.RedirectURI, LaunchpadURL: fake.URL}); err != nil {
		t.Fatal(err)
	}
	if code := runWithStdin(t, access+"\n", "login", "--with-token"); code != 0 {
		t.Fatalf("login --with-token: exit %d", code)
	}
	dir, cache := st.Dir(), store.DefaultCacheDir()
	tight := map[string]fs.FileMode{dir: 0o700, cache: 0o700}
	for _, d := range []string{dir, cache} {
		files, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			tight[filepath.Join(d, f.Name())] = 0o600
		}
	}
	for _, name := range []string{"state.json", "config.json", "state.lock"} {
		if _, ok := tight[filepath.Join(dir, name)]; !ok {
			t.Fatalf("no %s after a login in %s", name, dir)
		}
	}
	if len(tight) < 6 {
		t.Fatalf("no account cache after a login: %v", tight)
	}
	check := func(when string) {
		t.Helper()
		for path, want := range tight {
			if got := perm(t, path); got != want {
				t.Errorf("%s: %s has mode %04o, want %04o", when, path, got, want)
			}
		}
	}
	check("after a login")

	// Loosen both directories and the files that hold secrets.
	loose := map[string]fs.FileMode{dir: 0o755, cache: 0o750,
		filepath.Join(dir, "state.json"): 0o644, filepath.Join(dir, "config.json"): 0o664}
	for path, mode := range loose {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := bcauth(t, "accounts")
	if code != 0 || stdout == "" {
		t.Fatalf("accounts on loose modes: exit %d\n%s%s", code, stdout, stderr)
	}
	for path, mode := range loose {
		if want := fmt.Sprintf("bcauth: tightened permissions of %s from %04o to %04o\n", path, mode, tight[path]); !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout, "tightened") {
		t.Errorf("the notice went to stdout:\n%s", stdout)
	}
	check("after the command that tightened them")
	// Told once: the next commands find nothing to tighten and say nothing.
	for _, args := range [][]string{{"accounts"}, {"status"}, {"ids"}} {
		if _, stderr, _ := bcauth(t, args...); strings.Contains(stderr, "tightened") {
			t.Errorf("bcauth %s tells again:\n%s", args[0], stderr)
		}
	}
	check("after the next commands")
}

// runWithStdin runs bcauth in process with in as its standard input (a
// file, as a shell's redirection gives) and returns the exit code.
func runWithStdin(t *testing.T, in string, args ...string) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out, errOut bytes.Buffer
	code := run(t.Context(), os.Environ(), args, f, &out, &errOut)
	if code != 0 {
		t.Logf("bcauth %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	}
	return code
}

// "A corrupt file is reported, kept as it is, and moved aside to
// state.json.corrupt-TIMESTAMP only when you log in again", with the exit
// code of corrupt_state, 2 (ids: "1/2 unreadable state").
func TestREADMEACorruptStateFileIsReportedAndKept(t *testing.T) {
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	o := fake.Options()
	emptyConfig(t, auth.SettingClientID, o.ClientID, auth.SettingClientSecret, o.ClientSecret,
		auth.SettingRedirectURI, o.RedirectURI, auth.SettingLaunchpadURL, fake.URL,
		auth.SettingToken, "", core.IDSetting, "")
	dir := store.DefaultDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.json")
	corrupt := []byte("{\"version\": 1, \"current\": \"x\", \"sessions\": [{\"token\": ")
	if err := os.WriteFile(path, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	// "Every command exits the same way for the same state": 2, a file
	// must be corrected; logout too.
	for _, tc := range []struct {
		args []string
		code int // 0: any failure
	}{
		{[]string{"status"}, 2},
		{[]string{"ids"}, 2},
		{[]string{"ids", "--json"}, 2},
		{[]string{"accounts"}, 2},
		{[]string{"accounts", "--json"}, 2},
		{[]string{"token"}, 2},
		{[]string{"token", "--json"}, 2},
		{[]string{"refresh"}, 2},
		{[]string{"probe"}, 2},
		{[]string{"switch", "annie"}, 2},
		{[]string{"api", "/projects.json"}, 2},
		{[]string{"logout"}, 2},
		{[]string{"logout", "--all"}, 2},
		{[]string{"logout", "--id", "annie"}, 2},
	} {
		stdout, stderr, code := bcauth(t, tc.args...)
		// status shows the settings it could read; nothing else prints.
		if code == 0 || (tc.code != 0 && code != tc.code) || (stdout != "" && tc.args[0] != "status") {
			t.Errorf("bcauth %s on a corrupt state.json: exit %d (want %d, or any failure for 0), stdout %q", strings.Join(tc.args, " "), code, tc.code, stdout)
		}
		if !strings.Contains(stderr, path) || !strings.Contains(stderr, "corrupt") {
			t.Errorf("bcauth %s does not report %s as corrupt:\n%s", strings.Join(tc.args, " "), path, stderr)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, corrupt) {
			t.Fatalf("bcauth %s changed state.json to %q", strings.Join(tc.args, " "), got)
		}
		if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 0 {
			t.Fatalf("bcauth %s moved state.json aside (%v): only a login may", strings.Join(tc.args, " "), aside)
		}
	}

	// Logging in again moves it aside, as it was, and starts afresh.
	access, refresh, _ := fake.IssueToken()
	if code := runWithStdin(t, access+"\n"+refresh+"\n", "login", "--with-token"); code != 0 {
		t.Fatalf("login --with-token over a corrupt state.json: exit %d", code)
	}
	aside, _ := filepath.Glob(path + ".corrupt-*")
	if len(aside) != 1 {
		t.Fatalf("after a login, %v beside state.json; want one state.json.corrupt-TIMESTAMP", aside)
	}
	if got, _ := os.ReadFile(aside[0]); !bytes.Equal(got, corrupt) {
		t.Errorf("%s holds %q, want the corrupt file as it was", aside[0], got)
	}
	if stdout, stderr, code := bcauth(t, "status"); code != 0 || !strings.Contains(stdout, "Annie Bryan") {
		t.Errorf("status after the new login: exit %d\n%s%s", code, stdout, stderr)
	}
}

// refresh's exit codes "0, 1, 2": 2 when the client settings are missing
// or malformed, as for status.
func TestREADMERefreshExitsTwoWhenMisconfigured(t *testing.T) {
	twoIDsOnDisk(t)
	for _, tc := range []struct {
		name, setting, value, want string
	}{
		{"no client secret", auth.SettingClientSecret, "", "client secret"},
		{"a redirect URI off loopback", auth.SettingRedirectURI, "https://example.com/callback", auth.SettingRedirectURI},
		{"a Launchpad URL in clear off loopback", auth.SettingLaunchpadURL, "http://launchpad.example.com", auth.SettingLaunchpadURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.setting, tc.value)
			for _, args := range [][]string{{"refresh"}, {"refresh", "--json"}, {"refresh", "--id", "annie"}} {
				stdout, stderr, code := bcauth(t, args...)
				if code != 2 || !strings.Contains(stderr, tc.want) {
					t.Errorf("bcauth %s: exit %d, want 2 and %q on stderr\nstdout %s\nstderr %s", strings.Join(args, " "), code, tc.want, stdout, stderr)
				}
			}
		})
	}
}

// storedSecretsIn is the tokens and client secret a state or config file
// at path holds, read as text: long quoted values only.
func storedSecretsIn(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, key := range []string{`"access_token": "`, `"refresh_token": "`, `"client_secret": "`} {
		rest := string(b)
		for {
			_, after, ok := strings.Cut(rest, key)
			if !ok {
				break
			}
			v, _, _ := strings.Cut(after, `"`)
			if len(v) > 8 {
				out = append(out, v)
			}
			rest = after
		}
	}
	return out
}

// "`bcauth help [COMMAND]`: a command's synopsis, example and flags, as
// `bcauth COMMAND --help`": the same text, word for word.
func TestREADMEHelpCommandIsCommandHelp(t *testing.T) {
	root := cli.NewRoot(&cli.Factory{})
	root.InitDefaultCompletionCmd()
	var paths [][]string
	for _, c := range root.Commands() {
		paths = append(paths, []string{c.Name()})
		for _, sub := range c.Commands() {
			paths = append(paths, []string{c.Name(), sub.Name()})
		}
	}
	if len(paths) < 15 {
		t.Fatalf("only %d commands", len(paths))
	}
	for _, p := range paths {
		help, stderr1, code1 := bcauth(t, append([]string{"help"}, p...)...)
		flag, stderr2, code2 := bcauth(t, append(p, "--help")...)
		if code1 != 0 || code2 != 0 || stderr1 != "" || stderr2 != "" {
			t.Errorf("%s: exits %d and %d, stderr %q %q", strings.Join(p, " "), code1, code2, stderr1, stderr2)
		}
		if help != flag || help == "" {
			t.Errorf("bcauth help %[1]s and bcauth %[1]s --help differ:\n%[2]s\n---\n%[3]s", strings.Join(p, " "), help, flag)
		}
	}
}

// "`bcauth completion bash|zsh|fish|powershell [--no-descriptions]`: the
// shell completion script; --no-descriptions leaves out what each choice
// means."
func TestREADMECompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(shell, func(t *testing.T) {
			with, stderr, code := bcauth(t, "completion", shell)
			if code != 0 || stderr != "" || !strings.Contains(with, "bcauth") {
				t.Fatalf("completion %s: exit %d, stderr %q:\n%.200s", shell, code, stderr, with)
			}
			without, stderr, code := bcauth(t, "completion", shell, "--no-descriptions")
			if code != 0 || stderr != "" {
				t.Fatalf("completion %s --no-descriptions: exit %d, stderr %q", shell, code, stderr)
			}
			// The script asks bcauth for choices without their meaning,
			// and only that script does.
			if !strings.Contains(without, "__completeNoDesc") || strings.Contains(with, "__completeNoDesc") {
				t.Errorf("completion %s: the script with descriptions asks for none, or the one without asks for them", shell)
			}
		})
	}
	// What those scripts ask for: the product codes, with and without
	// their names.
	with, _, _ := bcauth(t, "__complete", "accounts", "--product", "")
	without, _, code := bcauth(t, "__completeNoDesc", "accounts", "--product", "")
	if code != 0 || !strings.Contains(with, "bc3\tBasecamp") || !strings.Contains(without, "bc3\n") || strings.Contains(without, "\tBasecamp") {
		t.Errorf("product codes with descriptions:\n%s\nwithout:\n%s", with, without)
	}
}

// "`bcauth man` prints a man page: `bcauth man | man -l -`."
func TestREADMEManPage(t *testing.T) {
	// A process of its own: the man page is written to the process's
	// standard output, not to the writer run is handed.
	cmd := bcauthProcess(t, "man")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	stdout, stderr, code := out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	if err != nil && code == 0 {
		t.Fatal(err)
	}
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, ".TH BCAUTH 1 ") || !strings.Contains(stdout, "\n.SH NAME\n") {
		t.Fatalf("man: exit %d, stderr %q:\n%q", code, stderr, stdout[:min(len(stdout), 300)])
	}
	for _, c := range cli.NewRoot(&cli.Factory{}).Commands() {
		if !c.Hidden && !strings.Contains(stdout, c.Name()) {
			t.Errorf("the man page does not name %s", c.Name())
		}
	}
}

// "Without a keyring (a headless Linux with no Secret Service, …) bcauth
// says so (keyring_unavailable, exit 2) with the fix, and never writes the
// secrets to a file instead", and "a secret leaves the file only after the
// keyring confirmed the write". Processes of their own, on a session bus
// address where nothing listens, so no keyring connection this test
// binary may hold answers for them.
func TestREADMEWithoutAKeyringNoSecretGoesToAFile(t *testing.T) {
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	o := fake.Options()
	emptyConfig(t, auth.SettingClientID, o.ClientID, auth.SettingClientSecret, o.ClientSecret,
		auth.SettingRedirectURI, o.RedirectURI, auth.SettingLaunchpadURL, fake.URL,
		auth.SettingToken, "", core.IDSetting, "", core.KeyringSetting, "",
		"DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	bcauthIn := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		cmd := bcauthProcess(t, args...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	}
	noFileHolds := func(when string, secrets ...string) {
		t.Helper()
		for _, d := range []string{store.DefaultDir(), store.DefaultCacheDir()} {
			_ = filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return nil
				}
				b, _ := os.ReadFile(path)
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%s: %s holds a secret", when, path)
					}
				}
				return nil
			})
		}
	}

	// A new login with the keyring asked for and none there.
	access, refresh, _ := fake.IssueToken()
	t.Setenv(core.KeyringSetting, "1")
	stdout, stderr, code := bcauthIn(access+"\n"+refresh+"\n", "login", "--with-token")
	if code != 2 || !strings.Contains(stderr, "keyring") || strings.Contains(stdout+stderr, access) {
		t.Errorf("login --with-token without a keyring: exit %d, want 2 and the keyring named\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	noFileHolds("after login --with-token", access, refresh)
	stdout, _, code = bcauthIn("", "status", "--json")
	if strings.Contains(stdout, `"logged_in": true`) {
		t.Errorf("status after a login the keyring could not keep: exit %d, logged in\n%s", code, stdout)
	}

	// A login kept in the files, then the keyring asked for: the tokens
	// stay where they are, whole, until a keyring takes them.
	t.Setenv(core.KeyringSetting, "0")
	access, refresh, _ = fake.IssueToken()
	if _, stderr, code := bcauthIn(access+"\n"+refresh+"\n", "login", "--with-token"); code != 0 {
		t.Fatalf("login --with-token into the files: exit %d\n%s", code, stderr)
	}
	state := filepath.Join(store.DefaultDir(), "state.json")
	before, err := os.ReadFile(state)
	if err != nil || !bytes.Contains(before, []byte(refresh)) {
		t.Fatalf("state.json after a login into the files: %v\n%s", err, before)
	}
	t.Setenv(core.KeyringSetting, "1")
	for _, args := range [][]string{{"token"}, {"status", "--json"}, {"accounts"}, {"login", "--with-token", "--keyring"}} {
		stdout, stderr, code := bcauthIn(access+"\n", args...)
		if code != 2 || !strings.Contains(stdout+stderr, "keyring") {
			t.Errorf("bcauth %s with the keyring asked for and none there: exit %d, want 2 and the keyring named\nstdout %s\nstderr %s", strings.Join(args, " "), code, stdout, stderr)
		}
		if s, _ := os.ReadFile(state); !bytes.Contains(s, []byte(refresh)) {
			t.Fatalf("bcauth %s took the refresh token out of state.json with no keyring to hold it:\n%s", strings.Join(args, " "), s)
		}
	}
}

// holds.json "keeps a SHA-256 fingerprint of the client ID, secret,
// redirect URI and Launchpad URL, never the secret", in a file of mode
// 0600 like the others.
func TestREADMEHoldsJSONNeverHoldsTheSecret(t *testing.T) {
	fake, clk, svc := clockedWorld(t)
	uitest.LogIn(t, svc, fake)
	clk.Add(15 * 24 * time.Hour) // the token expired: the next use refreshes
	const mistyped = "mistyped-client-secret-d41d8cd98f00b204"
	t.Setenv(auth.SettingClientSecret, mistyped)
	if _, stderr, code := bcauth(t, "token"); code != 2 || !strings.Contains(stderr, "invalid_client") {
		t.Fatalf("token with a mistyped client secret: exit %d, %s", code, stderr)
	}
	path := filepath.Join(store.DefaultDir(), "holds.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no hold recorded: %v", err)
	}
	if !strings.Contains(string(b), "fingerprint") {
		t.Errorf("holds.json keeps no fingerprint:\n%s", b)
	}
	for _, secret := range []string{mistyped, svc.Env.ClientSecret} {
		if strings.Contains(string(b), secret) {
			t.Errorf("holds.json holds the client secret %q:\n%s", secret, b)
		}
	}
	if got := perm(t, path); got != 0o600 {
		t.Errorf("holds.json has mode %04o, want 0600", got)
	}
}

// state.json "stays a few hundred bytes per login however many accounts
// it reaches": the account list lives in the cache.
func TestREADMEStateJSONStaysSmallWithManyAccounts(t *testing.T) {
	fake := twoIDsOnDisk(t)
	many := make([]launchpadtest.Account, 5000)
	for i := range many {
		id := int64(10_000_000 + i)
		many[i] = launchpadtest.Account{Product: "bc3", ID: id, Name: fmt.Sprintf("Account number %d of many", i),
			Href: fmt.Sprintf("%s/bc3/%d", fake.URL, id), AppHref: fmt.Sprintf("%s/app/%d", fake.URL, id)}
	}
	fake.SetAccounts(many)
	for _, args := range [][]string{{"accounts"}, {"accounts", "--id", "annie"}, {"status"}, {"refresh"}} {
		stdout, stderr, code := bcauth(t, args...)
		if code != 0 {
			t.Fatalf("bcauth %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
		// SetAccounts gives Annie, the fake's first person, the many.
		if len(args) == 3 && strings.Count(stdout, "\n") != len(many) {
			t.Fatalf("bcauth %s listed %d accounts, want %d", strings.Join(args, " "), strings.Count(stdout, "\n"), len(many))
		}
	}
	fi, err := os.Stat(filepath.Join(store.DefaultDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Two logins; "a few hundred bytes" each, with room for long tokens.
	if fi.Size() > 2*1024 {
		t.Errorf("state.json is %d bytes for two logins, one reaching %d accounts", fi.Size(), len(many))
	}
}

// launchpad_error is "exit 1" (a failure that may pass), not 4: Launchpad
// answering something unexpected does not mean the person must log in.
func TestREADMELaunchpadErrorExitsOne(t *testing.T) {
	fake := twoIDsOnDisk(t)
	fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusTeapot, Body: "I'm a teapot"})
	stdout, stderr, code := bcauth(t, "status", "--json")
	var doc struct {
		Problem *struct {
			Kind string `json:"kind"`
		} `json:"problem"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != 1 || doc.Problem == nil || doc.Problem.Kind != core.KindLaunchpad {
		t.Errorf("status --json with Launchpad answering 418: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	if _, stderr, code := bcauth(t, "status"); code != 1 || !strings.Contains(stderr, "teapot") {
		t.Errorf("status with Launchpad answering 418: exit %d, want 1 and Launchpad's words\n%s", code, stderr)
	}
}
