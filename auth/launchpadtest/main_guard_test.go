package launchpadtest_test

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
)

// TestMain fails the run on any dial off this machine.
func TestMain(m *testing.M) { os.Exit(launchpadtest.GuardNetwork(m)) }

// guardHelperEnv makes TestGuardHelper dial off the machine.
const guardHelperEnv = "LAUNCHPADTEST_GUARD_HELPER"

// TestGuardHelper is not a test: TestGuardFailsARunThatDialsOut runs the
// test binary again with only it, to dial an address off this machine.
func TestGuardHelper(t *testing.T) {
	if os.Getenv(guardHelperEnv) == "" {
		t.Skip("run by TestGuardFailsARunThatDialsOut")
	}
	// 192.0.2.1 is TEST-NET-1 and basecamp.invalid a name that never
	// resolves: the guard must stop both before any packet leaves.
	for _, u := range []string{"http://192.0.2.1/", "https://3.basecampapi.invalid/1/my/profile.json"} {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("GET %s went through", u)
		}
	}
}

func TestGuardFailsARunThatDialsOut(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, "-test.run=^TestGuardHelper$")
	cmd.Env = append(os.Environ(), guardHelperEnv+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("a run that dialled out: %v, want it to fail\n%s", err, out)
	}
	for _, want := range []string{"192.0.2.1:80", "3.basecampapi.invalid:443", "off this machine"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the failed run does not name %q:\n%s", want, out)
		}
	}
	// Loopback stays open: the fake itself.
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	defer fake.Close()
	resp, err := http.Get(fake.URL + "/integrations")
	if err != nil {
		t.Fatalf("GET the fake through the guard: %v", err)
	}
	resp.Body.Close()
}
