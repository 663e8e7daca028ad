package store

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
)

// parsedAnswer is an answer as Launchpad's text parses: n accounts, two of
// them sharing an id across products, names with braces, commas and
// digits in them.
func parsedAnswer(t testing.TB, n int) *auth.Authorization {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"expires_at":"2026-03-01T09:30:00Z","identity":{"id":4242,"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com"},"accounts":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id, product := 1000+i, "bc3"
		if i == n-1 {
			id, product = 1000, "bcx" // the first account's id, another product's
		}
		fmt.Fprintf(&b, `{"product":"%s","id":%d,"name":"Account %d},{\"id\":%d","href":"https://3.basecampapi.com/%d"}`, product, id, i, 2000+i, id)
	}
	b.WriteString(`]}`)
	text := strings.ReplaceAll(b.String(), `\"`, `'`) // plain: no escapes
	a, err := auth.ParseAuthorization(text)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Indexed() {
		t.Fatal("the answer is not one the plain parser read")
	}
	return a
}

// TestCacheSavedAgainAfterARead checks that saving the answer just read
// changes only the file's time, and that a file another writer replaced
// in between is compared, and replaced, as ever.
func TestCacheSavedAgainAfterARead(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	path := s.cachePath(sess.Key())
	a := parsedAnswer(t, 40)
	if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
		t.Fatal(err)
	}
	read, _, ok := s.LoadAuthorization(sess)
	if !ok {
		t.Fatal("the cache is not shown")
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthorization(sess.Key(), read, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(t0.Add(time.Minute)) {
		t.Fatalf("saving the answer read replaced the file, or left its time (%v)", err)
	}

	// Read again, then another process writes another answer: saving
	// this one writes it back whole.
	read, _, _ = s.LoadAuthorization(sess)
	other, _ := cacheStore(t)
	other.cacheDir = s.cacheDir
	if err := other.SaveAuthorization(sess.Key(), parsedAnswer(t, 41), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthorization(sess.Key(), read, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _, ok := s.LoadAuthorization(sess); !ok || got.Body() != a.Body() {
		t.Fatal("the answer saved after another writer's is not the file's")
	}
	if accs, _, ok := s.LoadAccountsWithID(sess, 1038); !ok || len(accs) != 1 {
		t.Errorf("the index after another writer's: %+v, %v", accs, ok)
	}
}

// TestCacheMappedAsRead checks that a large cache mapped into memory
// reads as the same text as read, and is found by id the same.
func TestCacheMappedAsRead(t *testing.T) {
	s, _ := cacheStore(t)
	sess := session(ada, "a")
	a := parsedAnswer(t, 12000) // past mapFrom
	if err := s.SaveAuthorization(sess.Key(), a, t0); err != nil {
		t.Fatal(err)
	}
	read, _, ok := s.LoadAuthorizationText(sess)
	if !ok || read != a.Body() || len(read) < mapFrom {
		t.Fatalf("read %d bytes (%v), want the answer's %d, past %d", len(read), ok, len(a.Body()), mapFrom)
	}
	s.MapCache()
	mapped, _, ok := s.LoadAuthorizationText(sess)
	if !ok || mapped != read {
		t.Fatalf("mapped %d bytes (%v), want the %d read", len(mapped), ok, len(read))
	}
}

// BenchmarkCache30000 reads the bench's 30,000 cached accounts as the
// commands do: the text (read and mapped), and one account by its id.
func BenchmarkCache30000(b *testing.B) {
	s, _ := cacheStore(b)
	sess := session(ada, "a")
	if err := s.SaveAuthorization(sess.Key(), parsedAnswer(b, 30000), t0); err != nil {
		b.Fatal(err)
	}
	b.Run("text-read", func(b *testing.B) {
		for b.Loop() {
			if _, _, ok := s.LoadAuthorizationText(sess); !ok {
				b.Fatal("not shown")
			}
		}
	})
	b.Run("one-by-id", func(b *testing.B) {
		for b.Loop() {
			if accs, _, ok := s.LoadAccountsWithID(sess, 1000+15000); !ok || len(accs) != 1 {
				b.Fatal(accs, ok)
			}
		}
	})
}
