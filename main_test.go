package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/adrg/xdg"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/cli"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// The command table through the real cobra tree, in process: what
// bcauth prints and the exit code it returns for a command line.

func TestMain(m *testing.M) {
	if os.Getenv(asBcauthEnv) != "" {
		// Re-executed by bcauthProcess: be bcauth, as main is, on loopback
		// only too.
		os.Exit(launchpadtest.GuardNetwork(asBcauth{}))
	}
	os.Exit(launchpadtest.GuardNetwork(m))
}

// asBcauth runs bcauth with this process's arguments, as main does.
type asBcauth struct{}

func (asBcauth) Run() int {
	return run(context.Background(), os.Environ(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// asBcauthEnv makes the test binary run as bcauth itself (see TestMain),
// for tests about several bcauth processes at once.
const asBcauthEnv = "BCAUTH_TEST_AS_BCAUTH"

// bcauthProcess is a bcauth process: this test binary re-executed as
// bcauth, with the environment of the test (XDG directories, client
// settings) and args.
func bcauthProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, args...)
	cmd.Env = append(os.Environ(), asBcauthEnv+"=1")
	return cmd
}

// bcauth runs the command line as main does and returns what it printed,
// without styling, and its exit code.
func bcauth(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), os.Environ(), args, nil, &out, &errOut)
	return ansi.Strip(out.String()), ansi.Strip(errOut.String()), code
}

// words is s with every run of spaces and line breaks made one space, so
// text compares the same however the help wrapped and padded it.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestEveryCommandsHelpHasItsSynopsisAndExample(t *testing.T) {
	for _, c := range cli.NewRoot(&cli.Factory{}).Commands() {
		for _, args := range [][]string{{c.Name(), "--help"}, {"help", c.Name()}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				stdout, stderr, code := bcauth(t, args...)
				if code != 0 || stderr != "" {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
				}
				got := words(stdout)
				want := []string{"bcauth " + c.Use, c.Long}
				for l := range strings.Lines(c.Example) {
					want = append(want, l)
				}
				for _, w := range want {
					if !strings.Contains(got, words(w)) {
						t.Errorf("the help lacks %q:\n%s", w, stdout)
					}
				}
			})
		}
	}
}

func TestHelpDetails(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		// Each command by name and what it does; its synopsis is in its
		// own help.
		{[]string{"--help"}, []string{
			"bcauth [command] [--id ID|EMAIL] [--no-browser] [--timeout DURATION]",
			"ids The Basecamp IDs logged in here", "switch Make another Basecamp ID current", "BASECAMP_TOKEN is an access token", "BCAUTH_ID",
			"login Log in", "status Who is logged in", "probe Check which accounts",
			"BASECAMP_OAUTH_CLIENT_ID", "BASECAMP_PASSWORD for probe --basic", "bcauth help COMMAND",
			"completion Generate", "man The man page", "--timeout DURATION How long",
		}},
		{[]string{"help"}, []string{"bcauth [command]", "accounts The accounts"}},
		// The second synopsis, the one with older credentials.
		{[]string{"probe", "--help"}, []string{"bcauth probe --url HREF (--basic USER | --api-token TOKEN) [--product CODE] [--json]", "BASECAMP_API_TOKEN"}},
		// The default reads as it is typed.
		{[]string{"login", "--help"}, []string{"--timeout", "a DURATION such as 90s or 5m, at most 1h (5m)", "--no-browser", "waits, unless --timeout is given, as long as its code lives"}},
		{[]string{"help", "completion", "bash"}, []string{"bcauth completion bash"}},
		{[]string{"login", "--help"}, []string{"--with-token", "| bcauth login --with-token", "optionally, its refresh token on a second line"}},
		{[]string{"token", "--help"}, []string{"bcauth token [--json] [--id ID|EMAIL]", `"source": "stored" or "environment"`, "--id"}},
		{[]string{"switch", "--help"}, []string{"bcauth switch ben@example.com", "without a terminal, the choices are listed"}},
		{[]string{"logout", "--help"}, []string{"bcauth logout --id ben@example.com", "BCAUTH_ID does the same"}},
		// BC5's settings and what each command says of it (issue 24).
		{[]string{"--help"}, []string{"BCAUTH_BC5_CLIENT_ID (a client of Basecamp's newer server, BC5: an ID and no secret; without one, logins stay on Launchpad)",
			"BASECAMP_BASE_URL (the API origin a login asks which server to use, default https://3.basecampapi.com)",
			"BASECAMP_OAUTH_ISSUER (pins the BC5 issuer, which that origin must advertise)", "bcauth discover says which server a login would use now"}},
		{[]string{"login", "--help"}, []string{"--scope read|full On BC5: ask for read (read-only) or full (read and write) access",
			"--no-browser Do not open a browser: on Launchpad, paste the address it ends on instead (a BC5 login shows a code"}},
		{[]string{"setup", "--help"}, []string{"When the API origin advertises Basecamp's newer server (BC5), setup asks for a BC5 client ID instead", "ctrl+o switches between the two"}},
		{[]string{"ids", "--help"}, []string{"Once any login here is BC5's, a seventh column says each login's server", `"identity": {…}, "server": {…}, "token"`}},
		{[]string{"token", "--help"}, []string{`"identity": {…}, "server": {…}, "source"`}},
		{[]string{"demo", "--help"}, []string{"--serve Run the fake Launchpad (with --bc5, its BC5 issuer too)"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := bcauth(t, tc.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(words(stdout), w) {
					t.Errorf("the help lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // in stderr, in this order
	}{
		{"mistyped command", []string{"stauts"}, []string{`bcauth: unknown command "stauts"`, "Did you mean this?\n\tstatus\n", "Run bcauth --help for its commands."}},
		{"another", []string{"acounts"}, []string{`unknown command "acounts"`, "\taccounts\n"}},
		{"unknown command", []string{"frobnicate"}, []string{`bcauth: unknown command "frobnicate"`, "Run bcauth --help"}},
		{"unknown flag", []string{"status", "--jsno"}, []string{"bcauth status: unknown flag: --jsno", "Run bcauth status --help for its flags."}},
		{"another command's flag", []string{"ids", "--product", "bc3"}, []string{"bcauth ids: unknown flag: --product"}},
		{"--id where it means nothing", []string{"ids", "--id", "ben"}, []string{"bcauth ids: unknown flag: --id"}},
		{"switch to two", []string{"switch", "annie", "ben"}, []string{`bcauth switch: unexpected argument "ben": name one Basecamp ID`}},
		{"unknown root flag", []string{"--frob"}, []string{"bcauth: unknown flag: --frob", "Run bcauth --help"}},
		{"stray argument", []string{"accounts", "bc3"}, []string{`bcauth accounts: unexpected argument "bc3"`, "Run bcauth accounts --help"}},
		{"bad timeout", []string{"login", "--timeout", "5"}, []string{"bcauth login:", `"5"`, "use a duration such as 90s or 5m", "Run bcauth login --help"}},
		{"zero timeout", []string{"setup", "--timeout=0s"}, []string{"use a duration longer than zero, such as 90s or 5m"}},
		{"timeout over an hour", []string{"login", "--timeout", "61m"}, []string{"use a duration of at most 1h, such as 90s or 5m"}},
		{"missing value", []string{"demo", "--timeout"}, []string{"bcauth demo: flag needs an argument: --timeout"}},
		{"help for nothing", []string{"help", "nosuch"}, []string{`bcauth: no command "nosuch"`, "Run bcauth --help"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := bcauth(t, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing: complaints go to stderr", stdout)
			}
			rest := stderr
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr lacks %q (in order):\n%s", w, stderr)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "# bash completion V2 for bcauth",
		"zsh":  "#compdef bcauth",
		"fish": "complete -c bcauth",
	} {
		t.Run(shell, func(t *testing.T) {
			stdout, stderr, code := bcauth(t, "completion", shell)
			if code != 0 || stderr != "" || !strings.Contains(stdout, want) {
				t.Errorf("exit %d, stderr %q, stdout without %q:\n%.300s", code, stderr, want, stdout)
			}
		})
	}
}

func TestCompletionOffersCommandsAndProductCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "s"}, []string{"setup\t", "status\t"}},
		{[]string{"__complete", "accounts", "--product", ""}, []string{"bc3\tBasecamp", "bcx\tBasecamp 2"}},
		{[]string{"__complete", "probe", "--product", "b"}, []string{"backpack\tBackpack"}},
		{[]string{"__complete", "help", "p"}, []string{"probe\t"}},
		// No file names for a value that is never a file (":4" is cobra's NoFileComp).
		{[]string{"__complete", "login", "--timeout", ""}, []string{":4\n"}},
		{[]string{"__complete", "probe", "--url", ""}, []string{":4\n"}},
		{[]string{"__complete", "status", ""}, []string{":4\n"}},
	} {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			stdout, _, code := bcauth(t, tc.args...)
			for _, w := range tc.want {
				if code != 0 || !strings.Contains(stdout, w) {
					t.Errorf("exit %d, completions lack %q:\n%s", code, w, stdout)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	want := cli.BuildInfo{}.String()
	stdout, _, code := bcauth(t, "--version")
	if code != 0 || stdout != want+"\n" {
		t.Errorf("--version: exit %d, %q; want the version alone, %q", code, stdout, want)
	}
	stdout, _, code = bcauth(t, "version")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || lines[0] != "bcauth "+want || !strings.HasPrefix(lines[len(lines)-1], "go1.") {
		t.Errorf("version: exit %d, %q; want bcauth %s first and the Go version last", code, stdout, want)
	}
}

func TestTheAppNeedsATerminal(t *testing.T) {
	if term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())) {
		t.Skip("this test binary runs in a terminal, where these commands would start the app")
	}
	// Each says what does its job without a terminal.
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{nil, "in scripts use bcauth status, accounts, token or logout"},
		{[]string{"login"}, "without one, pipe a token in: bcauth login --with-token (see bcauth login --help)"},
		{[]string{"setup", "--no-browser"}, "without one, set BASECAMP_OAUTH_CLIENT_ID and BASECAMP_OAUTH_CLIENT_SECRET, then bcauth login --with-token"},
		{[]string{"demo", "--timeout", "1m"}, "without one, bcauth demo --serve runs the fake Launchpad alone for the script commands"},
	} {
		args := tc.args
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := bcauth(t, args...)
			want := "bcauth: this command needs a terminal; " + tc.hint + "\n"
			if code != 1 || stderr != want || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, stdout, stderr, want)
			}
		})
	}
}

// emptyConfig points bcauth at an empty config directory, with only the
// given environment set (loopback addresses only).
func emptyConfig(t *testing.T, env ...string) {
	t.Cleanup(xdg.Reload) // after the environment is back
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	// The account cache too: never the person's own ~/.cache/bcauth.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for _, k := range []string{auth.SettingClientID, auth.SettingClientSecret, auth.SettingRedirectURI, auth.SettingLaunchpadURL} {
		t.Setenv(k, "")
	}
	for i := 0; i < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	xdg.Reload()
}

func TestScriptCommandsExitWithTheirOwnCode(t *testing.T) {
	configured := []string{
		auth.SettingClientID, "client", auth.SettingClientSecret, "secret",
		// Nothing listens there; not logged in, nothing is asked anyway.
		auth.SettingLaunchpadURL, "http://127.0.0.1:1",
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want string // in stderr
	}{
		{"status, not configured", nil, []string{"status"}, 2, "no Launchpad client is configured"},
		{"status, not logged in", configured, []string{"status"}, 4, "bcauth login"},
		{"token, not logged in", configured, []string{"token"}, 4, "bcauth login"},
		{"probe, not configured", nil, []string{"probe"}, 2, "no Launchpad client is configured"},
		{"probe, api token from nowhere", nil, []string{"probe", "--url", "http://127.0.0.1:1/1/api/v1", "--api-token", "-"}, 2, "BASECAMP_API_TOKEN, which is not set"},
		{"logout, nobody logged in", configured, []string{"logout"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emptyConfig(t, tc.env...)
			_, stderr, code := bcauth(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr, which should hold %q:\n%s", code, tc.code, tc.want, stderr)
			}
		})
	}
}

func TestStatusJSONGoesToStdout(t *testing.T) {
	emptyConfig(t)
	stdout, _, code := bcauth(t, "status", "--json")
	var st struct {
		LoggedIn *bool `json:"logged_in"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || st.LoggedIn == nil || *st.LoggedIn || code != 2 {
		t.Errorf("status --json: exit %d, %v, stdout:\n%s\nwant exit 2 and logged_in false", code, err, stdout)
	}
}

func TestProbeWithAnAPITokenFromTheEnvironment(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		got = fmt.Sprintf("%s %s:%s", r.URL.Path, user, pass)
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	emptyConfig(t, "BASECAMP_API_TOKEN", "classic-token")
	stdout, stderr, code := bcauth(t, "probe", "--url", srv.URL+"/1/api/v1", "--product", "bcx", "--api-token", "-")
	if code != 3 {
		t.Errorf("exit %d, want 3 (not every account answers)\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if want := "/1/api/v1/people/me.json classic-token:X"; got != want {
		t.Errorf("the product was asked %q, want %q", got, want)
	}
	if !strings.Contains(stdout, "\trefused\t") || strings.Contains(stdout+stderr, "classic-token") {
		t.Errorf("stdout %q, stderr %q: want one refused line and never the token", stdout, stderr)
	}
}

// twoIDsOnDisk logs the fake's two people in under a fresh
// XDG_CONFIG_HOME, with the client in the environment, as bcauth would
// find them; Ben, logged in last, is current.
func twoIDsOnDisk(t *testing.T) *launchpadtest.Server {
	t.Helper()
	fake := launchpadtest.NewServer(launchpadtest.Options{RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t))})
	t.Cleanup(fake.Close)
	c := uitest.Client(fake)
	emptyConfig(t, auth.SettingClientID, c.ClientID, auth.SettingClientSecret, c.ClientSecret,
		auth.SettingRedirectURI, c.RedirectURI, auth.SettingLaunchpadURL, c.LaunchpadURL)
	t.Setenv(auth.SettingToken, "")
	t.Setenv(core.IDSetting, "")
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := &core.Service{Store: st, Env: c, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	uitest.LogIn(t, svc, fake)
	e := &uitest.Env{Fake: fake, Svc: svc, Dir: st.Dir()}
	e.LogInSecond(t)
	return fake
}

func statusEmail(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := bcauth(t, append([]string{"status", "--json"}, args...)...)
	var st struct {
		Identity *struct {
			EmailAddress string `json:"email_address"`
		} `json:"identity"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 || st.Identity == nil {
		t.Fatalf("status --json %q: exit %d, %v\n%s%s", args, code, err, stdout, stderr)
	}
	return st.Identity.EmailAddress
}

func TestIDFlagWinsOverBCAUTHID(t *testing.T) {
	twoIDsOnDisk(t)
	if got := statusEmail(t); got != "ben@example.com" {
		t.Errorf("status without --id: %s, want the current one, ben", got)
	}
	t.Setenv(core.IDSetting, "annie")
	if got := statusEmail(t); got != "annie@example.com" {
		t.Errorf("status with BCAUTH_ID=annie: %s", got)
	}
	if got := statusEmail(t, "--id", "8888888"); got != "ben@example.com" {
		t.Errorf("status --id 8888888 with BCAUTH_ID=annie: %s, want the flag to win", got)
	}
	// Nothing of that switched: ids still marks Ben.
	stdout, _, code := bcauth(t, "ids")
	if code != 0 || !strings.Contains(stdout, "*\t8888888\tBen Ortiz") || !strings.Contains(stdout, "-\t9999999\tAnnie Bryan") {
		t.Errorf("ids after --id and BCAUTH_ID: exit %d\n%s", code, stdout)
	}
	t.Setenv(core.IDSetting, "nobody")
	_, stderr, code := bcauth(t, "token")
	if code != 4 || !strings.Contains(stderr, `no Basecamp ID logged in here matches "nobody"`) {
		t.Errorf("token with BCAUTH_ID=nobody: exit %d, %s", code, stderr)
	}
	// switch takes its argument, never BCAUTH_ID.
	stdout, _, code = bcauth(t, "switch", "annie@example.com")
	if code != 0 || stdout != "Now using Annie Bryan (annie@example.com).\n" {
		t.Errorf("switch: exit %d, %q", code, stdout)
	}
}

func TestBasecampTokenWithNoStateDirectory(t *testing.T) {
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	access, _, _ := fake.IssueToken()
	// A config home that cannot be created, even by root: it is under a
	// regular file. No client is configured either.
	file := filepath.Join(t.TempDir(), "home-is-a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	emptyConfig(t, auth.SettingLaunchpadURL, fake.URL, core.IDSetting, "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(file, "config"))
	xdg.Reload()

	t.Setenv(auth.SettingToken, "")
	if _, stderr, code := bcauth(t, "accounts"); code != 2 || !strings.Contains(stderr, "cannot create") {
		t.Fatalf("without BASECAMP_TOKEN the state directory is needed: exit %d, %s", code, stderr)
	}
	t.Setenv(auth.SettingToken, access)
	stdout, stderr, code := bcauth(t, "status", "--json")
	var st struct {
		Valid bool `json:"valid"`
		Token *struct {
			Source string `json:"source"`
		} `json:"token"`
		StateDir string `json:"state_dir"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 || !st.Valid || st.Token == nil || st.Token.Source != "environment" || st.StateDir != "" {
		t.Errorf("status --json with BASECAMP_TOKEN and no state directory: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	stdout, _, code = bcauth(t, "accounts", "--product", "bcx")
	if code != 0 || strings.Count(stdout, "\n") != 2 {
		t.Errorf("accounts: exit %d\n%s", code, stdout)
	}
	stdout, _, code = bcauth(t, "token")
	if code != 0 || stdout != access+"\n" {
		t.Errorf("token: exit %d, %q", code, stdout)
	}
	if _, stderr, code := bcauth(t, "refresh"); code != 1 || !strings.Contains(stderr, "BASECAMP_TOKEN is set") {
		t.Errorf("refresh: exit %d, %s", code, stderr)
	}
	if n := fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d token requests: BASECAMP_TOKEN was refreshed", n)
	}
}

func TestConcurrentTokenCallsRefreshOnce(t *testing.T) { tokenHerd(t, false) }

// TestKeyringConcurrentTokenCallsRefreshOnce is the same herd with the
// tokens in the OS keyring (BCAUTH_KEYRING=1 in every process), against
// the real Secret Service .ci/keyring-tests starts: the lock across
// processes must hold there too, and no token may reach a file.
func TestKeyringConcurrentTokenCallsRefreshOnce(t *testing.T) {
	uitest.NeedKeyring(t)
	tokenHerd(t, true)
}

// tokenHerd runs 20 bcauth token processes at once on one login whose
// access token expired, with the secrets in the keyring or in the files:
// one refresh request, and every process prints the token stored after.
func tokenHerd(t *testing.T, keyring bool) {
	if testing.Short() {
		t.Skip("runs 20 bcauth processes: not with -short")
	}
	for _, rotate := range []bool{false, true} {
		t.Run(fmt.Sprintf("rotating refresh tokens %v", rotate), func(t *testing.T) {
			fake := launchpadtest.NewServer(launchpadtest.Options{
				RedirectURI:         fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t)),
				RotateRefreshTokens: rotate,
			})
			t.Cleanup(fake.Close)
			c := uitest.Client(fake)
			emptyConfig(t, auth.SettingClientID, c.ClientID, auth.SettingClientSecret, c.ClientSecret,
				auth.SettingRedirectURI, c.RedirectURI, auth.SettingLaunchpadURL, c.LaunchpadURL,
				auth.SettingToken, "", core.IDSetting, "")
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			var opts []store.Option
			if keyring {
				t.Setenv(core.KeyringSetting, "1")
				opts = append(opts, store.WithKeyring(store.OSKeyring{Timeout: 10 * time.Second}, store.KeyringOn))
			}
			st, err := store.Open(store.DefaultDir(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			if keyring {
				t.Cleanup(func() { _ = st.LogoutAll() })
			}
			e := &uitest.Env{Fake: fake, Dir: st.Dir(), Svc: &core.Service{Store: st, Env: c, HTTPClient: &http.Client{Timeout: 10 * time.Second}}}
			sess := e.LogIn(t)
			e.ExpireStored(t, sess, time.Minute)
			fake.ExpireAccessTokens()
			before := fake.RefreshRequests()

			const n = 20
			cmds := make([]*exec.Cmd, n)
			outs := make([]*bytes.Buffer, n)
			errs := make([]*bytes.Buffer, n)
			for i := range cmds {
				cmds[i] = bcauthProcess(t, "token")
				outs[i], errs[i] = new(bytes.Buffer), new(bytes.Buffer)
				cmds[i].Stdout, cmds[i].Stderr = outs[i], errs[i]
				if err := cmds[i].Start(); err != nil {
					t.Fatal(err)
				}
			}
			printed := map[string]int{}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Errorf("token process %d: %v\n%s", i, err, errs[i])
					continue
				}
				printed[outs[i].String()]++
			}
			if got := fake.RefreshRequests() - before; got != 1 {
				t.Errorf("%d concurrent token calls made %d refresh requests, want 1", n, got)
			}
			stored, err := st.LoadToken(sess.Key()) // from the keyring, if that is where it is
			if err != nil {
				t.Fatal(err)
			}
			if len(printed) != 1 || printed[stored.AccessToken+"\n"] != n {
				t.Errorf("the processes printed %d different tokens (%v); want the stored one from all %d", len(printed), printed, n)
			}
			if keyring {
				uitest.NoFileHolds(t, st.Dir(), stored.AccessToken, stored.RefreshToken)
			}
			// What is stored still works, rotated or not.
			if stdout, stderr, code := bcauth(t, "refresh"); code != 0 {
				t.Errorf("refresh after the herd: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

func TestAnotherUsersStateDirectoryIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a directory to another user needs root (os.Chown)")
	}
	emptyConfig(t, auth.SettingClientID, "client", auth.SettingClientSecret, "secret", auth.SettingToken, "")
	dir := store.DefaultDir()
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"token", "status", "accounts", "logout"} {
		stdout, stderr, code := bcauth(t, cmd)
		if code != 2 || stdout != "" || !strings.Contains(stderr, dir+" belongs to uid 65534, not to you (uid 0)") || !strings.Contains(stderr, "chown") {
			t.Errorf("%s with another user's state directory: exit %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
		}
	}
}
