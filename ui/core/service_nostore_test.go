package core_test

import (
	"errors"
	"testing"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

// TestServiceWithoutAStore: BASECAMP_TOKEN on a machine with no state
// directory: the settings come from the environment alone, nothing is
// read from or written to a disk that is not there.
func TestServiceWithoutAStore(t *testing.T) {
	env := store.ClientConfig{ClientID: "id", LaunchpadURL: "http://127.0.0.1:9"}
	svc := &core.Service{Env: env, EnvToken: "BAhbtok"}
	set := svc.Settings()
	if set.Client != env || set.Sources.ClientID != store.SourceEnv || set.Sources.ClientSecret != store.SourceUnset || set.FileErr != nil || set.Dir != "" || set.Keyring {
		t.Errorf("Settings = %+v", set)
	}
	c, src, err := svc.ClientConfig()
	if c != env || src.LaunchpadURL != store.SourceEnv || err != nil {
		t.Errorf("ClientConfig = %+v, %+v, %v", c, src, err)
	}
	client, err := svc.Client()
	if err != nil || client.Config().ClientID != "id" || client.Config().LaunchpadURL != "http://127.0.0.1:9" {
		t.Fatalf("Client = %+v, %v; want the environment's Launchpad, no registration needed", client, err)
	}
	sess, err := svc.Login(client)
	if err != nil || sess.Token.AccessToken != "BAhbtok" || sess.LaunchpadURL != "http://127.0.0.1:9" || sess.ClientID != "id" || !svc.FromEnv(sess) {
		t.Errorf("Login = %+v, %v", sess, err)
	}
	if got := svc.Cached(sess); got != sess {
		t.Errorf("Cached without a store made %+v", got)
	}
	if ids, err := svc.IDs(); ids != nil || err != nil {
		t.Errorf("IDs = %v, %v", ids, err)
	}
	if err := svc.PlaceSecrets(); err != nil {
		t.Errorf("PlaceSecrets: %v", err)
	}
	// Without the token, and no client: not configured.
	if _, err := (&core.Service{}).Client(); !errors.Is(err, auth.ErrNotConfigured) {
		t.Errorf("Client with nothing set: %v", err)
	}
}
