package store

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"bcauth/auth"
)

// bc5Session is ada's login through a BC5 issuer: its own server record,
// a public client, and a token bound to one account.
func bc5Session(access string) Session {
	sess := session(ada, access)
	sess.LaunchpadURL = ""
	sess.ClientID = "bc5-client"
	sess.Server = auth.Server{
		Kind: auth.ServerBC5, Issuer: "https://app.basecamp.com",
		TokenEndpoint:      "https://app.basecamp.com/oauth/token",
		RevocationEndpoint: "https://app.basecamp.com/oauth/revoke",
		AuthorizationURL:   "https://app.basecamp.com/authorization.json",
		Resource:           "https://3.basecampapi.com", Scope: "full",
	}
	sess.Token.Resource = "urn:bc:account:123"
	return sess
}

func TestTokenCarriesItsResource(t *testing.T) {
	tok := Token{AccessToken: "bc_at_1", RefreshToken: "bc_rt_1", Resource: "urn:bc:account:123", Scope: "read"}
	o := tok.OAuth2()
	if got := auth.Resource(o); got != "urn:bc:account:123" {
		t.Fatalf("OAuth2() lost the resource: %q", got)
	}
	if back := TokenFrom(o); back != tok {
		t.Errorf("TokenFrom(OAuth2()) = %+v, want %+v", back, tok)
	}
	if got := TokenFrom(&oauth2.Token{AccessToken: "a"}).Resource; got != "" {
		t.Errorf("a token with no resource gained %q", got)
	}
}

func TestABC5LoginIsKeyedByItsIssuer(t *testing.T) {
	lp, bc := session(ada, "a"), bc5Session("b")
	if lp.Key() == bc.Key() {
		t.Fatalf("the same person through Launchpad and BC5 share the key %q", lp.Key())
	}
	if want := "https://app.basecamp.com|bc5-client|4242"; bc.Key() != want {
		t.Errorf("BC5 key %q, want %q", bc.Key(), want)
	}
	if bc.Origin() != "https://app.basecamp.com" || lp.Origin() != "https://launchpad.37signals.com" {
		t.Errorf("origins %q and %q", bc.Origin(), lp.Origin())
	}
}

// A BC5 login is stored and read back whole: its server (so a refresh
// never runs discovery) and its token's resource, in the file and with
// the tokens in a keyring.
func TestABC5LoginRoundTrips(t *testing.T) {
	for _, keyring := range []bool{false, true} {
		dir := t.TempDir()
		var s *Store
		if keyring {
			var err error
			if s, err = Open(dir, WithKeyring(newMemKeyring(), KeyringOn)); err != nil {
				t.Fatal(err)
			}
		} else {
			s = open(t, dir)
		}
		want := bc5Session("bc_at_1")
		if err := s.Update(func(st *State) error { st.Upsert(want); return nil }); err != nil {
			t.Fatal(err)
		}
		if onDisk := string(readFile(t, filepath.Join(dir, "state.json"))); keyring == strings.Contains(onDisk, "refresh-bc_at_1") {
			t.Fatalf("keyring %v, but state.json holds the refresh token: %v", keyring, !keyring)
		}
		st, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := st.CurrentSession()
		if !ok {
			t.Fatal("no current session")
		}
		if got.Server != want.Server {
			t.Errorf("keyring %v: server %+v, want %+v", keyring, got.Server, want.Server)
		}
		if got.Token.Resource != want.Token.Resource {
			t.Errorf("keyring %v: resource %q in state.json, want %q", keyring, got.Token.Resource, want.Token.Resource)
		}
		tok, err := s.LoadToken(want.Key())
		if err != nil {
			t.Fatal(err)
		}
		if tok.Resource != want.Token.Resource || tok.RefreshToken != want.Token.RefreshToken {
			t.Errorf("keyring %v: LoadToken = %+v", keyring, tok)
		}
		// A rotated pair keeps the resource it came with.
		next := Token{AccessToken: "bc_at_2", RefreshToken: "bc_rt_2", Expiry: want.Token.Expiry.Add(1), Resource: "urn:bc:account:456", Scope: "read"}
		if _, err := s.SaveTokenFrom(want.Key(), "bc_at_1", next); err != nil {
			t.Fatal(err)
		}
		if tok, _ = s.LoadToken(want.Key()); tok.Resource != "urn:bc:account:456" || tok.RefreshToken != "bc_rt_2" || tok.Scope != "read" {
			t.Errorf("keyring %v: after rotation LoadToken = %+v", keyring, tok)
		}
	}
}

func TestResolveClientBC5Settings(t *testing.T) {
	file := ClientConfig{BC5ClientID: "file-bc5", BaseURL: "https://api.example"}
	env := ClientConfig{BaseURL: "http://127.0.0.1:1", Issuer: "http://127.0.0.1:2"}
	got, src := ResolveClient(file, env)
	want := ClientConfig{BC5ClientID: "file-bc5", BaseURL: "http://127.0.0.1:1", Issuer: "http://127.0.0.1:2"}
	if got != want {
		t.Errorf("ResolveClient = %+v, want %+v", got, want)
	}
	if src.BC5ClientID != SourceFile || src.BaseURL != SourceEnv || src.Issuer != SourceEnv {
		t.Errorf("sources %+v", src)
	}
}
