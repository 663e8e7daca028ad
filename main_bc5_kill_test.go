package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// Issue 24: "kill the refreshing process between the answer and the
// save". The moment BC5 answers a refresh it has replaced the refresh
// token bcauth holds; until bcauth has saved the new pair, the only live
// refresh token of the login is in that one process. Two places a bcauth
// process can die there are played here, each with SIGKILL, which nothing
// can catch:
//
//   - after the issuer rotated and before its answer reached bcauth (the
//     issuer holds the answer back): the same, on disk, as a kill after
//     bcauth read the answer and before the rename that saves it, since
//     the save is atomic and nothing else comes between;
//   - after bcauth read the answer, while it asks the issuer's
//     authorization.json whose the new token is (which bcauth does to
//     every refreshed token before it uses it).
//
// And the same loss without a kill: that authorization.json request
// failing.

// killedRefresh starts bcauth token on w's expired login, waits until
// ready says the process is where it should die, and SIGKILLs it.
func killedRefresh(t *testing.T, w *bc5World, ready func() bool) {
	t.Helper()
	p := startBcauth(t, "token")
	launchpadtest.Eventually(t, "the refreshing process to reach the point where it is killed", ready)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") || p.stdout.Len() != 0 {
		t.Fatalf("the refreshing process was not killed: %v, stdout %q\n%s", err, p.stdout.String(), p.stderr.String())
	}
}

// withheldAnswer makes w's issuer hold back its next token answer, once
// it has rotated the refresh token, until the returned func is called.
func withheldAnswer(t *testing.T, w *bc5World) (release func()) {
	t.Helper()
	held := make(chan struct{})
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(held)
			w.bc5.EditTokenAnswers(nil)
		})
	}
	t.Cleanup(release)
	w.bc5.EditTokenAnswers(func(map[string]any) { <-held })
	return release
}

// The issuer rotated; its answer never reached bcauth. The login then
// lives only if the spent refresh token comes back within the issuer's
// grace window: bcauth presents the stored one once, as it always does.
// Within the window the issuer hands back the current pair and nothing is
// lost. After it, the issuer sees a replaced refresh token come back and
// revokes the whole login: bcauth records the refusal, says what happened
// and to log in again, and never sends that refresh token again. The
// person's other login, through the same issuer, is untouched.
func TestBC5KilledBeforeTheRotatedPairReachedBcauth(t *testing.T) {
	for _, tc := range []struct {
		name  string
		later time.Duration // on the issuer's clock, before the next run
	}{
		{"next run within the grace window", 0},
		{"next run after the grace window", launchpadtest.DefaultReuseGrace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newBC5World(t, launchpadtest.BC5Options{})
			ben := w.logInAs(t, "ben@example.com", "full")
			sess, issued := w.logIn(t, "full") // Annie's, current
			w.expireBC5(t, sess)
			before := w.counts()

			release := withheldAnswer(t, w)
			killedRefresh(t, w, func() bool { return w.bc5.RefreshTokenUses() > before.rotations })
			release()
			if _, tok := w.stored(t, sess.Key()); tok.AccessToken != issued.AccessToken || tok.RefreshToken != issued.RefreshToken {
				t.Fatalf("the stored pair changed though bcauth never saw the answer: %+v", tok)
			}

			w.clk.Add(tc.later)
			before = w.counts()
			stdout, stderr, code := bcauth(t, "token")
			got := w.counts().since(before)
			if got.refreshes != 1 {
				t.Errorf("the run after the kill sent %d refresh requests, want 1", got.refreshes)
			}
			if tc.later == 0 {
				// Within the grace window: the issuer answers the spent
				// refresh token with the login's current pair.
				_, tok := w.stored(t, sess.Key())
				if code != 0 || stdout != tok.AccessToken+"\n" || got.graceReuses != 1 || got.reuses != 0 || w.bc5.Revoked() {
					t.Fatalf("token within the grace window: exit %d, %q, %s; %+v, revoked %v", code, stdout, stderr, got, w.bc5.Revoked())
				}
				if _, _, code := bcauth(t, "refresh"); code != 0 || w.bc5.ReuseDetected() != 0 {
					t.Errorf("refresh after the recovery: exit %d, reuse detected %d", code, w.bc5.ReuseDetected())
				}
				return
			}

			// After the grace window the login is gone at the issuer.
			if code != 4 || stdout != "" || got.reuses != 1 || got.revokedLogins != 1 {
				t.Fatalf("token after the grace window: exit %d, %q; %+v\n%s", code, stdout, got, stderr)
			}
			for _, want := range []string{
				w.bc5.Issuer, "ended the login of Annie Bryan", "token reuse detected",
				"already been replaced", "no longer sends", "bcauth login",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, "Launchpad") {
				t.Errorf("a BC5 login's refusal is put on Launchpad:\n%s", stderr)
			}
			t.Logf("what the person is told:\n%s", stderr)

			// Recorded: nothing is sent again, by any command.
			before = w.counts()
			for _, args := range [][]string{{"token"}, {"refresh"}, {"status"}, {"api", "--account", "99999999", "/people/me.json"}, {"token", "--json"}} {
				if _, stderr, code := bcauth(t, args...); code != 4 || !strings.Contains(stderr, "token reuse detected") {
					t.Errorf("%v after the revocation: exit %d\n%s", args, code, stderr)
				}
			}
			if got := w.counts().since(before); got.refreshes != 0 {
				t.Errorf("%d refresh requests after the refusal was recorded", got.refreshes)
			}
			doc, code, out := bc5StatusJSON(t)
			if code != 4 || doc.Problem == nil || doc.Problem.Kind != "rejected" || doc.Problem.RefusedAt == nil ||
				!strings.Contains(doc.Problem.Message, "token reuse detected") || !strings.Contains(doc.Problem.Fix, "bcauth login") ||
				doc.Server == nil || doc.Server.Kind != "bc5" {
				t.Errorf("status --json after the revocation: exit %d\n%s", code, out)
			}
			if stdout, stderr, code := bcauth(t, "status"); !strings.Contains(stdout, "refused by "+w.bc5.Issuer+" at ") || code != 4 {
				t.Errorf("status after the revocation: exit %d\n%s%s", code, stdout, stderr)
			}

			// Ben's login, through the same issuer, lives on.
			if stdout, stderr, code := bcauth(t, "status", "--id", "ben"); code != 0 || !strings.Contains(stdout, "Ben Ortiz") {
				t.Errorf("status --id ben: exit %d\n%s%s", code, stdout, stderr)
			}
			_ = ben
		})
	}
}

// bcauth read the answer and was asking the issuer whose the new token
// is when it was killed. The new pair was saved before that question, so
// the next run finds it and uses it: nothing is lost, nothing is sent
// again, even long after the grace window.
func TestBC5KilledWhileCheckingTheRotatedPairLosesNothing(t *testing.T) {
	w := newBC5World(t, launchpadtest.BC5Options{})
	sess, issued := w.logIn(t, "full")
	w.expireBC5(t, sess)
	before := w.counts()
	asked := w.bc5.Requests(launchpadtest.BC5Authorization)
	w.bc5.InjectFault(launchpadtest.BC5Authorization, launchpadtest.Fault{Delay: time.Minute, Times: 1})
	killedRefresh(t, w, func() bool { return w.bc5.Requests(launchpadtest.BC5Authorization) > asked })
	if got := w.counts().since(before); got.rotations != 1 {
		t.Fatalf("%+v: the refresh did not rotate before the kill", got)
	}
	_, tok := w.stored(t, sess.Key())
	if tok.RefreshToken == issued.RefreshToken || tok.AccessToken == issued.AccessToken {
		t.Fatalf("the rotated pair was not saved before the check: the stored one is still the spent one")
	}

	w.clk.Add(launchpadtest.DefaultReuseGrace + time.Hour/2)
	before = w.counts()
	if stdout, stderr, code := bcauth(t, "token"); code != 0 || stdout != tok.AccessToken+"\n" {
		t.Errorf("token after the kill: exit %d, %q\n%s", code, stdout, stderr)
	}
	if got := w.counts().since(before); got.refreshes != 0 || got.reuses != 0 || w.bc5.Revoked() {
		t.Errorf("after the kill: %+v, revoked %v", got, w.bc5.Revoked())
	}
	if stdout, stderr, code := bcauth(t, "status"); code != 0 {
		t.Errorf("status after the kill: exit %d\n%s%s", code, stdout, stderr)
	}
}

// The same question answered 503 once: this run does not use the token
// it could not check, and says so; the pair is saved all the same, so
// the next run uses it instead of presenting the spent refresh token
// (which, past the grace window, would have ended the login).
func TestBC5ACheckThatFailsAfterARotationKeepsThePair(t *testing.T) {
	w := newBC5World(t, launchpadtest.BC5Options{})
	sess, issued := w.logIn(t, "full")
	w.expireBC5(t, sess)
	w.bc5.InjectFault(launchpadtest.BC5Authorization, launchpadtest.Fault{Status: http.StatusServiceUnavailable, Body: "try later", Times: 1})
	before := w.counts()
	stdout, stderr, code := bcauth(t, "token")
	t.Logf("what the person is told:\n%s", stderr)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "503") || !strings.Contains(stderr, w.bc5.Issuer) {
		t.Errorf("token with authorization.json answering 503: exit %d, %q\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "Launchpad") {
		t.Errorf("the issuer's 503 is put on Launchpad:\n%s", stderr)
	}
	_, tok := w.stored(t, sess.Key())
	if tok.RefreshToken == issued.RefreshToken {
		t.Fatal("the rotated pair was dropped: the stored refresh token is the spent one")
	}
	w.clk.Add(launchpadtest.DefaultReuseGrace)
	if stdout, stderr, code := bcauth(t, "token"); code != 0 || stdout != tok.AccessToken+"\n" {
		t.Errorf("token after the 503: exit %d, %q\n%s", code, stdout, stderr)
	}
	if got := w.counts().since(before); got.refreshes != 1 || got.reuses != 0 || w.bc5.Revoked() {
		t.Errorf("%+v, revoked %v: want one refresh and no reuse", got, w.bc5.Revoked())
	}
}

// A refresh token of someone else stored as Annie's BC5 login (a
// hand-edited state.json) is refreshed once, and what comes back is Ben's:
// it is neither used nor kept as Annie's, though it was saved before the
// check; Annie's stored token is put back as it was.
func TestBC5ARefreshedTokenOfAnotherPersonIsNotKept(t *testing.T) {
	w := newBC5World(t, launchpadtest.BC5Options{})
	ben := w.logInAs(t, "ben@example.com", "full")
	_, benTok := w.stored(t, ben.Key())
	sess, _ := w.logIn(t, "full")
	annie, annieTok := w.stored(t, sess.Key())
	annieTok.RefreshToken, annieTok.Resource = benTok.RefreshToken, benTok.Resource
	annieTok.Expiry = time.Now().Add(-time.Minute)
	if err := w.svc.Store.Update(func(st *store.State) error {
		s, _ := st.Find(annie.Key())
		s.Token = annieTok
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := bcauth(t, "token")
	if code != 4 || stdout != "" || !strings.Contains(stderr, "belongs to Ben Ortiz") {
		t.Errorf("token with Ben's refresh token under Annie's login: exit %d, %q\n%s", code, stdout, stderr)
	}
	if _, after := w.stored(t, sess.Key()); after.AccessToken != annieTok.AccessToken || after.RefreshToken != annieTok.RefreshToken ||
		!after.Expiry.Equal(annieTok.Expiry) || after.Resource != annieTok.Resource {
		t.Errorf("Annie's stored token changed:\n%+v\nwant\n%+v", after, annieTok)
	}
}
