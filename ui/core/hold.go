package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bcauth/auth"
	"bcauth/store"
)

// Never knock on a closed door: a 429 or invalid_client from Launchpad's
// token endpoint puts that Launchpad and client on hold (store.Hold), so
// that no later run asks again before the hold lifts. A hold is checked
// before every code exchange and refresh, and nothing is sent while it
// stands; refresh --force-past-hold (Service.PastHold) asks once anyway.

// Backoff after a 429 that gives no Retry-After: the first wait, doubled
// at each 429 in a row, up to a day.
const (
	firstHoldBackoff = time.Minute
	maxHold          = 24 * time.Hour
)

// HoldError is a token request not sent because a hold stands.
type HoldError struct {
	Hold store.Hold
	Path string // holds.json, to name in the fix
}

func (e *HoldError) Error() string {
	if e.Hold.Reason == store.HoldClientRefused {
		return fmt.Sprintf("Launchpad refused these client settings at %s: no token request is sent until they change", e.Hold.Since.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("Launchpad asked bcauth to slow down (HTTP 429) at %s: no token request is sent until %s", e.Hold.Since.UTC().Format(time.RFC3339), e.Hold.Until.UTC().Format(time.RFC3339))
}

// holdGuard is the auth.TokenGuard of a Service's registered client.
type holdGuard struct {
	s   *Service
	key string
}

// guard is the token guard for a client of launchpadURL and clientID,
// or nil when there is no store to remember holds in.
func (s *Service) guard(launchpadURL, clientID string) *holdGuard {
	if s.Store == nil {
		return nil
	}
	return &holdGuard{s: s, key: store.HoldKey(launchpadURL, clientID)}
}

// standing is the hold of key that stands now for settings of
// fingerprint fp ("" when unknown: a refused client's hold stands).
func standing(h store.Hold, fp string, now time.Time) bool {
	switch h.Reason {
	case store.HoldRateLimited:
		return now.Before(h.Until)
	case store.HoldClientRefused:
		return fp == "" || h.Fingerprint == fp
	}
	return false
}

func (g *holdGuard) Before(_ context.Context, fp string) error {
	if g.s.PastHold {
		return nil
	}
	h, ok, err := g.s.Store.LoadHold(g.key)
	if err != nil {
		return err // unreadable: kept, reported, and no request sent blind
	}
	if ok && standing(h, fp, g.s.Now()) {
		return &HoldError{Hold: h, Path: g.s.Store.HoldsPath()}
	}
	return nil
}

func (g *holdGuard) After(_ context.Context, fp string, err error) {
	now := g.s.Now().UTC()
	limited, wait := auth.RateLimited(err)
	refused := auth.ClientRefused(err)
	if err == nil {
		if _, ok, lerr := g.s.Store.LoadHold(g.key); lerr != nil || !ok {
			return // nothing to lift, or a file that is kept as it is
		}
	} else if !limited && !refused {
		return // no "stop" from Launchpad: nothing to remember
	}
	// Best effort: a hold that cannot be written costs another knock.
	_ = g.s.Store.UpdateHolds(func(holds map[string]store.Hold) error {
		prev := holds[g.key]
		switch {
		case err == nil:
			delete(holds, g.key)
		case limited:
			h := store.Hold{Reason: store.HoldRateLimited, Since: now, Text: launchpadText(err), Strikes: 1}
			if prev.Reason == store.HoldRateLimited {
				h.Strikes = prev.Strikes + 1
			}
			if wait <= 0 {
				wait = firstHoldBackoff << min(h.Strikes-1, 20)
			}
			h.Until = now.Add(min(wait, maxHold))
			holds[g.key] = h
		default:
			holds[g.key] = store.Hold{Reason: store.HoldClientRefused, Since: now, Fingerprint: fp, Text: launchpadText(err)}
		}
		return nil
	})
}

// launchpadText is Launchpad's words in err, if any.
func launchpadText(err error) string {
	var le *auth.LaunchpadError
	if errors.As(err, &le) {
		return le.Text
	}
	return ""
}

// StandingHold is the hold on this client's token requests, if one
// stands now, for status and ids. A refused client's hold is said to
// stand unless the settings in effect are known to differ from the ones
// refused (a secret in the keyring is not read to tell).
func (s *Service) StandingHold() (*store.Hold, error) {
	if s.Store == nil || s.EnvToken != "" {
		return nil, nil
	}
	c, err := s.registeredClient()
	if err != nil {
		return nil, nil // no client, no token requests to hold
	}
	cfg := c.Config()
	h, ok, err := s.Store.LoadHold(store.HoldKey(cfg.LaunchpadURL, cfg.ClientID))
	if err != nil || !ok {
		return nil, err
	}
	fp := ""
	if cfg.ClientSecret != "" {
		fp = auth.Fingerprint(cfg.ClientID, cfg.ClientSecret, cfg.RedirectURI, cfg.LaunchpadURL)
	}
	if !standing(h, fp, s.Now()) {
		return nil, nil
	}
	return &h, nil
}

// HoldLine is a standing hold in words, for status and ids: what stands
// and until when.
func HoldLine(h store.Hold) string {
	if h.Reason == store.HoldClientRefused {
		return "on hold since " + h.Since.UTC().Format(time.RFC3339) + ", until the client settings change (Launchpad refused them): no token request is sent"
	}
	return "on hold until " + h.Until.UTC().Format(time.RFC3339) + " (Launchpad answered 429 Too Many Requests): no token request is sent before then"
}

// describeHold is Describe for a token request a hold kept from being
// sent: on_hold for a rate limit; for a refused client, client_rejected
// as when Launchpad said it.
func describeHold(e *HoldError, set Settings) Problem {
	h := e.Hold
	p := Problem{Kind: KindOnHold, Header: "On hold", Server: h.Text}
	force := "bcauth refresh --force-past-hold asks once anyway, for when you know the block is gone"
	if h.Reason == store.HoldClientRefused {
		// Still the client's fault, and said as the first refusal was
		// (exit 2), so a script sees one code for it on every run.
		p.Kind, p.Header, p.EditClient = KindClientRejected, "Client rejected", true
		p.Message = fmt.Sprintf("Launchpad refused these client settings (invalid_client) at %s, so bcauth sends no token request with them until they change (Basecamp blocks addresses that keep trying); nothing was sent",
			h.Since.UTC().Format(time.RFC3339))
		p.Fix = clientRejectedFix(set) + "; the hold lifts as soon as they change. " + force
		return p
	}
	p.Message = fmt.Sprintf("Launchpad answered 429 Too Many Requests to a token request at %s, so bcauth sends none until %s; nothing was sent",
		h.Since.UTC().Format(time.RFC3339), h.Until.UTC().Format(time.RFC3339))
	p.Fix = "wait until " + h.Until.UTC().Format(time.RFC3339) + " and try again; " + force + " (the hold is kept in " + e.Path + ")"
	return p
}
