package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// Issue 24 through the command tree and as real processes: a fake
// Launchpad with the fake BC5 issuer beside it, and bcauth configured with
// only a BC5 client. The fake runs on a clock the test moves, which
// starts at the wall clock: bcauth processes read the wall clock, and
// what they must see as expired is written so (see expireBC5).

// bc5World is the fake, its issuer, their clock and a Service on the
// state bcauth uses, for setting the scene.
type bc5World struct {
	fake *launchpadtest.Server
	bc5  *launchpadtest.BC5
	clk  *testClock
	svc  *core.Service
}

// newBC5World starts the fake with its BC5 issuer and points bcauth at
// it through a fresh XDG_CONFIG_HOME: BCAUTH_BC5_CLIENT_ID and
// BASECAMP_BASE_URL set, no Launchpad client at all, then env on top
// (name, value pairs).
func newBC5World(t *testing.T, opts launchpadtest.BC5Options, env ...string) *bc5World {
	t.Helper()
	clk := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	fake := launchpadtest.NewServer(launchpadtest.Options{Now: clk.Now, RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t))})
	t.Cleanup(fake.Close)
	b, err := fake.StartBC5(opts)
	if err != nil {
		t.Fatal(err)
	}
	emptyConfig(t, append([]string{
		auth.SettingBC5ClientID, b.Options().ClientID, auth.SettingResource, fake.URL, auth.SettingIssuer, "",
		auth.SettingToken, "", core.IDSetting, "", core.KeyringSetting, "",
	}, env...)...)
	st, err := store.Open(store.DefaultDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := &core.Service{Store: st, Env: core.Env{
		auth.SettingBC5ClientID + "=" + b.Options().ClientID, auth.SettingResource + "=" + fake.URL,
	}.Client(), HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	return &bc5World{fake: fake, bc5: b, clk: clk, svc: svc}
}

// withLaunchpadClient configures the fake's Launchpad client beside the
// BC5 one, in the environment and in w's Service.
func (w *bc5World) withLaunchpadClient(t *testing.T) {
	t.Helper()
	c := uitest.Client(w.fake)
	for _, kv := range [][2]string{{auth.SettingClientID, c.ClientID}, {auth.SettingClientSecret, c.ClientSecret},
		{auth.SettingRedirectURI, c.RedirectURI}, {auth.SettingLaunchpadURL, c.LaunchpadURL}} {
		t.Setenv(kv[0], kv[1])
	}
	w.svc.Env.ClientID, w.svc.Env.ClientSecret, w.svc.Env.RedirectURI, w.svc.Env.LaunchpadURL = c.ClientID, c.ClientSecret, c.RedirectURI, c.LaunchpadURL
}

// logInLaunchpad stores a Launchpad login of the fake's first person
// made as discovery plans it: the plan's client (which says why
// Launchpad, when discovery fell back), the browser's approval, the
// callback. It fails the test unless discovery chose Launchpad.
func (w *bc5World) logInLaunchpad(t *testing.T) (*store.Session, *core.Plan) {
	t.Helper()
	ctx := t.Context()
	plan, err := w.svc.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Device() {
		t.Fatalf("discovery chose %s, not Launchpad", plan.Client.Server().Name())
	}
	l, err := plan.Client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen()
	if err != nil {
		t.Fatal(err)
	}
	approved := make(chan error, 1)
	go func() { approved <- w.fake.ApproveAndFollow(ctx, l.Start) }()
	tok, err := ln.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	sess, _, err := w.svc.Complete(ctx, plan.Client, tok)
	if err != nil {
		t.Fatal(err)
	}
	return sess, plan
}

// logIn stores a BC5 login of the fake's first person with scope, as the
// device login would: discovery through the Service chooses the issuer,
// the issuer makes the login (IssueLogin, its token answer as the device
// grant gives it: covering every account of the person, naming the first
// as its resource), and the Service completes it. It returns the session
// and the tokens the issuer handed out.
func (w *bc5World) logIn(t *testing.T, scope string) (*store.Session, launchpadtest.BC5Tokens) {
	t.Helper()
	plan, err := w.svc.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Device() {
		t.Fatalf("discovery chose %s, not the fake BC5 issuer (note %q)", plan.Client.Server().Name(), plan.Note)
	}
	issued, err := w.bc5.IssueLogin(scope, "")
	if err != nil {
		t.Fatal(err)
	}
	tok := (&oauth2.Token{AccessToken: issued.AccessToken, RefreshToken: issued.RefreshToken, TokenType: "Bearer", Expiry: issued.Expiry}).
		WithExtra(map[string]any{"scope": issued.Scope})
	sess, _, err := w.svc.Complete(t.Context(), plan.Client, auth.WithResource(tok, issued.Resource))
	if err != nil {
		t.Fatal(err)
	}
	return sess, issued
}

// logInAs stores a BC5 login of person (one of the fake's two, by
// email address) made through the device grant as bcauth makes it: the
// code started, approved on the issuer's page as person, the token
// polled for (at once: the test plays no clock), the login completed.
func (w *bc5World) logInAs(t *testing.T, person, scope string) *store.Session {
	t.Helper()
	ctx := t.Context()
	plan, err := w.svc.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := plan.Client.Config()
	c, err := auth.New(cfg, auth.WithWait(func(context.Context, time.Duration) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	dc, err := c.StartDevice(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.bc5.ApproveAs(ctx, dc.VerificationURIComplete, person); err != nil {
		t.Fatal(err)
	}
	tok, err := c.PollDevice(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := w.svc.Complete(ctx, plan.Client, tok)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// expireBC5 makes the stored access token of sess expired for everyone:
// bcauth's processes (the stored expiry is a minute past by the wall
// clock) and the fake (its clock moves past the token's lifetime).
func (w *bc5World) expireBC5(t *testing.T, sess *store.Session) {
	t.Helper()
	tok, err := w.svc.Store.LoadToken(sess.Key())
	if err != nil {
		t.Fatal(err)
	}
	tok.Expiry = time.Now().Add(-time.Minute)
	if err := w.svc.Store.Update(func(st *store.State) error {
		s, _ := st.Find(sess.Key())
		s.Token = tok
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	w.clk.Add(w.bc5.Options().AccessTTL + time.Minute)
}

// stored is the session of key as state.json holds it now, with its
// tokens (wherever they are kept).
func (w *bc5World) stored(t *testing.T, key string) (store.Session, store.Token) {
	t.Helper()
	st, err := w.svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	sess, ok := st.Find(key)
	if !ok {
		t.Fatalf("no session %s is stored", key)
	}
	tok, err := w.svc.Store.LoadToken(key)
	if err != nil {
		t.Fatal(err)
	}
	return *sess, tok
}

// bc5Counts are the fake's counters a test compares before and after.
type bc5Counts struct {
	refreshes, rotations, graceReuses, reuses, revokedLogins int
	resourceMetadata, issuerMetadata                         int
	launchpadTokens, launchpadAuthorizations                 int
}

func (w *bc5World) counts() bc5Counts {
	return bc5Counts{
		refreshes: w.bc5.RefreshRequests(), rotations: w.bc5.RefreshTokenUses(), graceReuses: w.bc5.GraceReuses(),
		reuses: w.bc5.ReuseDetected(), revokedLogins: w.bc5.RevokedLogins(),
		resourceMetadata: w.bc5.Requests(launchpadtest.BC5ResourceMetadata), issuerMetadata: w.bc5.Requests(launchpadtest.BC5IssuerMetadata),
		launchpadTokens: w.fake.Requests(launchpadtest.EndpointToken), launchpadAuthorizations: w.fake.Requests(launchpadtest.EndpointAuthorization),
	}
}

// since is what changed from before to c.
func (c bc5Counts) since(before bc5Counts) bc5Counts {
	return bc5Counts{
		refreshes: c.refreshes - before.refreshes, rotations: c.rotations - before.rotations, graceReuses: c.graceReuses - before.graceReuses,
		reuses: c.reuses - before.reuses, revokedLogins: c.revokedLogins - before.revokedLogins,
		resourceMetadata: c.resourceMetadata - before.resourceMetadata, issuerMetadata: c.issuerMetadata - before.issuerMetadata,
		launchpadTokens: c.launchpadTokens - before.launchpadTokens, launchpadAuthorizations: c.launchpadAuthorizations - before.launchpadAuthorizations,
	}
}

// bc5Status is what these tests read of status --json.
type bc5Status struct {
	LoggedIn bool `json:"logged_in"`
	Valid    bool `json:"valid"`
	Identity *struct {
		ID int64 `json:"id"`
	} `json:"identity"`
	Server  *serverDoc `json:"server"`
	Problem *struct {
		Kind      string  `json:"kind"`
		Message   string  `json:"message"`
		Fix       string  `json:"fix"`
		RefusedAt *string `json:"refused_at"`
	} `json:"problem"`
}

// serverDoc is the "server" of status, ids and token --json.
type serverDoc struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Issuer   *string `json:"issuer"`
	Scope    *string `json:"scope"`
	Resource *string `json:"resource"`
	Note     *string `json:"note"`
}

func bc5StatusJSON(t *testing.T, args ...string) (bc5Status, int, string) {
	t.Helper()
	stdout, stderr, code := bcauth(t, append([]string{"status", "--json"}, args...)...)
	var doc bc5Status
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("status --json: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	return doc, code, stdout
}

// startedProcess is a bcauth process started with its output kept.
type startedProcess struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// startBcauth starts bcauth as a process of its own (see bcauthProcess).
func startBcauth(t *testing.T, args ...string) *startedProcess {
	t.Helper()
	p := &startedProcess{cmd: bcauthProcess(t, args...)}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// bcauthProc runs bcauth as a process of its own and returns what it
// printed and its exit code.
func bcauthProc(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := startBcauth(t, args...)
	err := p.cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("bcauth %v: %v", args, err)
	}
	return p.stdout.String(), p.stderr.String(), code
}

// str is *s, or "<nil>".
func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
