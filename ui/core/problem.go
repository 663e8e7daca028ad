package core

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"bcauth/auth"
	"bcauth/store"
)

// Problem kinds: status --json reports them in problem.kind, and the app
// decides what its error screen offers by them.
const (
	KindNotConfigured  = "not_configured"      // no client id or secret (exit 2)
	KindInvalidConfig  = "invalid_config"      // a client setting is malformed (exit 2)
	KindClientRejected = "client_rejected"     // Launchpad refused the client id, secret or redirect URI (exit 2)
	KindCorruptConfig  = "corrupt_config"      // config.json unreadable, kept as is (exit 2)
	KindCorruptState   = "corrupt_state"       // state.json unreadable, kept as is (exit 2)
	KindNewerFile      = "newer_file"          // a file from a newer bcauth, kept as is (exit 2)
	KindUnsafeFile     = "unsafe_file"         // a state or cache directory or file another user owns or could replace, a link or a FIFO (exit 2)
	KindNotLoggedIn    = "not_logged_in"       // no stored login (exit 4)
	KindOtherClient    = "other_client"        // the stored login belongs to another client or Launchpad (exit 4)
	KindRejected       = "rejected"            // Launchpad no longer accepts the login (exit 4)
	KindNotRenewable   = "not_renewable"       // expired (or to be renewed) with no refresh token; Launchpad was not asked (exit 4)
	KindOtherIdentity  = "other_identity"      // a token belongs to another Basecamp ID than the login it is for (exit 4)
	KindOnHold         = "on_hold"             // Launchpad said stop (429, invalid_client): no token request until the hold lifts (exit 1)
	KindUnreachable    = "unreachable"         // Launchpad could not be reached; probably temporary (exit 1)
	KindLaunchpad      = "launchpad_error"     // Launchpad answered something else unexpected (exit 1)
	KindTimeout        = "timeout"             // the browser never called back (exit 1)
	KindPortInUse      = "port_in_use"         // the redirect URI's port is taken (exit 1)
	KindDenied         = "denied"              // the person chose Deny (exit 1)
	KindUnknownID      = "unknown_id"          // --id, BCAUTH_ID or switch named no stored Basecamp ID, or not BASECAMP_TOKEN's (exit 4)
	KindAmbiguousID    = "ambiguous_id"        // … or several of them (exit 1)
	KindKeyring        = "keyring_unavailable" // the OS keyring was asked for and cannot be used (exit 2)
	KindReadOnly       = "read_only"           // a BC5 login is due for renewal and its state directory cannot be written (read-only, full); nothing sent (exit 2)
	KindError          = "error"               // anything else (exit 1)
)

// Exit codes every front end uses for a problem.
const (
	// ExitFailed: a failure that may pass by itself (Launchpad
	// unreachable or answering 5xx, a hold that lifts at a known time), or
	// any other failure.
	ExitFailed = 1
	// ExitMisconfigured: a problem no login fixes (client settings, an
	// unreadable or newer file).
	ExitMisconfigured = 2
	// ExitRelogin: a person must log in (again): not logged in, the login
	// refused by Launchpad, expired and not renewable, a token that is
	// someone else's, no such Basecamp ID. Waiting does not help, so a
	// script should page a human rather than retry.
	ExitRelogin = 4
)

// Problem is a failure as bcauth tells it: the same words on the app's
// error screen, on a script command's stderr and in status --json. Strings
// are raw: Clean them before they reach a terminal.
type Problem struct {
	Kind    string
	Header  string // a few words for the screen's title
	Message string // what happened, one sentence without its full stop
	Server  string // the server's own words, if any
	Detail  string // the error itself, when it says more than Message
	Fix     string // what to do, one sentence without its full stop
	Exit    int
	// Relogin says a new login is the fix, so the app offers one.
	Relogin bool
	// EditClient says the client settings are at fault, so the app offers
	// to correct them.
	EditClient bool
	// RefusedAt is when Launchpad refused the login for good (KindRejected
	// from a *RefusedError); zero otherwise.
	RefusedAt time.Time
}

// Text is the whole problem in one line, raw: the message, then the
// server's words or the detail.
func (p Problem) Text() string {
	switch {
	case p.Server != "":
		return p.Message + ": “" + p.Server + "”"
	case p.Detail != "":
		return p.Message + ": " + p.Detail
	}
	return p.Message
}

// Sentence is s with a capital first letter and a full stop, for prose.
func Sentence(s string) string {
	if s == "" {
		return ""
	}
	// An address stays as it is: "Http://…" is no address.
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		r, n := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// Describe turns any error bcauth meets into a Problem. set is the client
// configuration as it stood, so the fix can name the exact setting and
// where it comes from; Describe itself reads nothing.
func Describe(err error, set Settings) Problem {
	out, ok := describeLogin(err, set)
	if !ok {
		out, ok = describeBrowser(err)
	}
	if !ok {
		out, ok = describeFiles(err, set)
	}
	if !ok {
		out, ok = describeDiscovery(err)
	}
	if !ok {
		out = describeSettings(err, set)
	}
	out.Exit = KindExit(out.Kind)
	return out
}

// KindExit is the exit code of a problem of kind k.
func KindExit(k string) int {
	switch k {
	case KindNotConfigured, KindInvalidConfig, KindClientRejected, KindCorruptConfig, KindCorruptState, KindNewerFile, KindUnsafeFile, KindKeyring, KindReadOnly:
		return ExitMisconfigured
	case KindNotLoggedIn, KindOtherClient, KindRejected, KindNotRenewable, KindOtherIdentity, KindUnknownID:
		return ExitRelogin
	}
	return ExitFailed
}

// describeLogin describes what is wrong with the stored login or its
// token, and says whether err was such a thing.
func describeLogin(err error, set Settings) (Problem, bool) {
	var (
		re *RefusedError
		tr *TokenRefusedError
		ie *IDError
		le *auth.LaunchpadError
		nr *auth.NotRenewableError
		mm *IdentityError
		ee *EnvIDError
		he *HoldError
	)
	switch {
	case errors.As(err, &re):
		return describeRefusedLogin(re), true
	case errors.As(err, &tr):
		return describeRefusedToken(tr, set), true
	case errors.As(err, &ie):
		return describeIDError(ie), true
	case errors.Is(err, ErrEnvToken):
		return Problem{Kind: KindError, Header: "Token from the environment", Message: auth.SettingToken + " is set, so bcauth uses that token and not the stored logins",
			Fix: "unset " + auth.SettingToken + " to log out, switch or refresh a stored login"}, true
	case errors.As(err, &nr) && !nr.Expiry.IsZero():
		return Problem{Kind: KindNotRenewable, Header: "Login expired", Relogin: true,
			Message: fmt.Sprintf("the access token expired at %s by this machine's clock, and this login has no refresh token, so bcauth cannot renew it (Launchpad was not asked, and nothing was recorded)",
				nr.Expiry.UTC().Format(time.RFC3339)),
			Fix: "log in again: bcauth login, or bcauth login --with-token with a new access token and its refresh token on the second line; if this machine's clock is wrong, correct it and the token works again until it really expires"}, true
	case errors.Is(err, ErrNoRefreshToken), errors.Is(err, auth.ErrNoRefreshToken):
		return Problem{Kind: KindNotRenewable, Header: "Cannot renew", Relogin: true, Message: ErrNoRefreshToken.Error(),
			Fix: "log in again before it expires: bcauth login, or bcauth login --with-token with the refresh token on the second line"}, true
	case errors.As(err, &ee):
		return Problem{Kind: KindUnknownID, Header: "Not this Basecamp ID",
			Message: fmt.Sprintf("%s belongs to %s, whom %q (--id or %s) does not name, so bcauth did not use it", auth.SettingToken, IDLabel(ee.Token), ee.Query, IDSetting),
			Fix:     "set " + auth.SettingToken + " to the token of the Basecamp ID you name, or drop --id and " + IDSetting + " to use the token as it is"}, true
	case errors.As(err, &mm):
		return describeIdentityError(mm), true
	case errors.As(err, &he):
		return describeHold(he, set), true
	case errors.Is(err, ErrEnvTokenMalformed):
		return Problem{Kind: KindInvalidConfig, Header: "Malformed token", Message: ErrEnvTokenMalformed.Error() + "; nothing was sent",
			Fix: "set " + auth.SettingToken + " to the access token alone (one line of visible ASCII, no quotes or line breaks), or unset it to use the stored login"}, true
	case errors.As(err, &le):
		return describeLaunchpad(le, set), true
	case errors.Is(err, ErrNotLoggedIn), errors.Is(err, store.ErrNoSession):
		return Problem{Kind: KindNotLoggedIn, Header: "Not logged in", Message: "not logged in", Fix: "run bcauth login", Relogin: true}, true
	case errors.Is(err, ErrOtherClient):
		return Problem{Kind: KindOtherClient, Header: "Not logged in", Relogin: true,
			Message: "the stored login was made with another Launchpad client or Launchpad URL, so its token is not used here",
			Fix:     "run bcauth login (or set the client settings back to the ones it was made with)"}, true
	}
	return Problem{}, false
}

// DeviceTimeoutError is a device login that was not approved within the
// login's --timeout, which ended before the code's own lifetime.
type DeviceTimeoutError struct{ After time.Duration }

func (e *DeviceTimeoutError) Error() string {
	return fmt.Sprintf("the code was not approved within %s", e.After.Round(time.Second))
}

// Is makes it an auth.ErrTimeout, as a Launchpad login's.
func (e *DeviceTimeoutError) Is(target error) bool { return target == auth.ErrTimeout }

// describeBrowser describes how a login in the browser failed.
func describeBrowser(err error) (Problem, bool) {
	var (
		te *auth.TimeoutError
		pe *auth.PortInUseError
		de *auth.DeniedError
		dt *DeviceTimeoutError
	)
	switch {
	case errors.As(err, &te):
		return Problem{Kind: KindTimeout, Header: "Login timed out", EditClient: true,
			Message: fmt.Sprintf("no answer from the browser after %s", te.After.Round(time.Second)),
			Fix: "Likely causes: the approval in the browser was not finished, or the redirect URI " + te.RedirectURI +
				" is not exactly the one registered for this client (Launchpad then shows \"redirect_uri is not approved\" and never calls back). Check " + auth.SettingRedirectURI + " or the client settings, and try again"}, true
	case errors.As(err, &pe):
		return Problem{Kind: KindPortInUse, Header: "Port in use",
			Message: "cannot listen for Launchpad's callback on " + pe.Addr + ": the port is in use",
			Fix:     "close the other program using it (another bcauth, or the Basecamp CLI), or register another redirect URI and set " + auth.SettingRedirectURI}, true
	case errors.As(err, &de):
		out := Problem{Kind: KindDenied, Header: "Access denied", Message: "access was denied in the browser", Fix: "try again, and choose Allow in the browser"}
		switch {
		case de.Description != "" && de.Code != "access_denied":
			out.Server = de.Code + ": " + de.Description
		case de.Description != "":
			out.Server = de.Description
		case de.Code != "access_denied":
			out.Server = de.Code
		}
		return out, true
	case errors.As(err, &dt):
		return Problem{Kind: KindTimeout, Header: "Login timed out",
			Message: fmt.Sprintf("the code was not approved within %s (--timeout)", dt.After.Round(time.Second)),
			Fix:     "start again for a new code, or give login a longer --timeout (at most 1h); the code itself may live longer, but bcauth stops asking for it then"}, true
	case errors.Is(err, auth.ErrDeviceExpired):
		return Problem{Kind: KindTimeout, Header: "Code expired",
			Message: "the code expired before the login was approved in the browser",
			Fix:     "start again for a new code, and enter it before the time shown runs out"}, true
	case errors.Is(err, auth.ErrBC5Dark):
		return Problem{Kind: KindUnreachable, Header: "BC5 not enabled yet",
			Message: "Basecamp's newer sign-in (BC5) is not enabled yet: it answered 503 Service Unavailable to a new login",
			Fix:     "try again later; meanwhile a Launchpad client logs in as before (unset " + auth.SettingBC5ClientID + " to use it)"}, true
	case errors.Is(err, auth.ErrStartReused):
		return Problem{Kind: KindError, Header: "Login link opened twice",
			Message: "the login link was opened by another program before your browser (or opened twice), so bcauth ended the login: nobody was logged in",
			Fix:     "start again, and open the new link only once; if you did not open it twice, another program on this machine is watching for it"}, true
	}
	return Problem{}, false
}

// describeFiles describes a state file or keyring bcauth cannot use.
func describeFiles(err error, set Settings) (Problem, bool) {
	var (
		ce *store.CorruptError
		ve *store.VersionError
		ue *store.UnsafeError
		ke *store.KeyringError
		ge *store.SecretGoneError
		de *store.SecretDamagedError
		ro *ReadOnlyRotationError
		rs *auth.RotationSaveError
	)
	switch {
	case errors.As(err, &rs):
		// Not "try again": the next try would present the spent refresh
		// token, which has the server revoke the login.
		return Problem{Kind: KindError, Header: "New token not saved", Relogin: true,
			Message: "the server replaced this login's refresh token, and bcauth could not save the new one (" + rs.Err.Error() + "), so the one stored is spent",
			Fix:     "fix what kept bcauth from writing " + set.Dir + ", then log in again: bcauth login"}, true
	case errors.As(err, &ro) && ro.Err != nil:
		return Problem{Kind: KindReadOnly, Header: "No room to save a new token",
			Message: "this login's access token needs renewing, and its server replaces the refresh token on every renewal, but there is no room in " + ro.Dir + " to save the new one (" + ro.Err.Error() + "), so bcauth did not ask (the login would be lost)",
			Fix:     "free some space (or raise the quota) where " + ro.Dir + " lives, and try again"}, true
	case errors.As(err, &ro):
		return Problem{Kind: KindReadOnly, Header: "State directory read-only",
			Message: "this login's access token needs renewing, and its server replaces the refresh token on every renewal, but " + ro.Dir + " cannot be written, so bcauth did not ask (the new refresh token could not be kept, and the login would be lost)",
			Fix:     "make " + ro.Dir + " writable, or run bcauth as the user who owns it, and try again"}, true
	case errors.As(err, &ge) && ge.Client:
		return Problem{Kind: KindNotConfigured, Header: "Client secret gone", EditClient: true,
			Message: fmt.Sprintf("the client secret was kept in %s as %q, and that entry is gone (removed outside bcauth)", ge.Backend, ge.Account),
			Fix:     "run bcauth setup to enter the client ID and secret again, or set " + auth.SettingClientSecret}, true
	case errors.As(err, &ge):
		return Problem{Kind: KindNotLoggedIn, Header: "Login gone from the keyring", Relogin: true,
			Message: fmt.Sprintf("this login's tokens were kept in %s as %q, and that entry is gone (removed outside bcauth)", ge.Backend, ge.Account),
			Fix:     "run bcauth login"}, true
	case errors.As(err, &ke):
		return Problem{Kind: KindKeyring, Header: "Keyring unavailable",
			Message: fmt.Sprintf("the secrets are to be kept in %s, as asked, and it cannot be used", ke.Backend),
			Detail:  ke.Err.Error() + "; nothing was written to a file instead",
			Fix:     keyringFix(set)}, true
	case errors.As(err, &ue):
		return Problem{Kind: KindUnsafeFile, Header: "Unsafe state", Message: ue.Path + " " + ue.Why + fmt.Sprintf(" (mode %s), so bcauth does not use it", ue.Mode), Fix: ue.Fix}, true
	case errors.As(err, &ve):
		return Problem{Kind: KindNewerFile, Header: "File from a newer bcauth",
			Message: fmt.Sprintf("%s was written by a newer bcauth (format version %d; this one reads up to %d); bcauth kept it as is", ve.Path, ve.Version, ve.Supported),
			Fix:     "upgrade bcauth, or move " + ve.Path + " away to start over"}, true
	case errors.As(err, &de):
		return Problem{Kind: KindCorruptState, Header: "Keyring entry damaged", Relogin: true,
			Message: fmt.Sprintf("this login's tokens are kept in %s as %q, and that entry holds no token bcauth wrote for it (%v); bcauth kept it as is, sent nothing and recorded nothing", de.Backend, de.Account, de.Err),
			Fix:     "restore the entry as it was (the login then works again), or replace the login: bcauth login"}, true
	case errors.As(err, &ce) && filepath.Base(ce.Path) == "holds.json":
		return Problem{Kind: KindCorruptState, Header: "Unreadable holds",
			Message: fmt.Sprintf("%s is unreadable or corrupt (%v), so bcauth cannot tell whether Launchpad asked it to stop, and sends no token request; it kept the file as is", ce.Path, ce.Err),
			Fix:     "correct the file, or move it away if you know Launchpad's block has passed; bcauth refresh --force-past-hold asks once anyway"}, true
	case errors.As(err, &ce) && filepath.Base(ce.Path) == "config.json":
		return Problem{Kind: KindCorruptConfig, Header: "Unreadable settings", EditClient: true,
			Message: fmt.Sprintf("%s is unreadable or corrupt (%v); bcauth kept it as is", ce.Path, ce.Err),
			Fix:     "run bcauth setup to enter the client settings again (the old file is moved aside, not deleted), or set " + auth.SettingClientID + " and " + auth.SettingClientSecret}, true
	case errors.As(err, &ce):
		return Problem{Kind: KindCorruptState, Header: "Unreadable state", Relogin: true,
			Message: fmt.Sprintf("%s is unreadable or corrupt (%v); bcauth kept it as is", ce.Path, ce.Err),
			Fix:     "run bcauth login (it moves the old file aside, not deleted, and starts a new one)"}, true
	}
	return Problem{}, false
}

// describeSettings describes client settings that are missing or wrong,
// and anything else.
func describeSettings(err error, set Settings) Problem {
	var se *auth.SettingError
	switch {
	case errors.As(err, &se):
		return Problem{Kind: KindInvalidConfig, Header: "Invalid setting", Message: se.Reason, Fix: settingFix(se.Setting, set), EditClient: true}
	case errors.Is(err, auth.ErrNotConfigured):
		// What was said beside it (BC5 there, or not offered) is the detail.
		detail := ""
		if rest, ok := strings.CutPrefix(err.Error(), auth.ErrNotConfigured.Error()); ok {
			detail = strings.Trim(rest, " :()")
		}
		return Problem{Kind: KindNotConfigured, Header: "Not set up", Message: "no Launchpad client is configured", Detail: detail, Fix: notConfiguredFix(set), EditClient: true}
	}
	return Problem{Kind: KindError, Header: "Something went wrong", Message: "something went wrong", Detail: err.Error(), Fix: "try again"}
}

// describeRefusedLogin is Describe for a login Launchpad refused for
// good: when, in Launchpad's words, and that bcauth will not try again.
func describeRefusedLogin(e *RefusedError) Problem {
	if e.Session.Server.IsBC5() {
		return describeRefusedBC5(e)
	}
	p := Problem{Kind: KindRejected, Header: "Login refused", Relogin: true, RefusedAt: e.Refusal.At,
		Message: fmt.Sprintf("Launchpad refused the login of %s for good at %s, so bcauth no longer sends its refresh token (Basecamp bans clients that retry)",
			IDLabel(e.Session.Identity), e.Refusal.At.UTC().Format(time.RFC3339)),
		Server: e.Refusal.Reason,
		Fix:    "run bcauth login (a password change at Basecamp ends every login)"}
	if e.Unrecorded != nil {
		p.Fix += "; bcauth could not record the refusal (" + e.Unrecorded.Error() + "), so fix that first or the next run asks Launchpad once more"
	}
	return p
}

// describeIDError is Describe for a Basecamp ID named by a person that
// matched none of the stored ones, or several: the choices are listed.
func describeIDError(e *IDError) Problem {
	if e.Ambiguous() {
		fix := "name one by its Launchpad id or whole email address"
		if bothServers(e.Matches) {
			fix = "they are the same person through both servers: name one as bc5:" + strconv.FormatInt(e.Matches[0].Identity.ID, 10) + " or launchpad:" + strconv.FormatInt(e.Matches[0].Identity.ID, 10)
		}
		return Problem{Kind: KindAmbiguousID, Header: "Which Basecamp ID?",
			Message: fmt.Sprintf("%q matches %d Basecamp IDs", e.Query, len(e.Matches)), Detail: ListIDs(e.Matches),
			Fix: fix}
	}
	p := Problem{Kind: KindUnknownID, Header: "No such Basecamp ID",
		Message: fmt.Sprintf("no Basecamp ID logged in here matches %q", e.Query),
		Fix:     "name one by its Launchpad id or email address (bcauth ids lists them), or log in with it: bcauth login"}
	if len(e.Choices) > 0 {
		p.Detail = "logged in: " + ListIDs(e.Choices)
	} else {
		p.Detail = "none is logged in here"
	}
	return p
}

// describeRefusedToken is Describe for Launchpad refusing a token that
// came from outside the store: it says where the token came from, and that
// bcauth cannot renew it.
func describeRefusedToken(e *TokenRefusedError, set Settings) Problem {
	out := Describe(e.Err, set)
	out.Kind, out.Header, out.Relogin = KindRejected, "Token refused", false
	out.Message = "Launchpad refused the access token from " + e.From
	if e.Refresh {
		out.Message = "Launchpad accepted the access token from " + e.From + " but refused the refresh token on the second line"
	}
	if e.From == FromEnv {
		out.Message += " (the environment; bcauth never refreshes or stores it)"
		out.Fix = "set " + auth.SettingToken + " to a valid access token, or unset it to use the stored login"
	} else {
		out.Message += "; nothing was stored"
		out.Fix = "give a current access token (and its refresh token on a second line), or log in with the browser: bcauth login"
	}
	return out
}

// describeLaunchpad is Describe for an answer from (or the way to)
// Launchpad: which step failed, in Launchpad's words, and what it means.
func describeLaunchpad(le *auth.LaunchpadError, set Settings) Problem {
	if le.Server != "" {
		return describeBC5(le)
	}
	out := Problem{Kind: KindLaunchpad, Header: "Launchpad error", Server: le.Text,
		Fix: "try again; if it keeps failing, log in again (bcauth login)"}
	switch le.Op {
	case auth.OpExchange:
		out.Message = "Launchpad did not accept the authorization code"
	case auth.OpRefresh:
		out.Message = "Launchpad did not refresh the stored login"
	default:
		out.Message = "Launchpad did not say who this login is"
	}
	if le.Status != 0 {
		out.Message += fmt.Sprintf(" (HTTP %d)", le.Status)
	}
	if le.Text == "" && le.Err != nil {
		out.Detail = le.Err.Error()
	}
	switch le.Kind {
	case auth.KindRelogin:
		out.Kind, out.Header, out.Relogin = KindRejected, "Login rejected", true
		out.Message = "Launchpad no longer accepts the stored login (a password change ends every login)"
		out.Fix = "run bcauth login"
	case auth.KindRetry:
		out.Kind = KindUnreachable
		if le.Status == 0 {
			out.Header, out.Message = "Cannot reach Launchpad", "could not reach Launchpad"
		}
		out.Message += ", which is probably temporary"
		out.Fix = "check the network (and " + auth.SettingLaunchpadURL + " if set), then try again"
	case auth.KindUnexpected:
		// Something answered, a success by its status, that was no token:
		// often a proxy's or captive portal's page, not the network's fault.
		out.Header = "Unexpected answer"
		out.Message = fmt.Sprintf("Launchpad answered (HTTP %d) with something bcauth does not understand", le.Status)
		switch le.Op {
		case auth.OpExchange:
			out.Message += " when asked to trade the authorization code"
		case auth.OpRefresh:
			out.Message += " when asked to refresh the stored login"
		default:
			out.Message += " when asked who this login is"
		}
		out.Detail = ""
		out.Fix = "check that " + auth.SettingLaunchpadURL + ", if set, is Launchpad (a proxy or captive portal may answer in its place), then try again; if it goes on, report what Launchpad said"
	case auth.KindConfig:
		// Launchpad refused the client itself: no login can work until the
		// settings are corrected.
		out.Kind, out.Header, out.EditClient = KindClientRejected, "Client rejected", true
		out.Message = "Launchpad refused the client settings (client ID, secret or redirect URI)"
		out.Fix = clientRejectedFix(set)
	}
	return out
}

// settingFix names where to correct a setting that failed validation.
func settingFix(env string, set Settings) string {
	for _, s := range set.settings() {
		if s.env != env {
			continue
		}
		switch s.src {
		case store.SourceFile:
			return fmt.Sprintf("correct %s in %s, or override it with %s", s.key, set.ConfigFile(), s.env)
		case store.SourceUnset:
			return fmt.Sprintf("set %s (or %s in %s)", s.env, s.key, set.ConfigFile())
		}
		return "correct " + s.env
	}
	return "check the client settings: " + auth.SettingClientID + ", " + auth.SettingClientSecret + ", " + auth.SettingRedirectURI + ", " + auth.SettingLaunchpadURL
}

// notConfiguredFix is bcauth setup, naming exactly the settings that are
// missing and the variables that would set them instead.
func notConfiguredFix(set Settings) string {
	var what, vars []string
	if set.Sources.ClientID == store.SourceUnset {
		what, vars = append(what, "client ID"), append(vars, auth.SettingClientID)
	}
	if set.Sources.ClientSecret == store.SourceUnset {
		what, vars = append(what, "client secret"), append(vars, auth.SettingClientSecret)
	}
	if len(what) != 1 {
		what, vars = []string{"client ID and secret"}, []string{auth.SettingClientID, auth.SettingClientSecret}
	}
	return fmt.Sprintf("run bcauth setup to enter the %s of the integration registered at %s (redirect URI %s), or set %s",
		what[0], set.IntegrationsURL(), set.RedirectURI(), strings.Join(vars, " and "))
}

// clientRejectedFix is bcauth setup when the client ID and secret come from
// config.json; the environment wins over what setup saves, so a variable
// that sets them is named instead.
func clientRejectedFix(set Settings) string {
	check := fmt.Sprintf("check the client ID, secret and redirect URI %s against the integration registered at %s", set.RedirectURI(), set.IntegrationsURL())
	var env []string
	if set.Sources.ClientID == store.SourceEnv {
		env = append(env, auth.SettingClientID)
	}
	if set.Sources.ClientSecret == store.SourceEnv {
		env = append(env, auth.SettingClientSecret)
	}
	if len(env) > 0 {
		return check + "; correct them in " + strings.Join(env, " and ") + ", which win over what bcauth setup saves"
	}
	return "run bcauth setup to enter the client ID and secret again (a mistyped secret is the usual cause); " + check
}

// keyringFix says how to reach the keyring again, or how to do without it.
func keyringFix(set Settings) string {
	off := "bcauth setup --keyring=false, or " + KeyringSetting + "=0 for one run"
	if set.KeyringSource == store.SourceEnv {
		off = "unset " + KeyringSetting + " (or set it to 0)"
	}
	return "unlock the keyring, or start it in this session (on Linux a Secret Service such as GNOME Keyring or KeePassXC, reached through DBUS_SESSION_BUS_ADDRESS; over SSH or in a container there is often none), then try again; " +
		"to keep the secrets in bcauth's files instead: " + off + " (moving them back needs the keyring once; without it, log in again)"
}

// KeyringSetting is the environment variable that turns the keyring on (1)
// or off (0) for one run; main reads it.
const KeyringSetting = "BCAUTH_KEYRING"

// bothServers reports whether sessions are logins of one person, some
// through BC5 and some through Launchpad, which only a server prefix tells
// apart.
func bothServers(sessions []store.Session) bool {
	bc5, lp := false, false
	for _, s := range sessions {
		if s.Identity.ID != sessions[0].Identity.ID {
			return false
		}
		bc5, lp = bc5 || s.Server.IsBC5(), lp || !s.Server.IsBC5()
	}
	return bc5 && lp
}
