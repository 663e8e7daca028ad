package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// statusOptions are status's flags.
type statusOptions struct {
	JSON bool
	ID   string
}

func newStatusCmd(f *Factory, runF func(*statusOptions) error) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:     "status [--json] [--id ID|EMAIL]",
		Short:   "Who is logged in, token state, where state lives",
		Long:    "Show who is logged in, whether Launchpad accepts the token (BASECAMP_TOKEN's when set), and where state is stored.",
		Example: "bcauth status --json | jq .valid\nBASECAMP_TOKEN=… bcauth status",
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	f.idFlag(cmd, &o.ID)
	cmd.RunE = runOnService(f, o, &o.ID, runF, func(ctx context.Context, svc *core.Service, out Output) int {
		return listing(svc, func() int { return Status(ctx, svc, out, o.JSON) })
	})
	return cmd
}

// Status reports who is logged in, whether Launchpad accepts the token now
// (it asks, refreshing the token first if needed, and caches the answer),
// the token's expiry, the accounts per product, where the state is stored
// and where each client setting came from. It never prints a token or the
// client secret.
//
// Exit 0 when Launchpad accepted the token; 4 when a person must log in
// (again): not logged in, the login refused, expired and not renewable,
// another person's token, --id naming nobody; 1 when Launchpad could not
// be reached (probably temporary), a hold stands or anything else failed;
// 2 when misconfigured: client settings missing,
// malformed or refused by Launchpad, or config.json/state.json unreadable or
// from a newer bcauth (the file is kept as is and its path named).
//
// Plain output: the facts on stdout; the problem and the command that fixes
// it on stderr. With asJSON, one object on stdout and nothing on stderr:
// its shape and the problem kinds are the README's ("bcauth status
// --json"), which TestStatusJSONIsWhatTheREADMESays holds to this output.
func Status(ctx context.Context, svc *core.Service, out Output, asJSON bool) int {
	now := svc.Now()
	set := svc.Settings()
	rep := statusJSON{
		StateDir:          set.Dir,
		Client:            describeClient(set),
		AccountsByProduct: map[string]int{},
		Secrets:           describeSecrets(set),
		Warnings:          []string{},
	}
	sess, counts, refreshed, prob := checkStatus(ctx, svc, set, &rep)
	if h, err := svc.StandingHold(); err == nil && h != nil {
		rep.Hold = holdOf(*h)
	}
	if prob != nil {
		rep.Problem = &problemJSON{Kind: prob.Kind, Message: prob.Text(), Fix: prob.Fix, RefusedAt: timeJSON(prob.RefusedAt)}
	}
	if sess != nil {
		if known(sess.Identity) {
			id := identityOf(sess.Identity)
			rep.Identity = &id
		}
		if !svc.FromEnv(sess) {
			rep.Server = serverOf(sess)
		}
		rep.Token = &tokenJSON{ExpiresAt: timeJSON(tokenExpiry(sess)), Refreshed: refreshed, Renewable: sess.Token.Renewable(), Source: sourceStored}
		if svc.FromEnv(sess) {
			rep.Token.Source, rep.Token.Renewable = sourceEnvironment, false
		}
		if sess.Authorization != nil {
			rep.AccountsByProduct = counts
			rep.AccountsFetchedAt = timeJSON(sess.FetchedAt)
		}
	}
	code := ExitOK
	if prob != nil {
		code = prob.Exit
	}
	if asJSON {
		if c := out.flushJSON(rep); c != ExitOK {
			return c
		}
		return code
	}
	if c := out.flush([]byte(renderStatus(rep, sess, prob, now))); c != ExitOK {
		return c
	}
	for _, w := range rep.Warnings {
		out.warn("%s", core.Clean(w))
	}
	if prob != nil {
		out.problem(*prob)
	}
	return code
}

// checkStatus asks Launchpad about the current login: the session (the
// cached one when Launchpad said nothing), how many accounts of each
// product its answer lists, whether its token was refreshed, and what is
// wrong, if anything. Warnings go into rep.
func checkStatus(ctx context.Context, svc *core.Service, set core.Settings, rep *statusJSON) (*store.Session, map[string]int, bool, *core.Problem) {
	fail := func(err error) *core.Problem { p := core.Describe(err, set); return &p }
	if set.FileErr != nil {
		// The environment alone is a complete client, so this is no
		// reason to fail, but the file will not be read until fixed.
		rep.Warnings = append(rep.Warnings, core.Describe(set.FileErr, set).Message)
	}
	// The login's own server and client: a BC5 login needs no Launchpad
	// client, and discovery never runs again after the login.
	c, sess, err := svc.CurrentLogin()
	var refused *core.RefusedError
	if errors.As(err, &refused) {
		// Who it was, from what is stored; Launchpad is not asked.
		rep.LoggedIn = true
		return cachedCounts(svc.Cached(refused.Session), false, fail(err))
	}
	if err != nil {
		p := fail(err)
		if errors.Is(err, core.ErrOtherClient) {
			if other, err := svc.Login(nil); err == nil {
				p.Message = fmt.Sprintf("the stored login of %s was made with another Launchpad client (%s) or Launchpad URL (%s), so its token is not used here",
					other.Identity.Name(), other.ClientID, other.LaunchpadURL)
			}
		}
		return nil, nil, false, p
	}
	rep.LoggedIn = true
	rep.Secrets.Tokens = "file"
	switch {
	case sess.Token.Keyring != "":
		rep.Secrets.Tokens = "keyring"
	case svc.FromEnv(sess):
		rep.Secrets.Tokens = "environment"
	}
	r, err := svc.ReloadCounting(ctx, c, sess)
	if err != nil {
		// What Launchpad listed last, read only now that it is needed.
		return cachedCounts(svc.Cached(sess), false, fail(err))
	}
	rep.Valid = true
	return r.Session, r.Counts(), r.Refreshed, nil
}

// cachedCounts is checkStatus's answer with a cached session: its
// accounts counted.
func cachedCounts(sess *store.Session, refreshed bool, p *core.Problem) (*store.Session, map[string]int, bool, *core.Problem) {
	counts := map[string]int{}
	if sess != nil && sess.Authorization != nil {
		counts = auth.CountProducts(sess.Authorization.Accounts)
	}
	return sess, counts, refreshed, p
}

// statusJSON is `bcauth status --json`; see Status.
type statusJSON struct {
	LoggedIn          bool           `json:"logged_in"`
	Valid             bool           `json:"valid"`
	Identity          *identityJSON  `json:"identity"`
	Server            *serverJSON    `json:"server"`
	Token             *tokenJSON     `json:"token"`
	StateDir          string         `json:"state_dir"`
	Client            clientJSON     `json:"client"`
	AccountsByProduct map[string]int `json:"accounts_by_product"`
	AccountsFetchedAt *string        `json:"accounts_fetched_at"`
	Secrets           secretsJSON    `json:"secrets"`
	Problem           *problemJSON   `json:"problem"`
	// Hold is the hold on token requests that stands (see core.HoldLine).
	Hold     *holdJSON `json:"hold"`
	Warnings []string  `json:"warnings"`
}

// holdJSON is a hold on token requests in status --json: why
// ("rate_limited" or "client_refused"), since when, until when (null for
// a refused client: until its settings change), and the hold in words.
type holdJSON struct {
	Reason  string  `json:"reason"`
	Since   *string `json:"since"`
	Until   *string `json:"until"`
	Message string  `json:"message"`
}

func holdOf(h store.Hold) *holdJSON {
	return &holdJSON{Reason: h.Reason, Since: timeJSON(h.Since), Until: timeJSON(h.Until), Message: core.HoldLine(h)}
}

// secretsJSON says where the secrets are: "keyring", "file",
// "environment" or "none" (tokens) / "unset" (client secret); keyring is
// the setting, keyring_source where it came from ("environment", "file"
// or "default").
type secretsJSON struct {
	Tokens        string `json:"tokens"`
	ClientSecret  string `json:"client_secret"`
	Keyring       bool   `json:"keyring"`
	KeyringSource string `json:"keyring_source"`
	KeyringName   string `json:"keyring_name,omitempty"`
}

// problemJSON is a core.Problem in status --json: the kind, the whole
// message and the fix.
type problemJSON struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	// RefusedAt is when Launchpad refused the login for good (kind
	// rejected); absent otherwise.
	RefusedAt *string `json:"refused_at,omitempty"`
}

type identityJSON struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	EmailAddress string `json:"email_address"`
}

type tokenJSON struct {
	ExpiresAt *string `json:"expires_at"`
	Refreshed bool    `json:"refreshed"`
	// Renewable says bcauth can renew the token when it expires: the
	// login has a refresh token (BASECAMP_TOKEN's never is).
	Renewable bool   `json:"renewable"`
	Source    string `json:"source"` // sourceStored or sourceEnvironment
}

// Where the token in use came from, in status --json and token --json.
const (
	sourceStored      = "stored"
	sourceEnvironment = "environment"
)

// known reports whether Launchpad has said who a session is: a token from
// the environment is nobody until it answers.
func known(id auth.Identity) bool { return id.ID != 0 || id.EmailAddress != "" }

type clientJSON struct {
	ConfigFile         string `json:"config_file"`
	ClientID           string `json:"client_id"`
	ClientIDSource     string `json:"client_id_source"`
	ClientSecretSet    bool   `json:"client_secret_set"`
	ClientSecretSource string `json:"client_secret_source"`
	RedirectURI        string `json:"redirect_uri"`
	RedirectURISource  string `json:"redirect_uri_source"`
	LaunchpadURL       string `json:"launchpad_url"`
	LaunchpadURLSource string `json:"launchpad_url_source"`
	// The BC5 client (public: no secret) and discovery's settings: the
	// API origin asked which server to use, and a pinned issuer.
	BC5ClientID       string `json:"bc5_client_id"`
	BC5ClientIDSource string `json:"bc5_client_id_source"`
	BaseURL           string `json:"base_url"`
	BaseURLSource     string `json:"base_url_source"`
	Issuer            string `json:"oauth_issuer"`
	IssuerSource      string `json:"oauth_issuer_source"`
}

// describeClient is the client settings in effect, defaults filled in, and
// where each came from. The secret is only said to be set or not.
func describeClient(set core.Settings) clientJSON {
	cfg, src := set.Client, set.Sources
	return clientJSON{
		ConfigFile:         set.ConfigFile(),
		ClientID:           cfg.ClientID,
		ClientIDSource:     sourceName(src.ClientID, false),
		ClientSecretSet:    cfg.ClientSecret != "" || cfg.ClientSecretKeyring != "",
		ClientSecretSource: sourceName(src.ClientSecret, false),
		// A URL typed into a setting may carry a password or a token in
		// its user info or query: shown, as in errors, without them.
		RedirectURI:        auth.Redact(set.RedirectURI()),
		RedirectURISource:  sourceName(src.RedirectURI, true),
		LaunchpadURL:       auth.Redact(set.LaunchpadURL()),
		LaunchpadURLSource: sourceName(src.LaunchpadURL, true),
		BC5ClientID:        cfg.BC5ClientID,
		BC5ClientIDSource:  sourceName(src.BC5ClientID, false),
		BaseURL:            auth.Redact(set.BaseURL()),
		BaseURLSource:      sourceName(src.BaseURL, true),
		Issuer:             auth.Redact(cfg.Issuer),
		IssuerSource:       sourceName(src.Issuer, false),
	}
}

// describeSecrets is where the client secret is and the keyring setting;
// checkStatus adds where the tokens are.
func describeSecrets(set core.Settings) secretsJSON {
	out := secretsJSON{Tokens: "none", Keyring: set.Keyring, KeyringSource: sourceName(set.KeyringSource, true), KeyringName: set.KeyringName}
	switch set.Sources.ClientSecret {
	case store.SourceKeyring:
		out.ClientSecret = "keyring"
	case store.SourceEnv:
		out.ClientSecret = "environment"
	case store.SourceFile:
		out.ClientSecret = "file"
	default:
		out.ClientSecret = "unset"
	}
	return out
}

// secretsLine is where the secrets are, for people.
func secretsLine(sec secretsJSON, stateDir string) string {
	where := func(w string) string {
		switch w {
		case "keyring":
			return "in " + valueOr(sec.KeyringName, "the OS keyring") + " (service bcauth)"
		case "file":
			return "in " + stateDir
		case "environment":
			return "from the environment"
		}
		return w
	}
	var line string
	if sec.Tokens == sec.ClientSecret || sec.Tokens == "none" || sec.ClientSecret == "unset" {
		w := sec.Tokens
		if w == "none" {
			w = sec.ClientSecret
		}
		line = where(w)
	} else {
		line = "tokens " + where(sec.Tokens) + ", client secret " + where(sec.ClientSecret)
	}
	switch {
	case sec.Keyring && sec.KeyringSource == "environment":
		line += "; " + core.KeyringSetting + "=1 asks for the keyring"
	case sec.Keyring:
		line += "; the keyring setting is on (bcauth setup --keyring=false turns it off)"
	case sec.KeyringSource == "environment":
		line += "; " + core.KeyringSetting + "=0 keeps them in files"
	default:
		line += "; bcauth login --keyring keeps them in the OS keyring"
	}
	return line
}

// sourceName is a store.Source as status --json reports it.
func sourceName(s store.Source, hasDefault bool) string {
	switch {
	case s == store.SourceEnv:
		return "environment"
	case s == store.SourceFile:
		return "file"
	case s == store.SourceKeyring:
		return "keyring"
	case hasDefault:
		return "default"
	}
	return "unset"
}

// tokenExpiry is the stored token's expiry, or Launchpad's expires_at when
// the token carries none.
func tokenExpiry(sess *store.Session) time.Time {
	if !sess.Token.Expiry.IsZero() || sess.Authorization == nil {
		return sess.Token.Expiry
	}
	return sess.Authorization.ExpiresAt
}

func timeJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// renderStatus is the plain status report: facts only, every string
// cleaned. Problems go to stderr separately.
func renderStatus(rep statusJSON, sess *store.Session, prob *core.Problem, now time.Time) string {
	var b strings.Builder
	field := func(label, value string) { fmt.Fprintf(&b, "%-14s%s\n", label, value) }
	switch {
	case sess == nil && prob != nil && prob.Exit == core.ExitMisconfigured:
		field("Basecamp ID", "not checked: bcauth cannot use its settings or files yet (the error says why and how to fix it)")
	case sess == nil && prob != nil && (prob.Kind == core.KindAmbiguousID || prob.Kind == core.KindUnknownID):
		// --id (or BCAUTH_ID) named none or several: that is the news,
		// not "not logged in".
		field("Basecamp ID", "not chosen: "+core.Clean(prob.Message))
	case sess == nil:
		field("Basecamp ID", "not logged in")
	case !known(sess.Identity):
		field("Basecamp ID", "unknown: Launchpad did not say whose the token from "+auth.SettingToken+" is")
		field("Token", "from "+auth.SettingToken+"; "+tokenLine(rep, sess, prob, now))
	default:
		id := sess.Identity
		line, email := core.Names(id)
		if email != "" {
			line += " <" + email + ">"
		}
		field("Basecamp ID", fmt.Sprintf("%s, Launchpad id %d", line, id.ID))
		if rep.Server != nil {
			field("Server", serverLine(rep.Server))
			if rep.Server.Note != nil {
				// Why, when the login was made: the settings may have
				// changed since (the lines below say how they are now).
				field("", "at login: "+*rep.Server.Note)
			}
		}
		token := tokenLine(rep, sess, prob, now)
		if rep.Token.Source == sourceEnvironment {
			token = "from " + auth.SettingToken + " (never refreshed or stored); " + token
		}
		field("Token", token)
		field("Accounts", accountsLine(rep, sess, now))
		for _, l := range productLines(rep.AccountsByProduct) {
			field("", l)
		}
	}
	if rep.Hold != nil {
		field("Hold", core.Clean(rep.Hold.Message))
	}
	field("State", core.Clean(valueOr(rep.StateDir, "none: it could not be opened, and "+auth.SettingToken+" needs none")))
	field("Secrets", core.Clean(secretsLine(rep.Secrets, valueOr(rep.StateDir, "bcauth's files"))))
	c := rep.Client
	field("Client ID", settingLine(valueOr(c.ClientID, "not set"), c.ClientIDSource, auth.SettingClientID, c.ConfigFile))
	field("Client secret", settingLine(secretState(c.ClientSecretSet), c.ClientSecretSource, auth.SettingClientSecret, c.ConfigFile))
	field("Redirect URI", settingLine(c.RedirectURI, c.RedirectURISource, auth.SettingRedirectURI, c.ConfigFile))
	field("Launchpad", settingLine(c.LaunchpadURL, c.LaunchpadURLSource, auth.SettingLaunchpadURL, c.ConfigFile))
	field("BC5 client ID", settingLine(valueOr(c.BC5ClientID, "not set"), c.BC5ClientIDSource, auth.SettingBC5ClientID, c.ConfigFile))
	field("API origin", settingLine(c.BaseURL, c.BaseURLSource, auth.SettingResource, c.ConfigFile))
	if c.Issuer != "" {
		field("Pinned issuer", settingLine(c.Issuer, c.IssuerSource, auth.SettingIssuer, c.ConfigFile))
	}
	return b.String()
}

// serverName is how the report names the login's server: Launchpad, or
// a BC5 issuer's URL.
func serverName(rep statusJSON) string {
	if rep.Server != nil {
		return rep.Server.Name
	}
	return "Launchpad"
}

func tokenLine(rep statusJSON, sess *store.Session, prob *core.Problem, now time.Time) string {
	exp := core.Expiry(tokenExpiry(sess), now)
	server := serverName(rep)
	// A stored login without a refresh token ends at its expiry: said
	// while it is still valid, when there is time to log in again.
	ends := ""
	if rep.Token != nil && !rep.Token.Renewable && rep.Token.Source == sourceStored {
		ends = "; cannot be renewed (no refresh token): log in again before then"
	}
	switch {
	case rep.Valid && rep.Token.Refreshed:
		return exp + "; refreshed and accepted by " + server + " just now" + ends
	case rep.Valid:
		return exp + "; accepted by " + server + " just now" + ends
	case prob != nil && !prob.RefusedAt.IsZero():
		return "refused by " + server + " at " + prob.RefusedAt.UTC().Format(time.RFC3339) + "; bcauth no longer sends it"
	case prob != nil && prob.Kind == core.KindRejected:
		return "rejected by " + server
	case prob != nil && prob.Kind == core.KindNotRenewable:
		return exp + " and cannot be renewed (no refresh token); " + server + " was not asked"
	case prob != nil && prob.Kind == core.KindOtherIdentity:
		return "another person's token: not used"
	case prob != nil && prob.Kind == core.KindOnHold:
		return "not checked: token requests are on hold (stored token " + exp + ")"
	case prob != nil && prob.Kind == core.KindUnreachable:
		return "not checked: " + server + " could not be reached (stored token " + exp + ")"
	}
	return "not checked (stored token " + exp + ")"
}

func accountsLine(rep statusJSON, sess *store.Session, now time.Time) string {
	if sess.Authorization == nil {
		return "not listed yet"
	}
	n := 0
	for _, c := range rep.AccountsByProduct {
		n += c
	}
	line := fmt.Sprintf("%d %s", n, core.Plural(n, "account", "accounts"))
	if !rep.Valid && !sess.FetchedAt.IsZero() {
		line += ", as " + serverName(rep) + " listed them " + core.Ago(sess.FetchedAt, now)
	}
	return line
}

// productLines is "Basecamp: 4" per product: known products in catalogue
// order, then unknown ones by code.
func productLines(counts map[string]int) []string {
	codes := sortedProducts(counts)
	lines := make([]string, len(codes))
	for i, c := range codes {
		lines[i] = fmt.Sprintf("  %s: %d", core.Clean(auth.LookupProduct(c).Label()), counts[c])
	}
	return lines
}

// settingLine is a client setting's value and where it came from, or which
// variable sets it.
func settingLine(value, source, env, file string) string {
	var from string
	switch source {
	case "environment":
		from = "from " + env
	case "file":
		from = "from " + file
	case "keyring":
		from = "in the OS keyring, which " + file + " refers to"
	case "default":
		from = "bcauth's default; " + env + " changes it"
	default:
		from = "set " + env
	}
	return core.Clean(value) + " (" + core.Clean(from) + ")"
}

func secretState(set bool) string {
	if set {
		return "set"
	}
	return "not set"
}

func valueOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
