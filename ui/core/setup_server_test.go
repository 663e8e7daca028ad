package core_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// TestSetupServer: what setup asks for follows discovery whatever clients
// are configured: BC5 when the API host advertises it, even with no client
// at all; Launchpad while it is dark, or when discovery is skipped; a hard
// discovery error is an error.
func TestSetupServer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *store.ClientConfig, b *launchpadtest.BC5)
		bc5   bool
		err   bool
	}{
		{"advertised, no client at all", func(c *store.ClientConfig, _ *launchpadtest.BC5) {
			*c = store.ClientConfig{BaseURL: c.BaseURL, LaunchpadURL: c.LaunchpadURL}
		}, true, false},
		{"advertised, a Launchpad client", func(*store.ClientConfig, *launchpadtest.BC5) {}, true, false},
		{"dark", func(_ *store.ClientConfig, b *launchpadtest.BC5) { b.SetDark(true) }, false, false},
		{"skipped: another Launchpad, no API origin", func(c *store.ClientConfig, _ *launchpadtest.BC5) { c.BaseURL = "" }, false, false},
		{"two issuers", func(_ *store.ClientConfig, b *launchpadtest.BC5) {
			b.AdvertiseIssuers([]string{b.Issuer, "https://other.example"})
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, b := bc5Env(t, false)
			tc.setup(&e.Svc.Env, b)
			srv, err := e.Svc.SetupServer(t.Context())
			if tc.err {
				var de *auth.DiscoveryError
				if !errors.As(err, &de) {
					t.Fatalf("SetupServer = %+v, %v; want a discovery error", srv, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if srv.IsBC5() != tc.bc5 || (tc.bc5 && srv.Issuer != b.Issuer) {
				t.Errorf("SetupServer = %+v, want BC5 %v", srv, tc.bc5)
			}
			if !tc.bc5 && srv.Note == "" {
				t.Errorf("Launchpad with no reason said: %+v", srv)
			}
			if n := launchpadAsked(e.Fake) + b.Requests(launchpadtest.BC5Device) + b.Requests(launchpadtest.BC5Token); n != 0 {
				t.Errorf("setup's discovery sent %d credential requests", n)
			}
		})
	}
}

// TestSaveBC5Client: the BC5 client ID alone is saved, beside the file's
// other settings, and a login then goes to BC5; what is not a client ID is
// refused and nothing is written.
func TestSaveBC5Client(t *testing.T) {
	e, b := bc5Env(t, false)
	e.ClientInFile(t) // the Launchpad client is in config.json
	e.Svc.Env = store.ClientConfig{BaseURL: e.Fake.URL}
	for _, bad := range []string{"", "  ", "has space", "tab\there", "ünï"} {
		if _, err := e.Svc.SaveBC5Client(bad); err == nil {
			t.Errorf("SaveBC5Client(%q) was accepted", bad)
		}
	}
	if got, _ := e.Svc.Store.LoadClient(); got.BC5ClientID != "" {
		t.Fatalf("a refused ID was saved: %+v", got)
	}
	if _, err := e.Svc.SaveBC5Client("  " + launchpadtest.BC5ClientID + "\n"); err != nil {
		t.Fatal(err)
	}
	got, err := e.Svc.Store.LoadClient()
	if err != nil || got.BC5ClientID != launchpadtest.BC5ClientID || got.ClientID == "" || got.ClientSecret == "" {
		t.Fatalf("config.json holds %+v, %v; want the BC5 client beside the Launchpad one", got, err)
	}
	p, err := e.Svc.Discover(t.Context())
	if err != nil || !p.Device() || p.Client.Server().Issuer != b.Issuer {
		t.Fatalf("after saving the BC5 client the login is %+v, %v; want BC5", p, err)
	}
}

// TestSaveBC5ClientSetsAnUnreadableFileAside: as SaveClient does.
func TestSaveBC5ClientSetsAnUnreadableFileAside(t *testing.T) {
	e, _ := bc5Env(t, false)
	path := filepath.Join(e.Dir, "config.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	aside, err := e.Svc.SaveBC5Client(launchpadtest.BC5ClientID)
	if err != nil || aside == "" {
		t.Fatalf("SaveBC5Client = %q, %v; want the old file set aside", aside, err)
	}
	if got, err := e.Svc.Store.LoadClient(); err != nil || got.BC5ClientID != launchpadtest.BC5ClientID {
		t.Fatalf("config.json holds %+v, %v", got, err)
	}
}
