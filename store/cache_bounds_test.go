package store

import (
	"os"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
)

// Issue 22, point 7: an account cache nested too deep, or listing too
// many accounts, is no cache (never a crash), and the next answer
// replaces it.
func TestCacheTooDeepOrTooManyIsMissing(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	a := &auth.Authorization{Identity: auth.Identity{ID: 1, EmailAddress: "ada@example.com"}, Accounts: []auth.Account{{Product: "bc3", ID: 1, Name: "A"}}}
	if err := s.SaveAuthorization(sess.Key(), a, time.Now()); err != nil {
		t.Fatal(err)
	}
	path := s.cachePath(sess.Key())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(data), "\n")
	const start = `{"identity":{"id":1},"accounts":[{"product":"bc3","id":1,"x":`
	for name, body := range map[string]string{
		"nested 19 MB deep": start + strings.Repeat("[", 19<<20),
		"200,000 accounts":  `{"identity":{"id":1},"accounts":[` + strings.Repeat("{},", 200_000) + `{}]}`,
	} {
		if err := os.WriteFile(path, []byte(head+"\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := s.LoadAuthorization(sess); ok {
			t.Errorf("%s: shown", name)
		}
	}
}
