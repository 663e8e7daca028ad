package store

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"bcauth/auth"
)

// TestCacheIndexFindsAccounts checks that an account is found by its id
// in the cache's index, as every account with that id and only those,
// that the index is no part of the answer read back, and that the counts
// still come from the head.
func TestCacheIndexFindsAccounts(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	want := parsedAnswer(t, 300)
	if err := s.SaveAuthorization(sess.Key(), want, t0); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1000, 1001, 1150, 1298, 1299, 999, 2000, 5} {
		var wantAccs []auth.Account
		for _, a := range want.Accounts {
			if a.ID == id {
				wantAccs = append(wantAccs, a)
			}
		}
		got, at, ok := s.LoadAccountsWithID(sess, id)
		if !ok || !reflect.DeepEqual(got, wantAccs) || !at.Equal(t0) {
			t.Errorf("LoadAccountsWithID(%d) = %+v, %v, %v; want %+v", id, got, at, ok, wantAccs)
		}
	}
	got, _, ok := s.LoadAuthorization(sess)
	if !ok || got.Body() != want.Body() || !sameAnswer(got, want) {
		t.Fatalf("LoadAuthorization read %d bytes (%v), want the answer's %d", len(got.Body()), ok, len(want.Body()))
	}
	if counts, _, ok := s.LoadAccountCounts(sess); !ok || counts["bc3"] != 299 || counts["bcx"] != 1 {
		t.Errorf("LoadAccountCounts = %v, %v", counts, ok)
	}
}

// TestCacheIndexNotBelieved checks that an index is used only as written:
// not for a file cut short or grown, one whose record points elsewhere,
// nor for a file without an index, which an answer encoding/json read and
// an older bcauth's file are; the answer itself is read as ever.
func TestCacheIndexNotBelieved(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path := s.cachePath(sess.Key())
	a := parsedAnswer(t, 50)
	if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
		t.Fatal(err)
	}
	whole := readFile(t, path)
	write := func(data []byte) {
		t.Helper()
		writeFile(t, path, data, 0o600)
		if err := os.Chtimes(path, t0, t0); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		shown bool // LoadAuthorization shows the answer
	}{
		{"cut short by a byte", whole[:len(whole)-1], false},
		{"a byte longer", append(bytes.Clone(whole), 0), false},
		// The last record (id 1048) pointing at the first account.
		{"a record pointing elsewhere", append(bytes.Clone(whole[:len(whole)-4]), whole[len(whole)-12*50+8:len(whole)-12*50+12]...), true},
	} {
		write(tc.data)
		if accs, _, ok := s.LoadAccountsWithID(sess, 1048); ok {
			t.Errorf("%s: LoadAccountsWithID = %+v", tc.name, accs)
		}
		if _, _, ok := s.LoadAuthorization(sess); ok != tc.shown {
			t.Errorf("%s: LoadAuthorization shown %v, want %v", tc.name, ok, tc.shown)
		}
	}
	// An older bcauth's file: the head without the index, the answer
	// alone after it.
	head, _, _ := bytes.Cut(whole, []byte("\n"))
	old := bytes.Replace(head, []byte(`,"index":50`), nil, 1)
	if bytes.Equal(old, head) {
		t.Fatalf("no index in the head %s", head)
	}
	write(append(append(old, '\n'), a.Body()...))
	if _, _, ok := s.LoadAccountsWithID(sess, 1048); ok {
		t.Error("a file without an index: LoadAccountsWithID found an account")
	}
	if got, _, ok := s.LoadAuthorization(sess); !ok || got.Body() != a.Body() {
		t.Error("a file without an index is not read as before")
	}
	// An answer that needs escapes, read by encoding/json, has none.
	esc, err := auth.ParseAuthorization(`{"identity":{"id":4242},"accounts":[{"product":"bc3","id":7,"name":"\u00e9","href":"https://x/7"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthorization(sess.Key(), esc, t0); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(readFile(t, path)), `"index"`) {
		t.Error("an answer encoding/json read was written with an index")
	}
	if _, _, ok := s.LoadAccountsWithID(sess, 7); ok {
		t.Error("an answer encoding/json read: LoadAccountsWithID found an account")
	}
}
