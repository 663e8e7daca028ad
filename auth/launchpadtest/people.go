package launchpadtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// The fake can log in two Basecamp IDs: the first (Options.Identity, or
// DemoIdentity) and a second (Options.SecondIdentity, or
// DemoSecondIdentity). Its consent page offers both, the first chosen; every
// code and token remembers whom it was issued to, and authorization.json
// and the product APIs answer as that person.

// person is whom a code or token was issued to.
type person int

const (
	personFirst person = iota
	personSecond
)

// issued is a code or token's expiry and owner.
type issued struct {
	expiry time.Time
	who    person
}

// personLocked is who's identity and accounts; the caller holds s.mu.
// personIdentityLocked is who's identity alone.
func (s *Server) personIdentityLocked(who person) Identity {
	if who == personSecond {
		return s.second
	}
	return s.identity
}

func (s *Server) personLocked(who person) (Identity, []Account) {
	if who == personSecond {
		return s.second, cloneAccounts(s.seconds)
	}
	return s.identity, cloneAccounts(s.accounts)
}

// approvedAs reads the consent form's choice: the first person when the
// form names nobody (an older form, or a browser that sent no radio).
func (s *Server) approvedAs(as string) (person, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch as {
	case "", strconv.FormatInt(s.identity.ID, 10):
		return personFirst, true
	case strconv.FormatInt(s.second.ID, 10):
		return personSecond, true
	}
	return 0, false
}

// SecondIdentity returns the other Basecamp ID the consent page offers.
func (s *Server) SecondIdentity() Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.second
}

// SecondAccounts returns a copy of the second Basecamp ID's accounts.
func (s *Server) SecondAccounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAccounts(s.seconds)
}

// DemoSecondIdentity is the second Basecamp ID of the demo: someone else at
// the same company, so "example.com" matches both.
func DemoSecondIdentity() Identity {
	return Identity{ID: 8888888, FirstName: "Ben", LastName: "Ortiz", EmailAddress: "ben@example.com"}
}

// DemoSecondAccounts are the second Basecamp ID's accounts: one shared
// with the first, and two of its own, whose names say whose list is on
// screen.
func DemoSecondAccounts(baseURL string) []Account {
	return []Account{
		{Product: "bc3", ID: 99999999, Name: "Honcho Design",
			Href: baseURL + "/bc3/99999999", AppHref: baseURL + "/web/bc3/99999999"},
		{Product: "bc3", ID: 99999990, Name: "Ortiz Family Projects",
			Href: baseURL + "/bc3/99999990", AppHref: baseURL + "/web/bc3/99999990"},
		{Product: "bcx", ID: 88888880, Name: "Riverside Co-op",
			Href: baseURL + "/bcx/88888880/api/v1", AppHref: baseURL + "/web/bcx/88888880"},
	}
}

// ApproveAs is Approve, choosing the Basecamp ID id on the consent page
// (the first or the second person's Launchpad id).
func (s *Server) ApproveAs(ctx context.Context, authURL string, id int64) (*url.URL, error) {
	return s.decideAs(ctx, authURL, "allow", strconv.FormatInt(id, 10))
}

// ApproveAndFollowAs is ApproveAndFollow, choosing the Basecamp ID id on
// the consent page.
func (s *Server) ApproveAndFollowAs(ctx context.Context, addr string, id int64) error {
	return s.decideAndFollow(ctx, addr, "allow", strconv.FormatInt(id, 10))
}

// errAutoApproved is ApproveAs against a fake that approves at once, as its
// first person, with no page to choose on.
var errAutoApproved = errors.New("launchpadtest: the consent page redirected at once (AutoApprove is on): it approves only as the first person")

func (s *Server) checkPerson(as string) error {
	if _, ok := s.approvedAs(as); !ok {
		return fmt.Errorf("launchpadtest: Launchpad id %s is neither of the fake's two people", as)
	}
	return nil
}

// TakeTurns returns an approver for `bcauth demo` without a browser: it
// plays the person clicking Allow as the first person, then as the second,
// and so on in turn, so that logging in with another Basecamp ID in the
// demo gives another one.
func (s *Server) TakeTurns() func(ctx context.Context, authURL string) error {
	var mu sync.Mutex
	n := 0
	return func(ctx context.Context, authURL string) error {
		mu.Lock()
		n++
		second := n%2 == 0
		mu.Unlock()
		if second {
			return s.ApproveAndFollowAs(ctx, authURL, s.SecondIdentity().ID)
		}
		return s.ApproveAndFollow(ctx, authURL)
	}
}
