package cli

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
)

// The 50 MB answer is measured in a process of its own, this test binary
// run again as TestHelperAPIChild: its peak RSS (getrusage's ru_maxrss) is
// the client's alone, since the fake that generates the body lives here.

const (
	apiChildEnv    = "BCAUTH_API_CHILD"
	largeBodyBytes = 50 << 20
	// rssBudget is far below what holding the body would take (50 MB
	// and more) and well above the test binary's own few megabytes.
	rssBudget = 40 << 20
)

// countingWriter counts what it is given and keeps nothing.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// TestHelperAPIChild is not a test: TestAPIStreamsALargeBodyInBoundedMemory
// runs it in a child process.
func TestHelperAPIChild(t *testing.T) {
	if os.Getenv(apiChildEnv) == "" {
		t.Skip("run by TestAPIStreamsALargeBodyInBoundedMemory")
	}
	args := strings.Split(os.Getenv(apiChildEnv), " ") // launchpad token pretty
	svc := &core.Service{Env: store.ClientConfig{LaunchpadURL: args[0]}, EnvToken: args[1], HTTPClient: &http.Client{Timeout: 30 * time.Second}}
	var out countingWriter
	code := API(t.Context(), svc, Output{Stdout: &out, Stderr: os.Stderr},
		APIOptions{Account: "99999999", Path: "/projects.json", Pretty: args[2] == "pretty", HTTPClient: &http.Client{}})
	fmt.Printf("exit=%d bytes=%d hwm=%d\n", code, out.n, selfHWM())
}

// selfHWM is this process's peak resident set from /proc/self/status
// (VmHWM, in bytes; 0 if unreadable). Not wait4's ru_maxrss: the child is
// started by vfork, and Linux folds the parent's high-water mark into the
// child's at exec, so a parent that grew in a long test run would be
// measured instead of the child.
func selfHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for l := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func TestAPIStreamsALargeBodyInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 50 MB twice")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory makes RSS meaningless: run without -race")
	}
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	token, _, _ := fake.IssueToken()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"raw", "pretty"} {
		fake.ScriptAPI(99999999, "bc3", launchpadtest.AnswerLargeJSON(largeBodyBytes))
		cmd := exec.Command(self, "-test.run=^TestHelperAPIChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), apiChildEnv+"="+fake.URL+" "+token+" "+mode)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", mode, err, out)
		}
		code, n, rss := -1, int64(0), int64(0)
		for _, l := range strings.Split(string(out), "\n") {
			if _, err := fmt.Sscanf(l, "exit=%d bytes=%d hwm=%d", &code, &n, &rss); err == nil {
				break
			}
		}
		if rss == 0 {
			t.Fatalf("%s: the child did not report its peak RSS:\n%s", mode, out)
		}
		t.Logf("%s: %d MB out, peak RSS %.1f MB", mode, n>>20, float64(rss)/(1<<20))
		if code != 0 || n < largeBodyBytes {
			t.Fatalf("%s: exit %d, %d bytes out\n%s", mode, code, n, out)
		}
		if rss > rssBudget {
			t.Errorf("%s: peak RSS %d MB for a %d MB body: it is held, not streamed", mode, rss>>20, largeBodyBytes>>20)
		}
	}
}
