package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// shown is the names of the accounts the list shows, in order.
func shown(l *accountList) []string {
	var names []string
	for _, v := range l.visible {
		names = append(names, l.rows[l.lines[v].row].name)
	}
	return names
}

func TestFilterMatchesWhatThePlaceholderPromises(t *testing.T) {
	var accounts []auth.Account
	for _, a := range launchpadtest.DemoAccounts("http://127.0.0.1:9") {
		accounts = append(accounts, auth.Account{Product: a.Product, ID: a.ID, Name: a.Name, Href: a.Href})
	}
	clean := func(name string) string { return newAccountList([]auth.Account{{Name: name}}).rows[0].name }
	long, hostile := clean(launchpadtest.DemoLongName), clean(launchpadtest.DemoHostileName)
	for _, tc := range []struct {
		name, filter string
		want         []string // in the order shown
		selected     string
	}{
		{name: "a name", filter: "honcho", want: []string{"Honcho Design"}},
		{name: "a word of a name", filter: "bakery", want: []string{"Stark Street Bakery"}},
		{name: "a whole id", filter: "44444444", want: []string{"Acme Shipping Co."}},
		{name: "a part of an id", filter: "9999", want: []string{hostile, "Honcho Design", "Old Projects (archived)", "Stark Street Bakery", long, "株式会社さくらデザイン"}},
		{name: "an id two products share", filter: "88888888", want: []string{"Wayne Enterprises, Ltd.", "Globex Sales"}},
		{name: "a product code", filter: "bc3", want: []string{hostile, "Honcho Design", "Old Projects (archived)", "Stark Street Bakery", long, "株式会社さくらデザイン"}},
		{name: "a product code, another", filter: "campfire", want: []string{"Acme Shipping Co."}},
		{name: "a product name", filter: "highrise", want: []string{"Globex Sales"}},
		{name: "Basecamp names four products", filter: "Basecamp", want: []string{
			hostile, "Honcho Design", "Old Projects (archived)", "Stark Street Bakery", long, "株式会社さくらデザイン",
			"Blue Heron Architects", "Wayne Enterprises, Ltd.", "Northwind Traders"}},
		{name: "two words: a product and a name", filter: "bc3 stark", want: []string{"Stark Street Bakery"}},
		{name: "Japanese", filter: "さくら", want: []string{"株式会社さくらデザイン"}},
		{name: "initials of neighbouring words", filter: "wayent", want: []string{"Wayne Enterprises, Ltd."}},
		// Letters scattered over unrelated words are noise.
		{name: "hon is not Heron nor The Worshipful…", filter: "hon", want: []string{"Honcho Design"}},
		{name: "wayne is not The Worshipful…", filter: "wayne", want: []string{"Wayne Enterprises, Ltd."}},
		{name: "letters across a long name", filter: "tcog", want: nil},
		// A word's start outranks the inside of another word, in one group
		// (names are sorted; the filter orders within a product).
		{name: "word starts first", filter: "de", want: []string{"Honcho Design", long, "Northwind Traders"}, selected: "Honcho Design"},
		{name: "nothing", filter: "zzz", want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newAccountList(accounts)
			l.setFilter(tc.filter)
			if got := shown(&l); !slices.Equal(got, tc.want) {
				t.Errorf("filter %q shows\n%q\nwant\n%q", tc.filter, got, tc.want)
			}
			if tc.selected != "" {
				if r, _ := l.selected(); r == nil || r.name != tc.selected {
					t.Errorf("selected %v, want %q", r, tc.selected)
				}
			}
		})
	}
}

func TestFilterHighlightsTheIdItMatched(t *testing.T) {
	l := newAccountList([]auth.Account{{Product: "bc3", ID: 12349999, Name: "Acme"}})
	l.setFilter("9999")
	if got := l.lines[l.visible[0]].idMarks; !slices.Equal(got, []int{4, 5, 6, 7}) {
		t.Errorf("id marks %v, want 4-7", got)
	}
	l.setFilter("wayent")
	l = newAccountList([]auth.Account{{Product: "bc3", ID: 1, Name: "Wayne Enterprises"}})
	l.setFilter("wayent")
	if got := l.lines[l.visible[0]].marks; !slices.Equal(got, []int{0, 1, 2, 6, 7, 8}) {
		t.Errorf("name marks %v, want way…ent", got)
	}
}

// On 10,000 made-up names, a word of a name finds exactly the names that
// hold a word starting with it, an id finds its account alone, and two
// letters that start no word find none.
func TestFilterOnManyNames(t *testing.T) {
	words := []string{"North", "South", "Acme", "Blue", "Heron", "Design", "Studio", "Bakery", "Honcho", "Labs", "Works", "Trading", "Partners", "Group"}
	accs := make([]auth.Account, 10_000)
	for i := range accs {
		accs[i] = auth.Account{Product: []string{"bc3", "bcx", "highrise"}[i%3], ID: int64(10_000_000 + i),
			Name: fmt.Sprintf("%s %s %s", words[i%len(words)], words[(i/len(words))%len(words)], words[(i/7)%len(words)])}
	}
	l := newAccountList(accs)
	l.setFilter("heron")
	want := 0
	for _, a := range accs {
		if strings.Contains(a.Name, "Heron") {
			want++
		}
	}
	if got := len(l.visible); got != want {
		t.Errorf("heron shows %d, want the %d names with Heron", got, want)
	}
	l.setFilter("10004321")
	if got := shown(&l); len(got) != 1 || got[0] != accs[4321].Name {
		t.Errorf("an id shows %q", got)
	}
	l.setFilter("hon") // Honcho, not "Heron … North…"
	for _, name := range shown(&l) {
		if !strings.Contains(name, "Honcho") {
			t.Fatalf("hon shows %q", name)
		}
	}
}

// A name of many alike words and a long filter of the same letters finish
// at once: the word-start search remembers what failed.
func TestFilterIsNotExponential(t *testing.T) {
	l := newAccountList([]auth.Account{{Product: "bc3", ID: 1, Name: strings.Repeat("aaaa ", 60) + "b"}})
	done := make(chan struct{})
	go func() {
		l.setFilter(strings.Repeat("a", 150) + "c")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("filtering a name of alike words did not finish in 10s")
	}
	if len(l.visible) != 0 {
		t.Errorf("matched %d", len(l.visible))
	}
}
