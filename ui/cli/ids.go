package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// idsOptions are ids's flags.
type idsOptions struct {
	JSON bool
}

func newIDsCmd(f *Factory, runF func(*idsOptions) error) *cobra.Command {
	o := &idsOptions{}
	cmd := &cobra.Command{
		Use:   "ids [--json]",
		Short: "The Basecamp IDs logged in here, the current one marked",
		Long: `List the Basecamp IDs logged in on this machine, from what is stored: "*" for the current one, Launchpad id, name, email, token state and accounts per product, tab-separated. Once any login here is BC5's, a seventh column says each login's server: Launchpad, or the BC5 issuer and the scope granted ("https://… (full)"); with Launchpad logins only there are six.

With --json: an array of {"current", "identity": {…}, "server": {…}, "token": {"state", "expires_at", "renewable"}, "accounts_by_product", "accounts_fetched_at"}, server as in status --json.`,
		Example: "bcauth ids\nbcauth ids --json | jq -r '.[] | select(.current) | .identity.email_address'",
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if runF != nil {
			return runF(o)
		}
		return f.script(cmd, "", func(svc *core.Service, out Output) int { return IDs(svc, out, o.JSON) })
	}
	return cmd
}

// IDs lists the Basecamp IDs logged in on this machine (for the configured
// client), from what is stored: Launchpad is not asked. Plain output is one
// line per Basecamp ID, fields separated by one tab: "*" for the current
// one or "-", Launchpad id, name, email, token state, accounts per product
// ("bc3:6 bcx:2", from Launchpad's last answer). Every field is cleaned.
//
// The token state is "valid until TIME" (RFC 3339 UTC), "expired, renewed
// when used" ("expired, renewal on hold" while a hold stands), "expired,
// not renewable, needs login" (no refresh token; Launchpad was not
// asked), or "refused at TIME, needs login" (Launchpad refused the refresh
// token for good, so bcauth no longer sends it); a login without a
// refresh token adds ", cannot be renewed". A standing hold on token
// requests is also said on stderr.
//
// With asJSON, an array (never null) of
//
//	{"current": true,
//	 "identity": {"id": 9999999, "name": "Annie Bryan", "first_name": "Annie",
//	              "last_name": "Bryan", "email_address": "annie@example.com"},
//	 "token": {"state": "valid", "expires_at": "2026-12-11T09:44:08Z", "renewable": true,
//	           "refused_at": "2026-12-01T08:00:00Z", "refused_reason": "…"},  // both only when refused
//	 "accounts_by_product": {"bc3": 6, "bcx": 2},
//	 "accounts_fetched_at": "2026-11-27T09:44:08Z"}
//
// where state is valid, expired (renewable), needs_login (expired and not
// renewable) or refused, and expires_at and accounts_fetched_at may be
// null; token.hold, as status --json's hold, is there while token requests
// are on hold. Exit 0, also when none is logged in
// (nothing, or []); 1 or 2 when the state file cannot be read, as status.
func IDs(svc *core.Service, out Output, asJSON bool) int {
	choices, err := svc.IDs()
	if err != nil {
		return out.fail(err, svc.Settings(), true)
	}
	now := svc.Now()
	var hold *holdJSON
	if h, err := svc.StandingHold(); err == nil && h != nil {
		hold = holdOf(*h)
	}
	rows := make([]idJSON, 0, len(choices))
	for i := range choices {
		sess := &choices[i].Session
		if sess.Token.Expiry.IsZero() {
			*sess = *svc.Cached(sess) // its expiry may be the answer's (tokenExpiry)
		}
		r := describeID(choices[i], now)
		if r.Token.State != stateRefused {
			r.Token.Hold = hold
		}
		if counts, at, ok := svc.AccountCounts(sess); ok {
			r.AccountsByProduct, r.AccountsFetchedAt = counts, timeJSON(at)
		}
		rows = append(rows, r)
	}
	if asJSON {
		return out.flushJSON(rows)
	}
	// The server column appears once a login is not Launchpad's, so
	// today's lists read as before.
	bc5 := slices.ContainsFunc(rows, func(r idJSON) bool { return r.Server.Kind == string(auth.ServerBC5) })
	lines := make([][]string, len(rows))
	for i, r := range rows {
		mark := "-"
		if r.Current {
			mark = "*"
		}
		name, email := core.Names(choices[i].Session.Identity)
		lines[i] = []string{mark, strconv.FormatInt(r.Identity.ID, 10), name, email, tokenState(r.Token), productCounts(r.AccountsByProduct)}
		if bc5 {
			lines[i] = append(lines[i], serverLine(r.Server))
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(out.Stderr, "bcauth: no Basecamp ID is logged in here: run bcauth login")
	}
	if svc.EnvToken != "" {
		out.warn("BASECAMP_TOKEN is set, so the other commands use that token, not these")
	}
	if hold != nil && len(rows) > 0 {
		fmt.Fprintf(out.Stderr, "bcauth: token requests are %s\n", core.Clean(hold.Message))
	}
	head := []string{"", "LAUNCHPAD ID", "NAME", "EMAIL", "TOKEN", "ACCOUNTS"}
	if bc5 {
		head = append(head, "SERVER")
	}
	return out.rows(head, lines)
}

// idJSON is one element of `bcauth ids --json`; see IDs.
type idJSON struct {
	Current           bool           `json:"current"`
	Identity          identityJSON   `json:"identity"`
	Server            *serverJSON    `json:"server"`
	Token             idTokenJSON    `json:"token"`
	AccountsByProduct map[string]int `json:"accounts_by_product"`
	AccountsFetchedAt *string        `json:"accounts_fetched_at"`
}

type idTokenJSON struct {
	State         string  `json:"state"`
	ExpiresAt     *string `json:"expires_at"`
	Renewable     bool    `json:"renewable"`
	RefusedAt     *string `json:"refused_at,omitempty"`
	RefusedReason string  `json:"refused_reason,omitempty"`
	// Hold is the hold on token requests (renewals), as in status --json,
	// when one stands.
	Hold *holdJSON `json:"hold,omitempty"`
}

// Token states of bcauth ids.
const (
	stateValid      = "valid"
	stateExpired    = "expired"
	stateNeedsLogin = "needs_login"
	stateRefused    = "refused"
)

func describeID(c core.IDChoice, now time.Time) idJSON {
	s := c.Session
	r := idJSON{Current: c.Current, Identity: identityOf(s.Identity), Server: serverOf(&s), AccountsByProduct: map[string]int{}}
	exp := tokenExpiry(&s)
	r.Token = idTokenJSON{ExpiresAt: timeJSON(exp), Renewable: s.Token.Renewable()}
	switch {
	case s.Refused != nil:
		r.Token.State, r.Token.Renewable = stateRefused, false
		r.Token.RefusedAt, r.Token.RefusedReason = timeJSON(s.Refused.At), s.Refused.Reason
	case exp.IsZero() || exp.After(now):
		r.Token.State = stateValid
	case r.Token.Renewable:
		r.Token.State = stateExpired
	default:
		r.Token.State = stateNeedsLogin
	}
	return r
}

// tokenState is a token's state in words, for the plain list.
func tokenState(t idTokenJSON) string {
	var s string
	switch {
	case t.State == stateRefused && t.RefusedAt != nil:
		return "refused at " + *t.RefusedAt + ", needs login"
	case t.State == stateNeedsLogin:
		return "expired, not renewable, needs login"
	case t.State == stateExpired && t.Hold != nil:
		s = "expired, renewal on hold"
	case t.State == stateExpired:
		s = "expired, renewed when used"
	case t.ExpiresAt == nil:
		s = "valid, expiry unknown"
	default:
		s = "valid until " + *t.ExpiresAt
	}
	if !t.Renewable {
		s += ", cannot be renewed"
	}
	return s
}

// productCounts is "bc3:6 bcx:2", products in catalogue order.
func productCounts(counts map[string]int) string {
	codes := sortedProducts(counts)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s:%d", core.Clean(c), counts[c])
	}
	if len(parts) == 0 {
		return "no accounts listed"
	}
	return strings.Join(parts, " ")
}

// sortedProducts are the product codes of counts, known products in
// catalogue order, then unknown ones by code.
func sortedProducts(counts map[string]int) []string {
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, core.CompareProducts)
	return codes
}

// identityOf is an identity as every --json shows it, raw.
func identityOf(id auth.Identity) identityJSON {
	return identityJSON{ID: id.ID, Name: id.Name(), FirstName: id.FirstName, LastName: id.LastName, EmailAddress: id.EmailAddress}
}
