package tui

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"bcauth/store"
)

// TestREADMEKeysMatchTheFooters reads the README's key table and compares
// each row with the keys the footers of that screen show, in every state
// the screen has, so the two cannot drift apart again.
func TestREADMEKeysMatchTheFooters(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| ([a-z ]+) \\| (.*`.*) \\|$").FindAllStringSubmatch(string(readme), -1) {
		rows[m[1]] = m[2]
	}
	states := map[string][]func(m *Model){
		"setup": {
			func(m *Model) { m.screen, m.setup.back = screenSetup, screenSetup },
			func(m *Model) { m.screen, m.setup.back = screenSetup, screenConnect },
		},
		"connect": {
			func(m *Model) { m.screen, m.accounts.session = screenConnect, &store.Session{} },
			func(m *Model) { m.screen, m.cfg.NoBrowser, m.accounts.session = screenConnect, true, &store.Session{} },
		},
		"waiting": {func(m *Model) { m.screen = screenWaiting }},
		"accounts": {func(m *Model) {
			m.screen, m.accounts.session = screenAccounts, testSession(honcho)
			m.showAccounts(m.accounts.session)
		}},
		"error": {func(m *Model) {
			m.screen, m.problem.retry, m.problem.p.EditClient = screenError, retryLogin, true
			m.accounts.session = testSession(honcho)
		}},
		"logged out": {func(m *Model) { m.screen = screenLoggedOut }},
	}
	all := map[string]bool{}
	footers := map[string][]string{}
	for where, fs := range states {
		for _, set := range fs {
			m := New(Config{Service: &countingBackend{client: testClient(t)}, ProbeDelay: -1})
			m.client = testClient(t)
			set(m)
			b := m.bindings()
			for _, col := range append([][]key.Binding{b.short}, b.full...) {
				for _, kb := range col {
					for _, name := range splitKeys(kb.Help().Key) {
						footers[where] = append(footers[where], name)
						all[name] = true
					}
				}
			}
		}
	}
	for where := range states {
		row, ok := rows[where]
		if !ok {
			t.Errorf("the README's key table has no %q row", where)
			continue
		}
		var documented []string
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(row, -1) {
			for _, tok := range strings.Fields(m[1]) {
				for _, name := range splitKeys(tok) {
					if all[name] {
						documented = append(documented, name)
					}
				}
			}
		}
		for _, k := range footers[where] {
			if !slices.Contains(documented, k) {
				t.Errorf("%s: the footer shows %q, which the README's row does not list: %s", where, k, row)
			}
		}
		for _, k := range documented {
			if !slices.Contains(footers[where], k) {
				t.Errorf("%s: the README lists %q, which no footer of that screen shows", where, k)
			}
		}
	}
}

// splitKeys is a help key's key names: "enter/y" is enter and y, "/" is
// itself.
func splitKeys(s string) []string {
	if s == "/" {
		return []string{s}
	}
	return strings.Split(s, "/")
}
