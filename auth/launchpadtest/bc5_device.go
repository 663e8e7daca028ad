package launchpadtest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// deviceCode is one device authorization: its codes, what it asked for,
// and where the person and the polling client have got to.
type deviceCode struct {
	seq        int    // the order it was issued in
	code, user string // the device code; the user code as shown, XXXX-XXXX
	scope      string
	resource   string // the resource indicator asked for, if any
	expiry     time.Time
	interval   time.Duration // raised by every slow_down
	lastPoll   time.Time
	polled     bool
	state      deviceState
	who        person // who approved or denied
}

type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDenied
	deviceRedeemed // traded for tokens, or refused at the trade
)

// device answers the device authorization request (RFC 8628 §3.1-3.2).
func (b *BC5) device(w http.ResponseWriter, r *http.Request, p url.Values) {
	s := b.s
	s.mu.Lock()
	dark := b.dark
	s.mu.Unlock()
	if dark {
		writeJSON(w, http.StatusServiceUnavailable, oauthError{"temporarily_unavailable", "device authorization is not enabled yet"})
		return
	}
	if !b.checkClient(w, r, p) {
		return
	}
	scope, ok := scopeOf(p)
	if !ok {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_scope", "scope must be read or full"})
		return
	}
	resource := p.Get("resource")
	if p.Has("resource") && !accountResource().MatchString(resource) {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_target", "resource must be urn:bc:account:<id>"})
		return
	}
	now := b.now()
	d := &deviceCode{code: randomString(32), scope: scope, resource: resource,
		expiry: now.Add(b.opts.DeviceCodeTTL), interval: b.opts.Interval}
	s.mu.Lock()
	if len(b.devices) >= maxBC5UserCodes {
		b.sweepDevicesLocked(now)
	}
	if len(b.devices) >= maxBC5UserCodes {
		s.mu.Unlock()
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, oauthError{"too_many_requests", "too many device codes outstanding"})
		return
	}
	for d.user == "" || b.userCodes[normalUserCode(d.user)] != nil {
		d.user = newUserCode()
	}
	if b.opts.AutoApprove {
		d.state, d.who = deviceApproved, personFirst
	}
	b.deviceSeq++
	d.seq = b.deviceSeq
	b.devices[d.code] = d
	b.userCodes[normalUserCode(d.user)] = d
	edit := b.editDevice
	s.mu.Unlock()
	doc := map[string]any{
		"device_code":               d.code,
		"user_code":                 d.user,
		"verification_uri":          b.VerificationURI,
		"verification_uri_complete": b.VerificationURI + "?" + url.Values{"user_code": {d.user}}.Encode(),
		"expires_in":                int64(b.opts.DeviceCodeTTL / time.Second),
		"interval":                  int64(b.opts.Interval / time.Second),
	}
	if edit != nil {
		edit(doc)
	}
	writeJSON(w, http.StatusOK, doc)
}

// sweepDevicesLocked forgets device codes that expired a lifetime ago;
// the caller holds s.mu. Until then a poll still hears expired_token.
func (b *BC5) sweepDevicesLocked(now time.Time) {
	for code, d := range b.devices {
		if now.Sub(d.expiry) >= b.opts.DeviceCodeTTL {
			delete(b.devices, code)
			delete(b.userCodes, normalUserCode(d.user))
		}
	}
}

// checkClient answers 401 invalid_client, and reports false, unless p
// names the registered public client and no secret comes with it: a
// Launchpad client, with or without its secret, is not a BC5 client.
func (b *BC5) checkClient(w http.ResponseWriter, r *http.Request, p url.Values) bool {
	_, _, basic := r.BasicAuth()
	id := p.Get("client_id")
	var why string
	switch {
	case basic || p.Has("client_secret"):
		why = "this is a public client: send client_id alone, no client secret"
	case id == "":
		why = "client_id is missing"
	case id == b.s.opts.ClientID && id != b.opts.ClientID:
		why = "client_id " + id + " is a Launchpad client, not registered with this issuer"
	case id != b.opts.ClientID:
		why = "client_id " + id + " is not registered with this issuer"
	default:
		return true
	}
	writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", why})
	return false
}

// scopeOf reads the scope asked for: read or full, read when omitted.
func scopeOf(p url.Values) (string, bool) {
	if !p.Has("scope") {
		return "read", true
	}
	switch sc := p.Get("scope"); sc {
	case "read", "full":
		return sc, true
	}
	return "", false
}

// accountResource is an RFC 8707 resource indicator naming an account.
var accountResource = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^urn:bc:account:[1-9][0-9]{0,18}$`)
})

// userCodeAlphabet has no vowels (no words) and nothing that looks like
// another character, as RFC 8628 §6.1 suggests.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode returns a user code, XXXX-XXXX.
func newUserCode() string {
	var b [8]byte
	rand.Read(b[:])
	out := make([]byte, 0, 9)
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, userCodeAlphabet[int(c)%len(userCodeAlphabet)])
	}
	return string(out)
}

// normalUserCode is a user code as typed, upper case, without the dash or
// spaces people add or drop.
func normalUserCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		}
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// randomString is n random bytes, URL-safe base64.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SlowDownNext makes the next n polls of the token endpoint answer
// slow_down (and raise the code's interval by 5 s), whatever their pace.
func (b *BC5) SlowDownNext(n int) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.slowDown += n
}

// PendingPolls makes the next n polls for an approved device code answer
// authorization_pending, as if the approval had not reached the token
// endpoint yet.
func (b *BC5) PendingPolls(n int) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.pending += n
}

// TooManyRequests makes the next poll of the token endpoint answer 429
// {"error":"too_many_requests"} with Retry-After in whole seconds. Each
// call adds one such answer.
func (b *BC5) TooManyRequests(retryAfter time.Duration) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.tooMany = append(b.tooMany, retryAfter)
}

// ExpireDeviceCodes makes every device code issued so far expire now, on
// the fake's clock: polls answer expired_token and the page refuses them.
func (b *BC5) ExpireDeviceCodes() {
	now := b.now()
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	for _, d := range b.devices {
		if d.expiry.After(now) {
			d.expiry = now
		}
	}
}

// PendingUserCodes returns the user codes nobody has approved or denied
// yet and that have not expired, oldest first.
func (b *BC5) PendingUserCodes() []string {
	now := b.now()
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	var ds []*deviceCode
	for _, d := range b.devices {
		if d.state == devicePending && now.Before(d.expiry) {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, func(x, y *deviceCode) int { return x.seq - y.seq })
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.user
	}
	return out
}

// EditDeviceAnswers makes edit change every successful device
// authorization answer, a fresh map each time, just before it is sent: no
// interval, a fractional expires_in, no verification_uri_complete. Nil
// stops the editing.
func (b *BC5) EditDeviceAnswers(edit func(answer map[string]any)) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.editDevice = edit
}
