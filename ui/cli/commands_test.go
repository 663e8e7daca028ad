package cli

import (
	"bytes"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"bcauth/ui/core"
)

// parse runs a command's declaration alone on args: flags and arguments
// parsed, runF called in place of the command, nothing else.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(new(bytes.Buffer))
	cmd.SetErr(new(bytes.Buffer))
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// capture returns a runF that keeps the options it is called with.
func capture[O any](got **O) func(*O) error {
	return func(o *O) error { *got = o; return nil }
}

func TestCommandsParseTheirFlags(t *testing.T) {
	f := &Factory{Env: core.Env{core.IDSetting + "=from-env", apiTokenEnv + "=t"}}
	yes, no := true, false
	t.Run("status", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want statusOptions
		}{
			{nil, statusOptions{ID: "from-env"}},
			{[]string{"--json", "--id", "ben@example.com"}, statusOptions{JSON: true, ID: "ben@example.com"}},
			{[]string{"--id", ""}, statusOptions{}}, // an empty flag wins over BCAUTH_ID
		} {
			var got *statusOptions
			if err := parse(t, newStatusCmd(f, capture(&got)), tc.args...); err != nil || got == nil || *got != tc.want {
				t.Errorf("status %q: %+v, %v; want %+v", tc.args, got, err, tc.want)
			}
		}
	})
	t.Run("accounts", func(t *testing.T) {
		var got *accountsOptions
		if err := parse(t, newAccountsCmd(f, capture(&got)), "--product", "bcx", "--json"); err != nil || *got != (accountsOptions{JSON: true, ID: "from-env", Product: "bcx"}) {
			t.Errorf("accounts: %+v, %v", got, err)
		}
	})
	t.Run("token", func(t *testing.T) {
		var got *tokenOptions
		if err := parse(t, newTokenCmd(f, capture(&got)), "--json", "--id", "9"); err != nil || *got != (tokenOptions{JSON: true, ID: "9"}) {
			t.Errorf("token: %+v, %v", got, err)
		}
	})
	t.Run("logout", func(t *testing.T) {
		var got *logoutOptions
		if err := parse(t, newLogoutCmd(f, capture(&got)), "--all"); err != nil || *got != (logoutOptions{All: true}) {
			t.Errorf("logout: %+v, %v", got, err)
		}
	})
	t.Run("logout --all --id", func(t *testing.T) {
		var got *logoutOptions
		if err := parse(t, newLogoutCmd(f, capture(&got)), "--all", "--id", "ben"); err == nil || got != nil {
			t.Errorf("logout --all --id: %+v, %v; want a usage error and no run", got, err)
		}
		if err := parse(t, newLogoutCmd(f, capture(&got)), "--all"); err != nil || got.ID != "" {
			t.Errorf("logout --all with BCAUTH_ID set: %+v, %v; want every ID, none named", got, err)
		}
	})
	t.Run("ids", func(t *testing.T) {
		var got *idsOptions
		if err := parse(t, newIDsCmd(f, capture(&got)), "--json"); err != nil || !got.JSON {
			t.Errorf("ids: %+v, %v", got, err)
		}
	})
	t.Run("switch", func(t *testing.T) {
		var got *switchOptions
		if err := parse(t, newSwitchCmd(f, capture(&got)), "ben", "--json"); err != nil || *got != (switchOptions{Query: "ben", JSON: true}) {
			t.Errorf("switch: %+v, %v", got, err)
		}
		got = nil
		if err := parse(t, newSwitchCmd(f, capture(&got)), "ben", "annie"); err == nil || got != nil {
			t.Errorf("switch with two IDs: %+v, %v; want a usage error and no run", got, err)
		}
	})
	t.Run("refresh", func(t *testing.T) {
		var got *refreshOptions
		if err := parse(t, newRefreshCmd(f, capture(&got)), "--json"); err != nil || *got != (refreshOptions{JSON: true, ID: "from-env"}) {
			t.Errorf("refresh: %+v, %v", got, err)
		}
	})
	t.Run("login", func(t *testing.T) {
		var got *loginOptions
		if err := parse(t, newLoginCmd(f, capture(&got)), "--with-token", "--json", "--keyring=false", "--timeout", "90s"); err != nil ||
			!got.WithToken || !got.JSON || got.Keyring == nil || *got.Keyring != no || time.Duration(got.Timeout) != 90*time.Second {
			t.Errorf("login: %+v, %v", got, err)
		}
		got = nil
		if err := parse(t, newLoginCmd(f, capture(&got)), "--no-browser"); err != nil || !got.NoBrowser || got.Keyring != nil || time.Duration(got.Timeout) != 5*time.Minute {
			t.Errorf("login without --keyring: %+v, %v; want Keyring nil (leave it as it is) and the 5m default", got, err)
		}
		got = nil
		if err := parse(t, newLoginCmd(f, capture(&got)), "--expect-identity", "ben@example.com"); err != nil || got.Expect != "ben@example.com" {
			t.Errorf("login --expect-identity: %+v, %v", got, err)
		}
		got = nil
		if err := parse(t, newLoginCmd(f, capture(&got)), "--json"); err == nil || got != nil {
			t.Errorf("login --json without --with-token: %+v, %v; want a usage error and no run", got, err)
		}
		if err := parse(t, newLoginCmd(f, capture(&got)), "--timeout", "2h"); err == nil {
			t.Error("login --timeout 2h: no error, want one (at most 1h)")
		}
	})
	t.Run("setup", func(t *testing.T) {
		var got *appOptions
		if err := parse(t, newSetupCmd(f, capture(&got)), "--keyring"); err != nil || got.Keyring == nil || *got.Keyring != yes {
			t.Errorf("setup: %+v, %v", got, err)
		}
	})
	t.Run("app", func(t *testing.T) {
		var got *appOptions
		if err := parse(t, newAppCmd(f, capture(&got)), "--id", "annie", "--no-browser"); err != nil || got.ID != "annie" || !got.NoBrowser {
			t.Errorf("app: %+v, %v", got, err)
		}
		got = nil
		if err := parse(t, newAppCmd(f, capture(&got)), "stauts"); err == nil || got != nil {
			t.Errorf("app with a stray word: %+v, %v; want a usage error and no run", got, err)
		}
	})
	t.Run("demo", func(t *testing.T) {
		var got *demoOptions
		if err := parse(t, newDemoCmd(f, capture(&got)), "--serve"); err != nil || !got.Serve {
			t.Errorf("demo: %+v, %v", got, err)
		}
	})
	t.Run("probe", func(t *testing.T) {
		var got *ProbeOptions
		if err := parse(t, newProbeCmd(f, capture(&got)), "--url", "https://x.example", "--basic", "me", "--product", "bcx", "--json"); err != nil ||
			!reflect.DeepEqual(*got, ProbeOptions{ID: "from-env", URL: "https://x.example", BasicUser: "me", Product: "bcx", JSON: true}) {
			t.Errorf("probe: %+v, %v", got, err)
		}
	})
	t.Run("api", func(t *testing.T) {
		var got *APIOptions
		err := parse(t, newAPICmd(f, capture(&got)), "/projects.json", "--account", "99", "-X", "PUT", "-H", "A: b", "-H", "C: d",
			"-f", "a=1", "-F", "b=true", "--paginate", "--jq", ".[]", "-i", "--input", "-")
		if err != nil || got.Path != "/projects.json" || got.Account != "99" || got.Method != "PUT" || !reflect.DeepEqual(got.Headers, []string{"A: b", "C: d"}) ||
			!reflect.DeepEqual(got.Fields, []string{"a=1"}) || !reflect.DeepEqual(got.TypedFields, []string{"b=true"}) ||
			!got.Paginate || got.JQ != ".[]" || !got.Include || got.Input != "-" || got.ID != "from-env" || got.Pretty {
			t.Errorf("api: %+v, %v", got, err)
		}
		got = nil
		if err := parse(t, newAPICmd(f, capture(&got))); err == nil || got != nil {
			t.Errorf("api without a path: %+v, %v; want a usage error and no run", got, err)
		}
	})
}

// TestNoBubbleTea: the script commands start fast and small because this
// package links no Bubble Tea; the app comes in through Factory.App.
func TestNoBubbleTea(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command lists what this package links: %v", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "bubbletea") || strings.Contains(pkg, "charm.land/bubbles") || pkg == "bcauth/ui/tui" {
			t.Errorf("ui/cli links %s", pkg)
		}
	}
}
