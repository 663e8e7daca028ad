package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
)

// pauses stands in for the device login's waits: each is recorded and
// moves the clock, and none takes any time.
type pauses struct {
	mu     sync.Mutex
	clock  *fixedClock
	waits  []time.Duration
	during func(n int) // called in the n-th wait (from 0), if set
}

func (p *pauses) wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	n := len(p.waits)
	p.waits = append(p.waits, d)
	during := p.during
	p.mu.Unlock()
	p.clock.Advance(d)
	if during != nil {
		during(n)
	}
	return ctx.Err()
}

func (p *pauses) got() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Duration(nil), p.waits...)
}

func seconds(s ...int) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, n := range s {
		out[i] = time.Duration(n) * time.Second
	}
	return out
}

const deviceAnswer = `{"device_code":"dc-secret","user_code":"WDJB-MJHT","verification_uri":"https://bc5.example/device","verification_uri_complete":"https://bc5.example/device?user_code=WDJB-MJHT","expires_in":900,"interval":5}`

// reply is one answer of the token endpoint.
type reply struct {
	status int
	body   string
	header map[string]string
	hang   bool // wait until the client gives up (a timeout)
}

var (
	pending  = reply{status: 400, body: `{"error":"authorization_pending"}`}
	slowDown = reply{status: 400, body: `{"error":"slow_down"}`}
	granted  = reply{status: 200, body: `{"access_token":"bc_at_1","refresh_token":"bc_rt_1","token_type":"Bearer","expires_in":3600,"resource":"urn:bc:account:1"}`}
)

// deviceRun is a device login against an issuer that answers polls with
// replies, in order (the last one repeats).
type deviceRun struct {
	is     *issuer
	c      *auth.Client
	clock  *fixedClock
	pauses *pauses
	dc     *auth.DeviceCode
}

func startDeviceRun(t *testing.T, device string, replies ...reply) *deviceRun {
	t.Helper()
	is := newIssuer(t)
	is.always(devicePath, 200, device)
	is.answer(tokenPath, func(n int, w http.ResponseWriter, r *http.Request) {
		rp := replies[min(n, len(replies)-1)]
		if rp.hang {
			<-r.Context().Done()
			return
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		writeJSON(w, rp.status, rp.body)
	})
	clock := newClock()
	p := &pauses{clock: clock}
	c, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: is.server(),
		HTTPClient: &http.Client{Timeout: 200 * time.Millisecond}},
		auth.WithClock(clock.Now), auth.WithWait(p.wait))
	if err != nil {
		t.Fatal(err)
	}
	dc, err := c.StartDevice(context.Background(), auth.ScopeRead)
	if err != nil {
		t.Fatalf("StartDevice: %v", err)
	}
	return &deviceRun{is: is, c: c, clock: clock, pauses: p, dc: dc}
}

func (d *deviceRun) polls() int { return len(d.is.sent(tokenPath)) }

func TestStartDevice(t *testing.T) {
	is := newIssuer(t)
	is.always(devicePath, 200, deviceAnswer)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	for _, scope := range []string{auth.ScopeRead, auth.ScopeFull} {
		dc, err := c.StartDevice(context.Background(), scope)
		if err != nil {
			t.Fatal(err)
		}
		want := auth.DeviceCode{UserCode: "WDJB-MJHT", VerificationURI: "https://bc5.example/device",
			VerificationURIComplete: "https://bc5.example/device?user_code=WDJB-MJHT",
			Issued:                  clock.Now(), Expires: clock.Now().Add(15 * time.Minute), Interval: 5 * time.Second, Scope: scope}
		if dc.UserCode != want.UserCode || dc.VerificationURI != want.VerificationURI || dc.VerificationURIComplete != want.VerificationURIComplete ||
			!dc.Issued.Equal(want.Issued) || !dc.Expires.Equal(want.Expires) || dc.Interval != want.Interval || dc.Scope != scope {
			t.Fatalf("StartDevice = %#v, want %#v", *dc, want)
		}
	}
	sent := is.sent(devicePath)
	wantForm(t, sent[0], map[string]string{"client_id": bc5ClientID, "scope": "read"})
	wantForm(t, sent[1], map[string]string{"client_id": bc5ClientID, "scope": "full"})

	if _, err := c.StartDevice(context.Background(), ""); err == nil {
		t.Fatal("an empty scope was accepted")
	}
	if _, err := c.StartDevice(context.Background(), "write"); err == nil {
		t.Fatal("a scope BC5 does not have was accepted")
	}
	if len(is.sent(devicePath)) != 2 {
		t.Fatal("a bad scope was sent")
	}
}

func TestStartDeviceDefaults(t *testing.T) {
	is := newIssuer(t)
	is.always(devicePath, 200, `{"device_code":"d","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":1}`)
	dc, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead)
	if err != nil || dc.Interval != 5*time.Second || dc.VerificationURIComplete != "" || dc.Expires.Sub(dc.Issued) != time.Second {
		t.Fatalf("StartDevice = %+v, %v", dc, err)
	}
}

func TestStartDeviceDark(t *testing.T) {
	is := newIssuer(t)
	is.always(devicePath, 503, `{"error":"temporarily_unavailable"}`)
	_, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead)
	if !errors.Is(err, auth.ErrBC5Dark) || !strings.Contains(err.Error(), "not enabled yet") {
		t.Fatalf("a 503: %v, want ErrBC5Dark", err)
	}
}

func TestStartDeviceRefuses(t *testing.T) {
	base := `"device_code":"d","user_code":"U","verification_uri":"https://bc5.example/device"`
	for _, body := range []string{
		`{` + base + `}`,
		`{` + base + `,"expires_in":0}`,
		`{` + base + `,"expires_in":-5}`,
		`{` + base + `,"expires_in":1.5}`,
		`{` + base + `,"expires_in":"600"}`,
		`{` + base + `,"expires_in":null}`,
		`{` + base + `,"expires_in":2147484}`,
		`{` + base + `,"expires_in":1e10}`,
		`{` + base + `,"expires_in":600,"interval":0}`,
		`{` + base + `,"expires_in":600,"interval":2.5}`,
		`{` + base + `,"expires_in":600,"interval":"5"}`,
		`{` + base + `,"expires_in":600,"interval":2147484}`,
		`{` + base + `,"expires_in":600,"interval":null}`,
		`{"user_code":"U","verification_uri":"https://bc5.example/device","expires_in":600}`,
		`{"device_code":"","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":600}`,
		`{"device_code":"d","verification_uri":"https://bc5.example/device","expires_in":600}`,
		`{"device_code":"d","user_code":"U","expires_in":600}`,
		`{"device_code":"d","user_code":"U","verification_uri":"javascript:alert(1)","expires_in":600}`,
		`{"device_code":"d","user_code":"U","verification_uri":"http://bc5.example/device","expires_in":600}`,
		`{` + base + `,"verification_uri_complete":"","expires_in":600}`,
		`{` + base + `,"verification_uri_complete":"file:///etc/passwd","expires_in":600}`,
		`{"device_code":7,"user_code":"U","verification_uri":"https://bc5.example/device","expires_in":600}`,
		`[]`,
		`not json`,
	} {
		is := newIssuer(t)
		is.always(devicePath, 200, body)
		_, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead)
		var le *auth.LaunchpadError
		if !errors.As(err, &le) || le.Kind != auth.KindUnexpected {
			t.Errorf("answer %s: %v, want a malformed answer", body, err)
		}
	}
	// Durations at their edges are whole seconds.
	for _, d := range []string{`1`, `2147483`, `600.0`} {
		is := newIssuer(t)
		is.always(devicePath, 200, `{`+base+`,"expires_in":`+d+`,"interval":`+d+`}`)
		if _, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead); err != nil {
			t.Errorf("duration %s: %v", d, err)
		}
	}
}

func TestStartDeviceOtherFailures(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		kind   auth.Kind
	}{
		{400, `{"error":"invalid_client"}`, auth.KindConfig},
		{401, `{"error":"invalid_client"}`, auth.KindConfig},
		{400, `{"error":"invalid_scope"}`, auth.KindOther},
		{500, ``, auth.KindRetry},
		{302, ``, auth.KindOther},
	} {
		is := newIssuer(t)
		is.always(devicePath, tc.status, tc.body)
		_, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead)
		if le := asLaunchpad(t, err); le.Kind != tc.kind || le.Op != auth.OpDevice {
			t.Errorf("%d %s: %v (kind %v), want kind %v", tc.status, tc.body, err, le.Kind, tc.kind)
		}
	}
}

func TestDeviceCodeNeverShowsItsSecret(t *testing.T) {
	is := newIssuer(t)
	is.always(devicePath, 200, deviceAnswer)
	dc, err := is.client(t).StartDevice(context.Background(), auth.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("started", "code", dc, "value", *dc)
	for _, s := range []string{fmt.Sprint(dc), fmt.Sprintf("%v %+v %#v %s", *dc, *dc, *dc, dc), fmt.Sprintf("%+v %#v", dc, dc), logged.String()} {
		if strings.Contains(s, "dc-secret") {
			t.Fatalf("the device code shows: %s", s)
		}
		if !strings.Contains(s, "WDJB-MJHT") {
			t.Fatalf("the user code does not show: %s", s)
		}
	}
}

func TestPollDeviceLogsIn(t *testing.T) {
	d := startDeviceRun(t, deviceAnswer, pending, pending, granted)
	tok, err := d.c.PollDevice(context.Background(), d.dc)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "bc_at_1" || tok.RefreshToken != "bc_rt_1" || auth.Resource(tok) != "urn:bc:account:1" {
		t.Fatalf("token %+v, resource %q", tok, auth.Resource(tok))
	}
	if !tok.Expiry.Equal(d.clock.Now().Add(time.Hour)) {
		t.Fatalf("expiry %v, want an hour after the answer", tok.Expiry)
	}
	if got, want := d.pauses.got(), seconds(5, 5, 5); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
	for _, f := range d.is.sent(tokenPath) {
		wantForm(t, f, map[string]string{"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "dc-secret", "client_id": bc5ClientID})
	}
}

func TestPollDeviceTiming(t *testing.T) {
	for _, tc := range []struct {
		name    string
		device  string
		replies []reply
		waits   []time.Duration
		polls   int
		err     error // nil: a login
	}{
		{name: "slow_down adds 5 s to this and every later poll",
			replies: []reply{pending, slowDown, pending, slowDown, pending, granted},
			waits:   seconds(5, 5, 10, 10, 15, 15), polls: 6},
		{name: "429 waits Retry-After once when it is longer",
			replies: []reply{{status: 429, body: `{"error":"too_many_requests"}`, header: map[string]string{"Retry-After": "12"}}, pending, granted},
			waits:   seconds(5, 12, 5), polls: 3},
		{name: "429 waits the interval when Retry-After is shorter",
			replies: []reply{{status: 429, body: `{"error":"too_many_requests"}`, header: map[string]string{"Retry-After": "2"}}, granted},
			waits:   seconds(5, 5), polls: 2},
		{name: "429 without Retry-After waits the interval",
			replies: []reply{{status: 429, body: `{"error":"too_many_requests"}`}, granted},
			waits:   seconds(5, 5), polls: 2},
		{name: "429 after slow_down waits at least the new interval",
			replies: []reply{slowDown, {status: 429, body: `{"error":"too_many_requests"}`, header: map[string]string{"Retry-After": "7"}}, granted},
			waits:   seconds(5, 10, 10), polls: 3},
		{name: "timeouts back off, doubling",
			replies: []reply{{hang: true}, {hang: true}, pending, granted},
			waits:   seconds(5, 10, 20, 5), polls: 4},
		{name: "timeouts back off up to 60 s",
			replies: []reply{{hang: true}, {hang: true}, {hang: true}, {hang: true}, granted},
			waits:   seconds(5, 10, 20, 40, 60), polls: 5},
		{name: "timeouts never wait less than the interval",
			device:  `{"device_code":"dc-secret","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":900,"interval":45}`,
			replies: []reply{{hang: true}, {hang: true}, granted},
			waits:   seconds(45, 60, 60), polls: 3},
		{name: "the code's end stops polling, never posting past it",
			device:  `{"device_code":"dc-secret","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":12,"interval":5}`,
			replies: []reply{pending},
			waits:   seconds(5, 5, 2), polls: 2, err: auth.ErrDeviceExpired},
		{name: "a poll due exactly at the end is not sent",
			device:  `{"device_code":"dc-secret","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":10,"interval":5}`,
			replies: []reply{pending},
			waits:   seconds(5, 5), polls: 1, err: auth.ErrDeviceExpired},
		{name: "slow_down can push the next poll past the end",
			device:  `{"device_code":"dc-secret","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":14,"interval":5}`,
			replies: []reply{slowDown},
			waits:   seconds(5, 9), polls: 1, err: auth.ErrDeviceExpired},
		{name: "expired_token", replies: []reply{pending, {status: 400, body: `{"error":"expired_token"}`}},
			waits: seconds(5, 5), polls: 2, err: auth.ErrDeviceExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			device := tc.device
			if device == "" {
				device = deviceAnswer
			}
			d := startDeviceRun(t, device, tc.replies...)
			tok, err := d.c.PollDevice(context.Background(), d.dc)
			switch {
			case tc.err == nil && (err != nil || tok.AccessToken != "bc_at_1"):
				t.Fatalf("PollDevice = %+v, %v; want a login", tok, err)
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Fatalf("PollDevice = %+v, %v; want %v", tok, err, tc.err)
			}
			if got := d.pauses.got(); fmt.Sprint(got) != fmt.Sprint(tc.waits) {
				t.Fatalf("waits %v, want %v", got, tc.waits)
			}
			if d.polls() != tc.polls {
				t.Fatalf("%d polls, want %d", d.polls(), tc.polls)
			}
		})
	}
}

func TestPollDeviceEnds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"access_denied", reply{status: 400, body: `{"error":"access_denied","error_description":"the person said no to dc-secret"}`}, func(t *testing.T, err error) {
			var de *auth.DeniedError
			if !errors.As(err, &de) || de.Code != "access_denied" || strings.Contains(err.Error(), "dc-secret") {
				t.Fatalf("%v, want a *DeniedError without the device code", err)
			}
		}},
		{"access_denied on a 403", reply{status: 403, body: `{"error":"access_denied"}`}, func(t *testing.T, err error) {
			var de *auth.DeniedError
			if !errors.As(err, &de) {
				t.Fatalf("%v, want a *DeniedError", err)
			}
		}},
		{"a 200 without an access token", reply{status: 200, body: `{"refresh_token":"r"}`}, kindIs(auth.KindUnexpected)},
		{"a 200 with an empty access token", reply{status: 200, body: `{"access_token":""}`}, kindIs(auth.KindUnexpected)},
		{"a 200 with an empty resource", reply{status: 200, body: `{"access_token":"a","resource":""}`}, kindIs(auth.KindUnexpected)},
		{"a 200 with a resource that is a number", reply{status: 200, body: `{"access_token":"a","resource":1}`}, kindIs(auth.KindUnexpected)},
		{"a 201", reply{status: 201, body: granted.body}, kindIs(auth.KindUnexpected)},
		{"a redirect", reply{status: 302, header: map[string]string{"Location": "https://elsewhere.example/token"}}, func(t *testing.T, err error) {
			if le := asLaunchpad(t, err); le.Status != 302 || !strings.Contains(err.Error(), "elsewhere.example") {
				t.Fatalf("%v", err)
			}
		}},
		{"a 500", reply{status: 500, body: `oops`}, kindIs(auth.KindRetry)},
		{"a 429 without too_many_requests", reply{status: 429, body: `{"error":"slow"}`}, kindIs(auth.KindRetry)},
		{"authorization_pending on a 401", reply{status: 401, body: `{"error":"authorization_pending"}`}, kindIs(auth.KindOther)},
		{"invalid_client", reply{status: 401, body: `{"error":"invalid_client"}`}, kindIs(auth.KindConfig)},
		{"invalid_grant", reply{status: 400, body: `{"error":"invalid_grant","error_description":"dc-secret is unknown"}`}, func(t *testing.T, err error) {
			if le := asLaunchpad(t, err); le.Kind != auth.KindOther || strings.Contains(err.Error(), "dc-secret") || auth.NeedsLogin(err) {
				t.Fatalf("%v (kind %v)", err, le.Kind)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startDeviceRun(t, deviceAnswer, pending, tc.reply, granted)
			tok, err := d.c.PollDevice(context.Background(), d.dc)
			if tok != nil {
				t.Fatalf("a token %+v", tok)
			}
			tc.check(t, err)
			if d.polls() != 2 {
				t.Fatalf("%d polls, want 2: the second answer ends the flow", d.polls())
			}
		})
	}
}

func kindIs(k auth.Kind) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if le := asLaunchpad(t, err); le.Kind != k || le.Op != auth.OpPoll {
			t.Fatalf("%v (kind %v, op %q), want kind %v", err, le.Kind, le.Op, k)
		}
	}
}

func TestPollDeviceCancelled(t *testing.T) {
	t.Run("while waiting", func(t *testing.T) {
		d := startDeviceRun(t, deviceAnswer, pending)
		ctx, cancel := context.WithCancel(context.Background())
		d.pauses.during = func(n int) {
			if n == 2 {
				cancel()
			}
		}
		_, err := d.c.PollDevice(ctx, d.dc)
		if !errors.Is(err, context.Canceled) || d.polls() != 2 {
			t.Fatalf("PollDevice = %v after %d polls, want context.Canceled after 2", err, d.polls())
		}
	})
	t.Run("while a poll is on its way", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		d := startDeviceRun(t, deviceAnswer, pending)
		d.is.answer(tokenPath, func(n int, w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		_, err := d.c.PollDevice(ctx, d.dc)
		if !errors.Is(err, context.Canceled) || d.polls() != 1 {
			t.Fatalf("PollDevice = %v after %d polls, want context.Canceled after 1", err, d.polls())
		}
		if len(d.pauses.got()) != 1 {
			t.Fatalf("waits %v after the cancel", d.pauses.got())
		}
	})
	t.Run("before it starts", func(t *testing.T) {
		d := startDeviceRun(t, deviceAnswer, granted)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := d.c.PollDevice(ctx, d.dc); !errors.Is(err, context.Canceled) || d.polls() != 0 {
			t.Fatalf("PollDevice = %v after %d polls", err, d.polls())
		}
	})
}

// TestPollDeviceClockJumps: a wait that ends past the code's end (a
// sleeping laptop) sends nothing.
func TestPollDeviceClockJumps(t *testing.T) {
	d := startDeviceRun(t, deviceAnswer, pending)
	d.pauses.during = func(n int) {
		if n == 1 {
			d.clock.Advance(time.Hour)
		}
	}
	_, err := d.c.PollDevice(context.Background(), d.dc)
	if !errors.Is(err, auth.ErrDeviceExpired) || d.polls() != 1 {
		t.Fatalf("PollDevice = %v after %d polls, want ErrDeviceExpired after 1", err, d.polls())
	}
}

func TestPollDeviceNeedsACode(t *testing.T) {
	is := newIssuer(t)
	if _, err := is.client(t).PollDevice(context.Background(), &auth.DeviceCode{UserCode: "U"}); err == nil {
		t.Fatal("a DeviceCode not from StartDevice was polled")
	}
	if _, err := is.client(t).PollDevice(context.Background(), nil); err == nil {
		t.Fatal("a nil DeviceCode was polled")
	}
	if len(is.sent(tokenPath)) != 0 {
		t.Fatal("a request was sent")
	}
}
