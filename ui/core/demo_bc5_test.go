package core_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
)

// TestStartDemoBC5: demo --bc5's fake serves BC5 beside Launchpad, its
// environment names the BC5 client and the API origin, and a login
// through those settings is the device login at the fake's issuer; Close
// stops the issuer too. (Mutation testing found StartDemoBC5 run by no
// test of the core.)
func TestStartDemoBC5(t *testing.T) {
	d, err := core.StartDemoBC5()
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			d.Close()
		}
	})
	if d.BC5 == nil || d.Client.BC5ClientID != launchpadtest.BC5ClientID || d.Client.BaseURL != d.Fake.URL {
		t.Fatalf("demo %+v", d)
	}
	env := d.Env()
	if got := env.Client(); got != d.Client || len(env) != 6 {
		t.Errorf("Env() = %q, want the client settings, BC5's included", env)
	}
	st, err := store.Open(d.ConfigDir(), store.WithCacheDir(d.CacheDir()))
	if err != nil {
		t.Fatal(err)
	}
	svc := &core.Service{Store: st, Env: env.Client(), HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	p, err := svc.Discover(t.Context())
	if err != nil || !p.Device() || p.Client.Server().Issuer != d.BC5.Issuer {
		t.Fatalf("Discover through the demo's settings = %+v, %v; want the device login at %s", p, err, d.BC5.Issuer)
	}
	issuer := d.BC5.Issuer
	d.Close()
	closed = true
	if _, err := http.Get(issuer + "/.well-known/oauth-authorization-server"); err == nil {
		t.Error("the demo's issuer still answers after Close")
	}
}

// TestStartDemoBC5WithoutATemporaryDirectory fails as the demo's failure.
func TestStartDemoBC5WithoutATemporaryDirectory(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	d, err := core.StartDemoBC5()
	if err == nil {
		d.Close()
		t.Fatalf("StartDemoBC5 made %s without a temporary directory", d.Dir)
	}
	if d != nil || !strings.HasPrefix(err.Error(), "bcauth demo: ") {
		t.Errorf("StartDemoBC5 = %+v, %v", d, err)
	}
}
