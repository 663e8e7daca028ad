package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// Issue 22, points 1 and 2: bcauth api as a real process, its body from a
// pipe, a FIFO, /dev/stdin, a process substitution or /dev/zero, and
// SIGINT and SIGTERM delivered to it.

// apiProcessEnv points bcauth at a fake with BASECAMP_TOKEN: no state.
func apiProcessEnv(t *testing.T) *launchpadtest.Server {
	t.Helper()
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	token, _, _ := fake.IssueToken()
	emptyConfig(t, "BASECAMP_TOKEN", token, auth.SettingLaunchpadURL, fake.URL)
	return fake
}

var processDescription = strings.Repeat("0123456789abcdef", 64) + "END"

func processBody() []byte {
	b, _ := json.Marshal(map[string]string{"name": "From a process", "description": processDescription})
	return b
}

func postsTo(fake *launchpadtest.Server) int {
	n := 0
	for _, r := range fake.ProductRequests() {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

// waitUntil polls ok until it holds, failing the test loudly at the
// deadline.
func waitUntil(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, within)
		}
		<-tick.C
	}
}

func TestAPIProcessReadsEveryKindOfInputOnce(t *testing.T) {
	for _, how := range []string{"--input - from a pipe", "--input /dev/stdin from a pipe", "--input /dev/fd/3 (a process substitution)", "--input FIFO"} {
		t.Run(how, func(t *testing.T) {
			fake := apiProcessEnv(t)
			input := "-"
			cmd := bcauthProcess(t)
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case strings.Contains(how, "/dev/stdin"):
				input, cmd.Stdin = "/dev/stdin", pr
			case strings.Contains(how, "/dev/fd/3"):
				input, cmd.ExtraFiles = "/dev/fd/3", []*os.File{pr}
			case strings.Contains(how, "FIFO"):
				pr.Close()
				pw.Close()
				input = filepath.Join(t.TempDir(), "fifo")
				if err := syscall.Mkfifo(input, 0o600); err != nil {
					t.Fatal(err)
				}
			default:
				cmd.Stdin = pr
			}
			cmd.Args = append(cmd.Args, "api", "--account", "99999999", "--input", input, "/projects.json")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(how, "FIFO") {
				if pw, err = os.OpenFile(input, os.O_WRONLY, 0); err != nil { // blocks until bcauth opens it
					t.Fatal(err)
				}
			} else {
				pr.Close()
			}
			body := processBody()
			_, _ = pw.Write(body[:400])
			_, _ = pw.Write(body[400:])
			pw.Close()
			if code := exitWithin(t, cmd, 20*time.Second); code != 0 || !strings.Contains(stdout.String(), processDescription) {
				t.Errorf("exit %d, stderr %s\nstdout %.200s…: want the whole description back", code, stderr.String(), stdout.String())
			}
			if n := postsTo(fake); n != 1 {
				t.Errorf("%d POSTs, want 1", n)
			}
		})
	}
}

// exitWithin waits for cmd to end within d of now, and returns its exit
// code; at the deadline it kills it and fails.
func exitWithin(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running after %s", d)
		return -1
	}
}

// signalBudget is how soon after SIGINT or SIGTERM bcauth must have
// ended: a second, as the README promises, and some more under the race
// detector on a busy machine.
func signalBudget() time.Duration {
	if raceEnabled {
		return 3 * time.Second
	}
	return time.Second
}

func TestAPIProcessEndsOnSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{
		{"SIGINT", syscall.SIGINT, 130},
		{"SIGTERM", syscall.SIGTERM, 143},
	} {
		t.Run("FIFO no one writes/"+tc.name, func(t *testing.T) {
			fake := apiProcessEnv(t)
			fifo := filepath.Join(t.TempDir(), "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := bcauthProcess(t, "api", "--account", "99999999", "--input", fifo, "/projects.json")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// A writer that never writes: bcauth has the FIFO open (and
			// its signal handling set up) once this open succeeds.
			var w *os.File
			waitUntil(t, 10*time.Second, "reader on the FIFO", func() bool {
				f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
				w = f
				return err == nil
			})
			defer w.Close()
			_ = cmd.Process.Signal(tc.sig)
			if code := exitWithin(t, cmd, signalBudget()); code != tc.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tc.code, stderr.String())
			}
			if n := len(fake.ProductRequests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
		t.Run("endless jq/"+tc.name, func(t *testing.T) {
			fake := apiProcessEnv(t)
			cmd := bcauthProcess(t, "api", "--account", "99999999", "--jq", "last(range(1e15))", "/projects.json")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, 10*time.Second, "answer to the GET", func() bool {
				r := fake.ProductRequests()
				return len(r) == 1 && r[0].Status == http.StatusOK
			})
			_ = cmd.Process.Signal(tc.sig)
			if code := exitWithin(t, cmd, signalBudget()); code != tc.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tc.code, stderr.String())
			}
		})
	}
}

// vmHWM is a running process's peak resident set, from /proc.
func vmHWM(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for l := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

func TestAPIProcessBodyFromDevZeroIsBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory makes RSS meaningless: run without -race")
	}
	for _, args := range [][]string{{"--input", "-"}, {"-F", "description=@/dev/zero"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			fake := apiProcessEnv(t)
			zero, err := os.Open("/dev/zero")
			if err != nil {
				t.Fatal(err)
			}
			defer zero.Close()
			cmd := bcauthProcess(t, append(append([]string{"api", "--account", "99999999"}, args...), "/projects.json")...)
			cmd.Stdin = zero
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			code, peak := exitMeasured(t, cmd, 20*time.Second)
			t.Logf("exit %d, peak RSS %.1f MiB", code, float64(peak)/(1<<20))
			if code != 2 || !strings.Contains(stderr.String(), "larger than bcauth api sends") {
				t.Errorf("exit %d, stderr %s", code, stderr.String())
			}
			if peak > 160<<20 {
				t.Errorf("peak RSS %d MiB reading a body bounded at 64 MiB", peak>>20)
			}
			if n := len(fake.ProductRequests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// Point 4: one endless string in a page --paginate merges costs bcauth
// the bound, not the string.
func TestAPIProcessLongValueIsBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory makes RSS meaningless: run without -race")
	}
	fake := apiProcessEnv(t)
	fake.ScriptAPI(99999999, "bc3", launchpadtest.AnswerLongString(512<<20))
	cmd := bcauthProcess(t, "api", "--account", "99999999", "--paginate", "/projects.json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code, peak := exitMeasured(t, cmd, 30*time.Second)
	t.Logf("exit %d, peak RSS %.1f MiB", code, float64(peak)/(1<<20))
	if code != 1 || !strings.Contains(stderr.String(), "longer than bcauth holds whole") || stdout.String() != "[]\n" {
		t.Errorf("exit %d, stdout %.100q, stderr %s", code, stdout.String(), stderr.String())
	}
	if peak > 100<<20 {
		t.Errorf("peak RSS %d MiB for a 512 MiB string bounded at 16 MiB", peak>>20)
	}
}

// exitMeasured waits, bounded, for the started cmd to exit and returns its
// exit code and its peak RSS, as /proc says it (VmHWM) while it runs. Not
// wait4's ru_maxrss: Go starts the child with vfork, and Linux folds the
// parent's high-water mark into the child's at exec, so that figure would
// be this test binary's peak whenever it is the larger.
func exitMeasured(t *testing.T, cmd *exec.Cmd, within time.Duration) (int, int64) {
	t.Helper()
	var peak int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			hwm, ok := vmHWM(cmd.Process.Pid)
			if !ok {
				return
			}
			peak = max(peak, hwm)
		}
	}()
	code := exitWithin(t, cmd, within)
	<-done
	if peak == 0 {
		t.Fatal("the process ended before its peak RSS could be read from /proc")
	}
	return code, peak
}
