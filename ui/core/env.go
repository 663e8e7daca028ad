package core

import (
	"fmt"
	"strings"

	"bcauth/auth"
	"bcauth/store"
)

// Env is the environment as main read it when bcauth started, before it
// took the secrets out of the process's own (so no program bcauth starts
// inherits one). Nothing below main calls os.Getenv: what a command may
// read is what it was handed here.
type Env []string

// Get is the value of the variable name, "" when unset; the last of
// several wins, as in exec.Cmd's Env (os.Environ has no duplicates).
func (e Env) Get(name string) string {
	for i := len(e) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

// Client is the client configuration the environment sets; it wins over
// config.json.
func (e Env) Client() store.ClientConfig {
	return store.ClientConfig{
		ClientID:     e.Get(auth.SettingClientID),
		ClientSecret: e.Get(auth.SettingClientSecret),
		RedirectURI:  e.Get(auth.SettingRedirectURI),
		LaunchpadURL: e.Get(auth.SettingLaunchpadURL),
		BC5ClientID:  e.Get(auth.SettingBC5ClientID),
		BaseURL:      e.Get(auth.SettingResource),
		Issuer:       e.Get(auth.SettingIssuer),
	}
}

// KeyringMode is BCAUTH_KEYRING: 1 keeps the secrets in the OS keyring for
// this run, 0 in bcauth's files, unset as config.json says.
func (e Env) KeyringMode() (store.KeyringMode, error) {
	v := e.Get(KeyringSetting)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return store.KeyringAsConfigured, nil
	case "1", "true", "yes", "on":
		return store.KeyringOn, nil
	case "0", "false", "no", "off":
		return store.KeyringOff, nil
	}
	return 0, fmt.Errorf("%s is %q: set it to 1 to keep the secrets in the OS keyring, 0 to keep them in bcauth's files, or unset it to follow config.json", KeyringSetting, v)
}

// DemoSetting is set by the export line bcauth demo --serve prints: the
// demo's directory, gone once the demo stopped, which is then said rather
// than "not logged in".
const DemoSetting = "BCAUTH_DEMO_DIR"

// IDSetting picks a stored Basecamp ID as --id does; the flag wins.
const IDSetting = "BCAUTH_ID"
