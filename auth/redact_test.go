package auth_test

import (
	"strings"
	"testing"

	"bcauth/auth"
)

// TestSettingErrorsRedactURLs: a URL in the settings may carry a password
// or a token; the errors that quote it never repeat them.
// The URLs are only parsed and quoted: none is dialled.
func TestSettingErrorsRedactURLs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       auth.Config
		setting   string
		mustQuote string
	}{
		{"launchpad with a password", auth.Config{LaunchpadURL: "https://me:hunter2@launchpad.example"}, auth.SettingLaunchpadURL, "https://REDACTED@launchpad.example"},
		{"launchpad with a query", auth.Config{LaunchpadURL: "https://launchpad.example?token=hunter2"}, auth.SettingLaunchpadURL, "https://launchpad.example?REDACTED"},
		{"launchpad over http with a password", auth.Config{LaunchpadURL: "http://me:hunter2@launchpad.example"}, auth.SettingLaunchpadURL, "http://REDACTED@launchpad.example"},
		{"launchpad that is no URL", auth.Config{LaunchpadURL: "::hunter2@x"}, auth.SettingLaunchpadURL, "REDACTED@x"},
		{"redirect with a password", auth.Config{RedirectURI: "http://me:hunter2@127.0.0.1:8976/callback"}, auth.SettingRedirectURI, "http://REDACTED@127.0.0.1:8976/callback"},
		{"redirect with a query", auth.Config{RedirectURI: "http://127.0.0.1:8976/callback?hunter2"}, auth.SettingRedirectURI, "http://127.0.0.1:8976/callback?REDACTED"},
		{"redirect elsewhere with a fragment", auth.Config{RedirectURI: "http://example.com:80/cb#hunter2"}, auth.SettingRedirectURI, "http://example.com:80/cb#REDACTED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.ClientID, tc.cfg.ClientSecret = "id", "secret"
			err := tc.cfg.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			msg := err.Error()
			if strings.Contains(msg, "hunter2") {
				t.Errorf("the error repeats the secret: %s", msg)
			}
			if !strings.Contains(msg, tc.mustQuote) || !strings.Contains(msg, tc.setting) {
				t.Errorf("the error %q does not quote %q and name %s", msg, tc.mustQuote, tc.setting)
			}
		})
	}
}
