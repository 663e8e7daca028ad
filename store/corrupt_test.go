package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validState is a state.json as a real login writes it; the store only
// reads it, and never dials its Launchpad URL.
var validState = []byte(`{
  "version": 1,
  "current": "https://launchpad.37signals.com|client-1|4242",
  "sessions": [
    {
      "launchpad_url": "https://launchpad.37signals.com",
      "client_id": "client-1",
      "identity": {"id": 4242, "first_name": "Ada", "last_name": "Lovelace", "email_address": "ada@example.com"},
      "token": {"access_token": "a", "refresh_token": "r", "token_type": "Bearer", "expiry": "2026-03-01T12:00:00Z"},
      "fetched_at": "2026-02-15T09:30:00Z",
      "last_account": "bc3:123"
    }
  ]
}
`)

var corruptFiles = []struct {
	name string
	data []byte
}{
	{"garbage", []byte("this is not json")},
	{"truncated", validState[:len(validState)/2]},
	{"empty", nil},
	{"null", []byte("null")},
	{"array", []byte("[1, 2]")},
	{"no version", []byte(`{"sessions": []}`)},
	{"version zero", []byte(`{"version": 0, "sessions": []}`)},
	{"version as string", []byte(`{"version": "1"}`)},
	{"wrong field type", []byte(`{"version": 1, "sessions": {"a": 1}, "client_id": 5}`)},
	{"trailing data", append(append([]byte{}, validState...), "}"...)},
}

// fixedNow pins the clock SetAside names files with.
func fixedNow(s *Store) {
	s.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)) }
}

func TestCorruptState(t *testing.T) {
	for _, tt := range corruptFiles {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, stateFile)
			writeFile(t, path, tt.data, 0o600)
			s := open(t, dir)
			fixedNow(s)

			_, err := s.Load()
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want a *CorruptError", err)
			}
			if ce.Path != path {
				t.Errorf("CorruptError.Path = %q, want %q", ce.Path, path)
			}
			for _, want := range []string{path, "kept it as is", "logging in again moves it aside"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			for name, write := range map[string]func() error{
				"Update":    func() error { return s.Update(func(st *State) error { st.Upsert(session(ada, "x")); return nil }) },
				"SaveToken": func() error { return s.SaveToken(session(ada, "x").Key(), Token{AccessToken: "x"}) },
				"Logout":    func() error { return s.Logout(session(ada, "x").Key()) },
				"LogoutAll": s.LogoutAll,
			} {
				if err := write(); !errors.As(err, &ce) {
					t.Errorf("%s over a corrupt file = %v, want a *CorruptError", name, err)
				}
			}
			if got := readFile(t, path); !bytes.Equal(got, tt.data) {
				t.Fatalf("corrupt file changed:\n%q\nwant\n%q", got, tt.data)
			}

			aside, err := s.SetAside()
			if err != nil {
				t.Fatal(err)
			}
			if want := path + ".corrupt-20260102T020405Z"; aside != want {
				t.Errorf("SetAside = %q, want %q", aside, want)
			}
			if got := readFile(t, aside); !bytes.Equal(got, tt.data) {
				t.Errorf("file set aside holds %q, want %q", got, tt.data)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s still there after SetAside: %v", path, err)
			}
			if err := s.Update(func(st *State) error { st.Upsert(session(ada, "x")); return nil }); err != nil {
				t.Errorf("Update after SetAside: %v", err)
			}
		})
	}
}

func TestNewerVersion(t *testing.T) {
	dir := t.TempDir()
	data := []byte(`{"version": 2, "sessions": "a shape this bcauth does not know"}`)
	path := filepath.Join(dir, stateFile)
	writeFile(t, path, data, 0o600)
	cpath := filepath.Join(dir, configFile)
	writeFile(t, cpath, data, 0o600)
	s := open(t, dir)
	fixedNow(s)

	checks := []struct {
		name string
		path string
		err  error
	}{
		{"Load", path, func() error { _, err := s.Load(); return err }()},
		{"Update", path, s.Update(func(st *State) error { st.Upsert(session(ada, "x")); return nil })},
		{"LogoutAll", path, s.LogoutAll()},
		{"LoadClient", cpath, func() error { _, err := s.LoadClient(); return err }()},
		{"SaveClient", cpath, s.SaveClient(ClientConfig{ClientID: "x"})},
	}
	for _, c := range checks {
		var ve *VersionError
		if !errors.As(c.err, &ve) {
			t.Errorf("%s = %v, want a *VersionError", c.name, c.err)
			continue
		}
		if *ve != (VersionError{Path: c.path, Version: 2, Supported: 1}) {
			t.Errorf("%s: %+v", c.name, *ve)
		}
		for _, want := range []string{c.path, "version 2", "upgrade bcauth"} {
			if !strings.Contains(c.err.Error(), want) {
				t.Errorf("%s: message %q lacks %q", c.name, c.err, want)
			}
		}
	}
	for _, p := range []string{path, cpath} {
		if got := readFile(t, p); !bytes.Equal(got, data) {
			t.Errorf("%s from a newer bcauth was overwritten:\n%s", p, got)
		}
	}

	// Logging in again (or entering the client settings again) is refused
	// with the same message: the newer file is neither replaced nor moved.
	for _, c := range []struct {
		name string
		path string
		do   func() (string, error)
	}{
		{"SetAside", path, s.SetAside},
		{"SetAsideClient", cpath, s.SetAsideClient},
	} {
		aside, err := c.do()
		var ve *VersionError
		if aside != "" || !errors.As(err, &ve) || ve.Path != c.path {
			t.Errorf("%s = %q, %v; want no path and the *VersionError for %s", c.name, aside, err, c.path)
		}
		if got := readFile(t, c.path); !bytes.Equal(got, data) {
			t.Errorf("%s changed %s:\n%s", c.name, c.path, got)
		}
		if m, _ := filepath.Glob(c.path + ".corrupt-*"); len(m) != 0 {
			t.Errorf("%s moved the newer file aside: %v", c.name, m)
		}
	}
}

func TestCorruptConfig(t *testing.T) {
	for _, tt := range corruptFiles {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, configFile)
			writeFile(t, path, tt.data, 0o600)
			s := open(t, dir)
			fixedNow(s)

			_, err := s.LoadClient()
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != path {
				t.Fatalf("LoadClient = %v, want a *CorruptError for %s", err, path)
			}
			if !strings.Contains(err.Error(), "client settings again") {
				t.Errorf("message %q does not say how to clear it", err)
			}
			if err := s.SaveClient(ClientConfig{ClientID: "x"}); !errors.As(err, &ce) {
				t.Errorf("SaveClient over a corrupt file = %v, want a *CorruptError", err)
			}
			if got := readFile(t, path); !bytes.Equal(got, tt.data) {
				t.Fatalf("corrupt file changed:\n%q", got)
			}
			// The state next to it is not concerned.
			if err := s.Update(func(st *State) error { st.Upsert(session(ada, "x")); return nil }); err != nil {
				t.Errorf("Update with a corrupt config.json: %v", err)
			}
			aside, err := s.SetAsideClient()
			if err != nil || aside != path+".corrupt-20260102T020405Z" {
				t.Fatalf("SetAsideClient = %q, %v", aside, err)
			}
			if err := s.SaveClient(ClientConfig{ClientID: "x"}); err != nil {
				t.Errorf("SaveClient after SetAsideClient: %v", err)
			}
		})
	}
}

func TestSetAsideLeavesGoodFiles(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fixedNow(s)
	if aside, err := s.SetAside(); aside != "" || err != nil {
		t.Errorf("SetAside with no file = %q, %v; want nothing done", aside, err)
	}
	path := filepath.Join(dir, stateFile)
	writeFile(t, path, validState, 0o600)
	if aside, err := s.SetAside(); aside != "" || err != nil {
		t.Errorf("SetAside of a good file = %q, %v; want nothing done", aside, err)
	}
	if got := readFile(t, path); !bytes.Equal(got, validState) {
		t.Errorf("SetAside changed a good file")
	}
}

func TestSetAsideTwiceInOneSecond(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fixedNow(s)
	path := filepath.Join(dir, stateFile)
	base := path + ".corrupt-20260102T020405Z"
	for i, want := range []string{base, base + "-2", base + "-3"} {
		data := []byte{'x', byte('0' + i)}
		writeFile(t, path, data, 0o600)
		aside, err := s.SetAside()
		if err != nil || aside != want {
			t.Fatalf("SetAside #%d = %q, %v; want %q", i+1, aside, err, want)
		}
		if got := readFile(t, aside); !bytes.Equal(got, data) {
			t.Errorf("%s holds %q, want %q", aside, got, data)
		}
	}
}

func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	// A directory where state.json should be cannot be read as a file.
	path := filepath.Join(dir, stateFile)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	var ue *UnsafeError
	if !errors.As(err, &ue) || ue.Path != path || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Open = %v, want an *UnsafeError for %s", err, path)
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Errorf("what was there changed: %v, %v", fi, err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(validState)
	for _, c := range corruptFiles {
		f.Add(c.data)
	}
	f.Add([]byte(`{"version": 2}`))
	f.Add([]byte(`{"version": 1, "sessions": null, "current": "x"}`))
	f.Add([]byte(`{"version": 1, "sessions": [{"authorization": null, "token": {"expiry": "0001-01-01T00:00:00Z"}}]}`))
	f.Add([]byte(`{"version": 1e3}`))
	f.Add([]byte(`{"version": 99999999999999999999}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, stateFile)
		writeFile(t, path, data, 0o600)
		s := open(t, dir)
		st, err := s.Load()
		if err != nil {
			var ce *CorruptError
			var ve *VersionError
			if !errors.As(err, &ce) && !errors.As(err, &ve) {
				t.Fatalf("Load = %T %v, want a *CorruptError or *VersionError", err, err)
			}
			if st != nil {
				t.Fatalf("Load returned a state with an error")
			}
		} else {
			// Whatever loads must be usable and writable again.
			st.CurrentSession()
			for _, sess := range st.Sessions {
				sess.Key()
			}
			if _, err := encodeState(st); err != nil {
				t.Fatalf("a loaded state cannot be written back: %v", err)
			}
		}
		if got := readFile(t, path); !bytes.Equal(got, data) {
			t.Fatalf("Load changed the file")
		}
	})
}
