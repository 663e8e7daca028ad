package main

import (
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/ui/core"
)

// A hard discovery error at login (bc5.md: once BC5 is chosen, or when
// the API host's answer cannot be chosen from, nothing falls back): bcauth
// login on a terminal, with a Launchpad client configured beside the BC5
// one, shows the error naming the setting to fix, sends nothing to
// Launchpad, and exits non-zero. (The problem is a misconfiguration,
// exit 2, as every script command reports it; the app ends every error
// screen with 1.)
func TestBC5AHardDiscoveryErrorAtLoginAsksLaunchpadNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bcauth login on a pseudo-terminal: not with -short")
	}
	for _, tc := range []struct {
		name    string
		setUp   func(w *bc5World)
		setting string
	}{
		{"two issuers advertised", func(w *bc5World) {
			w.bc5.AdvertiseIssuers([]string{w.bc5.Issuer, "http://127.0.0.1:1"})
		}, auth.SettingIssuer},
		{"the chosen issuer's metadata fails", func(w *bc5World) {
			w.bc5.InjectFault(launchpadtest.BC5IssuerMetadata, launchpadtest.Fault{Status: http.StatusInternalServerError, Body: "oops"})
		}, auth.SettingResource},
		{"a pinned issuer not advertised", func(w *bc5World) {
			w.svc.Env.Issuer = "http://127.0.0.1:1"
		}, auth.SettingIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newBC5World(t, launchpadtest.BC5Options{})
			w.withLaunchpadClient(t)
			tc.setUp(w)
			if w.svc.Env.Issuer != "" {
				t.Setenv(auth.SettingIssuer, w.svc.Env.Issuer)
			}
			// What the Service says, which the app shows.
			_, err := w.svc.Discover(t.Context())
			var de *auth.DiscoveryError
			if !errors.As(err, &de) || de.Setting != tc.setting {
				t.Fatalf("discovery: %v, want a hard error naming %s", err, tc.setting)
			}
			if p := core.Describe(err, w.svc.Settings()); p.Exit != core.ExitMisconfigured || p.Kind != core.KindInvalidConfig || !strings.Contains(p.Fix, tc.setting) {
				t.Errorf("described as %+v: want a misconfiguration (exit 2) whose fix names %s", p, tc.setting)
			}

			term := openTerminal(t)
			cmd := bcauthProcess(t, "login", "--no-browser")
			cmd.Stdin, cmd.Stdout = term.term, term.term
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			term.waitFor(t, tc.setting)
			if _, err := term.master.WriteString("q"); err != nil {
				t.Fatal(err)
			}
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("login still running 30s after q:\n%s", term.all())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Errorf("login: %v, want a failure", err)
			} else {
				t.Logf("login exited %d: %s", exit.ExitCode(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.setting) || !strings.Contains(stderr.String(), "nothing was sent to Launchpad") {
				t.Errorf("login's last words do not name %s:\n%s", tc.setting, stderr.String())
			}
			for _, e := range []launchpadtest.Endpoint{launchpadtest.EndpointToken, launchpadtest.EndpointConsent, launchpadtest.EndpointAuthorization} {
				if n := w.fake.Requests(e); n != 0 {
					t.Errorf("%d requests to Launchpad's %s after a hard discovery error", n, e)
				}
			}
			if n := w.bc5.Requests(launchpadtest.BC5Device); n != 0 {
				t.Errorf("%d device login requests after a hard discovery error", n)
			}
		})
	}
}
