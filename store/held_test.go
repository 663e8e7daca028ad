package store

import (
	"testing"
	"time"
)

// Release gives the lock back, once however often it is called, and the
// next writer gets it at once.
func TestHeldRelease(t *testing.T) {
	dir := t.TempDir()
	holder, other := open(t, dir), open(t, dir)
	other.lockTimeout = 50 * time.Millisecond
	h, err := holder.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Update(func(st *State) error { st.Upsert(session(ada, "a")); return nil }); err == nil {
		t.Fatal("Update succeeded while another Store held the lock")
	}
	if err := h.Update(func(st *State) error { st.Upsert(session(ada, "held")); return nil }); err != nil {
		t.Fatalf("Held.Update: %v", err)
	}
	h.Release()
	h.Release()
	if err := other.Update(func(st *State) error { st.Upsert(session(grace, "g")); return nil }); err != nil {
		t.Fatalf("Update after Release: %v", err)
	}
	if err := holder.Update(func(*State) error { return nil }); err != nil {
		t.Fatalf("the holder's own Update after releasing twice: %v", err)
	}
	if tok := loadToken(t, other, session(ada, "held").Key()); tok.AccessToken != "held" {
		t.Errorf("what Held.Update saved: %+v", tok)
	}
}
