package launchpadtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The authorization endpoint's errors. Unknown and revoked tokens get the
// JSON "could not be verified" answer; the older plain "Unknown Basecamp ID."
// can be scripted with InjectFault.
const (
	textNoUserAgent = "Missing User-Agent header. Identify your app and a way to contact you, e.g. User-Agent: MyApp (you@example.com)"
	errTokenExpired = "OAuth token expired (old age), please reauthorize"
	errTokenUnknown = "OAuth token could not be verified"
)

// launchpadZone is the offset expires_at is written in, as the real service
// writes its US Central times; a client must honour the offset.
var launchpadZone = time.FixedZone("CDT", -5*60*60)

// Identity is the Basecamp ID behind a login, as authorization.json shows it.
type Identity struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	EmailAddress string `json:"email_address"`
}

// Account is one product account authorization.json lists. AppHref "" omits
// app_href, as for older products. Extra fields are added to the JSON; an
// Extra key naming a standard field replaces that field's value, so a test
// can send, say, an id as a string.
type Account struct {
	Product string
	ID      int64
	Name    string
	Href    string
	AppHref string
	Extra   map[string]any
}

// MarshalJSON writes the account as Launchpad does: standard fields first,
// in Launchpad's order, then the extra fields sorted by name.
func (a Account) MarshalJSON() ([]byte, error) {
	type field struct {
		key   string
		value any
	}
	fields := []field{{"product", a.Product}, {"id", a.ID}, {"name", a.Name}, {"href", a.Href}}
	if a.AppHref != "" {
		fields = append(fields, field{"app_href", a.AppHref})
	}
	keys := make([]string, 0, len(a.Extra))
	for k := range a.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i := slices.IndexFunc(fields, func(f field) bool { return f.key == k })
		if i >= 0 {
			fields[i].value = a.Extra[k]
		} else {
			fields = append(fields, field{k, a.Extra[k]})
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// authorization says whom an access token belongs to and which accounts it
// reaches.
func (s *Server) authorization(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if r.UserAgent() == "" {
		writeText(w, http.StatusBadRequest, textNoUserAgent)
		return
	}
	token, _ := bearer(r)
	now := s.opts.Now()
	s.mu.Lock()
	grant, known := s.access[token]
	id, accounts := s.encodedLocked(grant.who)
	s.mu.Unlock()
	expiry := grant.expiry
	switch {
	case !known:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": errTokenUnknown})
	case !now.Before(expiry):
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": errTokenExpired})
	default:
		// {"expires_at", "identity", "accounts"}, as json.Marshal would
		// write them, the accounts as they were encoded once.
		head, err := json.Marshal(struct {
			ExpiresAt string   `json:"expires_at"`
			Identity  Identity `json:"identity"`
		}{expiry.In(launchpadZone).Format(time.RFC3339), id})
		if err != nil {
			writeText(w, http.StatusInternalServerError, "launchpadtest: "+err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", strconv.Itoa(len(head)-1+len(`,"accounts":`)+len(accounts)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(append(head[:len(head)-1], `,"accounts":`...))
		_, _ = w.Write(accounts)
	}
}

// encodedLocked is who's identity and accounts, the accounts as
// authorization.json lists them, with the closing brace of the answer,
// encoded on first need after a change. The caller holds s.mu.
func (s *Server) encodedLocked(who person) (Identity, []byte) {
	if b, ok := s.encoded[who]; ok && b != nil {
		return s.personIdentityLocked(who), b
	}
	id, accounts := s.personLocked(who)
	if accounts == nil {
		accounts = []Account{}
	}
	b, err := json.Marshal(accounts)
	if err != nil {
		b = []byte("[]") // an Extra value JSON cannot hold: none listed
	}
	b = append(b, '}')
	if s.encoded == nil {
		s.encoded = map[person][]byte{}
	}
	s.encoded[who] = b
	return id, b
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
