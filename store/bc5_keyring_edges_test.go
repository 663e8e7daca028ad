package store

import (
	"encoding/json"
	"testing"
)

// A keyring entry written before BC5 holds no resource; the login's
// resource is then the one state.json keeps beside the reference, and an
// entry that holds one is read as it is. (Mutation testing found the
// first untested.)
func TestAKeyringEntryWithoutAResourceTakesStateJSONs(t *testing.T) {
	kr := newMemKeyring()
	s, err := Open(t.TempDir(), WithKeyring(kr, KeyringOn))
	if err != nil {
		t.Fatal(err)
	}
	sess := bc5Session("bc_at_1")
	if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	kr.mu.Lock()
	var ref string
	for account, secret := range kr.entries {
		var entry map[string]any
		if json.Unmarshal([]byte(secret), &entry) != nil || entry["resource"] != "urn:bc:account:123" {
			kr.mu.Unlock()
			t.Fatalf("keyring entry %s = %s, want the token with its resource", account, secret)
		}
		delete(entry, "resource")
		data, _ := json.Marshal(entry)
		kr.entries[account] = string(data)
		ref = account
	}
	kr.mu.Unlock()
	if ref == "" {
		t.Fatal("nothing was written to the keyring")
	}
	tok, err := s.LoadToken(sess.Key())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Resource != "urn:bc:account:123" || tok.RefreshToken != sess.Token.RefreshToken {
		t.Fatalf("LoadToken = %+v, want the refresh token with state.json's resource", tok)
	}
}
