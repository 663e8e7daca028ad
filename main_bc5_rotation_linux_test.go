package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
)

// Issue 24, "rotation with twenty concurrent real processes": a stored
// BC5 login whose access token has expired, and twenty bcauth processes
// started together: all bcauth token, then half of them bcauth api. BC5
// rotates refresh tokens and, with no grace window, revokes the login the
// moment a replaced one comes back: one process refreshes under the lock
// and saves the new pair before anyone uses it; the others find it
// stored and use it.
func TestBC5TwentyProcessesRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20 bcauth processes: not with -short")
	}
	for _, apis := range []int{0, 10} {
		t.Run(fmt.Sprintf("%d token, %d api", 20-apis, apis), func(t *testing.T) { twentyProcesses(t, apis) })
	}
}

// twentyProcesses is the herd, apis of them bcauth api calls.
func twentyProcesses(t *testing.T, apis int) {
	w := newBC5World(t, launchpadtest.BC5Options{ReuseGrace: -1})
	sess, issued := w.logIn(t, "full")
	w.expireBC5(t, sess)
	before := w.counts()

	// The test holds the lock every refresh takes while the processes
	// start, so that they meet there: each finds the token expired and
	// waits, retrying every few milliseconds. It lets go once state.lock
	// has been opened ten times per process.
	held, err := w.svc.Store.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	opens := watchOpens(t, filepath.Join(w.svc.Store.Dir(), "state.lock"))
	const n = 20
	procs := make([]*startedProcess, n)
	for i := range procs {
		if i < apis {
			procs[i] = startBcauth(t, "api", "--account", "99999999", "/projects.json")
		} else {
			procs[i] = startBcauth(t, "token")
		}
	}
	seen := 0
	launchpadtest.Eventually(t, fmt.Sprintf("%d opens of state.lock by %d waiting processes", 10*n, n), func() bool {
		for {
			select {
			case <-opens:
				seen++
				continue
			default:
			}
			return seen >= 10*n
		}
	})
	if got := w.counts().since(before); got.refreshes != 0 {
		t.Fatalf("%d refresh requests while the lock was held", got.refreshes)
	}
	held.Release()
	printed := map[string]int{}
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("process %d (%v): %v\n%s", i, p.cmd.Args[1:], err, p.stderr.String())
			continue
		}
		if i < apis {
			if !strings.HasPrefix(p.stdout.String(), "[") {
				t.Errorf("api process %d printed %.200q", i, p.stdout.String())
			}
			continue
		}
		printed[p.stdout.String()]++
	}

	got := w.counts().since(before)
	if got.refreshes != 1 || got.rotations != 1 {
		t.Errorf("%d processes made %d refresh requests (%d rotations), want 1", n, got.refreshes, got.rotations)
	}
	if got.reuses != 0 || got.graceReuses != 0 || w.bc5.Revoked() {
		t.Errorf("reuse detected %d times, %d replaced tokens presented within the grace, revoked %v: a spent refresh token was sent", got.reuses, got.graceReuses, w.bc5.Revoked())
	}
	if got.resourceMetadata != 0 || got.issuerMetadata != 0 || got.launchpadTokens != 0 {
		t.Errorf("the herd asked discovery %d+%d times and Launchpad's token endpoint %d times, want none", got.resourceMetadata, got.issuerMetadata, got.launchpadTokens)
	}
	_, tok := w.stored(t, sess.Key())
	if tok.AccessToken == issued.AccessToken || tok.RefreshToken == issued.RefreshToken {
		t.Fatalf("the stored pair was not replaced: %+v", tok)
	}
	if len(printed) != 1 || printed[tok.AccessToken+"\n"] != n-apis {
		t.Errorf("the token processes printed %d different outputs (%v); want the stored access token from all %d", len(printed), printed, n-apis)
	}
	// The one refresh sent the login's refresh token, its resource and
	// the BC5 client, and nothing of Launchpad's.
	log := w.bc5.RequestLog(launchpadtest.BC5Token)
	last := log[len(log)-1].Body
	if last.Get("refresh_token") != issued.RefreshToken || last.Get("resource") != issued.Resource ||
		last.Get("client_id") != launchpadtest.BC5ClientID || last.Has("client_secret") {
		t.Errorf("the refresh request: %v", last)
	}

	// The stored refresh token is the issuer's current one: with no grace
	// window, a replaced one would now revoke the login.
	before = w.counts()
	if stdout, stderr, code := bcauth(t, "refresh"); code != 0 || !strings.Contains(stdout, "Refreshed the token of") {
		t.Fatalf("refresh after the herd: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := w.counts().since(before); got.rotations != 1 || got.reuses != 0 || w.bc5.Revoked() {
		t.Errorf("refresh after the herd: %+v, revoked %v", got, w.bc5.Revoked())
	}
	log = w.bc5.RequestLog(launchpadtest.BC5Token)
	if sent := log[len(log)-1].Body.Get("refresh_token"); sent != tok.RefreshToken {
		t.Errorf("refresh sent %.12s…, not the stored %.12s…", sent, tok.RefreshToken)
	}
}
