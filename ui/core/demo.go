package core

import (
	"fmt"
	"os"
	"path/filepath"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// Demo credentials for the fake's product APIs: they open nothing else.
const (
	DemoPassword = "demo-password"
	DemoAPIToken = "demo-api-token"
)

// Demo is the fake Launchpad that `bcauth demo` runs against, on a random
// loopback port, with its state in a temporary directory: never the
// person's real config.
type Demo struct {
	Fake *launchpadtest.Server
	// BC5 is the fake's BC5 issuer, when the demo shows the device-code
	// login (demo --bc5); nil otherwise.
	BC5 *launchpadtest.BC5
	// Dir is the temporary directory: config and cache below it.
	Dir string
	// Client reaches the fake, in place of the environment's settings.
	Client store.ClientConfig
	// User logs in to the fake's product APIs with DemoPassword.
	User string
}

// StartDemo starts the fake Launchpad and makes the demo's directory.
func StartDemo() (*Demo, error) {
	fake, err := launchpadtest.StartDemo()
	if err != nil {
		return nil, fmt.Errorf("bcauth demo: %w", err)
	}
	return demoOn(fake)
}

// demoOn makes the demo's directory and settings for a fake that runs.
func demoOn(fake *launchpadtest.Server) (*Demo, error) {
	dir, err := os.MkdirTemp("", "bcauth-demo-")
	if err != nil {
		fake.Close()
		return nil, fmt.Errorf("bcauth demo: %w", err)
	}
	user := launchpadtest.DemoIdentity().EmailAddress
	fake.AllowBasic(user, DemoPassword)
	fake.AllowBasic(DemoAPIToken, "X")
	fo := fake.Options()
	return &Demo{
		Fake: fake, Dir: dir, User: user,
		Client: store.ClientConfig{ClientID: fo.ClientID, ClientSecret: fo.ClientSecret, RedirectURI: fo.RedirectURI, LaunchpadURL: fake.URL},
	}, nil
}

// StartDemoBC5 is StartDemo with the fake serving BC5 beside Launchpad:
// its API origin advertises the fake issuer, and a BC5 client is
// configured, so a login there is the device-code flow.
func StartDemoBC5() (*Demo, error) {
	fake, bc5, err := launchpadtest.StartDemoBC5()
	if err != nil {
		return nil, fmt.Errorf("bcauth demo: %w", err)
	}
	d, err := demoOn(fake)
	if err != nil {
		return nil, err // demoOn closed the fake, and its issuer with it
	}
	d.BC5 = bc5
	d.Client.BC5ClientID = launchpadtest.BC5ClientID
	d.Client.BaseURL = d.Fake.URL
	return d, nil
}

// ConfigDir and CacheDir are where a shell pointed at the demo keeps its
// state.
func (d *Demo) ConfigDir() string { return filepath.Join(d.Dir, "config") }
func (d *Demo) CacheDir() string  { return filepath.Join(d.Dir, "cache") }

// Env is the environment of a run against the demo: its client settings,
// and nothing else (no BASECAMP_TOKEN: the demo is its own).
func (d *Demo) Env() Env {
	env := Env{
		auth.SettingClientID + "=" + d.Client.ClientID,
		auth.SettingClientSecret + "=" + d.Client.ClientSecret,
		auth.SettingRedirectURI + "=" + d.Client.RedirectURI,
		auth.SettingLaunchpadURL + "=" + d.Client.LaunchpadURL,
	}
	if d.BC5 != nil {
		env = append(env,
			auth.SettingBC5ClientID+"="+d.Client.BC5ClientID,
			auth.SettingResource+"="+d.Client.BaseURL)
	}
	return env
}

// Close stops the fake and removes the demo's state.
func (d *Demo) Close() {
	if d.BC5 != nil {
		d.BC5.Close()
	}
	d.Fake.Close()
	os.RemoveAll(d.Dir)
}
