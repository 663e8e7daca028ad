package store

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

// counter is a session whose access token counts the increments made to it.
var counter = Session{LaunchpadURL: "https://launchpad.example", ClientID: "counter", Identity: ada}

func increment(s *Store) error {
	return s.Update(func(st *State) error {
		sess, ok := st.Find(counter.Key())
		if !ok {
			st.Upsert(counter)
			sess, _ = st.Find(counter.Key())
		}
		n, _ := strconv.Atoi(sess.Token.AccessToken)
		sess.Token.AccessToken = strconv.Itoa(n + 1)
		return nil
	})
}

func count(t testing.TB, dir string) int {
	t.Helper()
	st, err := open(t, dir).Load()
	if err != nil {
		t.Fatal(err)
	}
	sess, ok := st.Find(counter.Key())
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(sess.Token.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConcurrentGoroutines(t *testing.T) {
	const goroutines, each = 16, 20
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared store %v", shared), func(t *testing.T) {
			dir := t.TempDir()
			one := open(t, dir)
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for range goroutines {
				s := one
				if !shared {
					s = open(t, dir)
				}
				wg.Go(func() {
					for range each {
						if err := increment(s); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got, want := count(t, dir), goroutines*each; got != want {
				t.Errorf("count = %d, want %d: increments were lost", got, want)
			}
		})
	}
}

const (
	helperEnv    = "BCAUTH_STORE_HELPER"
	helperDirEnv = "BCAUTH_STORE_HELPER_DIR"
	helperNEnv   = "BCAUTH_STORE_HELPER_N"
)

// TestHelperProcess is not a test: TestTwoProcesses runs the test binary
// again with it, so that two processes write one store.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestTwoProcesses")
	}
	n, err := strconv.Atoi(os.Getenv(helperNEnv))
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, os.Getenv(helperDirEnv))
	for range n {
		if err := increment(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts other processes")
	}
	const processes, each = 2, 100
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range processes {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"=1", helperDirEnv+"="+dir, helperNEnv+"="+strconv.Itoa(each))
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("helper process %d: %v\n%s", i, err, out)
			}
		})
	}
	// This process writes too, so three writers race in all.
	s := open(t, dir)
	for range each {
		if err := increment(s); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got, want := count(t, dir), (processes+1)*each; got != want {
		t.Errorf("count = %d, want %d: increments were lost between processes", got, want)
	}
}

func BenchmarkUpdate(b *testing.B) {
	s := open(b, b.TempDir())
	if err := s.Update(func(st *State) error { st.Upsert(session(ada, "a")); st.Upsert(session(grace, "g")); return nil }); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := increment(s); err != nil {
			b.Fatal(err)
		}
	}
}
