package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adrg/xdg"
)

// What a newcomer tried on the command line (issue 21), through the real
// command tree and the fake Launchpad over HTTP.

func TestSwitchByAPartOfALaunchpadID(t *testing.T) {
	twoIDsOnDisk(t)
	for _, tc := range []struct{ query, want string }{
		{"9999", "Now using Annie Bryan (annie@example.com).\n"},
		{"8888", "Now using Ben Ortiz (ben@example.com).\n"},
		{"Annie Bryan", "Now using Annie Bryan (annie@example.com).\n"},
	} {
		stdout, stderr, code := bcauth(t, "switch", tc.query)
		if code != 0 || stdout != tc.want {
			t.Errorf("switch %s: exit %d, stdout %q, stderr %q; want %q", tc.query, code, stdout, stderr, tc.want)
		}
	}
}

// A --product that names no product is a typo: exit 2, the codes listed,
// as for any command line bcauth cannot run. A known product the login
// has no account of is an empty answer (exit 0); a product bcauth does
// not know but the login has is listed.
func TestProductThatIsNoProduct(t *testing.T) {
	twoIDsOnDisk(t)
	for _, tc := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"accounts", "--product", "nope"}, 2, `bcauth: --product "nope" is no product code: the codes are bc3, bcx, basecamp, campfire, highrise, backpack`},
		{[]string{"probe", "--product", "nope"}, 2, `bcauth: --product "nope" is no product code`},
		{[]string{"accounts", "--product", "highrise"}, 0, `no accounts of product "highrise"`},
		{[]string{"accounts", "--product", "BC3"}, 0, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := bcauth(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if tc.code == 2 && stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func TestCompletionForAnUnknownShellExitsTwo(t *testing.T) {
	stdout, stderr, code := bcauth(t, "completion", "tcsh")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `no completion script for "tcsh": the shells are bash, zsh, fish, powershell`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// probe --url --basic checks the whole command line before it asks for
// a password: here the product cannot be told from the URL. Before, it
// asked first (and, with no terminal, failed on that with exit 1).
func TestProbeChecksTheCommandLineBeforeAskingForAPassword(t *testing.T) {
	emptyConfig(t, "BASECAMP_PASSWORD", "")
	stdout, stderr, code := bcauth(t, "probe", "--url", "https://127.0.0.1:1/whatever", "--basic", "me@example.com")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "cannot tell which product https://127.0.0.1:1/whatever belongs to") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and the product", code, stdout, stderr)
	}
}

// The man page's header names the page, its section and the manual, not
// the whole description crammed in between.
func TestManPageHeading(t *testing.T) {
	stdout, _, code := bcauth(t, "man")
	first, _, _ := strings.Cut(stdout, "\n")
	if code != 0 || !strings.HasPrefix(first, ".TH BCAUTH 1 \"") || !strings.HasSuffix(first, `" "User Commands"`) {
		t.Errorf("exit %d, heading %q", code, first)
	}
	help, _, _ := bcauth(t, "--help")
	if !strings.Contains(help, "\n  man ") {
		t.Errorf("--help lists no man:\n%s", help)
	}
}

// Commands that only read write nothing: no state directory appears.
func TestReadingCommandsCreateNoDirectory(t *testing.T) {
	emptyConfig(t, "BASECAMP_OAUTH_CLIENT_ID", "client", "BASECAMP_OAUTH_CLIENT_SECRET", "secret",
		"BASECAMP_LAUNCHPAD_URL", "http://127.0.0.1:1")
	config := filepath.Join(xdg.ConfigHome, "bcauth")
	for _, args := range [][]string{{"switch"}, {"switch", "ben"}, {"ids"}, {"status"}, {"accounts"}, {"token"}, {"refresh"}, {"probe"}, {"logout"}, {"logout", "--all"}} {
		bcauth(t, args...)
		if _, err := os.Stat(config); err == nil {
			t.Fatalf("bcauth %s made %s", strings.Join(args, " "), config)
		}
	}
}

// switch and --id complete the stored Basecamp IDs, by email and by
// Launchpad id (8888<TAB> completed nothing), with the name as the
// description; man is a command, and completes too.
func TestCompletionOffersStoredIDs(t *testing.T) {
	twoIDsOnDisk(t)
	for _, args := range [][]string{
		{"__complete", "switch", ""},
		{"__complete", "status", "--id", ""},
		{"__complete", "status", "--id", "b"},
	} {
		stdout, _, code := bcauth(t, args...)
		if code != 0 || !strings.Contains(stdout, "ben@example.com\tBen Ortiz") || !strings.Contains(stdout, "8888888\tBen Ortiz") {
			t.Errorf("%q: exit %d, completions:\n%s", args[1:], code, stdout)
		}
	}
	if stdout, _, _ := bcauth(t, "__complete", "ma"); !strings.Contains(stdout, "man\t") {
		t.Errorf("man does not complete:\n%s", stdout)
	}
}

// The bash script works in a bash without the bash-completion package:
// before, every TAB said "_get_comp_words_by_ref: command not found".
func TestBashCompletionNeedsNoPackage(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash here")
	}
	script, _, code := bcauth(t, "completion", "bash")
	if code != 0 {
		t.Fatalf("completion bash: exit %d", code)
	}
	file := filepath.Join(t.TempDir(), "bcauth.bash")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// This test binary stands in for bcauth (see asBcauthEnv); --norc
	// keeps any bash-completion the machine has out.
	cmd := exec.CommandContext(t.Context(), bash, "--norc", "--noprofile", "-c",
		`source "$1"; COMP_WORDS=("$2" st); COMP_CWORD=1; COMP_LINE="$2 st"; COMP_POINT=${#COMP_LINE}; __start_bcauth bcauth st bcauth; echo "reply: ${COMPREPLY[*]}"`,
		"bash", file, exe)
	cmd.Env = append(os.Environ(), asBcauthEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "command not found") || !strings.Contains(string(out), "reply: status") {
		t.Errorf("TAB after 'bcauth st' in a bare bash: %v\n%s", err, out)
	}
}

// probe --url names the account by its href (it knows no name), where it
// printed an empty name.
func TestProbeURLNamesTheHref(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": 42, "name": "Annie Bryan", "email_address": "annie@example.com"}`)
	}))
	defer srv.Close()
	emptyConfig(t, "BASECAMP_API_TOKEN", "classic-token")
	href := srv.URL + "/1234/api/v1"
	stdout, stderr, code := bcauth(t, "probe", "--url", href, "--product", "bcx", "--api-token", "-")
	fields := strings.Split(strings.TrimSpace(stdout), "\t")
	if code != 0 || len(fields) != 5 || fields[1] != "1234" || fields[3] != href {
		t.Errorf("exit %d, fields %q, stderr %s; want the id from the href and the href as the name", code, fields, stderr)
	}
}
