package probe_test

import (
	"context"
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

func TestProbeDecodesPersonShapes(t *testing.T) {
	tests := []struct {
		name, product, body string
		want                probe.Person
	}{
		{"bc3 profile", "bc3", `{"id":42,"name":"Jason Fried","email_address":"jason@example.com","admin":true,"owner":true,"company":{"id":1,"name":"x"}}`,
			probe.Person{ID: 42, Name: "Jason Fried", Email: "jason@example.com", Admin: true, Owner: true}},
		{"bcx person, admin null", "bcx", `{"id":149087659,"identity_id":982871737,"name":"Jason Fried","email_address":"jason@example.com","admin":null}`,
			probe.Person{ID: 149087659, Name: "Jason Fried", Email: "jason@example.com"}},
		{"classic person", "basecamp", `<?xml version="1.0" encoding="UTF-8"?>
<person>
  <id type="integer">7</id>
  <first-name>Jason</first-name>
  <last-name>Fried</last-name>
  <email-address>jason@example.com</email-address>
  <administrator type="boolean">true</administrator>
  <company><id type="integer">9</id><name>37signals</name></company>
</person>`, probe.Person{ID: 7, Name: "Jason Fried", Email: "jason@example.com", Admin: true}},
		{"highrise user, nil boolean", "highrise", `<user><id type="integer"> 8 </id><name>Jason Fried</name><email-address>jason@example.com</email-address><admin type="boolean" nil="true"></admin></user>`,
			probe.Person{ID: 8, Name: "Jason Fried", Email: "jason@example.com"}},
		{"campfire user", "campfire", `<user><id type="integer">9</id><name>Jason F.</name><email-address>j@example.com</email-address><admin type="boolean">true</admin><type>Member</type></user>`,
			probe.Person{ID: 9, Name: "Jason F.", Email: "j@example.com", Admin: true}},
		{"latin-1 XML", "backpack", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><user><id>10</id><name>Jos\xe9</name></user>",
			probe.Person{ID: 10, Name: "José"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			href := map[string]string{"bc3": "/bc3/1", "bcx": "/bcx/1/api/v1", "basecamp": "/classic/one",
				"campfire": "/campfire/one", "highrise": "/highrise/one", "backpack": "/backpack/one"}[tt.product]
			s, ts := newFake(t, launchpadtest.Options{Accounts: []launchpadtest.Account{{Product: tt.product, ID: 1, Name: "One"}}})
			s.SetAccounts([]launchpadtest.Account{{Product: tt.product, ID: 1, Name: "One", Href: s.URL + href}})
			ct := "application/json"
			if strings.HasPrefix(tt.body, "<") {
				ct = "application/xml"
			}
			s.ScriptProduct(1, tt.product, launchpadtest.ProductAnswer{Status: 200, Body: tt.body, ContentType: ct})
			r := probe.New(testConfig(newTestClock())).Probe(context.Background(), accountsOf(s)[0], probe.BearerAuth{Source: ts})
			if r.Status != probe.Reachable {
				t.Fatalf("%v: %s", r.Status, r.Reason)
			}
			if *r.Person != tt.want {
				t.Errorf("person %+v, want %+v", *r.Person, tt.want)
			}
		})
	}
}

func TestProbeDefaultBackpackAnswer(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{Accounts: []launchpadtest.Account{}})
	s.SetAccounts([]launchpadtest.Account{{Product: "backpack", ID: 3, Name: "Pack", Href: s.URL + "/backpack/pack/"}})
	r := probe.New(testConfig(newTestClock())).Probe(context.Background(), accountsOf(s)[0], probe.BearerAuth{Source: ts})
	if r.Status != probe.Reachable || r.Person.Name != "Annie Bryan" || !r.Person.Admin {
		t.Fatalf("%v %+v: %s", r.Status, r.Person, r.Reason)
	}
}
