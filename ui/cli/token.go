package cli

import (
	"context"
	"errors"

	"bcauth/auth"
	"bcauth/ui"
)

// Token prints the current access token and a newline on stdout, and
// nothing else, refreshing (and saving) it first when it is near its expiry.
// Any failure goes to stderr with exit 1 and an empty stdout.
func Token(ctx context.Context, svc *ui.Service, out Output) int {
	tok, err := svc.Token(ctx)
	var unsaved *auth.SaveError
	if errors.As(err, &unsaved) && tok != nil {
		// Launchpad issued a working token that could not be stored: use
		// it now, and say so where scripts do not read.
		out.warn("the refreshed token could not be saved (%v); the next run may have to refresh again or log in", unsaved.Err)
		err = nil
	}
	if err != nil {
		return out.fail(err, svc.Settings(), false)
	}
	if !isTokenText(tok.AccessToken) {
		// Never Clean a token: a changed token is worse than none.
		out.problem(ui.Problem{
			Message: "Launchpad's access token is empty or holds characters a token cannot have, so bcauth does not print it",
			Fix:     "run bcauth login",
		})
		return ExitFailed
	}
	return out.flush([]byte(tok.AccessToken + "\n"))
}

// isTokenText reports whether s is non-empty visible ASCII, as every OAuth
// bearer token is (RFC 6750's b64token is a subset).
func isTokenText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
