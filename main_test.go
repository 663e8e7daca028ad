package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/adrg/xdg"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"

	"bcauth/auth"
)

// The command table through the real cobra tree and fang, in process: what
// bcauth prints and the exit code it returns for a command line.

func TestMain(m *testing.M) {
	// fang wraps help to the terminal's width; a fixed one keeps examples
	// from being cut with "…" when the tests run in a narrow terminal.
	os.Setenv("__FANG_TEST_WIDTH", "120")
	os.Exit(m.Run())
}

// bcauth runs the command line as main does and returns what it printed,
// without styling, and its exit code.
func bcauth(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut)
	return ansi.Strip(out.String()), ansi.Strip(errOut.String()), code
}

// words is s with every run of spaces and line breaks made one space, so
// text compares the same however the help wrapped and padded it.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestEveryCommandsHelpHasItsSynopsisAndExample(t *testing.T) {
	for _, c := range newRoot(new(int)).Commands() {
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
		{[]string{"--help"}, []string{
			"bcauth [command] [--no-browser] [--timeout DURATION]",
			"login [--no-browser] [--timeout DURATION]", "status [--json]", "probe [--json] [--product CODE]",
			"BASECAMP_OAUTH_CLIENT_ID", "BASECAMP_PASSWORD for probe --basic", "bcauth help COMMAND",
			"completion",
		}},
		{[]string{"help"}, []string{"bcauth [command]", "accounts [--json] [--product CODE]"}},
		// The second synopsis, the one with older credentials.
		{[]string{"probe", "--help"}, []string{"bcauth probe --url HREF (--basic USER | --api-token TOKEN) [--product CODE] [--json]", "BASECAMP_API_TOKEN"}},
		// The default reads as it is typed.
		{[]string{"login", "--help"}, []string{"--timeout", "a DURATION such as 90s or 5m, at most 1h (5m)", "--no-browser"}},
		{[]string{"help", "completion", "bash"}, []string{"bcauth completion bash"}},
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
		{"another command's flag", []string{"token", "--json"}, []string{"bcauth token: unknown flag: --json"}},
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
	stdout, _, code := bcauth(t, "--version")
	if code != 0 || !strings.Contains(stdout, version()) {
		t.Errorf("--version: exit %d, %q; want the version %q", code, stdout, version())
	}
	stdout, _, code = bcauth(t, "version")
	if lines := strings.Split(stdout, "\n"); code != 0 || lines[0] != "bcauth "+version() || !strings.HasPrefix(lines[1], "go") {
		t.Errorf("version: exit %d, %q; want bcauth %s and the Go version", code, stdout, version())
	}
}

func TestTheAppNeedsATerminal(t *testing.T) {
	if term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())) {
		t.Skip("this test binary runs in a terminal, where these commands would start the app")
	}
	for _, args := range [][]string{{}, {"login"}, {"setup", "--no-browser"}, {"demo", "--timeout", "1m"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := bcauth(t, args...)
			const want = "bcauth: this command needs a terminal; in scripts use bcauth status, accounts, token or logout\n"
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
		{"status, not logged in", configured, []string{"status"}, 1, "bcauth login"},
		{"token, not logged in", configured, []string{"token"}, 1, "bcauth login"},
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
	emptyConfig(t, apiTokenEnv, "classic-token")
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

// TestWhereTheLoginRuns: over SSH, and with nothing that can open a
// browser here, the connect screen asks for the address back instead of
// promising a browser; SSH_CLIENT alone counts as SSH.
func TestWhereTheLoginRuns(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}, true},
		{map[string]string{"SSH_CLIENT": "10.0.0.1 5000 22"}, true},
		{map[string]string{"SSH_TTY": "/dev/pts/1"}, true},
		{map[string]string{"DISPLAY": ":0"}, false},
	} {
		if got := overSSH(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("overSSH(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name                          string
		noBrowser, demo, ssh, canOpen bool
		want                          bool
	}{
		{"a desktop", false, false, false, true, false},
		{"--no-browser", true, false, false, true, true},
		{"ssh", false, false, true, true, true},
		{"no display, no $BROWSER, no ssh", false, false, false, false, true},
		{"the demo without a browser approves by itself", false, true, false, false, false},
		{"the demo over ssh opens nothing either", false, true, true, false, false},
		{"the demo with --no-browser", true, true, false, true, true},
	} {
		if got := pasteBack(tc.noBrowser, tc.demo, tc.ssh, tc.canOpen); got != tc.want {
			t.Errorf("%s: pasteBack = %v, want %v", tc.name, got, tc.want)
		}
	}
}
