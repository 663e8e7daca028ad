package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui"
)

// Problem kinds, as `bcauth status --json` reports them in problem.kind.
const (
	kindNotConfigured  = "not_configured"  // no client id or secret (exit 2)
	kindInvalidConfig  = "invalid_config"  // a client setting is malformed (exit 2)
	kindClientRejected = "client_rejected" // Launchpad refused the client id, secret or redirect URI (exit 2)
	kindCorruptConfig  = "corrupt_config"  // config.json unreadable, kept as is (exit 2)
	kindCorruptState   = "corrupt_state"   // state.json unreadable, kept as is (exit 2)
	kindNewerFile      = "newer_file"      // a file from a newer bcauth, kept as is (exit 2)
	kindNotLoggedIn    = "not_logged_in"   // no stored login (exit 1)
	kindOtherClient    = "other_client"    // the stored login belongs to another client or Launchpad (exit 1)
	kindRejected       = "rejected"        // Launchpad no longer accepts the login (exit 1)
	kindUnreachable    = "unreachable"     // Launchpad could not be reached; probably temporary (exit 1)
	kindLaunchpad      = "launchpad_error" // Launchpad answered something else unexpected (exit 1)
	kindError          = "error"           // anything else (exit 1)
)

// cliProblem is a failure as a script command reports it: what happened, and
// the exact thing to do about it. Message and Fix are raw; print cleans them.
type cliProblem struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	exit    int
}

// print writes the problem to w (stderr) for people.
func (p cliProblem) print(w io.Writer) {
	fmt.Fprintf(w, "bcauth: %s\n", ui.Clean(p.Message))
	if p.Fix != "" {
		fmt.Fprintf(w, "  to fix: %s\n", ui.Clean(p.Fix))
	}
}

// diagnose turns an error from the service into a problem with a fix.
func diagnose(svc *ui.Service, err error) cliProblem {
	var (
		ce *store.CorruptError
		ve *store.VersionError
		le *auth.LaunchpadError
	)
	switch {
	case errors.Is(err, auth.ErrNotConfigured):
		return cliProblem{Kind: kindNotConfigured, exit: exitMisconfigured,
			Message: "no Launchpad client is configured", Fix: notConfiguredFix(svc)}
	case errors.As(err, &ve):
		return cliProblem{Kind: kindNewerFile, exit: exitMisconfigured,
			Message: fmt.Sprintf("%s was written by a newer bcauth (format version %d; this one reads up to %d); bcauth kept it as is", ve.Path, ve.Version, ve.Supported),
			Fix:     "upgrade bcauth, or move " + ve.Path + " away to start over"}
	case errors.As(err, &ce) && filepath.Base(ce.Path) == "config.json":
		return cliProblem{Kind: kindCorruptConfig, exit: exitMisconfigured,
			Message: fmt.Sprintf("%s is unreadable or corrupt (%v); bcauth kept it as is", ce.Path, ce.Err),
			Fix:     "run bcauth setup to enter the client settings again (the old file is moved aside, not deleted), or set " + auth.SettingClientID + " and " + auth.SettingClientSecret}
	case errors.As(err, &ce):
		return cliProblem{Kind: kindCorruptState, exit: exitMisconfigured,
			Message: fmt.Sprintf("%s is unreadable or corrupt (%v); bcauth kept it as is", ce.Path, ce.Err),
			Fix:     "run bcauth login (it moves the old file aside, not deleted, and starts a new one)"}
	case errors.Is(err, ui.ErrNotLoggedIn), errors.Is(err, store.ErrNoSession):
		return cliProblem{Kind: kindNotLoggedIn, exit: exitFailed, Message: "not logged in", Fix: "run bcauth login"}
	case errors.Is(err, ui.ErrOtherClient):
		return cliProblem{Kind: kindOtherClient, exit: exitFailed,
			Message: "the stored login was made with another Launchpad client or Launchpad URL, so its token is not used here",
			Fix:     "run bcauth login (or set the client settings back to the ones it was made with)"}
	case auth.NeedsLogin(err):
		return cliProblem{Kind: kindRejected, exit: exitFailed,
			Message: "Launchpad no longer accepts the stored login (a password change ends every login): " + err.Error(),
			Fix:     "run bcauth login"}
	case auth.Temporary(err):
		return cliProblem{Kind: kindUnreachable, exit: exitFailed,
			Message: "could not reach Launchpad, which is probably temporary: " + err.Error(),
			Fix:     "check the network (and " + auth.SettingLaunchpadURL + " if set), then run the command again"}
	case errors.As(err, &le) && le.Kind == auth.KindConfig:
		return cliProblem{Kind: kindClientRejected, exit: exitMisconfigured,
			Message: "Launchpad refused the client settings: " + err.Error(),
			Fix:     clientRejectedFix(svc)}
	case errors.As(err, &le):
		return cliProblem{Kind: kindLaunchpad, exit: exitFailed,
			Message: err.Error(),
			Fix:     "run the command again; if it keeps failing, run bcauth login"}
	}
	return cliProblem{Kind: kindError, exit: exitFailed, Message: err.Error()}
}

// diagnoseConfig is diagnose for an error from Service.Client: anything it
// does not recognise is a client setting that failed validation.
func diagnoseConfig(svc *ui.Service, err error) cliProblem {
	p := diagnose(svc, err)
	if p.Kind == kindError {
		p = cliProblem{Kind: kindInvalidConfig, exit: exitMisconfigured, Message: err.Error(), Fix: settingFix(svc, err)}
	}
	return p
}

// clientSetting is one client setting: its environment variable, its key
// in config.json and where it came from.
type clientSetting struct {
	env, key string
	src      store.Source
}

func clientSettings(src store.Sources) []clientSetting {
	return []clientSetting{
		{auth.SettingClientID, "client_id", src.ClientID},
		{auth.SettingClientSecret, "client_secret", src.ClientSecret},
		{auth.SettingRedirectURI, "redirect_uri", src.RedirectURI},
		{auth.SettingLaunchpadURL, "launchpad_url", src.LaunchpadURL},
	}
}

// settingFix names where to correct the setting a validation error is about
// (auth's messages name its environment variable).
func settingFix(svc *ui.Service, err error) string {
	_, src, _ := svc.ClientConfig()
	for _, s := range clientSettings(src) {
		if !strings.Contains(err.Error(), s.env) {
			continue
		}
		if s.src == store.SourceFile {
			return fmt.Sprintf("correct %s in %s, or override it with %s", s.key, configPath(svc), s.env)
		}
		return "correct " + s.env
	}
	return "check the client settings: " + auth.SettingClientID + ", " + auth.SettingClientSecret + ", " + auth.SettingRedirectURI + ", " + auth.SettingLaunchpadURL
}

// integrationsURL is where a person registers, and reads back, a client.
const integrationsURL = "https://launchpad.37signals.com/integrations"

// notConfiguredFix is bcauth setup, naming exactly the settings that are
// missing and the variables that would set them instead.
func notConfiguredFix(svc *ui.Service) string {
	_, src, _ := svc.ClientConfig()
	var what, vars []string
	if src.ClientID == store.SourceUnset {
		what, vars = append(what, "client ID"), append(vars, auth.SettingClientID)
	}
	if src.ClientSecret == store.SourceUnset {
		what, vars = append(what, "client secret"), append(vars, auth.SettingClientSecret)
	}
	if len(what) != 1 {
		what, vars = []string{"client ID and secret"}, []string{auth.SettingClientID, auth.SettingClientSecret}
	}
	return fmt.Sprintf("run bcauth setup to enter the %s of the integration registered at %s (redirect URI %s), or set %s",
		what[0], integrationsURL, svc.RedirectURI(), strings.Join(vars, " and "))
}

// clientRejectedFix is bcauth setup when the client ID and secret come from
// config.json; the environment wins over what setup saves, so a variable
// that sets them is named instead.
func clientRejectedFix(svc *ui.Service) string {
	_, src, _ := svc.ClientConfig()
	check := fmt.Sprintf("check the client ID, secret and redirect URI %s against the integration registered at %s", svc.RedirectURI(), integrationsURL)
	var env []string
	if src.ClientID == store.SourceEnv {
		env = append(env, auth.SettingClientID)
	}
	if src.ClientSecret == store.SourceEnv {
		env = append(env, auth.SettingClientSecret)
	}
	if len(env) > 0 {
		return check + "; correct them in " + strings.Join(env, " and ") + ", which win over what bcauth setup saves"
	}
	return "run bcauth setup to enter the client ID and secret again (a mistyped secret is the usual cause); " + check
}

// configPath is where the client settings file lives.
func configPath(svc *ui.Service) string { return filepath.Join(svc.Store.Dir(), "config.json") }

// stateFilePath is the path an unreadable-file error names.
func stateFilePath(err error) string {
	var (
		ce *store.CorruptError
		ve *store.VersionError
	)
	switch {
	case errors.As(err, &ce):
		return ce.Path
	case errors.As(err, &ve):
		return ve.Path
	}
	return "the state file"
}
