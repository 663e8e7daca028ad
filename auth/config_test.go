package auth

import (
	"errors"
	"strings"
	"testing"
)

// Validate only parses: the hosts off this machine are what its rules are
// about, and nothing here dials them.
func TestValidate(t *testing.T) {
	ok := Config{ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string // substring; empty means valid
	}{
		{"defaults", func(c *Config) {}, ""},
		{"ipv6 loopback", func(c *Config) { c.RedirectURI = "http://[::1]:8976/callback" }, ""},
		{"localhost", func(c *Config) { c.RedirectURI = "http://localhost:9000/cb" }, ""},
		{"loopback launchpad over http", func(c *Config) { c.LaunchpadURL = "http://127.0.0.1:4000" }, ""},
		{"no client id", func(c *Config) { c.ClientID = "" }, SettingClientID},
		{"no secret", func(c *Config) { c.ClientSecret = " " }, SettingClientSecret},
		{"https redirect", func(c *Config) { c.RedirectURI = "https://127.0.0.1:8976/callback" }, "must start with http://"},
		{"remote redirect", func(c *Config) { c.RedirectURI = "http://example.com:8976/callback" }, "must point at this machine"},
		{"no port", func(c *Config) { c.RedirectURI = "http://127.0.0.1/callback" }, "explicit port"},
		{"no path", func(c *Config) { c.RedirectURI = "http://127.0.0.1:8976" }, "needs a path"},
		{"root path", func(c *Config) { c.RedirectURI = "http://127.0.0.1:8976/" }, "needs a path"},
		{"query", func(c *Config) { c.RedirectURI = "http://127.0.0.1:8976/cb?x=1" }, "must not carry"},
		{"remote launchpad over http", func(c *Config) { c.LaunchpadURL = "http://launchpad.example.com" }, "must use https"},
		{"relative launchpad", func(c *Config) { c.LaunchpadURL = "launchpad" }, "not an absolute URL"},
		{"launchpad with a query", func(c *Config) { c.LaunchpadURL = "https://launchpad.37signals.com/?x=1" }, "must not carry"},
		{"launchpad with an empty query", func(c *Config) { c.LaunchpadURL = "https://launchpad.37signals.com?" }, "must not carry"},
		{"launchpad with a fragment", func(c *Config) { c.LaunchpadURL = "https://launchpad.37signals.com#top" }, "must not carry"},
		{"launchpad with an empty fragment", func(c *Config) { c.LaunchpadURL = "https://launchpad.37signals.com/#" }, "must not carry"},
		{"launchpad with user info", func(c *Config) { c.LaunchpadURL = "https://user:pass@launchpad.37signals.com" }, "must not carry"},
		{"launchpad under a path", func(c *Config) { c.LaunchpadURL = "https://proxy.example/launchpad/" }, ""},
		{"port 0", func(c *Config) { c.RedirectURI = "http://127.0.0.1:0/callback" }, "port from 1 to 65535"},
		{"port 00", func(c *Config) { c.RedirectURI = "http://localhost:00/callback" }, "port from 1 to 65535"},
		{"port too large", func(c *Config) { c.RedirectURI = "http://127.0.0.1:65536/callback" }, "port from 1 to 65535"},
		{"port not a number", func(c *Config) { c.RedirectURI = "http://127.0.0.1:http/callback" }, SettingRedirectURI},
		{"highest port", func(c *Config) { c.RedirectURI = "http://127.0.0.1:65535/callback" }, ""},
		{"LOCALHOST", func(c *Config) { c.RedirectURI = "http://LOCALHOST:9000/cb" }, ""},
		// "ſ" folds to "s" in Unicode; in punycode this is a name on the
		// internet, where the browser would take the code.
		{"a look-alike of localhost", func(c *Config) { c.RedirectURI = "http://localho\u017ft:9000/cb" }, "must point at this machine"},
		{"a look-alike of localhost, escaped", func(c *Config) { c.RedirectURI = "http://localho%C5%BFt:9000/cb" }, "must point at this machine"},
		{"launchpad on a look-alike of localhost over http", func(c *Config) { c.LaunchpadURL = "http://localho\u017ft:4000" }, "must use https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
			// A setting that does not validate names its variable, so
			// callers can say where to correct it.
			var se *SettingError
			if errors.As(err, &se) && !strings.HasSuffix(err.Error(), "check "+se.Setting) {
				t.Errorf("SettingError %q does not end by naming %s", err, se.Setting)
			}
			if !errors.Is(err, ErrNotConfigured) && (!errors.As(err, &se) || (se.Setting != SettingRedirectURI && se.Setting != SettingLaunchpadURL)) {
				t.Errorf("Validate() = %#v, want a *SettingError naming the redirect URI or the Launchpad URL", err)
			}
		})
	}
	if err := (Config{}).Validate(); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("empty config: %v, want ErrNotConfigured", err)
	}
}

func TestVerificationCode(t *testing.T) {
	a, b := VerificationCode("state-a"), VerificationCode("state-b")
	if a == b {
		t.Fatalf("different states gave the same code %q", a)
	}
	if a != VerificationCode("state-a") {
		t.Fatal("the code is not a function of the state")
	}
	if len(a) != 9 || a[4] != '-' {
		t.Fatalf("code %q is not XXXX-XXXX", a)
	}
	for _, r := range strings.ReplaceAll(a, "-", "") {
		if !strings.ContainsRune(codeAlphabet, r) {
			t.Fatalf("code %q holds %q, outside Crockford's alphabet", a, r)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":"authorization_expired"}`, "authorization_expired"},
		{`{"error":"invalid_grant","error_description":"refresh token revoked"}`, "invalid_grant: refresh token revoked"},
		{`{"status":404,"error":"Not Found"}`, "Not Found"},
		{"This Basecamp ID rekeyed its deadbolt.\n", "This Basecamp ID rekeyed its deadbolt."},
		{"Missing client_id", "Missing client_id"},
		{"<!DOCTYPE html><html>oops</html>", ""},
		{"", ""},
		{strings.Repeat("x", 600), strings.Repeat("x", 500) + "…"},
	}
	for _, tt := range tests {
		if got := ErrorText([]byte(tt.body)); got != tt.want {
			t.Errorf("ErrorText(%.40q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		op     Op
		status int
		text   string
		want   Kind
	}{
		{OpRefresh, 400, "This Basecamp ID rekeyed its deadbolt.", KindRelogin},
		{OpRefresh, 400, "authorization_expired", KindRelogin},
		{OpRefresh, 401, "", KindUnexpected},
		{OpRefresh, 401, "401 Authorization Required nginx", KindUnexpected},
		{OpRefresh, 401, "Unknown Basecamp ID.", KindRelogin},
		{OpRefresh, 502, "Bad Gateway", KindRetry},
		{OpRefresh, 429, "", KindRetry},
		{OpExchange, 400, "code expired", KindOther},
		{OpExchange, 400, "Missing client_id", KindConfig},
		{OpExchange, 401, "invalid_client", KindConfig},
		{OpAuthorization, 401, "OAuth token expired (old age)", KindRelogin},
		{OpAuthorization, 404, "Not Found", KindOther},
		// A dead login outranks the client it names in passing.
		{OpRefresh, 400, "invalid_grant: the refresh token does not belong to this client_id", KindRelogin},
		{OpRefresh, 400, "authorization_expired for redirect_uri http://127.0.0.1:8976/callback", KindRelogin},
		{OpRefresh, 400, "This Basecamp ID rekeyed its deadbolt (client_id 123).", KindRelogin},
		{OpRefresh, 400, "token revoked for client_secret", KindRelogin},
		// Unless the client itself is refused.
		{OpRefresh, 401, "invalid_client", KindConfig},
		{OpRefresh, 400, "Missing client_id", KindConfig},
		{OpRefresh, 400, "invalid_client: client_id expired", KindConfig},
		{OpRefresh, 400, "unauthorized_client", KindConfig},
		{OpExchange, 400, "redirect_uri does not match", KindConfig},
	}
	for _, tt := range tests {
		if got := classify(tt.op, tt.status, tt.text); got != tt.want {
			t.Errorf("classify(%s, %d, %q) = %d, want %d", tt.op, tt.status, tt.text, got, tt.want)
		}
	}
}

func TestLookupProduct(t *testing.T) {
	if p := LookupProduct("writeboard"); p.Label() != "Writeboard" || p.WhoAmI != "" || !p.Known() {
		t.Errorf("writeboard = %+v, want the known Writeboard with no who-am-I", p)
	}
	if p := LookupProduct("bcx"); p.Name != "Basecamp 2" || p.WhoAmI != "/people/me.json" || !p.Known() {
		t.Errorf("bcx = %+v", p)
	}
	if p := LookupProduct("sortfolio"); p.Name != "sortfolio" || p.Label() != "Other: sortfolio" || p.Known() || p.Order <= LookupProduct("tadalist").Order {
		t.Errorf("unknown product = %+v, want shown as itself and sorted last", p)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "::1": true, "127.8.9.1": true,
		"localho\u017ft": false, "localhost.": false, "example.com": false, "10.0.0.1": false, "": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
