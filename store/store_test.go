package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"bcauth/auth"
)

func open(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t testing.TB, path string, data []byte, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode passes through the umask; state it exactly.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func perm(t testing.TB, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

var (
	t0    = time.Date(2026, 2, 15, 9, 30, 0, 0, time.UTC)
	ada   = auth.Identity{ID: 4242, FirstName: "Ada", LastName: "Lovelace", EmailAddress: "ada@example.com"}
	grace = auth.Identity{ID: 7, FirstName: "Grace", LastName: "Hopper", EmailAddress: "grace@example.org"}
)

// session and answer hold Launchpad's and Basecamp's real hosts, as
// state.json and the cache keep them; the store never dials anything.
func session(id auth.Identity, access string) Session {
	return Session{
		LaunchpadURL: "https://launchpad.37signals.com",
		ClientID:     "client-1",
		Identity:     id,
		Token:        Token{AccessToken: access, RefreshToken: "refresh-" + access, TokenType: "Bearer", Expiry: t0.Add(2 * time.Hour)},
		LastAccount:  "bc3:123",
	}
}

// answer is an authorization.json answer for id, as the cache keeps it.
func answer(id auth.Identity, accounts int) *auth.Authorization {
	a := &auth.Authorization{ExpiresAt: t0.Add(14 * 24 * time.Hour), Identity: id, Accounts: []auth.Account{
		{Product: "bc3", ID: 123, Name: "Analytical Engines", Href: "https://3.basecampapi.com/123", AppHref: "https://3.basecamp.com/123"},
		{Product: "hey", ID: 9, Name: "HEY", Href: "https://app.hey.com"},
	}}
	for i := range accounts {
		a.Accounts = append(a.Accounts, auth.Account{Product: "bcx", ID: int64(1000 + i), Name: fmt.Sprintf("Account %d", i),
			Href: fmt.Sprintf("https://basecamp.com/%d/api/v1", 1000+i)})
	}
	return a
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)

	empty, err := s.Load()
	if err != nil {
		t.Fatalf("Load with no file: %v", err)
	}
	if len(empty.Sessions) != 0 || empty.Current != "" {
		t.Fatalf("Load with no file = %+v, want an empty state", empty)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load created %s", stateFile)
	}
	if c, err := s.LoadClient(); err != nil || c != (ClientConfig{}) {
		t.Fatalf("LoadClient with no file = %+v, %v; want zero, nil", c, err)
	}

	want := session(ada, "access-1")
	if err := s.Update(func(st *State) error { st.Upsert(want); return nil }); err != nil {
		t.Fatal(err)
	}
	cfg := ClientConfig{ClientID: "client-1", ClientSecret: "secret", RedirectURI: "http://127.0.0.1:8976/callback"}
	if err := s.SaveClient(cfg); err != nil {
		t.Fatal(err)
	}

	// A second Store stands for the next run of bcauth.
	s2 := open(t, dir)
	st, err := s2.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, ok := st.CurrentSession()
	if !ok {
		t.Fatalf("no current session in %+v", st)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("session after round trip:\n got %+v\nwant %+v", *got, want)
	}
	if st.Version != 1 {
		t.Errorf("Version = %d, want 1", st.Version)
	}
	gotCfg, err := s2.LoadClient()
	if err != nil || gotCfg != cfg {
		t.Errorf("LoadClient = %+v, %v; want %+v", gotCfg, err, cfg)
	}

	// The files are for people too: indented, versioned, no empty fields.
	state := string(readFile(t, filepath.Join(dir, stateFile)))
	config := string(readFile(t, filepath.Join(dir, configFile)))
	for _, want := range []string{"{\n  \"version\": 1,\n", `"current": "https://launchpad.37signals.com|client-1|4242"`, `"last_account": "bc3:123"`} {
		if !strings.Contains(state, want) {
			t.Errorf("state.json lacks %q:\n%s", want, state)
		}
	}
	if want := "{\n  \"version\": 1,\n  \"client_id\": \"client-1\",\n  \"client_secret\": \"secret\",\n  \"redirect_uri\": \"http://127.0.0.1:8976/callback\"\n}\n"; config != want {
		t.Errorf("config.json =\n%s\nwant\n%s", config, want)
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "bcauth")
	s := open(t, dir)
	if err := s.SaveClient(ClientConfig{ClientID: "c"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(st *State) error { st.Upsert(session(ada, "a")); return nil }); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]fs.FileMode{
		dir:                            0o700,
		filepath.Join(dir, configFile): 0o600,
		filepath.Join(dir, stateFile):  0o600,
		filepath.Join(dir, lockFile):   0o600,
	} {
		if got := perm(t, path); got != want {
			t.Errorf("%s has mode %04o, want %04o", path, got, want)
		}
	}
	if n := s.Notices(); len(n) != 0 {
		t.Errorf("notices for a fresh store: %q", n)
	}
}

func TestTighten(t *testing.T) {
	tests := []struct {
		name     string
		dirMode  fs.FileMode
		fileMode fs.FileMode
		loosen   bool // loosen state.json after Open, so Load must tighten it
		want     []string
	}{
		{name: "loose dir", dirMode: 0o755, fileMode: 0o600, want: []string{"DIR from 0755 to 0700"}},
		{name: "loose file", dirMode: 0o700, fileMode: 0o644, want: []string{"DIR/state.json from 0644 to 0600"}},
		{name: "both", dirMode: 0o750, fileMode: 0o666, want: []string{"DIR from 0750 to 0700", "DIR/state.json from 0666 to 0600"}},
		{name: "loosened after open", dirMode: 0o700, fileMode: 0o600, loosen: true, want: []string{"DIR/state.json from 0640 to 0600"}},
		{name: "already tight", dirMode: 0o700, fileMode: 0o600},
		{name: "tighter is kept", dirMode: 0o700, fileMode: 0o400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, stateFile)
			writeFile(t, path, []byte(`{"version": 1, "sessions": []}`), tt.fileMode)
			if err := os.Chmod(dir, tt.dirMode); err != nil {
				t.Fatal(err)
			}
			s := open(t, dir)
			if tt.loosen {
				if err := os.Chmod(path, 0o640); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Load(); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, "tightened permissions of "+strings.ReplaceAll(w, "DIR", dir))
			}
			if got := s.Notices(); !reflect.DeepEqual(got, want) {
				t.Errorf("Notices() = %q, want %q", got, want)
			}
			if got := s.Notices(); len(got) != 0 {
				t.Errorf("second Notices() = %q, want none: each is told once", got)
			}
			if got := perm(t, dir); got&^0o700 != 0 {
				t.Errorf("dir mode %04o", got)
			}
			if got := perm(t, path); got&^0o600 != 0 {
				t.Errorf("state.json mode %04o", got)
			}
		})
	}
}

var errCrash = errors.New("simulated crash")

func TestCrashBeforeRename(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.Update(func(st *State) error { st.Upsert(session(ada, "old")); return nil }); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, stateFile)
	old := readFile(t, path)

	stray := filepath.Join(dir, ".state.json.tmp-crashed")
	s.beforeRename = func(tmp string) error {
		// A crash at this point leaves the complete temporary file behind:
		// keep a copy under another name, as the crash would have.
		if !bytes.Contains(readFile(t, tmp), []byte("new")) {
			t.Errorf("temporary file %s does not hold the new state", tmp)
		}
		if err := os.Link(tmp, stray); err != nil {
			t.Fatal(err)
		}
		return errCrash
	}
	err := s.Update(func(st *State) error { st.Upsert(session(ada, "new")); return nil })
	if !errors.Is(err, errCrash) {
		t.Fatalf("Update = %v, want the simulated crash", err)
	}
	if got := readFile(t, path); !bytes.Equal(got, old) {
		t.Fatalf("state.json changed by a crashed write:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".state.json.tmp-crashed", stateFile, lockFile}; !reflect.DeepEqual(names, want) {
		t.Errorf("files after the crash: %q, want %q", names, want)
	}

	// The next run trusts the old file, not the stray one, and a writer
	// clears the stray away.
	next := open(t, dir)
	st, err := next.Load()
	if err != nil {
		t.Fatal(err)
	}
	if sess, _ := st.CurrentSession(); sess == nil || sess.Token.AccessToken != "old" {
		t.Fatalf("after the crash the current session is %+v, want the old token", sess)
	}
	if err := next.SaveToken(st.Current, Token{AccessToken: "newer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stray temporary file still there after a write: %v", err)
	}
}

func TestUpdateWritesOnlyChanges(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	path := filepath.Join(dir, stateFile)

	if err := s.Update(func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an Update that changed nothing created %s", path)
	}

	if err := s.Update(func(st *State) error { st.Upsert(session(ada, "a")); return nil }); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	boom := errors.New("boom")
	err := s.Update(func(st *State) error {
		st.Sessions = nil
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if got := readFile(t, path); !bytes.Equal(got, before) {
		t.Errorf("Update wrote although fn failed:\n%s", got)
	}
}

func TestOpenNotADirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bcauth")
	writeFile(t, path, nil, 0o600)
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open(file) = %v, want an error naming %s", err, path)
	}
	if _, err := Open(""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	s.lockTimeout = 20 * time.Millisecond

	other := flock.New(filepath.Join(dir, lockFile))
	if err := other.Lock(); err != nil {
		t.Fatal(err)
	}
	defer other.Unlock()
	err := s.Update(func(st *State) error { st.Upsert(session(ada, "a")); return nil })
	if err == nil || !strings.Contains(err.Error(), "another bcauth process") {
		t.Fatalf("Update while another holds the lock = %v", err)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(st *State) error { st.Upsert(session(ada, "a")); return nil }); err != nil {
		t.Fatalf("Update after the lock was released: %v", err)
	}
}
