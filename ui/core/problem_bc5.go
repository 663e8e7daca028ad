package core

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"bcauth/auth"
)

// A BC5 login's failures in its own server's name: the issuer's URL, its
// own settings in the fixes, never Launchpad's.

// ReuseDetected reports whether a server's refusal says it saw a replaced
// refresh token come back (BC5's "token reuse detected"), for which it
// revokes the whole login.
func ReuseDetected(reason string) bool {
	return strings.Contains(strings.ToLower(reason), "reuse detected")
}

// describeRefusedBC5 is describeRefusedLogin for a BC5 login: the issuer
// refused it for good, and when it revoked it because a replaced refresh
// token came back, what that means and how it happens.
func describeRefusedBC5(e *RefusedError) Problem {
	srv, who := e.Session.Server.Name(), IDLabel(e.Session.Identity)
	at := e.Refusal.At.UTC().Format(time.RFC3339)
	p := Problem{Kind: KindRejected, Header: "Login refused", Relogin: true, RefusedAt: e.Refusal.At,
		Message: fmt.Sprintf("%s refused the login of %s for good at %s, so bcauth no longer sends its refresh token", srv, who, at),
		Server:  e.Refusal.Reason,
		Fix:     "run bcauth login"}
	if ReuseDetected(e.Refusal.Reason) {
		p.Header = "Login revoked"
		p.Message = fmt.Sprintf("%s ended the login of %s at %s: the refresh token bcauth sent had already been replaced by an earlier refresh, so the server took it for a stolen one and revoked the login with every token of it; bcauth no longer sends that refresh token", srv, who, at)
		p.Fix = "log in again: bcauth login. This happens when a refresh's answer is lost before bcauth has saved it (a bcauth killed or cut off in the middle of a refresh), or when a copy of this login's tokens is used elsewhere (another machine, a restored backup of state.json)"
	}
	if e.Unrecorded != nil {
		p.Fix += "; bcauth could not record the refusal (" + e.Unrecorded.Error() + "), so fix that first or the next run asks " + srv + " once more"
	}
	return p
}

// describeBC5 is describeLaunchpad for a BC5 issuer's answer.
func describeBC5(le *auth.LaunchpadError) Problem {
	name := le.Server
	out := Problem{Kind: KindLaunchpad, Header: "Authorization server error", Server: le.Text,
		Fix: "try again; if it keeps failing, log in again (bcauth login)"}
	switch le.Op {
	case auth.OpRefresh:
		out.Message = name + " did not refresh the stored login"
	case auth.OpDevice:
		out.Message = name + " did not start the device login"
	case auth.OpPoll:
		out.Message = name + " did not finish the device login"
	case auth.OpRevoke:
		out.Message = name + " did not revoke the refresh token"
	default:
		out.Message = name + " did not say who this login is"
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
		out.Message = name + " no longer accepts the stored login"
		out.Fix = "run bcauth login"
	case auth.KindRetry:
		out.Kind = KindUnreachable
		if le.Status == 0 {
			out.Header, out.Message = "Cannot reach the authorization server", "could not reach "+name
		}
		out.Message += ", which is probably temporary"
		out.Fix = "check the network, then try again"
	case auth.KindUnexpected:
		out.Header = "Unexpected answer"
		out.Message = fmt.Sprintf("%s answered (HTTP %d) with something bcauth does not understand", name, le.Status)
		out.Detail = ""
		out.Fix = "check that " + auth.SettingResource + ", if set, is Basecamp's API host (a proxy or captive portal may answer in its place), then try again; if it goes on, report what the server said"
	case auth.KindConfig:
		out.Kind, out.Header, out.EditClient = KindClientRejected, "Client rejected", true
		out.Message = name + " refused the BC5 client ID"
		out.Fix = "check " + auth.SettingBC5ClientID + ": it must be a client registered with " + name
	}
	return out
}

// describeDiscovery is Describe for discovery failing where it must not
// fall back to Launchpad (bc5.md's hard errors): the API host advertised
// something unusable, several servers, or not the one pinned. Nothing was
// sent to Launchpad, and no login can start until the setting named is
// right (or Basecamp's server is), so it is a misconfiguration.
func describeDiscovery(err error) (Problem, bool) {
	var de *auth.DiscoveryError
	if !errors.As(err, &de) {
		return Problem{}, false
	}
	p := Problem{Kind: KindInvalidConfig, Header: "No usable authorization server",
		Message: de.Error() + "; nothing was sent to Launchpad",
		Fix:     "check " + de.Setting}
	switch de.Setting {
	case auth.SettingIssuer:
		p.Fix = "set " + auth.SettingIssuer + " to one of the authorization servers the API host advertises, or unset it to let the API host decide"
	case auth.SettingResource:
		p.Fix = "check " + auth.SettingResource + ": it must be Basecamp's API host (" + auth.DefaultResource + "); if it is, its authorization server is not usable now, so try again later"
	}
	return p, true
}
