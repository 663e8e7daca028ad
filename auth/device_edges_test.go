package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"bcauth/auth"
)

// The device login at the edges of its timing and of the answers it
// reads: each test here stands against a wrong program mutation testing
// found the other tests let through.

// TestPollDeviceZeroIntervalIsTheDefault: a DeviceCode whose Interval was
// cleared (a caller's copy) polls every 5 s, never in a busy loop.
func TestPollDeviceZeroIntervalIsTheDefault(t *testing.T) {
	d := startDeviceRun(t, deviceAnswer, pending, granted)
	dc := *d.dc
	dc.Interval = 0
	if _, err := d.c.PollDevice(context.Background(), &dc); err != nil {
		t.Fatal(err)
	}
	if got, want := d.pauses.got(), seconds(5, 5); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
}

// TestPollDeviceLastWaitIsTheCodesEnd: when the next poll would fall at
// the code's end, the last wait is what is left of the code and nothing is
// posted after it, even if the wait ends a hair before the client's clock
// says the code is over (a timer and a clock need not agree).
func TestPollDeviceLastWaitIsTheCodesEnd(t *testing.T) {
	d := startDeviceRun(t, `{"device_code":"dc-secret","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":10,"interval":5}`, pending)
	d.pauses.during = func(n int) {
		if n == 1 {
			d.clock.Advance(-time.Nanosecond)
		}
	}
	_, err := d.c.PollDevice(context.Background(), d.dc)
	if !errors.Is(err, auth.ErrDeviceExpired) || d.polls() != 1 {
		t.Fatalf("PollDevice = %v after %d polls, want ErrDeviceExpired after 1", err, d.polls())
	}
}

// TestPollDeviceEndsWithTheCode: a poll that comes back when the code has
// just run out (its answer took the rest of its life) ends the login
// without another wait.
func TestPollDeviceEndsWithTheCode(t *testing.T) {
	d := startDeviceRun(t, deviceAnswer, pending)
	d.is.answer(tokenPath, func(_ int, w http.ResponseWriter, _ *http.Request) {
		d.clock.Advance(d.dc.Expires.Sub(d.clock.Now()))
		writeJSON(w, pending.status, pending.body)
	})
	_, err := d.c.PollDevice(context.Background(), d.dc)
	if !errors.Is(err, auth.ErrDeviceExpired) || d.polls() != 1 {
		t.Fatalf("PollDevice = %v after %d polls, want ErrDeviceExpired after 1", err, d.polls())
	}
	if got, want := d.pauses.got(), seconds(5); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want only %v: nothing is left to wait for", got, want)
	}
}

// TestPollDeviceServerErrorsAreNoAnswer: access_denied or expired_token in
// a 5xx is the server failing, not the person or the code: the wait ends
// with a failure to try again, not a denial or an expiry.
func TestPollDeviceServerErrorsAreNoAnswer(t *testing.T) {
	for _, code := range []string{"access_denied", "expired_token"} {
		for _, status := range []int{500, 503} {
			d := startDeviceRun(t, deviceAnswer, reply{status: status, body: `{"error":"` + code + `"}`})
			_, err := d.c.PollDevice(context.Background(), d.dc)
			var de *auth.DeniedError
			if errors.As(err, &de) || errors.Is(err, auth.ErrDeviceExpired) {
				t.Errorf("%d %s: %v, want a server failure", status, code, err)
				continue
			}
			if le := asLaunchpad(t, err); le.Kind != auth.KindRetry || le.Status != status {
				t.Errorf("%d %s: %v (kind %v), want KindRetry", status, code, err, le.Kind)
			}
		}
	}
	// 499 is still the client's side.
	d := startDeviceRun(t, deviceAnswer, reply{status: 499, body: `{"error":"access_denied"}`})
	var de *auth.DeniedError
	if _, err := d.c.PollDevice(context.Background(), d.dc); !errors.As(err, &de) {
		t.Errorf("499 access_denied: %v, want a *DeniedError", err)
	}
}

// TestPollDeviceDenialSaysWhy: a denial carries the server's
// error_description, with the device code taken out.
func TestPollDeviceDenialSaysWhy(t *testing.T) {
	for body, want := range map[string]string{
		`{"error":"access_denied","error_description":"Ada said no"}`:            "Ada said no",
		`{"error":"access_denied","error_description":"no to dc-secret, twice"}`: "no to [redacted], twice",
		`{"error":"access_denied","error_description":7}`:                        "",
		`{"error":"access_denied"}`:                                              "",
	} {
		d := startDeviceRun(t, deviceAnswer, reply{status: 400, body: body})
		_, err := d.c.PollDevice(context.Background(), d.dc)
		var de *auth.DeniedError
		if !errors.As(err, &de) || de.Description != want {
			t.Errorf("%s: %v, want a *DeniedError saying %q", body, err, want)
		}
	}
}

// TestStartDeviceDurationsSpelledAnyWay: a duration is a JSON number of
// whole seconds however it is written, one that starts with 0 too.
func TestStartDeviceDurationsSpelledAnyWay(t *testing.T) {
	for _, tc := range []struct {
		expires, interval string
		life, every       time.Duration
	}{
		{"9e2", "0.5e1", 15 * time.Minute, 5 * time.Second},
		{"0.6E3", "5.0", 10 * time.Minute, 5 * time.Second},
	} {
		is := newIssuer(t)
		is.always(devicePath, 200, `{"device_code":"d","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":`+tc.expires+`,"interval":`+tc.interval+`}`)
		dc, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead)
		if err != nil || dc.Expires.Sub(dc.Issued) != tc.life || dc.Interval != tc.every {
			t.Errorf("expires_in %s, interval %s: %+v, %v", tc.expires, tc.interval, dc, err)
		}
	}
}
