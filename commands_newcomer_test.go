package main

import (
	"os"
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
