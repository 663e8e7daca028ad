package tui

import (
	"context"
	"sync"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// testClock is one clock for the fake, the Service and the app, and what
// the device login's pauses wait on: a pause ends only when the test moves
// the clock past it. So no test sleeps, and every poll is one the test let
// happen.
type testClock struct {
	mu      sync.Mutex
	now     time.Time
	pausing int           // pauses in progress
	paused  int           // pauses begun, ever
	changed chan struct{} // closed and replaced at every change
}

func newTestClock() *testClock {
	return &testClock{now: time.Now().Truncate(time.Second), changed: make(chan struct{})}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) changedLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves the clock on, ending the pauses it passes.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.changedLocked()
}

// wait is the Service's Wait: it returns once the clock has moved d on,
// or with ctx's error as soon as ctx ends.
func (c *testClock) wait(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	until := c.now.Add(d)
	c.pausing++
	c.paused++
	c.changedLocked()
	defer func() {
		c.mu.Lock()
		c.pausing--
		c.changedLocked()
		c.mu.Unlock()
	}()
	for c.now.Before(until) {
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.mu.Lock()
	}
	c.mu.Unlock()
	return nil
}

// until waits for the pauses to satisfy ok, watching the clock's changes
// rather than the time: the deadline only bounds a test that would hang.
func (c *testClock) until(t *testing.T, what string, ok func(pausing, paused int) bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		done, ch := ok(c.pausing, c.paused), c.changed
		pausing, paused := c.pausing, c.paused
		c.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("%s never happened: %d pauses in progress, %d begun", what, pausing, paused)
		}
	}
}

// pause waits until the device login is pausing before its n-th poll
// (from 1): it has begun n pauses and is in one.
func (c *testClock) pause(t *testing.T, n int) {
	t.Helper()
	c.until(t, "the login's pause before poll", func(pausing, paused int) bool { return pausing > 0 && paused >= n })
}

// bc5Env is a test's world with the fake serving BC5 beside Launchpad: the
// resource origin (BASECAMP_BASE_URL) is the fake's URL and advertises the
// fake issuer, and both a Launchpad client and a BC5 client are set, as
// in bcauth demo --bc5. One clock drives the fake, the Service, the
// device login's pauses and the app's countdown.
type bc5Env struct {
	*env
	bc5   *launchpadtest.BC5
	clock *testClock
}

func newBC5Env(t *testing.T, opts launchpadtest.BC5Options) *bc5Env {
	t.Helper()
	clock := newTestClock()
	e := newEnv(t, launchpadtest.Options{Now: clock.Now})
	b, err := e.Fake.StartBC5(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	e.Svc.Env.BC5ClientID = launchpadtest.BC5ClientID
	e.Svc.Env.BaseURL = e.Fake.URL
	e.Svc.Clock, e.Svc.Wait = clock.Now, clock.wait
	// Opening the verification page approves nothing: the tests play the
	// person at the fake's page themselves.
	e.browser = func(string) error { return nil }
	return &bc5Env{env: e, bc5: b, clock: clock}
}

func (e *bc5Env) config() Config {
	cfg := e.env.config()
	cfg.Now = e.clock.Now
	cfg.Timeout = 0 // as bcauth without --timeout: the code's own lifetime
	return cfg
}

// launchpadClientOnly leaves the BC5 client unset: a setup from before
// BC5, the day Basecamp turns it on.
func (e *bc5Env) launchpadClientOnly() { e.Svc.Env.BC5ClientID = "" }

// bc5ClientOnly leaves the Launchpad client unset: a setup made for BC5.
func (e *bc5Env) bc5ClientOnly() {
	e.Svc.Env = store.ClientConfig{BC5ClientID: launchpadtest.BC5ClientID, BaseURL: e.Fake.URL, LaunchpadURL: e.Fake.URL}
}

// userCode is the one code the fake has handed out and nobody has
// approved or denied yet.
func (e *bc5Env) userCode(t *testing.T) string {
	t.Helper()
	codes := e.bc5.PendingUserCodes()
	if len(codes) != 1 {
		t.Fatalf("the fake has %d pending user codes, want 1: %q", len(codes), codes)
	}
	return codes[0]
}

// complete is the address that opens the verification page with code
// filled in, as the fake's device answer names it.
func (e *bc5Env) complete(code string) string {
	return e.bc5.VerificationURI + "?user_code=" + code
}

// decide plays the person at the fake's page.
func (e *bc5Env) decide(t *testing.T, how func(context.Context, string) error, code string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := how(ctx, code); err != nil {
		t.Fatal(err)
	}
}

// polls is how many device-code polls reached the fake's token endpoint.
func (e *bc5Env) polls() int { return e.bc5.Polls() }

// loginOnBC5 runs a whole device login through the app and waits for the
// accounts.
func loginOnBC5(t *testing.T, e *bc5Env, cfg Config, w, h int) *prog {
	t.Helper()
	tm := start(t, cfg, w, h)
	waitFor(t, tm, "Enter this code")
	e.clock.pause(t, 1)
	e.decide(t, e.bc5.Approve, e.userCode(t))
	e.clock.Advance(launchpadtest.DefaultPollInterval)
	waitFor(t, tm, "Honcho Design")
	return tm
}
