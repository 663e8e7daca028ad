package core_test

import (
	"strings"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
	"bcauth/ui/uitest"
)

// TestProberPlainHTTPOnlyWithLoopbackLaunchpad: the demo's products are on
// plain http beside its fake Launchpad, and are probed; a login made with a
// real (https) Launchpad never sends its token to plain http, loopback or
// not, whatever an href says.
func TestProberPlainHTTPOnlyWithLoopbackLaunchpad(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	fakeClient, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	acc := sess.Authorization.Accounts[0]
	if !strings.HasPrefix(acc.Href, "http://127.0.0.1:") {
		t.Fatalf("the demo account's href %s is not plain loopback http", acc.Href)
	}
	ts := e.Svc.TokenSource(fakeClient, sess)
	if r := e.Svc.Prober(fakeClient).Probe(t.Context(), acc, probe.BearerAuth{Source: ts}); r.Status != probe.Reachable {
		t.Fatalf("with the fake Launchpad: %s %s, want reachable", r.Status, r.Reason)
	}
	before := len(e.Fake.ProductRequests())

	cfg := fakeClient.Config()
	// The real Launchpad's URL, because the rule is about a Launchpad off
	// this machine; it is never dialled (the probe is refused first, and
	// the network guard would fail the test).
	cfg.LaunchpadURL = "https://launchpad.37signals.com"
	real, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := e.Svc.Prober(real).Probe(t.Context(), acc, probe.BearerAuth{Source: ts})
	if r.Status != probe.NotProbed || !strings.Contains(r.Reason, "plain http") {
		t.Errorf("with a real Launchpad: %s %q, want not probed over plain http", r.Status, r.Reason)
	}
	if n := len(e.Fake.ProductRequests()) - before; n != 0 {
		t.Errorf("%d product requests went out over plain http", n)
	}
}
