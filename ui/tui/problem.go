package tui

import (
	"errors"
	"fmt"
	"strings"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui"
)

// problem is an error as a person reads it: what happened in one sentence,
// the server's own words when there are any, and what to do.
type problem struct {
	Header string // a few words for the screen's title
	Title  string
	Server string // Launchpad's text, cleaned
	Detail string
	Advice string
	// Relogin says the fix is a new login, so the error screen offers it.
	Relogin bool
	// EditClient says the client settings are at fault, so the error
	// screen offers to correct them.
	EditClient bool
}

// describe turns any error bcauth meets into a problem. No stack traces, no
// Go type names: every field is cleaned for the terminal.
func describe(err error) problem {
	var (
		le  *auth.LaunchpadError
		te  *auth.TimeoutError
		pe  *auth.PortInUseError
		de  *auth.DeniedError
		ce  *store.CorruptError
		ve  *store.VersionError
		out problem
	)
	switch {
	case errors.As(err, &te):
		out = problem{
			Header: "Login timed out",
			Title:  fmt.Sprintf("No answer from the browser after %s.", te.After.Round(1e9)),
			Advice: "Likely causes: the approval in the browser was not finished, or the redirect URI " + te.RedirectURI +
				" is not exactly the one registered for this client (Launchpad then shows \"redirect_uri is not approved\" and never calls back). Check " + auth.SettingRedirectURI + " or the client settings, and try again.",
			EditClient: true,
		}
	case errors.As(err, &pe):
		out = problem{
			Header: "Port in use",
			Title:  "Cannot listen for Launchpad's callback on " + pe.Addr + ": the port is in use.",
			Advice: "Close the other program using it (another bcauth, or the Basecamp CLI), or register another redirect URI and set " + auth.SettingRedirectURI + ".",
		}
	case errors.As(err, &de):
		out = problem{Header: "Access denied", Title: "Access was denied in the browser.", Advice: "Try again and choose Allow on Launchpad's page."}
		switch {
		case de.Description != "" && de.Code != "access_denied":
			out.Server = de.Code + ": " + de.Description
		case de.Description != "":
			out.Server = de.Description
		case de.Code != "access_denied":
			out.Server = de.Code
		}
	case errors.As(err, &le):
		out = problem{Header: "Launchpad error", Server: le.Text, Advice: le.Advice(), Relogin: le.Kind == auth.KindRelogin}
		switch le.Op {
		case auth.OpExchange:
			out.Title = "Launchpad did not accept the authorization code."
		case auth.OpRefresh:
			out.Title = "Launchpad did not refresh the stored login."
		default:
			out.Title = "Launchpad did not say who this login is."
		}
		if le.Status != 0 {
			out.Title = strings.TrimSuffix(out.Title, ".") + fmt.Sprintf(" (HTTP %d).", le.Status)
		}
		if le.Text == "" && le.Err != nil {
			out.Detail = le.Err.Error()
		}
		switch {
		case le.Kind == auth.KindConfig:
			// Launchpad refused the client itself: no login can work until
			// the settings are corrected.
			out.Header = "Client rejected"
			out.Title = "Launchpad rejected this client ID, secret or redirect URI."
			out.Advice = "Compare them with the integration at https://launchpad.37signals.com/integrations (the redirect URI must match byte for byte)."
			out.EditClient = true
		case le.Status == 0 && le.Kind == auth.KindRetry:
			out.Header = "Cannot reach Launchpad"
			out.Title = "Could not reach Launchpad."
		}
		if out.Advice == "" {
			out.Advice = "Try again; if it keeps failing, log in again."
		}
	case errors.As(err, &ve):
		out = problem{Title: "bcauth's state file comes from a newer bcauth.", Detail: err.Error(), Advice: "Upgrade bcauth, or move the file away to start over."}
	case errors.As(err, &ce):
		out = problem{Title: "bcauth's state file is unreadable.", Detail: err.Error(), Advice: "Log in again: the old file is kept beside the new one.", Relogin: true}
	case errors.Is(err, auth.ErrNotConfigured):
		out = problem{Title: "No Launchpad client is configured.", Advice: err.Error()}
	case errors.Is(err, ui.ErrOtherClient), errors.Is(err, ui.ErrNotLoggedIn):
		out = problem{Title: "Not logged in.", Detail: err.Error(), Relogin: true}
	default:
		out = problem{Title: "Something went wrong.", Detail: err.Error(), Advice: "Try again."}
	}
	out.Title, out.Server, out.Detail, out.Advice = ui.Clean(out.Title), ui.Clean(out.Server), ui.Clean(out.Detail), ui.Clean(out.Advice)
	return out
}
