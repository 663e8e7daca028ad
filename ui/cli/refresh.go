package cli

import (
	"context"
	"errors"
	"fmt"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// refreshOptions are refresh's flags.
type refreshOptions struct {
	JSON bool
	ID   string
	// PastHold sends the refresh even while a hold stands.
	PastHold bool
}

func newRefreshCmd(f *Factory, runF func(*refreshOptions) error) *cobra.Command {
	o := &refreshOptions{}
	cmd := &cobra.Command{
		Use:   "refresh [--json] [--id ID|EMAIL]",
		Short: "Refresh the access token now, even if it is fresh",
		Long: `Ask Launchpad for a new access token now, however fresh the stored one is: to check that the refresh token still works, or after rotating the client secret. Prints whose token and its new expiry, never the token; a refused refresh is reported, not retried.

After Launchpad answered 429 or invalid_client, token requests are on hold (bcauth status shows until when); --force-past-hold asks once anyway, for when you know the block is gone.

Exit 0 refreshed; 4 a person must log in (not logged in, refused, no refresh token, another person's token); 1 unreachable, on hold or BASECAMP_TOKEN set; 2 misconfigured.`,
		Example: "bcauth refresh\nbcauth refresh --id ben@example.com --json",
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON: identity and expires_at")
	cmd.Flags().BoolVar(&o.PastHold, "force-past-hold", false, "ask Launchpad even while token requests are on hold (after a 429 or invalid_client)")
	f.idFlag(cmd, &o.ID)
	cmd.RunE = runOnService(f, o, &o.ID, runF, func(ctx context.Context, svc *core.Service, out Output) int {
		svc.PastHold = o.PastHold
		return Refresh(ctx, svc, out, o.JSON)
	})
	return cmd
}

// Refresh renews the access token of the current (or chosen) Basecamp ID
// now, however fresh it is: to check that the refresh token still works,
// or after the client secret was rotated. It prints who and the new expiry
// ("Refreshed the token of Annie Bryan (annie@example.com): valid until
// Fri 11 Dec 09:44 (2026-12-11T09:44:08Z)."), never the token. With asJSON, one
// object: {"identity": {...}, "expires_at": "…"}.
//
// Launchpad bans clients that retry refused refresh tokens, so a refusal
// is reported, not retried. Exit 0 refreshed; 4 not logged in, refused,
// a login without a refresh token or another person's token; 1
// unreachable, a hold that stands, or BASECAMP_TOKEN set (never
// refreshed); 2 misconfigured, as status.
func Refresh(ctx context.Context, svc *core.Service, out Output, asJSON bool) int {
	sess, err := svc.Refresh(ctx)
	var unsaved *auth.SaveError
	if errors.As(err, &unsaved) && sess != nil {
		out.warn("the new token could not be saved (%v); it is lost when this command ends, and the next run may have to log in", unsaved.Err)
		err = nil
	}
	if err != nil {
		return out.fail(err, svc.Settings(), true)
	}
	if asJSON {
		return out.flushJSON(refreshJSON{Identity: identityOf(sess.Identity), ExpiresAt: timeJSON(sess.Token.Expiry)})
	}
	exp := "no expiry given"
	if t := timeJSON(sess.Token.Expiry); t != nil {
		exp = core.Expiry(sess.Token.Expiry, svc.Now()) + " (" + *t + ")"
	}
	return out.flush(fmt.Appendf(nil, "Refreshed the token of %s: %s.\n", core.Who(sess.Identity), exp))
}

// refreshJSON is `bcauth refresh --json`; see Refresh.
type refreshJSON struct {
	Identity  identityJSON `json:"identity"`
	ExpiresAt *string      `json:"expires_at"`
}
