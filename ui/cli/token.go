package cli

import (
	"context"
	"errors"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// tokenOptions are token's flags.
type tokenOptions struct {
	JSON bool
	ID   string
}

func newTokenCmd(f *Factory, runF func(*tokenOptions) error) *cobra.Command {
	o := &tokenOptions{}
	cmd := &cobra.Command{
		Use:   "token [--json] [--id ID|EMAIL]",
		Short: "The access token, refreshed first if needed",
		Long: `Print the current access token and nothing else, refreshed first if needed (BASECAMP_TOKEN, when set, as it is).

With --json: {"access_token", "expires_at", "identity": {…}, "server": {…}, "source": "stored" or "environment"}, where server is the one the login came from, as in status --json (null for BASECAMP_TOKEN's).`,
		Example: `curl -H "Authorization: Bearer $(bcauth token)" \
  -H "User-Agent: me (me@example.com)" \
  https://3.basecampapi.com/ID/projects.json
bcauth token --json --id ben@example.com | jq -r .expires_at`,
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON with the expiry and whose token it is")
	f.idFlag(cmd, &o.ID)
	cmd.RunE = runOnService(f, o, &o.ID, runF, func(ctx context.Context, svc *core.Service, out Output) int {
		return Token(ctx, svc, out, o.JSON)
	})
	return cmd
}

// Token prints the access token in use and a newline on stdout, and
// nothing else, refreshing (and saving) a stored one first when it is near
// its expiry. BASECAMP_TOKEN, when set, is printed as it is, never
// refreshed; with asJSON it is first checked with Launchpad, which alone
// knows whose it is. Any failure goes to stderr, with an empty stdout and
// the problem's exit code (4 log in again, 1 may pass, 2 misconfigured).
//
// With asJSON, one object:
//
//	{"access_token": "BAhb…", "expires_at": "2026-12-11T09:44:08Z",
//	 "identity": {"id": 9999999, "name": "Annie Bryan", "first_name": "Annie",
//	              "last_name": "Bryan", "email_address": "annie@example.com"},
//	 "source": "stored"}
//
// source is "stored" or "environment"; expires_at may be null.
func Token(ctx context.Context, svc *core.Service, out Output, asJSON bool) int {
	info, err := svc.TokenInfo(ctx)
	var unsaved *auth.SaveError
	if errors.As(err, &unsaved) && info != nil {
		// Launchpad issued a working token that could not be stored: use
		// it now, and say so where scripts do not read.
		out.warn("the refreshed token could not be saved (%v); the next run may have to refresh again or log in", unsaved.Err)
		err = nil
	}
	if err != nil {
		return out.fail(err, svc.Settings(), false)
	}
	tok := info.Token
	if !core.IsTokenText(tok.AccessToken) {
		// Never Clean a token: a changed token is worse than none.
		out.problem(core.Problem{
			Message: "Launchpad's access token is empty or holds characters a token cannot have, so bcauth does not print it",
			Fix:     "run bcauth login",
		})
		return ExitFailed
	}
	if !asJSON {
		return out.flush([]byte(tok.AccessToken + "\n"))
	}
	doc := tokenOutJSON{AccessToken: tok.AccessToken, ExpiresAt: timeJSON(tok.Expiry), Identity: identityOf(info.Session.Identity), Source: sourceStored}
	if info.FromEnv {
		doc.Source = sourceEnvironment
	} else {
		doc.Server = serverOf(info.Session)
	}
	return out.flushJSON(doc)
}

// tokenOutJSON is `bcauth token --json`; see Token.
type tokenOutJSON struct {
	AccessToken string       `json:"access_token"`
	ExpiresAt   *string      `json:"expires_at"`
	Identity    identityJSON `json:"identity"`
	Server      *serverJSON  `json:"server"`
	Source      string       `json:"source"`
}
