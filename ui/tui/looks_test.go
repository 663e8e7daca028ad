package tui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/auth/probe"
)

// Looks that held still or said the point (issue 21, points 13 and 15),
// as the root model draws them at a size.

// accountsAt is the accounts screen of honcho and a long-named account at
// w×h.
func accountsAt(t *testing.T, w, h int) *Model {
	t.Helper()
	long := auth.Account{Product: "bc3", ID: 98, Name: "The Worshipful Company of Independent Cartographers, Letterpress Printers, Bookbinders", Href: "http://127.0.0.1:9/bc3/98"}
	b := &countingBackend{client: testClient(t), current: testSession(honcho, long)}
	m := settled(t, b, Config{})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

// The side pane's box is as tall before the product answers as after a
// long answer: it used to grow by two lines.
func TestTheDetailBoxDoesNotGrowWhenTheProductAnswers(t *testing.T) {
	m := accountsAt(t, 100, 30)
	r, _ := m.accounts.list.selected()
	before := lineCount(m.renderDetail(40, 20, false))
	m.Update(probeMsg{session: m.sessionKey(), result: probe.Result{Account: r.acc, Status: probe.Reachable,
		Person: &probe.Person{ID: 1699999958, Name: "Annie Bryan", Email: "annie@example.com", Admin: true, Owner: true}}})
	if after := lineCount(m.renderDetail(40, 20, false)); after != before {
		t.Errorf("the detail grew from %d to %d lines when the product answered", before, after)
	}
}

// The legend says the same words at every width; a narrow window drops
// entries whole.
func TestTheLegendKeepsItsWords(t *testing.T) {
	for _, w := range []int{60, 100, 200} {
		m := accountsAt(t, w, 24)
		r, _ := m.accounts.list.selected()
		m.probes.results[r.key] = probe.Result{Account: r.acc, Status: probe.Reachable}
		m.probes.results["x"] = probe.Result{Status: probe.NotProbed}
		legend := ansi.Strip(m.legend())
		for _, word := range []string{"✓ reachable", "- not probed"} {
			if !strings.Contains(legend, word) {
				t.Errorf("at %d columns the legend %q lacks %q", w, legend, word)
			}
		}
	}
}

// At 60×15 the full help leaves the selected account on screen.
func TestHelpInASmallWindowLeavesTheSelection(t *testing.T) {
	m := accountsAt(t, 60, 15)
	m.Update(press("?"))
	screen := screenText(m)
	if !strings.Contains(screen, "▌") || !strings.Contains(screen, "Honcho Design") {
		t.Errorf("no account row with the help open:\n%s", screen)
	}
	if !strings.Contains(screen, "L       log out") {
		t.Errorf("the full help is cut:\n%s", screen)
	}
}

// A failed open names what it tried to open (o opens app_href) and what
// y copies instead (the href, another URL), before any cut.
func TestAFailedOpenSaysWhatItTried(t *testing.T) {
	m := accountsAt(t, 60, 15)
	m.Update(openedMsg{url: "http://127.0.0.1:9/bc3/99", err: errNoBrowser})
	if got := m.accounts.status; got != "No browser here to open href: y copies it." {
		t.Errorf("status %q", got)
	}
	m.Update(openedMsg{url: "http://127.0.0.1:9/bc3/99", err: errors.New("xdg-open failed")})
	if got := m.accounts.status; got != "Could not open href: xdg-open failed; y copies it." {
		t.Errorf("status %q", got)
	}
}

// Filtering keeps the header's count of the whole list, and the filter's
// "N of M" stays in its column when enter ends the typing.
func TestFilteringMovesNothing(t *testing.T) {
	m := accountsAt(t, 80, 24)
	header := func() string { return strings.Split(screenText(m), "\n")[1] }
	before := header()
	m.Update(press("/"))
	for _, r := range "hon" {
		m.Update(press(string(r)))
	}
	if got := header(); !strings.Contains(got, "2 accounts in 1 product") || got != before {
		t.Errorf("the header went from %q to %q while filtering", before, got)
	}
	countAt := func() int {
		for _, l := range strings.Split(screenText(m), "\n") {
			if i := strings.Index(l, "1 of 2"); i >= 0 && strings.Contains(l, "/ hon") {
				return i
			}
		}
		return -1
	}
	typing := countAt()
	m.Update(press("enter"))
	if after := countAt(); typing < 0 || after != typing {
		t.Errorf("the count moved from column %d to %d on enter:\n%s", typing, after, screenText(m))
	}
}

// The detail pane's hrefs, shortened on screen, link to the whole URL.
func TestDetailHrefsAreHyperlinks(t *testing.T) {
	m := accountsAt(t, 100, 30)
	if !strings.Contains(m.View().Content, "\x1b]8;;"+honcho.Href) {
		t.Error("the href is no hyperlink to the whole URL")
	}
}
