package cli

import (
	"net/http"
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
)

// TestAccountsWithLaunchpadDown holds the README's accounts row: with
// Launchpad unreachable, the list it gave last, exit 0, a warning that
// says so on stderr, in every form (the JSON written from the kept view,
// or not); with no list kept, exit 1 and nothing on stdout.
func TestAccountsWithLaunchpadDown(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	want := map[bool]string{}
	for _, asJSON := range []bool{true, false} {
		r := e.accounts(t, asJSON, "")
		if r.code != ExitOK || r.stdout == "" {
			t.Fatalf("accounts (json %v) with Launchpad up: %d, %q", asJSON, r.code, r.stderr)
		}
		want[asJSON] = r.stdout
	}
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	for _, asJSON := range []bool{true, false, true} {
		r := e.accounts(t, asJSON, "")
		if r.code != ExitOK || r.stdout != want[asJSON] || !strings.Contains(r.stderr, "these are the accounts it listed") {
			t.Errorf("accounts (json %v) with Launchpad down: %d, stdout equal %v, stderr %q", asJSON, r.code, r.stdout == want[asJSON], r.stderr)
		}
	}
	if st := e.status(t, false); st.code != ExitFailed {
		t.Errorf("status with Launchpad down: %d, want %d", st.code, ExitFailed)
	}
	sess := e.Current(t)
	if err := e.Svc.Store.ForgetAuthorization(sess.Key()); err != nil {
		t.Fatal(err)
	}
	for _, asJSON := range []bool{true, false} {
		if r := e.accounts(t, asJSON, ""); r.code != ExitFailed || r.stdout != "" {
			t.Errorf("accounts (json %v) with Launchpad down and no list kept: %d, %q", asJSON, r.code, r.stdout)
		}
	}
}
