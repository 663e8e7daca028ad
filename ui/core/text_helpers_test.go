package core_test

import (
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/store"
	"bcauth/ui/core"
)

func TestNamesAndWho(t *testing.T) {
	for _, tc := range []struct {
		name                string
		id                  auth.Identity
		wantName, wantEmail string
		who, label          string
	}{
		{name: "name and email", id: auth.Identity{ID: 1, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"},
			wantName: "Annie Bryan", wantEmail: "annie@example.com", who: "Annie Bryan (annie@example.com)", label: "Annie Bryan <annie@example.com> (1)"},
		{name: "email for a name", id: auth.Identity{ID: 42, EmailAddress: "x@example.com"},
			wantName: "x@example.com", who: "x@example.com", label: "x@example.com (42)"},
		{name: "nothing", id: auth.Identity{ID: 7},
			wantName: "Launchpad id 7", who: "Launchpad id 7", label: "Launchpad id 7 (7)"},
		{name: "hostile", id: auth.Identity{ID: 3, FirstName: "Evil\x1b[2J", EmailAddress: "e@x\u202e.com"},
			wantName: "Evil", wantEmail: "e@x.com", who: "Evil (e@x.com)", label: "Evil <e@x.com> (3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, email := core.Names(tc.id)
			if name != tc.wantName || email != tc.wantEmail {
				t.Errorf("Names = %q, %q; want %q, %q", name, email, tc.wantName, tc.wantEmail)
			}
			if got := core.Who(tc.id); got != tc.who {
				t.Errorf("Who = %q, want %q", got, tc.who)
			}
			if got := core.IDLabel(tc.id); got != tc.label {
				t.Errorf("IDLabel = %q, want %q", got, tc.label)
			}
		})
	}
}

func TestExpiryAgoAndFetchedWhen(t *testing.T) {
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	local := func(t time.Time, layout string) string { return t.Local().Format(layout) }
	for _, tc := range []struct {
		name   string
		expiry time.Time
		want   string
	}{
		{name: "unknown", want: "no expiry known"},
		{name: "expired now", expiry: now, want: "expired " + local(now, "2 Jan 15:04")},
		{name: "expired", expiry: now.Add(-time.Hour), want: "expired " + local(now.Add(-time.Hour), "2 Jan 15:04")},
		{name: "minutes", expiry: now.Add(59*time.Minute + 59*time.Second), want: "valid for 59 more minutes"},
		{name: "an hour", expiry: now.Add(time.Hour), want: "valid until " + local(now.Add(time.Hour), "Mon 2 Jan 15:04")},
	} {
		if got := core.Expiry(tc.expiry, now); got != tc.want {
			t.Errorf("Expiry %s = %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		ago  time.Duration
		zero bool
		want string
	}{
		{zero: true, want: "earlier"},
		{ago: 59 * time.Second, want: "just now"},
		{ago: time.Minute, want: "1 min ago"},
		{ago: 59*time.Minute + 59*time.Second, want: "59 min ago"},
		{ago: time.Hour, want: "1 h ago"},
		{ago: 47*time.Hour + 59*time.Minute, want: "47 h ago"},
		{ago: 48 * time.Hour, want: "2 days ago"},
		{ago: 24 * 10 * time.Hour, want: "10 days ago"},
	} {
		at := now.Add(-tc.ago)
		if tc.zero {
			at = time.Time{}
		}
		if got := core.Ago(at, now); got != tc.want {
			t.Errorf("Ago(%s) = %q, want %q", tc.ago, got, tc.want)
		}
	}
	if got := core.FetchedWhen(time.Time{}); got != "on an earlier run" {
		t.Errorf("FetchedWhen(zero) = %q", got)
	}
	if got, want := core.FetchedWhen(now), "at "+local(now, "2 Jan 2006 15:04 MST"); got != want {
		t.Errorf("FetchedWhen = %q, want %q", got, want)
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "accounts", 1: "account", 2: "accounts"} {
		if got := core.Plural(n, "account", "accounts"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestUnsafeURL: a server's URL is offered to copy or open only when it is
// plain http or https with nothing hidden in it.
func TestUnsafeURL(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{url: "https://3.basecampapi.com/99999999", want: ""},
		{url: "http://127.0.0.1:9/x", want: ""},
		{url: "https://evil.example\u202e/moc.pmacesab", want: "holds control or invisible characters"},
		{url: "https://evil.example/\x1b]52;c;x\x07", want: "holds control or invisible characters"},
		{url: "https://a.example/ b", want: "holds control or invisible characters"},
		{url: "https://a.example/\tb", want: "holds control or invisible characters"},
		{url: "javascript:alert(1)", want: "is not an http or https address"},
		{url: "file:///etc/passwd", want: "is not an http or https address"},
		{url: "ftp://a.example/x", want: "is not an http or https address"},
		{url: "/relative/path", want: "is not an http or https address"},
		{url: "https://a.example/%zz", want: "is not an http or https address"},
	} {
		if got := core.UnsafeURL(tc.url); got != tc.want {
			t.Errorf("UnsafeURL(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestProbeDetail(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    probe.Result
		want string
	}{
		{name: "everything", r: probe.Result{Status: probe.Reachable, Person: &probe.Person{ID: 1000012345, Name: "Annie Bryan", Email: "annie@example.com", Admin: true, Owner: true}},
			want: "Annie Bryan <annie@example.com> (person 1000012345, admin, owner)"},
		{name: "email is the name", r: probe.Result{Status: probe.Reachable, Person: &probe.Person{Name: "a@example.com", Email: "a@example.com"}},
			want: "a@example.com"},
		{name: "email alone", r: probe.Result{Status: probe.Reachable, Person: &probe.Person{Email: "a@example.com", Owner: true}},
			want: "<a@example.com> (owner)"},
		{name: "notes alone", r: probe.Result{Status: probe.Reachable, Person: &probe.Person{ID: 5}},
			want: "(person 5)"},
		{name: "admin", r: probe.Result{Status: probe.Reachable, Person: &probe.Person{Name: "A", Admin: true}},
			want: "A (admin)"},
		{name: "hostile", r: probe.Result{Status: probe.Reachable, Person: &probe.Person{Name: "A\x1b[2J", Email: "b\u202e@x"}},
			want: "A <b@x>"},
		{name: "reachable, nobody", r: probe.Result{Status: probe.Reachable}, want: "reachable"},
		{name: "refused with a reason", r: probe.Result{Status: probe.Refused, Reason: "401: \x1b[31mno\x1b[0m", Person: &probe.Person{Name: "ignored"}},
			want: "401: no"},
		{name: "refused", r: probe.Result{Status: probe.Inactive}, want: "account inactive"},
	} {
		if got := core.ProbeDetail(tc.r); got != tc.want {
			t.Errorf("%s: ProbeDetail = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestProbeSummary(t *testing.T) {
	for _, tc := range []struct {
		name   string
		counts map[probe.Status]int
		total  int
		want   string
	}{
		{name: "none", total: 0, want: "0 of 0 reachable"},
		{name: "all", counts: map[probe.Status]int{probe.Reachable: 3}, total: 3, want: "3 of 3 reachable"},
		{name: "mixed", counts: map[probe.Status]int{probe.Reachable: 9, probe.Refused: 1, probe.Inactive: 1, probe.NotProbed: 0, probe.Canceled: 1}, total: 12,
			want: "9 of 12 reachable · 1 token refused · 1 account inactive · 1 canceled"},
	} {
		if got := core.ProbeSummary(tc.counts, tc.total); got != tc.want {
			t.Errorf("%s: ProbeSummary = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEnv(t *testing.T) {
	env := core.Env{
		"FIRST=only here", "BASECAMP_OAUTH_CLIENT_ID=first", auth.SettingClientID + "=id", auth.SettingClientSecret + "=s=with=equals",
		auth.SettingRedirectURI + "=http://127.0.0.1:1/cb", auth.SettingLaunchpadURL + "=http://127.0.0.1:2",
		"NOEQUALS", "EMPTY=",
	}
	for _, tc := range []struct{ name, want string }{
		{auth.SettingClientID, "id"}, // the last wins
		{auth.SettingClientSecret, "s=with=equals"},
		{"FIRST", "only here"},
		{"NOEQUALS", ""}, {"EMPTY", ""}, {"MISSING", ""}, {"BASECAMP_OAUTH_CLIENT", ""},
	} {
		if got := env.Get(tc.name); got != tc.want {
			t.Errorf("Get(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	c := env.Client()
	if c.ClientID != "id" || c.ClientSecret != "s=with=equals" || c.RedirectURI != "http://127.0.0.1:1/cb" || c.LaunchpadURL != "http://127.0.0.1:2" || c.ClientSecretKeyring != "" {
		t.Errorf("Client() = %+v", c)
	}
}

func TestKeyringMode(t *testing.T) {
	for _, tc := range []struct {
		value string
		set   bool
		want  string // "as configured", "on", "off", or "error"
	}{
		{set: false, want: "as configured"},
		{value: "", set: true, want: "as configured"},
		{value: "  ", set: true, want: "as configured"},
		{value: "1", set: true, want: "on"},
		{value: " TRUE ", set: true, want: "on"},
		{value: "yes", set: true, want: "on"},
		{value: "On", set: true, want: "on"},
		{value: "0", set: true, want: "off"},
		{value: "false", set: true, want: "off"},
		{value: "NO", set: true, want: "off"},
		{value: "off", set: true, want: "off"},
		{value: "2", set: true, want: "error"},
		{value: "enable", set: true, want: "error"},
	} {
		env := core.Env{"HOME=/h"}
		if tc.set {
			env = append(env, core.KeyringSetting+"="+tc.value)
		}
		mode, err := env.KeyringMode()
		got := map[bool]string{true: "error"}[err != nil]
		if err == nil {
			got = map[store.KeyringMode]string{store.KeyringAsConfigured: "as configured", store.KeyringOn: "on", store.KeyringOff: "off"}[mode]
		}
		if got != tc.want {
			t.Errorf("%s=%q: %s (%v), want %s", core.KeyringSetting, tc.value, got, err, tc.want)
		}
		if err != nil && (!strings.Contains(err.Error(), core.KeyringSetting) || !strings.Contains(err.Error(), `"`+tc.value+`"`)) {
			t.Errorf("the error %q does not name the setting and its value", err)
		}
	}
}
