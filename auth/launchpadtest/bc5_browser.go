package launchpadtest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The person at the verification page, played over real HTTP as a browser
// would: load the page, type the code (or find it filled in), choose whom
// to approve as, click.

var (
	userCodeInput = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<input type="text" id="user_code" name="user_code" value="([^"]*)"`)
	})
	radioAs = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<input type="radio" name="as" value="([^"]*)"( checked)?>`)
	})
)

// Approve plays the signed-in person (the first) approving the device
// code: userCode is the code the app shows, or its
// verification_uri_complete (an address of this issuer), which fills the
// code in. A page that refuses (an unknown, expired or used code) is a
// *ConsentError with its status and text.
func (b *BC5) Approve(ctx context.Context, userCode string) error {
	return b.decide(ctx, userCode, "allow", "")
}

// ApproveAs is Approve choosing the other of the fake's two people on the
// page: person is their email address, full name, first name or Launchpad
// id.
func (b *BC5) ApproveAs(ctx context.Context, userCode, person string) error {
	id, err := b.personID(person)
	if err != nil {
		return err
	}
	return b.decide(ctx, userCode, "allow", id)
}

// Deny plays the person clicking Deny for the device code: the next poll
// answers access_denied.
func (b *BC5) Deny(ctx context.Context, userCode string) error {
	return b.decide(ctx, userCode, "deny", "")
}

// TakeTurns returns an approver for `bcauth demo --bc5` without a browser:
// it approves each code (or verification address) it is given as the
// first person, then as the second, and so on in turn.
func (b *BC5) TakeTurns() func(ctx context.Context, userCode string) error {
	var mu sync.Mutex
	n := 0
	return func(ctx context.Context, userCode string) error {
		mu.Lock()
		n++
		second := n%2 == 0
		mu.Unlock()
		if second {
			return b.ApproveAs(ctx, userCode, b.s.SecondIdentity().EmailAddress)
		}
		return b.Approve(ctx, userCode)
	}
}

// personID is the Launchpad id of the one of the fake's two people whom
// person names.
func (b *BC5) personID(person string) (string, error) {
	b.s.mu.Lock()
	people := []Identity{b.s.identity, b.s.second}
	b.s.mu.Unlock()
	p := strings.TrimSpace(person)
	for _, id := range people {
		if p != "" && (strings.EqualFold(p, id.EmailAddress) || strings.EqualFold(p, fullName(id)) ||
			strings.EqualFold(p, id.FirstName) || p == strconv.FormatInt(id.ID, 10)) {
			return strconv.FormatInt(id.ID, 10), nil
		}
	}
	return "", fmt.Errorf("launchpadtest: %q is neither of the fake's two people (%s, %s)", person, people[0].EmailAddress, people[1].EmailAddress)
}

// decide loads the verification page, fills in the form as a person
// would and submits it with decision, approving as the Launchpad id as
// ("" leaves the page's choice).
func (b *BC5) decide(ctx context.Context, userCode, decision, as string) error {
	page, typed := b.VerificationURI, strings.TrimSpace(userCode)
	switch {
	case strings.HasPrefix(typed, b.Issuer+"/"):
		page, typed = typed, ""
	case strings.Contains(typed, "://"):
		return fmt.Errorf("launchpadtest: the browser loads only this issuer's verification page (%s), not %s", b.VerificationURI, typed)
	case typed == "":
		return errors.New("launchpadtest: no user code to enter")
	}
	browser := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	v, err := visit(ctx, browser, http.MethodGet, page, nil)
	if err != nil {
		return err
	}
	m := formAction().FindSubmatch(v.body)
	field := userCodeInput().FindSubmatch(v.body)
	if v.location != nil || m == nil || field == nil {
		return errors.New("launchpadtest: the verification page has no code form")
	}
	action, err := v.url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return fmt.Errorf("launchpadtest: the verification form's action: %w", err)
	}
	form := url.Values{"user_code": {html.UnescapeString(string(field[1]))}, "decision": {decision}}
	if typed != "" {
		form.Set("user_code", typed)
	}
	offered := false
	for _, r := range radioAs().FindAllSubmatch(v.body, -1) {
		id := html.UnescapeString(string(r[1]))
		if as == "" && len(r[2]) > 0 {
			form.Set("as", id) // the browser sends the checked one
		}
		offered = offered || id == as
	}
	if as != "" {
		if !offered {
			return fmt.Errorf("launchpadtest: the verification page does not offer Launchpad id %s", as)
		}
		form.Set("as", as)
	}
	answer, err := visit(ctx, browser, http.MethodPost, action.String(), form)
	if err != nil {
		return err
	}
	if answer.location != nil {
		return fmt.Errorf("launchpadtest: the verification page redirected to %s", answer.location)
	}
	return nil
}
