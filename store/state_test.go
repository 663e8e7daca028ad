package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func keys(st *State) []string {
	var k []string
	for _, s := range st.Sessions {
		k = append(k, s.Key())
	}
	return k
}

func TestSessions(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	cfg := ClientConfig{ClientID: "client-1", ClientSecret: "secret"}
	if err := s.SaveClient(cfg); err != nil {
		t.Fatal(err)
	}
	work, personal := session(ada, "work"), session(grace, "personal")
	// The same person through another Launchpad is another session.
	staging := session(ada, "staging")
	staging.LaunchpadURL = "https://launchpad.staging.example/"

	steps := []struct {
		name        string
		do          func() error
		wantKeys    []string
		wantCurrent string
	}{
		{"log in at work", func() error {
			return s.Update(func(st *State) error { st.Upsert(work); return nil })
		}, []string{work.Key()}, work.Key()},
		{"log in personally", func() error {
			return s.Update(func(st *State) error { st.Upsert(personal); return nil })
		}, []string{work.Key(), personal.Key()}, personal.Key()},
		{"log in on staging", func() error {
			return s.Update(func(st *State) error { st.Upsert(staging); return nil })
		}, []string{work.Key(), personal.Key(), staging.Key()}, staging.Key()},
		{"switch to work", func() error { return s.Switch(work.Key()) },
			[]string{work.Key(), personal.Key(), staging.Key()}, work.Key()},
		{"log in at work again replaces, not adds", func() error {
			again := work
			again.Token.AccessToken = "work-2"
			return s.Update(func(st *State) error { st.Upsert(again); return nil })
		}, []string{work.Key(), personal.Key(), staging.Key()}, work.Key()},
		{"log out of the current one", func() error { return s.Logout(work.Key()) },
			[]string{personal.Key(), staging.Key()}, personal.Key()},
		{"log out of another", func() error { return s.Logout(staging.Key()) },
			[]string{personal.Key()}, personal.Key()},
		{"log out of one not there", func() error { return s.Logout(work.Key()) },
			[]string{personal.Key()}, personal.Key()},
		{"log in at work once more", func() error {
			return s.Update(func(st *State) error { st.Upsert(work); return nil })
		}, []string{personal.Key(), work.Key()}, work.Key()},
		{"log out of all", s.LogoutAll, nil, ""},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		st, err := s.Load()
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := keys(st); !reflect.DeepEqual(got, step.wantKeys) {
			t.Errorf("%s: sessions %q, want %q", step.name, got, step.wantKeys)
		}
		if st.Current != step.wantCurrent {
			t.Errorf("%s: current %q, want %q", step.name, st.Current, step.wantCurrent)
		}
		if got, err := s.LoadClient(); err != nil || got != cfg {
			t.Errorf("%s: client config %+v, %v; want it kept", step.name, got, err)
		}
	}
	if err := s.Switch(work.Key()); !errors.Is(err, ErrNoSession) {
		t.Errorf("Switch to a logged-out session = %v, want ErrNoSession", err)
	}
}

func TestSessionKey(t *testing.T) {
	a := session(ada, "a")
	b := a
	b.LaunchpadURL += "/"
	if a.Key() != b.Key() {
		t.Errorf("a trailing slash changes the key: %q vs %q", a.Key(), b.Key())
	}
	for _, change := range []func(*Session){
		func(s *Session) { s.ClientID = "client-2" },
		func(s *Session) { s.LaunchpadURL = "https://launchpad.example" },
		func(s *Session) { s.Identity.ID = 1 },
	} {
		c := a
		change(&c)
		if c.Key() == a.Key() {
			t.Errorf("%+v and %+v share the key %q", a, c, a.Key())
		}
	}
}

func TestSaveToken(t *testing.T) {
	s := open(t, t.TempDir())
	work, personal := session(ada, "work"), session(grace, "personal")
	if err := s.Update(func(st *State) error { st.Upsert(work); st.Upsert(personal); return nil }); err != nil {
		t.Fatal(err)
	}
	expiry := t0.Add(4 * time.Hour)

	tests := []struct {
		name string
		tok  Token
		want Token
	}{
		{"rotated refresh token", Token{AccessToken: "w2", RefreshToken: "r2", TokenType: "Bearer", Expiry: expiry},
			Token{AccessToken: "w2", RefreshToken: "r2", TokenType: "Bearer", Expiry: expiry}},
		{"no refresh token keeps the stored one", Token{AccessToken: "w3", TokenType: "Bearer", Expiry: expiry},
			Token{AccessToken: "w3", RefreshToken: "r2", TokenType: "Bearer", Expiry: expiry}},
	}
	for _, tt := range tests {
		if err := s.SaveToken(work.Key(), tt.tok); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		st, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := st.Find(work.Key())
		want := work
		want.Token = tt.want
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s: session\n got %+v\nwant %+v", tt.name, *got, want)
		}
		if other, _ := st.Find(personal.Key()); !reflect.DeepEqual(*other, personal) {
			t.Errorf("%s: the other session changed: %+v", tt.name, *other)
		}
		if st.Current != personal.Key() {
			t.Errorf("%s: SaveToken changed the current session to %q", tt.name, st.Current)
		}
	}

	// A token refreshed after another process logged out must not log back in.
	if err := s.Logout(work.Key()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveToken(work.Key(), Token{AccessToken: "late"}); !errors.Is(err, ErrNoSession) {
		t.Errorf("SaveToken after logout = %v, want ErrNoSession", err)
	}
	st, _ := s.Load()
	if _, ok := st.Find(work.Key()); ok {
		t.Error("SaveToken brought a logged-out session back")
	}
}

func TestTokenConversion(t *testing.T) {
	o := &oauth2.Token{AccessToken: "a", RefreshToken: "r", TokenType: "Bearer", Expiry: t0}
	tok := TokenFrom(o)
	if want := (Token{AccessToken: "a", RefreshToken: "r", TokenType: "Bearer", Expiry: t0}); tok != want {
		t.Errorf("TokenFrom = %+v, want %+v", tok, want)
	}
	back := tok.OAuth2()
	if back.AccessToken != o.AccessToken || back.RefreshToken != o.RefreshToken || back.TokenType != o.TokenType || !back.Expiry.Equal(o.Expiry) {
		t.Errorf("OAuth2() = %+v, want %+v", back, o)
	}
	if TokenFrom(nil) != (Token{}) {
		t.Error("TokenFrom(nil) is not the zero Token")
	}
}

func TestStateHelpers(t *testing.T) {
	var st State
	if _, ok := st.CurrentSession(); ok {
		t.Error("an empty state has a current session")
	}
	if st.Switch("nope") || st.Remove("nope") {
		t.Error("Switch or Remove found a session in an empty state")
	}
	st.Upsert(session(ada, "a"))
	sess, ok := st.CurrentSession()
	if !ok {
		t.Fatal("no current session after Upsert")
	}
	sess.LastAccount = "bc3:9"
	if st.Sessions[0].LastAccount != "bc3:9" {
		t.Error("CurrentSession does not point into the state")
	}
	st.Current = "gone"
	if _, ok := st.CurrentSession(); ok {
		t.Error("a current key without a session found one")
	}
	// Removing the last session, current, leaves none current.
	only := session(ada, "a").Key()
	st.Current = only
	if !st.Remove(only) || st.Current != "" || len(st.Sessions) != 0 {
		t.Errorf("after removing the only session: %+v", st)
	}
}

func TestLoadToken(t *testing.T) {
	s := open(t, t.TempDir())
	work := session(ada, "work")
	if _, err := s.LoadToken(work.Key()); !errors.Is(err, ErrNoSession) {
		t.Errorf("LoadToken with no state.json = %v, want ErrNoSession", err)
	}
	if err := s.Update(func(st *State) error { st.Upsert(work); st.Upsert(session(grace, "personal")); return nil }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadToken(work.Key()); err != nil || got != work.Token {
		t.Errorf("LoadToken = %+v, %v; want %+v", got, err, work.Token)
	}
}

// TestSaveTokenFrom covers the compare-and-swap: a token refreshed from what
// is stored replaces it; one that finds another process's refresh stored
// keeps whichever expires later.
func TestSaveTokenFrom(t *testing.T) {
	stored := Token{AccessToken: "a1", RefreshToken: "r1", TokenType: "Bearer", Expiry: t0.Add(time.Hour)}
	tests := []struct {
		name  string
		stale string
		tok   Token
		want  Token
	}{
		{"refreshed from the stored token", "a1",
			Token{AccessToken: "a2", RefreshToken: "r2", TokenType: "Bearer", Expiry: t0.Add(2 * time.Hour)},
			Token{AccessToken: "a2", RefreshToken: "r2", TokenType: "Bearer", Expiry: t0.Add(2 * time.Hour)}},
		{"no refresh token keeps the stored one", "a1",
			Token{AccessToken: "a2", TokenType: "Bearer", Expiry: t0.Add(2 * time.Hour)},
			Token{AccessToken: "a2", RefreshToken: "r1", TokenType: "Bearer", Expiry: t0.Add(2 * time.Hour)}},
		{"saved again", "a0",
			Token{AccessToken: "a1", RefreshToken: "r1", TokenType: "Bearer", Expiry: t0.Add(time.Hour)},
			Token{AccessToken: "a1", RefreshToken: "r1", TokenType: "Bearer", Expiry: t0.Add(time.Hour)}},
		{"another process stored one that lasts longer", "a0",
			Token{AccessToken: "b1", RefreshToken: "rb", TokenType: "Bearer", Expiry: t0.Add(30 * time.Minute)},
			stored},
		{"another process stored one that ends sooner", "a0",
			Token{AccessToken: "b1", RefreshToken: "rb", TokenType: "Bearer", Expiry: t0.Add(3 * time.Hour)},
			Token{AccessToken: "b1", RefreshToken: "rb", TokenType: "Bearer", Expiry: t0.Add(3 * time.Hour)}},
		{"another process stored one that ends at the same time", "a0",
			Token{AccessToken: "b1", RefreshToken: "rb", TokenType: "Bearer", Expiry: t0.Add(time.Hour)},
			Token{AccessToken: "b1", RefreshToken: "rb", TokenType: "Bearer", Expiry: t0.Add(time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, t.TempDir())
			work, personal := session(ada, "work"), session(grace, "personal")
			work.Token = stored
			if err := s.Update(func(st *State) error { st.Upsert(work); st.Upsert(personal); return nil }); err != nil {
				t.Fatal(err)
			}
			got, err := s.SaveTokenFrom(work.Key(), tt.stale, tt.tok)
			if err != nil || got != tt.want {
				t.Fatalf("SaveTokenFrom = %+v, %v; want %+v", got, err, tt.want)
			}
			if onDisk, err := open(t, s.Dir()).LoadToken(work.Key()); err != nil || onDisk != tt.want {
				t.Errorf("stored %+v, %v; want %+v", onDisk, err, tt.want)
			}
			st, _ := s.Load()
			if other, _ := st.Find(personal.Key()); !reflect.DeepEqual(*other, personal) || st.Current != personal.Key() {
				t.Errorf("the other session or the current one changed: %+v, %q", *other, st.Current)
			}
		})
	}

	t.Run("logged out", func(t *testing.T) {
		s := open(t, t.TempDir())
		if _, err := s.SaveTokenFrom(session(ada, "work").Key(), "a1", stored); !errors.Is(err, ErrNoSession) {
			t.Errorf("SaveTokenFrom after logout = %v, want ErrNoSession", err)
		}
	})
}

func TestMarkRefused(t *testing.T) {
	s := open(t, t.TempDir())
	work := session(ada, "work")
	if err := s.Update(func(st *State) error { st.Upsert(work); return nil }); err != nil {
		t.Fatal(err)
	}
	first := Refusal{At: t0, Reason: "This Basecamp ID rekeyed its deadbolt."}
	// Another process rotated the refresh token in between: the login lives.
	if marked, err := s.MarkRefused(work.Key(), "refresh-spent", first); err != nil || marked {
		t.Fatalf("MarkRefused with a refresh token no longer stored = %v, %v; want false", marked, err)
	}
	if marked, err := s.MarkRefused(work.Key(), work.Token.RefreshToken, first); err != nil || !marked {
		t.Fatalf("MarkRefused = %v, %v; want true", marked, err)
	}
	later := Refusal{At: t0.Add(time.Hour), Reason: "invalid_grant"}
	if _, err := s.MarkRefused(work.Key(), work.Token.RefreshToken, later); err != nil {
		t.Fatal(err)
	}
	st, err := open(t, s.Dir()).Load()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.Find(work.Key())
	if got.Refused == nil || !got.Refused.At.Equal(first.At) || got.Refused.Reason != first.Reason || got.Token != work.Token {
		t.Errorf("stored %+v with token %+v; want the first refusal and the token kept", got.Refused, got.Token)
	}
	// A new login replaces the session, and with it the mark.
	if err := s.Update(func(st *State) error { st.Upsert(session(ada, "again")); return nil }); err != nil {
		t.Fatal(err)
	}
	st, _ = s.Load()
	if got, _ := st.Find(work.Key()); got.Refused != nil {
		t.Errorf("a new login kept the refusal: %+v", got.Refused)
	}
	if _, err := s.MarkRefused(session(grace, "x").Key(), "r", first); !errors.Is(err, ErrNoSession) {
		t.Errorf("MarkRefused of a logged-out session = %v, want ErrNoSession", err)
	}
}
