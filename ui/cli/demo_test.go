package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/ui/core"
)

// syncBuffer is a bytes.Buffer two goroutines may use, which a test can
// wait on.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

// waitFor waits until the buffer holds text, or ctx ends.
func (s *syncBuffer) waitFor(ctx context.Context, text string) bool {
	return s.waitCount(ctx, text, 1)
}

// waitCount waits until the buffer holds text n times, or ctx ends.
func (s *syncBuffer) waitCount(ctx context.Context, text string, n int) bool {
	for {
		s.mu.Lock()
		if s.changed == nil {
			s.changed = make(chan struct{}, 1)
		}
		has, changed := strings.Count(s.b.String(), text) >= n, s.changed
		s.mu.Unlock()
		if has {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// On a machine with no browser, an address a login shows, pasted into the
// demo's window, is approved there and the login ends by itself, as
// bcauth demo does in the app. Before, bcauth login against demo --serve
// never ended without a browser.
func TestDemoServeApprovesAPastedAddress(t *testing.T) {
	d, err := core.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	// The other shell's login: bcauth's own client against the served fake.
	c, err := auth.New(auth.Config{ClientID: d.Client.ClientID, ClientSecret: d.Client.ClientSecret, RedirectURI: d.Client.RedirectURI, LaunchpadURL: d.Client.LaunchpadURL})
	if err != nil {
		t.Fatal(err)
	}
	login, err := c.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := login.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	in, typed := io.Pipe()
	var stdout, stderr syncBuffer
	served := make(chan int, 1)
	bin, err := (&Factory{}).demoBin(d) // no PATH: this test binary is not on it
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(bin, "bcauth")); err != nil || fi.Size() == 0 {
		t.Fatalf("no copy of bcauth in %s: %v", bin, err)
	}
	go func() { served <- DemoServe(ctx, Output{Stdout: &stdout, Stderr: &stderr}, in, bin, d) }()
	// Launchpad's own address is refused (the login would not take its
	// answer); the start address the connect screen shows is approved.
	if _, err := io.WriteString(typed, login.URL+"\n"+login.Start+"\n"); err != nil {
		t.Fatal(err)
	}
	tok, err := ln.Wait(ctx)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("the login did not end on its own: %v", err)
	}
	// The login may end before the approver has said so.
	stderr.waitFor(ctx, "bcauth demo: approved")
	cancel()
	if code := <-served; code != ExitOK {
		t.Errorf("exit %d", code)
	}
	out := stdout.String()
	for _, want := range []string{
		"paste the start address bcauth login shows (http://127.0.0.1:PORT/start/…) here, then press enter: this window approves it",
		"export PATH=" + filepath.Join(d.Dir, "bin") + `:"$PATH"`, // go run's binary: not on PATH
		core.DemoSetting + "=" + d.Dir,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --serve printed no %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"that is not a login's start address", "bcauth demo: approved"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// A shell still pointed at a demo that has stopped is told so, rather than
// "not logged in" with the demo's directory made again.
func TestAStoppedDemoIsSaidToBeGone(t *testing.T) {
	d, err := core.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	env := append(d.Env(), core.DemoSetting+"="+d.Dir, "XDG_CONFIG_HOME="+d.ConfigDir())
	d.Close()
	var stdout, stderr bytes.Buffer
	code := Execute(t.Context(), &Factory{Env: env, Stdout: &stdout, Stderr: &stderr}, []string{"status"})
	if code != ExitUsage || !strings.Contains(stderr.String(), "this shell points at a bcauth demo --serve that has stopped") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(d.Dir); err == nil {
		t.Errorf("status made the stopped demo's directory %s again", d.Dir)
	}
}

// demo --serve --bc5: the export lines point another shell at the fake
// API origin with the BC5 client, and what a device login shows, pasted
// into the demo's window, is approved there: the code as the terminal
// shows it (as Annie), then the address that carries it (as Ben). An
// address of anywhere else is refused with what to paste instead.
func TestDemoServeBC5ApprovesAPastedCode(t *testing.T) {
	d, err := core.StartDemoBC5()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	in, typed := io.Pipe()
	var stdout, stderr syncBuffer
	served := make(chan int, 1)
	go func() { served <- DemoServe(ctx, Output{Stdout: &stdout, Stderr: &stderr}, in, "", d) }()
	if !stdout.waitFor(ctx, "Ctrl-C stops the fake") {
		t.Fatalf("demo --serve printed:\n%s", stdout.String())
	}
	out := stdout.String()
	for _, want := range []string{
		auth.SettingBC5ClientID + "=" + d.Client.BC5ClientID,
		auth.SettingResource + "=" + d.Fake.URL,
		auth.SettingLaunchpadURL + "=" + d.Fake.URL,
		"fake of Basecamp's newer server (BC5) at " + d.BC5.Issuer,
		"paste the code (or the address with it, " + d.BC5.VerificationURI + "?user_code=…) here",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --serve --bc5 printed no %q:\n%s", want, out)
		}
	}

	// The other shell: discovery from the printed settings, the device
	// login started, its code pasted here; bcauth polls once it is
	// approved (the demo says so).
	svc := &core.Service{Env: core.Env(d.Env()).Client()}
	plan, err := svc.Discover(ctx)
	if err != nil || !plan.Device() {
		t.Fatalf("discovery with the printed settings: %v", err)
	}
	approvals := 0
	c, err := auth.New(plan.Client.Config(), auth.WithWait(func(ctx context.Context, _ time.Duration) error {
		approvals++
		if !stderr.waitCount(ctx, "bcauth demo: approved; the login ends in the other shell\n", approvals) {
			return ctx.Err()
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		paste func(*auth.DeviceCode) string
		who   string
	}{
		{func(dc *auth.DeviceCode) string { return strings.ToLower(dc.UserCode) }, "Annie Bryan"},
		{func(dc *auth.DeviceCode) string { return dc.VerificationURIComplete }, "Ben Ortiz"},
	} {
		dc, err := c.StartDevice(ctx, auth.ScopeFull)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(typed, "https://example.com/device\n"+tc.paste(dc)+"\n"); err != nil {
			t.Fatal(err)
		}
		tok, err := c.PollDevice(ctx, dc)
		if err != nil {
			t.Fatalf("the login did not end on its own: %v\n%s", err, stderr.String())
		}
		a, err := plan.Client.Whose(ctx, tok.AccessToken)
		if err != nil || a.Identity.Name() != tc.who {
			t.Errorf("approved as %v (%v), want %s", a, err, tc.who)
		}
	}
	if !strings.Contains(stderr.String(), "that is neither a login's code (such as BCDF-GHJK) nor an address of "+d.BC5.Issuer) {
		t.Errorf("an address elsewhere was not refused:\n%s", stderr.String())
	}
	if _, err := io.WriteString(typed, "ZZZZ-ZZZZ\n"); err != nil {
		t.Fatal(err)
	}
	if !stderr.waitFor(ctx, "bcauth demo: could not approve it:") {
		t.Errorf("an unknown code was not refused:\n%s", stderr.String())
	}
	cancel()
	if code := <-served; code != ExitOK {
		t.Errorf("exit %d", code)
	}
}
