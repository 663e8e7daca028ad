package store

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
)

// cacheStore is a store whose cache lives in a directory of its own, as
// main opens it.
func cacheStore(t testing.TB) (*Store, string) {
	t.Helper()
	cache := filepath.Join(t.TempDir(), "cache", "bcauth")
	s, err := Open(t.TempDir(), WithCacheDir(cache))
	if err != nil {
		t.Fatal(err)
	}
	return s, cache
}

func TestCacheRoundTrip(t *testing.T) {
	s, cache := cacheStore(t)
	sess := session(ada, "a")
	if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.LoadAuthorization(sess); ok {
		t.Fatal("a cache that was never written was found")
	}
	if _, err := os.Stat(cache); err == nil {
		t.Fatal("reading the cache created its directory")
	}
	want := answer(ada, 3)
	// Names are user-chosen: every kind of character survives the cache.
	want.Accounts[2].Name = "quote \" backslash \\ tab\t \x1b[31m <b>&amp; 株式会社 \u202e bad\xff"
	want.Accounts[3].AppHref = "http://127.0.0.1:9/web/\u2028"
	want.Identity.FirstName = "Ádá"
	if err := s.SaveAuthorization(sess.Key(), want, t0); err != nil {
		t.Fatal(err)
	}
	want.Accounts[2].Name = strings.ToValidUTF8(want.Accounts[2].Name, "\ufffd") // as JSON itself keeps it
	got, at, ok := s.LoadAuthorization(sess)
	if !ok || !sameAnswer(got, want) || !at.Equal(t0) {
		t.Fatalf("LoadAuthorization = %+v, %v, %v; want the answer saved at %v", got, at, ok, t0)
	}
	if p := perm(t, cache); permissionBits && p != dirMode {
		t.Errorf("cache directory mode %04o, want %04o", p, dirMode)
	}
	if p := perm(t, s.cachePath(sess.Key())); permissionBits && p != fileMode {
		t.Errorf("cache file mode %04o, want %04o", p, fileMode)
	}
	// The credentials stay small: no account is in state.json.
	if state := readFile(t, filepath.Join(s.Dir(), stateFile)); bytes.Contains(state, []byte("Analytical Engines")) {
		t.Errorf("state.json holds the account list:\n%s", state)
	}
}

func TestCacheWritesOnlyChanges(t *testing.T) {
	s, _ := cacheStore(t)
	key := session(ada, "a").Key()
	path := s.cachePath(key)
	if err := s.SaveAuthorization(key, answer(ada, 100), t0); err != nil {
		t.Fatal(err)
	}
	first, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if err := s.SaveAuthorization(key, answer(ada, 100), later); err != nil {
		t.Fatal(err)
	}
	same, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(first, same) {
		t.Error("the same answer replaced the cache file; only its time should change")
	}
	if !same.ModTime().Equal(later) {
		t.Errorf("fetched-at time %v, want %v", same.ModTime(), later)
	}
	if err := s.SaveAuthorization(key, answer(ada, 101), later); err != nil {
		t.Fatal(err)
	}
	other, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(same, other) {
		t.Error("a changed answer was written in place, not replaced atomically")
	}
}

func TestCacheNotShown(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, s *Store, sess *Session)
	}{
		{"lost", func(t *testing.T, s *Store, sess *Session) {
			if err := os.Remove(s.cachePath(sess.Key())); err != nil {
				t.Fatal(err)
			}
		}},
		{"corrupt", func(t *testing.T, s *Store, sess *Session) {
			writeFile(t, s.cachePath(sess.Key()), []byte(`{"version":1,"session":`), 0o600)
		}},
		{"from a newer bcauth", func(t *testing.T, s *Store, sess *Session) {
			writeFile(t, s.cachePath(sess.Key()), []byte(`{"version":99}`), 0o600)
		}},
		{"another session's", func(t *testing.T, s *Store, sess *Session) {
			other := session(grace, "g")
			if err := s.SaveAuthorization(other.Key(), answer(grace, 1), t0); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(s.cachePath(other.Key()), s.cachePath(sess.Key())); err != nil {
				t.Fatal(err)
			}
		}},
		{"older than the login", func(t *testing.T, s *Store, sess *Session) {
			sess.LoggedInAt = t0.Add(time.Minute)
		}},
		{"cut short", func(t *testing.T, s *Store, sess *Session) {
			path := s.cachePath(sess.Key())
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()-3); err != nil {
				t.Fatal(err)
			}
		}},
		{"not a regular file", func(t *testing.T, s *Store, sess *Session) {
			path := s.cachePath(sess.Key())
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := cacheStore(t)
			sess := session(ada, "a")
			if err := s.SaveAuthorization(sess.Key(), answer(ada, 2), t0); err != nil {
				t.Fatal(err)
			}
			tt.spoil(t, s, &sess)
			if a, _, ok := s.LoadAuthorization(sess); ok {
				t.Fatalf("LoadAuthorization showed %+v", a)
			}
			if counts, _, ok := s.LoadAccountCounts(sess); ok {
				t.Fatalf("LoadAccountCounts showed %v", counts)
			}
			if tt.name == "not a regular file" {
				return
			}
			// The next answer replaces whatever was there.
			want := answer(ada, 5)
			if err := s.SaveAuthorization(sess.Key(), want, t0.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got, _, ok := s.LoadAuthorization(sess); !ok || !sameAnswer(got, want) {
				t.Fatalf("after a new answer LoadAuthorization = %+v, %v", got, ok)
			}
		})
	}
}

// TestAccountCountsFromTheHead checks that the counts of a cache come
// from its first line alone, and from the whole file when an older
// bcauth wrote it without them.
func TestAccountCountsFromTheHead(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	for _, n := range []int{3, 0} {
		a := answer(ada, n)
		if n == 0 {
			a.Accounts = []auth.Account{}
		}
		if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
			t.Fatal(err)
		}
		counts, at, ok := s.LoadAccountCounts(sess)
		if want := auth.CountProducts(a.Accounts); !ok || !reflect.DeepEqual(counts, want) || !at.Equal(t0) {
			t.Fatalf("%d accounts: LoadAccountCounts = %v, %v, %v; want %v at %v", len(a.Accounts), counts, at, ok, want, t0)
		}
	}
	if err := s.SaveAuthorization(sess.Key(), answer(ada, 3), t0); err != nil {
		t.Fatal(err)
	}
	path := s.cachePath(sess.Key())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := bytes.Cut(data, []byte("\n"))
	head, body = bytes.Clone(head), bytes.Clone(body) // appended to below

	// The rest spoilt, but as long: the counts are the head's, unread.
	writeFile(t, path, append(append(head, '\n'), bytes.Repeat([]byte("x"), len(body))...), 0o600)
	if err := os.Chtimes(path, t0, t0); err != nil {
		t.Fatal(err)
	}
	if counts, _, ok := s.LoadAccountCounts(sess); !ok || counts["bcx"] != 3 {
		t.Errorf("with the head whole: %v, %v; want the head's counts", counts, ok)
	}

	// An older bcauth's head, without the counts: the answer is read.
	old := []byte(`{"version":` + strconv.Itoa(formatVersion) + `,"session":` + strconv.Quote(sess.Key()) + "}\n")
	writeFile(t, path, append(old, body...), 0o600)
	if err := os.Chtimes(path, t0, t0); err != nil {
		t.Fatal(err)
	}
	if counts, _, ok := s.LoadAccountCounts(sess); !ok || !reflect.DeepEqual(counts, map[string]int{"bc3": 1, "hey": 1, "bcx": 3}) {
		t.Errorf("an older bcauth's file: %v, %v", counts, ok)
	}
}

func TestLogoutForgetsTheCache(t *testing.T) {
	s, _ := cacheStore(t)
	a, g := session(ada, "a"), session(grace, "g")
	for _, sess := range []Session{a, g} {
		if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAuthorization(sess.Key(), answer(sess.Identity, 1), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Logout(a.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.cachePath(a.Key())); !os.IsNotExist(err) {
		t.Errorf("the cache of the session logged out is still there: %v", err)
	}
	if _, _, ok := s.LoadAuthorization(g); !ok {
		t.Error("logging out of one session lost another's cache")
	}
	if err := s.LogoutAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.cachePath(g.Key())); !os.IsNotExist(err) {
		t.Errorf("the cache survived logout --all: %v", err)
	}
}

// TestMigrateStateWithAccounts reads a state.json as the previous release
// wrote it, account list inside, and checks that the first write moves
// the list to the cache and loses nothing.
func TestMigrateStateWithAccounts(t *testing.T) {
	s, _ := cacheStore(t)
	fixture := readFile(t, filepath.Join("testdata", "state-v1-with-accounts.json"))
	writeFile(t, filepath.Join(s.Dir(), stateFile), fixture, 0o600)

	before, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	adaSess, ok := before.CurrentSession()
	if !ok || adaSess.Authorization == nil || len(adaSess.Authorization.Accounts) != 2 {
		t.Fatalf("the old file's accounts were not read: %+v", before)
	}
	fetched := time.Date(2026, 2, 15, 9, 30, 0, 0, time.UTC)
	if !adaSess.FetchedAt.Equal(fetched) {
		t.Errorf("FetchedAt = %v, want %v", adaSess.FetchedAt, fetched)
	}
	// Reading changes nothing on disk.
	if got := readFile(t, filepath.Join(s.Dir(), stateFile)); !bytes.Equal(got, fixture) {
		t.Fatal("Load rewrote the old state.json")
	}

	// The first write: a refreshed token for the other session.
	graceKey := before.Sessions[1].Key()
	if err := s.SaveToken(graceKey, Token{AccessToken: "access-grace-2", TokenType: "Bearer", Expiry: fetched.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	state := readFile(t, filepath.Join(s.Dir(), stateFile))
	if bytes.Contains(state, []byte(`"authorization"`)) || bytes.Contains(state, []byte(`"fetched_at"`)) {
		t.Errorf("the first write kept the account list in state.json:\n%s", state)
	}
	after, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if after.Current != before.Current || len(after.Sessions) != 2 {
		t.Fatalf("after the migration: current %q, %d sessions", after.Current, len(after.Sessions))
	}
	for i, want := range before.Sessions {
		got := after.Sessions[i]
		want.Authorization, want.FetchedAt = nil, time.Time{}
		if got.Key() == graceKey {
			want.Token.AccessToken, want.Token.Expiry = "access-grace-2", fetched.Add(time.Hour)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("session %d after the migration:\n got %+v\nwant %+v", i, got, want)
		}
	}
	a, at, ok := s.LoadAuthorization(after.Sessions[0])
	if !ok || !sameAnswer(a, adaSess.Authorization) || !at.Equal(fetched) {
		t.Errorf("the cache after the migration = %+v at %v (%v), want the old file's list at %v", a, at, ok, fetched)
	}
}

// TestMigrateOnFirstAnswer checks that saving a fresh answer, the first
// write of `bcauth accounts`, also moves the old lists out.
func TestMigrateOnFirstAnswer(t *testing.T) {
	s, _ := cacheStore(t)
	writeFile(t, filepath.Join(s.Dir(), stateFile), readFile(t, filepath.Join("testdata", "state-v1-with-accounts.json")), 0o600)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	grace := st.Sessions[1]
	if err := s.SaveAuthorization(grace.Key(), answer(grace.Identity, 1), t0); err != nil {
		t.Fatal(err)
	}
	if state := readFile(t, filepath.Join(s.Dir(), stateFile)); bytes.Contains(state, []byte(`"authorization"`)) {
		t.Errorf("state.json still holds an account list:\n%s", state)
	}
	if _, _, ok := s.LoadAuthorization(st.Sessions[0]); !ok {
		t.Error("the other session's old list was not moved to the cache")
	}
}

const cacheHelperEnv = "BCAUTH_STORE_CACHE_HELPER"

// TestCacheHelperProcess is not a test: TestCacheTwoProcesses runs the
// test binary again with it, to write one session's cache from another
// process.
func TestCacheHelperProcess(t *testing.T) {
	spec := os.Getenv(cacheHelperEnv)
	if spec == "" {
		t.Skip("helper process for TestCacheTwoProcesses")
	}
	parts := strings.Split(spec, "|")
	if len(parts) != 3 {
		t.Fatalf("%s=%q, want DIR|CACHE|TIMES", cacheHelperEnv, spec)
	}
	dir, cacheDir, count := parts[0], parts[1], parts[2]
	s, err := Open(dir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	times, _ := strconv.Atoi(count)
	key := session(ada, "a").Key()
	for i := range times {
		if err := s.SaveAuthorization(key, answer(ada, 50+i%2*50), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCacheTwoProcesses has another process write the cache over and over,
// with two answers in turn, while this one writes and reads it: every read
// sees one whole answer, never a mix or a torn file.
func TestCacheTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts another process")
	}
	s, cache := cacheStore(t)
	sess := session(ada, "a")
	const each = 60
	cmd := exec.Command(os.Args[0], "-test.run=^TestCacheHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), cacheHelperEnv+"="+s.Dir()+"|"+cache+"|"+strconv.Itoa(each))
	var wg sync.WaitGroup
	wg.Go(func() {
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("helper process: %v\n%s", err, out)
		}
	})
	seen := map[int]int{}
	for i := range each {
		if err := s.SaveAuthorization(sess.Key(), answer(ada, 50+i%2*50), t0); err != nil {
			t.Fatal(err)
		}
		if a, _, ok := s.LoadAuthorization(sess); ok {
			seen[len(a.Accounts)]++
		}
	}
	wg.Wait()
	for n := range seen {
		if n != 52 && n != 102 {
			t.Errorf("a read saw %d accounts, which neither writer wrote", n)
		}
	}
	if _, _, ok := s.LoadAuthorization(sess); !ok {
		t.Error("after both writers finished, the cache does not read")
	}
}

// sameAnswer says whether two answers list the same: what a cache read
// back shows, whatever text it was read from.
func sameAnswer(got, want *auth.Authorization) bool {
	if got == nil || want == nil {
		return got == want
	}
	return got.ExpiresAt.Equal(want.ExpiresAt) && got.Identity == want.Identity && reflect.DeepEqual(got.Accounts, want.Accounts)
}

// TestCacheKeepsLaunchpadsText checks that an answer parsed from
// Launchpad's text is cached as that text, byte for byte (unknown fields,
// spacing and escapes too), and that a changed answer of the very same
// size still replaces the file.
func TestCacheKeepsLaunchpadsText(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	key := sess.Key()
	path := s.cachePath(key)
	body := func(name string) string {
		return `{"expires_at":"2026-03-01T09:30:00Z", "identity":{"id":4242,"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com"},` +
			`"accounts":[{"product":"bc3","id":123,"name":"` + name + `","href":"https://3.basecampapi.com/123","hidden":false}]}`
	}
	save := func(text string, at time.Time) *auth.Authorization {
		t.Helper()
		a, err := auth.ParseAuthorization(text)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAuthorization(key, a, at); err != nil {
			t.Fatal(err)
		}
		return a
	}
	want := save(body(`Engines \u00e9`), t0)
	data := string(readFile(t, path))
	if _, rest, _ := strings.Cut(data, "\n"); rest != body(`Engines \u00e9`) {
		t.Fatalf("the cache holds %q after its head, want Launchpad's text %q", rest, body(`Engines \u00e9`))
	}
	if got, _, ok := s.LoadAuthorization(sess); !ok || !sameAnswer(got, want) || got.Body() != body(`Engines \u00e9`) {
		t.Fatalf("LoadAuthorization = %+v, %v; want %+v read from Launchpad's text", got, ok, want)
	}
	first, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	save(body(`Engines \u00e9`), t0.Add(time.Minute))
	if same, err := os.Stat(path); err != nil || !os.SameFile(first, same) {
		t.Errorf("the same text replaced the cache file (%v)", err)
	}
	// One byte differs, the size is the same.
	changed := save(body(`Engines \u00e8`), t0.Add(2*time.Minute))
	if other, err := os.Stat(path); err != nil || os.SameFile(first, other) {
		t.Fatalf("a changed answer of the same size left the file as it was (%v)", err)
	}
	if got, at, ok := s.LoadAuthorization(sess); !ok || !sameAnswer(got, changed) || got.Accounts[0].Name != "Engines è" || !at.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("LoadAuthorization = %+v at %v, %v; want the changed answer", got, at, ok)
	}
}

// A cache written just before the login was recorded is this login's:
// file systems keep times as coarsely as 2 s.
func TestCacheWithinTheTimeSlack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before time.Duration // how long before the login the cache was written
		shown  bool
	}{
		{"after the login", -time.Second, true},
		{"a second before", time.Second, true},
		{"at the slack", mtimeSlack, true},
		{"beyond the slack", mtimeSlack + time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := cacheStore(t)
			sess := session(ada, "a")
			sess.LoggedInAt = t0.Add(tc.before)
			if err := s.SaveAuthorization(sess.Key(), answer(ada, 1), t0); err != nil {
				t.Fatal(err)
			}
			if _, _, ok := s.LoadAuthorization(sess); ok != tc.shown {
				t.Errorf("LoadAuthorization shown = %v, want %v", ok, tc.shown)
			}
			if _, _, ok := s.LoadAccountCounts(sess); ok != tc.shown {
				t.Errorf("LoadAccountCounts shown = %v, want %v", ok, tc.shown)
			}
		})
	}
}

// A writer sweeps the temporary cache files a crash left, once they are
// old enough that no writer can still be using them, and nothing else.
func TestSweepCache(t *testing.T) {
	s, cache := cacheStore(t)
	now := t0.Add(time.Hour)
	s.now = func() time.Time { return now }
	key := session(ada, "a").Key()
	if err := s.SaveAuthorization(key, answer(ada, 1), t0); err != nil {
		t.Fatal(err)
	}
	files := map[string]struct {
		age  time.Duration
		kept bool
	}{
		".accounts-0123.json.tmp-1": {11 * time.Minute, false},
		".accounts-0123.json.tmp-2": {10 * time.Minute, true},
		".accounts-0123.json.tmp-3": {time.Minute, true},
		".other.tmp-4":              {time.Hour, true},
		".accounts-0123.json":       {time.Hour, true},
	}
	for name, f := range files {
		path := filepath.Join(cache, name)
		writeFile(t, path, []byte("{"), 0o600)
		if err := os.Chtimes(path, now.Add(-f.age), now.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		if _, err := os.Stat(filepath.Join(cache, name)); (err == nil) != f.kept {
			t.Errorf("%s (%s old): kept = %v, want %v", name, f.age, err == nil, f.kept)
		}
	}
	if _, _, ok := s.LoadAuthorization(session(ada, "a")); !ok {
		t.Error("the sweep removed the cache itself")
	}
}

// Cache writes take no lock: a process holding it (a slow refresh) does
// not hold up the accounts.
func TestCacheWriteTakesNoLock(t *testing.T) {
	s, _ := cacheStore(t)
	s.lockTimeout = time.Millisecond
	// A Load first, as a run makes one: it says whether state.json still
	// holds account lists to move, which only then takes the lock.
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	other, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := other.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	sess := session(ada, "a")
	if err := s.SaveAuthorization(sess.Key(), answer(ada, 1), t0); err != nil {
		t.Fatalf("SaveAuthorization while another holds the lock: %v", err)
	}
	if err := s.ForgetAuthorization(sess.Key()); err != nil {
		t.Fatalf("ForgetAuthorization while another holds the lock: %v", err)
	}
}

// Names are written as encoding/json writes them, byte for byte, on the
// fast path and off it.
func TestAppendFieldIsEncodingJSON(t *testing.T) {
	for _, v := range []string{"", "plain ASCII ~ !#$%'()*+,-./:;=?@[]^_`{|}", " ", "\x00", "\x1f", "\x7f", "\x80", `"`, `\`, "<", ">", "&",
		"é", "株式会社", "\u2028", "bad\xff", "a\tb\nc"} {
		q, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(appendField(nil, "name", v)), `,"name":`+string(q); got != want {
			t.Errorf("appendField(%q) = %s, want %s", v, got, want)
		}
	}
}
