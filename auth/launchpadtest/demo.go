package launchpadtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// StartDemo starts the fake that `bcauth demo` logs in against, on a random
// loopback port, named "bcauth demo" on its consent page. Its redirect URI is
// http://127.0.0.1:PORT/callback on a port that was free a moment ago, for
// the app to listen on. Call Close when done.
func StartDemo() (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: cannot find a free loopback port for the demo's callback: %w", err)
	}
	return NewServerE(Options{
		AppName:     "bcauth demo",
		RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", port),
	})
}

// FreePort is a loopback port nobody listened on a moment ago: a redirect
// URI's port of its own, so parallel tests and packages never clash on
// bcauth's default 8976. It is drawn from below the kernel's ephemeral
// range, where every server on "127.0.0.1:0" (the fake's among them) gets
// its port, so one of those cannot take it between now and the moment the
// login listens on it; and it is never handed out twice by one process.
func FreePort() (int, error) {
	for range 200 {
		port := freePortLow + rand.IntN(freePortHigh-freePortLow)
		if _, taken := handedOut.LoadOrStore(port, true); taken {
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		ln.Close()
		return port, nil
	}
	return 0, errors.New("no free loopback port found")
}

// The range FreePort draws from: above the well-known and registered ports
// people run servers on most, below Linux's ephemeral 32768–60999.
const freePortLow, freePortHigh = 20000, 32000

var handedOut sync.Map // port → true, for FreePort

// DemoIdentity is the Basecamp ID the fake logs in unless told otherwise.
func DemoIdentity() Identity {
	return Identity{ID: 9999999, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"}
}

// Names of demo accounts that tests and screenshots single out.
const (
	// DemoLongName is a demo account name of 125 characters.
	DemoLongName = "The Worshipful Company of Independent Cartographers, Letterpress Printers, Bookbinders and Typefounders of Greater Manchester"
	// DemoHostileName is a demo account name with a screen-clearing escape
	// sequence, an OSC 52 clipboard write and a bell, which a terminal UI must
	// never print as they are.
	DemoHostileName = "Evil\x1b[2J Corp\x1b]52;c;aGk=\x07"
)

// DemoAccounts is a varied set of accounts whose hrefs point at the fake at
// baseURL: every product Launchpad lists (including one bcauth does not
// know), accounts without app_href, one with an extra "hidden" field, two
// products sharing an id, and names that are long, Japanese or hostile.
//
// Product APIs live under one prefix per product: {baseURL}/bc3/ID,
// {baseURL}/bcx/ID/api/v1, {baseURL}/classic/NAME, {baseURL}/campfire/NAME,
// {baseURL}/highrise/NAME, {baseURL}/sortfolio/NAME (a product bcauth does not know). app_href pages are
// under {baseURL}/web/PRODUCT/ID.
func DemoAccounts(baseURL string) []Account {
	web := func(product string, id int64) string {
		return baseURL + "/web/" + product + "/" + strconv.FormatInt(id, 10)
	}
	bc3 := func(id int64, name string) Account {
		return Account{Product: "bc3", ID: id, Name: name,
			Href: baseURL + "/bc3/" + strconv.FormatInt(id, 10), AppHref: web("bc3", id)}
	}
	bcx := func(id int64, name string) Account {
		return Account{Product: "bcx", ID: id, Name: name,
			Href: baseURL + "/bcx/" + strconv.FormatInt(id, 10) + "/api/v1", AppHref: web("bcx", id)}
	}
	hidden := bc3(99999995, "Old Projects (archived)")
	hidden.Extra = map[string]any{"hidden": true}
	return []Account{
		bc3(99999999, "Honcho Design"),
		bc3(99999998, "Stark Street Bakery"),
		bc3(99999997, "株式会社さくらデザイン"),
		bc3(99999996, DemoLongName),
		bc3(99999994, DemoHostileName),
		hidden,
		bcx(88888888, "Wayne Enterprises, Ltd."),
		bcx(88888887, "Blue Heron Architects"),
		{Product: "basecamp", ID: 77777777, Name: "Northwind Traders",
			Href: baseURL + "/classic/northwind"},
		{Product: "campfire", ID: 44444444, Name: "Acme Shipping Co.",
			Href: baseURL + "/campfire/acme4444444", AppHref: web("campfire", 44444444)},
		// Shares its id with a bcx account: accounts are keyed by product and id.
		{Product: "highrise", ID: 88888888, Name: "Globex Sales",
			Href: baseURL + "/highrise/globex"},
		{Product: "sortfolio", ID: 55555555, Name: "Initech Notes",
			Href: baseURL + "/sortfolio/initech", AppHref: web("sortfolio", 55555555),
			Extra: map[string]any{"featured": false}},
	}
}
