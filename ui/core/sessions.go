package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/store"
)

// Several Basecamp IDs: how a person names one (--id, BCAUTH_ID, bcauth
// switch, the app's --id), how every list shows them (bcauth ids, the
// app's switch picker, the errors that list the choices), and the commands
// that act on one.

// IDError says a Basecamp ID named by a person matched none of the stored
// ones, or several. Choices are every stored one, to pick from.
type IDError struct {
	Query   string
	Matches []store.Session // empty: none matched; two or more: ambiguous
	Choices []store.Session
}

// Ambiguous reports whether the query matched several Basecamp IDs.
func (e *IDError) Ambiguous() bool { return len(e.Matches) > 1 }

func (e *IDError) Error() string {
	if e.Ambiguous() {
		return fmt.Sprintf("%q matches %d Basecamp IDs: %s", e.Query, len(e.Matches), ListIDs(e.Matches))
	}
	if len(e.Choices) == 0 {
		return fmt.Sprintf("no Basecamp ID matches %q: none is logged in here", e.Query)
	}
	return fmt.Sprintf("no Basecamp ID logged in here matches %q; logged in: %s", e.Query, ListIDs(e.Choices))
}

// ListIDs names Basecamp IDs in one line, cleaned: "Annie Bryan
// <annie@example.com> (9999999), Ben Ortiz <ben@example.com> (8888888)";
// a BC5 login's label says so ("… (9999999, bc5)"), so the same person
// through both servers is two entries a person can tell apart.
func ListIDs(sessions []store.Session) string {
	names := make([]string, len(sessions))
	for i, s := range sessions {
		names[i] = SessionLabel(s)
	}
	return strings.Join(names, ", ")
}

// WhoOn is Who, saying "through ISSUER" for a BC5 login: the same person
// may be logged in through Launchpad and BC5 at once.
func WhoOn(s store.Session) string {
	if s.Server.IsBC5() {
		return Who(s.Identity) + " through " + Clean(s.Server.Name())
	}
	return Who(s.Identity)
}

// SessionQuery is the query that names s alone among the logins of its
// person: its id, with its server's prefix ("bc5:9999999",
// "launchpad:9999999"), which FindSession reads.
func SessionQuery(s store.Session) string {
	kind := auth.ServerLaunchpad
	if s.Server.IsBC5() {
		kind = auth.ServerBC5
	}
	return string(kind) + ":" + strconv.FormatInt(s.Identity.ID, 10)
}

// SessionLabel is IDLabel, with "bc5" beside the id for a BC5 login: the
// prefix that names it in --id, switch and logout (see FindSession).
func SessionLabel(s store.Session) string {
	l := IDLabel(s.Identity)
	if s.Server.IsBC5() {
		l = strings.TrimSuffix(l, ")") + ", " + string(auth.ServerBC5) + ")"
	}
	return l
}

// IDLabel names one Basecamp ID as every list shows it, cleaned: "Annie
// Bryan <annie@example.com> (9999999)".
func IDLabel(id auth.Identity) string {
	name, email := Names(id)
	if email != "" {
		name += " <" + email + ">"
	}
	return name + " (" + strconv.FormatInt(id.ID, 10) + ")"
}

// FindSession returns the sessions a person means by query: those whose
// Launchpad id or email address is query exactly (case aside); failing
// that, those whose Launchpad id, email address or name contains it, so
// "9999", "ben", "Ben Ortiz" or "@example.com" work too. It returns them in
// their stored order.
//
// A query may start with "bc5:" or "launchpad:" to name only logins of
// that server: the same person logged in through both is otherwise two
// matches of one id.
func FindSession(sessions []store.Session, query string) []store.Session {
	q := strings.ToLower(strings.TrimSpace(query))
	kind := ""
	for _, k := range []auth.ServerKind{auth.ServerBC5, auth.ServerLaunchpad} {
		if rest, ok := strings.CutPrefix(q, string(k)+":"); ok {
			q, kind = strings.TrimSpace(rest), string(k)
		}
	}
	if q == "" {
		return nil
	}
	var exact, partial []store.Session
	for _, s := range sessions {
		if kind != "" && s.Server.IsBC5() != (kind == string(auth.ServerBC5)) {
			continue
		}
		email, name := strings.ToLower(s.Identity.EmailAddress), strings.ToLower(s.Identity.Name())
		id := strconv.FormatInt(s.Identity.ID, 10)
		switch {
		case id == q || email == q:
			exact = append(exact, s)
		case strings.Contains(id, q) || strings.Contains(email, q) || strings.Contains(name, q):
			partial = append(partial, s)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

// findOne is FindSession that must match exactly one session.
func findOne(sessions []store.Session, query string) (*store.Session, error) {
	m := FindSession(sessions, query)
	if len(m) != 1 {
		return nil, &IDError{Query: query, Matches: m, Choices: sessions}
	}
	return &m[0], nil
}

// pick is the session a command acts on: the one s.ID names among those
// of client c (all when c is nil), or the current one.
func (s *Service) pick(st *store.State, c *auth.Client) (*store.Session, error) {
	if s.ID == "" {
		sess, ok := st.CurrentSession()
		if !ok {
			return nil, ErrNotLoggedIn
		}
		return sess, nil
	}
	c = s.launchpadFilter(c)
	var mine []store.Session
	for _, sess := range st.Sessions {
		if usable(&sess, c) {
			mine = append(mine, sess)
		}
	}
	return findOne(mine, s.ID)
}

// IDChoice is one stored Basecamp ID in a list.
type IDChoice struct {
	Session store.Session
	// Current is the one script commands use without --id.
	Current bool
}

// IDs lists the Basecamp IDs stored for the configured client (every one
// stored, when no client is configured), in their stored order, the
// current one marked. BASECAMP_TOKEN does not change the list: it is about
// what is stored. The account caches are not read (Cached reads one):
// choosing and switching need only who each one is, and a cache can hold
// thousands of accounts.
func (s *Service) IDs() ([]IDChoice, error) {
	if s.Store == nil {
		return nil, nil
	}
	st, err := s.Store.Load()
	if err != nil {
		return nil, err
	}
	c, _ := s.registeredClient()
	var out []IDChoice
	for _, sess := range st.Sessions {
		if usable(&sess, c) {
			out = append(out, IDChoice{Session: sess, Current: sess.Key() == st.Current})
		}
	}
	return out, nil
}

// Sessions of a list of choices, for FindSession and the errors.
func sessionsOf(choices []IDChoice) []store.Session {
	out := make([]store.Session, len(choices))
	for i, c := range choices {
		out[i] = c.Session
	}
	return out
}

// errNoChoice is SwitchTo with an empty query.
var errNoChoice = errors.New("no Basecamp ID was named")

// SwitchTo makes the Basecamp ID query names current (see FindSession) and
// returns it; a query that matches none or several is an *IDError.
func (s *Service) SwitchTo(query string) (*store.Session, error) {
	if s.EnvToken != "" {
		return nil, ErrEnvToken
	}
	if strings.TrimSpace(query) == "" {
		return nil, errNoChoice
	}
	choices, err := s.IDs()
	if err != nil {
		return nil, err
	}
	sess, err := findOne(sessionsOf(choices), query)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Switch(sess.Key()); err != nil {
		return nil, err
	}
	return sess, nil
}

// Find is the session of client c that query names (see FindSession), for
// the app's --id.
func (s *Service) Find(c *auth.Client, query string) (*store.Session, error) {
	sessions, _, err := s.Sessions(c)
	if err != nil {
		return nil, err
	}
	if s.EnvToken != "" {
		return &sessions[0], nil // the environment's token wins over any choice
	}
	return findOne(sessions, query)
}

// ErrNoRefreshToken means a login cannot be renewed: it was given as an
// access token alone.
var ErrNoRefreshToken = errors.New("this login has no refresh token (it was given as an access token alone), so it cannot be renewed")

// Refresh renews the chosen login's access token now, fresh or not, and
// saves it; the session it returns carries the new token. A token Launchpad
// issued that could not be saved comes with a *auth.SaveError.
func (s *Service) Refresh(ctx context.Context) (*store.Session, error) {
	if s.EnvToken != "" {
		return nil, ErrEnvToken
	}
	c, sess, err := s.currentLogin()
	if err != nil {
		return nil, err
	}
	if sess.Token.Keyring != "" {
		// A forced refresh starts from the token itself, not a reference.
		if sess.Token, err = s.Store.LoadToken(sess.Key()); err != nil {
			return nil, err
		}
	}
	if sess.Token.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	tok, err := s.TokenSource(c, sess).Refresh(ctx, sess.Token.AccessToken)
	if !auth.Usable(tok, err) {
		return nil, err
	}
	out := *sess
	out.Token = store.TokenFrom(tok)
	return &out, err
}

// TokenInfo is a usable access token and whose it is.
type TokenInfo struct {
	Token   *oauth2.Token
	Session *store.Session
	// FromEnv says it is BASECAMP_TOKEN's, not a stored login's.
	FromEnv bool
}

// TokenInfo is Token with the Basecamp ID it belongs to. A stored login
// answers from the store (refreshing first if needed); BASECAMP_TOKEN is
// checked with Launchpad, which alone knows whose it is and until when. A
// refreshed token that could not be saved comes with a *auth.SaveError.
func (s *Service) TokenInfo(ctx context.Context) (*TokenInfo, error) {
	c, sess, err := s.currentLogin()
	if err != nil {
		return nil, err
	}
	ts := s.TokenSource(c, sess)
	if s.FromEnv(sess) {
		r, err := s.reloadEnv(ctx, c, sess, ts)
		if err != nil {
			return nil, err
		}
		tok := r.Session.Token.OAuth2()
		return &TokenInfo{Token: tok, Session: r.Session, FromEnv: true}, nil
	}
	tok, err := ts.Token(ctx)
	if !auth.Usable(tok, err) {
		return nil, err
	}
	out := *sess
	if tok.Expiry.IsZero() {
		// A token whose expiry is unknown (a token answer without
		// expires_in) is not trusted blind: authorization.json's
		// expires_at is the truth, and is kept.
		r, rerr := s.ReloadWith(ctx, c, sess, ts)
		if rerr != nil {
			return nil, rerr
		}
		out = *r.Session
		tok = out.Token.OAuth2()
		if exp := r.Session.Authorization.ExpiresAt; !exp.IsZero() {
			tok.Expiry = exp
			if serr := s.Store.Update(func(st *store.State) error {
				// Kept in the keyring, the stored token has no access
				// token here to compare; its expiry is kept beside it.
				if cur, ok := st.Find(out.Key()); ok && (cur.Token.AccessToken == tok.AccessToken || cur.Token.Keyring != "") && cur.Token.Expiry.IsZero() {
					cur.Token.Expiry = exp
				}
				return nil
			}); serr != nil && err == nil {
				err = &auth.SaveError{Err: serr}
			}
		}
	}
	out.Token = store.TokenFrom(tok)
	return &TokenInfo{Token: tok, Session: &out}, err
}

// ErrNotTokenText is a token given on standard input that is no token.
var ErrNotTokenText = errors.New("an access token is one line of visible ASCII")

// AddToken stores a login made elsewhere: an access token and, if given, a
// refresh token. Launchpad is asked whom it belongs to first, and nothing
// is stored unless it answers; a refusal is a *TokenRefusedError. The
// session is stored as a browser login's would be, and made current.
func (s *Service) AddToken(ctx context.Context, access, refresh string) (*store.Session, string, error) {
	if !IsTokenText(access) || (refresh != "" && !IsTokenText(refresh)) {
		return nil, "", ErrNotTokenText
	}
	c, err := s.registeredClient()
	if err != nil {
		return nil, "", err
	}
	tok := &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer"}
	var check func(auth.Identity) error
	if refresh != "" {
		// Launchpad checks the access token only: prove the refresh
		// token is the same person's before storing the pair.
		if tok, check, err = s.provePair(ctx, c, access, refresh); err != nil {
			return nil, "", err
		}
	}
	sess, aside, err := s.complete(ctx, c, tok, check)
	var le *auth.LaunchpadError
	if errors.As(err, &le) && le.Kind == auth.KindRelogin {
		return nil, aside, &TokenRefusedError{From: FromStdin, Err: err}
	}
	return sess, aside, err
}

// IsTokenText reports whether s is non-empty visible ASCII, as every OAuth
// bearer token is (RFC 6750's b64token is a subset).
func IsTokenText(s string) bool {
	if s == "" {
		return false
	}
	return !slices.ContainsFunc([]byte(s), func(c byte) bool { return c <= ' ' || c >= 0x7f })
}

// RefusedError is a login its server (Launchpad, or a BC5 issuer) refused
// for good: its refresh token was answered with a definitive refusal
// (invalid_grant, "This Basecamp ID rekeyed its deadbolt.", BC5's "token
// reuse detected", …), now or in an earlier run. bcauth never sends
// that refresh token again (Basecamp bans a client that keeps trying), so
// every command fails at once until the person logs in again.
type RefusedError struct {
	Session *store.Session // whose login it was, as stored
	Refusal store.Refusal
	// Err is Launchpad's refusal when it came in this run; nil when an
	// earlier run recorded it.
	Err error
	// Unrecorded is why the refusal could not be written down, if it
	// could not: the next run may then try the refresh token once more.
	Unrecorded error
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("%s refused the login of %s for good at %s", e.Session.Server.Name(), IDLabel(e.Session.Identity), e.Refusal.At.UTC().Format(time.RFC3339))
	if e.Refusal.Reason != "" {
		msg += fmt.Sprintf(" (%q)", e.Refusal.Reason)
	}
	return msg + ": run bcauth login"
}

func (e *RefusedError) Unwrap() error { return e.Err }

// refusedLogin is the error for a session marked refused, or nil.
func refusedLogin(sess *store.Session) error {
	if sess.Refused == nil {
		return nil
	}
	out := *sess
	return &RefusedError{Session: &out, Refusal: *sess.Refused}
}

// recordRefusal marks the session refused in the store, unless its stored
// refresh token is no longer the one refused, and returns the
// *RefusedError to report.
func (s *Service) recordRefusal(l *refreshLock, sess *store.Session, refreshToken string, err error) error {
	r := store.Refusal{At: s.Now().UTC(), Reason: refusalText(err)}
	out := *sess
	out.Refused = &r
	re := &RefusedError{Session: &out, Refusal: r, Err: err}
	marked, merr := l.markRefused(sess.Key(), refreshToken, r)
	switch {
	case merr != nil:
		re.Unrecorded = merr
	case !marked:
		// The stored login has another refresh token by now: it is not
		// the one refused, so the login may well be alive.
		return err
	}
	return re
}

// refusalText is Launchpad's words for a refusal, or the error itself.
func refusalText(err error) string {
	var le *auth.LaunchpadError
	if errors.As(err, &le) && le.Text != "" {
		return le.Text
	}
	return err.Error()
}
