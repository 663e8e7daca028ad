package core_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestOpen: the Service a front end starts with, from the environment
// main read and the state directory; BASECAMP_TOKEN with a lenient start
// does without a directory it cannot have.
func TestOpen(t *testing.T) {
	client := []string{auth.SettingClientID + "=id", auth.SettingClientSecret + "=secret"}
	for _, tc := range []struct {
		name      string
		dir       func(t *testing.T) string
		env       []string
		lenient   bool
		keyring   bool
		wantErr   string // in the error; "" for none
		wantStore bool
		wantNoDir bool // a lenient start leaves the directory missing
	}{
		{name: "a new directory", dir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "new") }, env: client, wantStore: true},
		{name: "the keyring off for this run", dir: func(t *testing.T) string { return t.TempDir() }, env: append(client, core.KeyringSetting+"=0"), keyring: true, wantStore: true},
		{name: "a bad keyring setting", dir: func(t *testing.T) string { return t.TempDir() }, env: append(client, core.KeyringSetting+"=maybe"), keyring: true, wantErr: core.KeyringSetting},
		{name: "a bad keyring setting, not asked for", dir: func(t *testing.T) string { return t.TempDir() }, env: append(client, core.KeyringSetting+"=maybe"), wantStore: true},
		{name: "a file where the directory goes", dir: fileNotDir, env: client, wantErr: "not a directory"},
		{name: "a file, with a token but strict", dir: fileNotDir, env: append(client, auth.SettingToken+"=BAhbtok"), wantErr: "not a directory"},
		{name: "a file, with a token, lenient", dir: fileNotDir, env: append(client, auth.SettingToken+"=BAhbtok"), lenient: true},
		{name: "missing, with a token, lenient", dir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }, env: []string{auth.SettingToken + "=BAhbtok"}, lenient: true, wantNoDir: true},
		{name: "missing, lenient, no token", dir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }, env: client, lenient: true, wantStore: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			var notices bytes.Buffer
			svc, err := core.Open(context.Background(), core.Where{Dir: dir, Lenient: tc.lenient, Keyring: tc.keyring}, core.Env(tc.env), &notices)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || svc != nil {
					t.Fatalf("Open = %v, %v; want an error saying %q", svc, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (svc.Store != nil) != tc.wantStore {
				t.Fatalf("store %v, want one: %v", svc.Store, tc.wantStore)
			}
			env := core.Env(tc.env)
			if svc.Env != env.Client() || svc.EnvToken != env.Get(auth.SettingToken) || svc.HTTPClient == nil || svc.HTTPClient.Timeout <= 0 {
				t.Errorf("Service %+v, want the environment's client and token, and a bounded HTTP client", svc)
			}
			if svc.Store != nil && (svc.Dir() != dir || !strings.HasPrefix(svc.Store.CacheDir(), dir+string(filepath.Separator))) {
				t.Errorf("Dir %q, cache %q; want both in %q", svc.Dir(), svc.Store.CacheDir(), dir)
			}
			if _, statErr := os.Stat(dir); tc.wantNoDir && !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("a lenient start made %s: %v", dir, statErr)
			}
		})
	}
}

func fileNotDir(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenTellsTheStoresNotices: a file whose permissions the store
// tightened is told once, on the writer Open was given, with the cache
// where Where puts it.
func TestOpenTellsTheStoresNotices(t *testing.T) {
	dir, cache := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"version":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var notices bytes.Buffer
	svc, err := core.Open(context.Background(), core.Where{Dir: dir, CacheDir: cache}, nil, &notices)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(notices.String(), "bcauth: ") || !strings.Contains(notices.String(), "config.json") {
		t.Errorf("notices %q, want the tightened config.json", notices.String())
	}
	if svc.Store.CacheDir() != cache {
		t.Errorf("cache in %s, want %s", svc.Store.CacheDir(), cache)
	}
	peek, err := core.Peek(core.Where{Dir: dir, CacheDir: cache}, core.Env{auth.SettingClientID + "=peek"})
	if err != nil || peek.Store.CacheDir() != cache || peek.Env.ClientID != "peek" {
		t.Errorf("Peek = %+v, %v", peek, err)
	}
	if _, err := core.Peek(core.Where{Dir: fileNotDir(t)}, nil); err == nil {
		t.Error("Peek of a file opened it")
	}
	if w := core.Stored(true); w.Dir != store.DefaultDir() || w.CacheDir != store.DefaultCacheDir() || !w.Lenient || !w.Keyring {
		t.Errorf("Stored(true) = %+v", w)
	}
	if w := core.Stored(false); w.Lenient {
		t.Errorf("Stored(false) = %+v", w)
	}
}

// TestStartDemo: the demo's fake on loopback, its credentials for the
// product APIs, its own directory, all gone on Close; and a login against
// it works as against any fake.
func TestStartDemo(t *testing.T) {
	d, err := core.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			d.Close()
		}
	})
	if !strings.HasPrefix(d.Fake.URL, "http://127.0.0.1:") || d.Client.LaunchpadURL != d.Fake.URL || d.User != launchpadtest.DemoIdentity().EmailAddress {
		t.Errorf("demo %+v", d)
	}
	if d.ConfigDir() != filepath.Join(d.Dir, "config") || d.CacheDir() != filepath.Join(d.Dir, "cache") {
		t.Errorf("ConfigDir %s, CacheDir %s, under %s", d.ConfigDir(), d.CacheDir(), d.Dir)
	}
	if got := d.Env().Client(); got != d.Client || d.Env().Get(auth.SettingToken) != "" || len(d.Env()) != 4 {
		t.Errorf("Env() = %q, want the client settings alone", d.Env())
	}
	for _, tc := range []struct {
		user, password string
		want           int
	}{
		{user: d.User, password: core.DemoPassword, want: http.StatusOK},
		{user: core.DemoAPIToken, password: "X", want: http.StatusOK},
		{user: d.User, password: "wrong", want: http.StatusUnauthorized},
	} {
		req, err := http.NewRequest(http.MethodGet, d.Fake.URL+"/bc3/99999999/my/profile.json", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(tc.user, tc.password)
		req.Header.Set("User-Agent", "bcauth test")
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Basic %s:%s: %s, want %d", tc.user, tc.password, resp.Status, tc.want)
		}
	}
	st, err := store.Open(d.ConfigDir(), store.WithCacheDir(d.CacheDir()))
	if err != nil {
		t.Fatal(err)
	}
	svc := &core.Service{Store: st, Env: d.Client, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	if sess := uitest.LogIn(t, svc, d.Fake); sess.Identity.ID != launchpadtest.DemoIdentity().ID {
		t.Errorf("logged in as %d", sess.Identity.ID)
	}
	d.Close()
	closed = true
	if _, err := os.Stat(d.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo's directory outlived Close: %v", err)
	}
	if _, err := http.Get(d.Fake.URL + "/authorization.json"); err == nil {
		t.Error("the demo's fake still answers after Close")
	}
}

// TestURLProberOfANilService: bcauth probe --url needs no Service; a nil
// one gives the defaults.
func TestURLProberOfANilService(t *testing.T) {
	var svc *core.Service
	if svc.URLProber() == nil {
		t.Error("URLProber of a nil Service is nil")
	}
	if (&core.Service{UserAgent: "x"}).URLProber() == nil {
		t.Error("URLProber is nil")
	}
}

// TestStartDemoWithoutATemporaryDirectory: the demo needs a directory of
// its own; without one it fails, and says it is the demo's failure.
func TestStartDemoWithoutATemporaryDirectory(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	d, err := core.StartDemo()
	if err == nil {
		d.Close()
		t.Fatalf("StartDemo made %s without a temporary directory", d.Dir)
	}
	if d != nil || !strings.HasPrefix(err.Error(), "bcauth demo: ") {
		t.Errorf("StartDemo = %+v, %v", d, err)
	}
}
