package tui

import (
	"cmp"
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/ui/core"
)

// Probing: the detail pane probes the selected account once it has been
// selected for a moment; p probes every account. Results are kept for the
// session, by account key, and never block the UI.

// probeSettle is how long a selection must rest before it is probed, so
// scrolling through a list does not fire a request per row.
const probeSettle = 400 * time.Millisecond

// probeState is what the model knows of reachability this session.
type probeState struct {
	results  map[string]probe.Result
	inFlight map[string]bool
	run      int // the current p run, counting up across sessions
	running  bool
	done     int
	total    int
	cancel   context.CancelFunc
	stream   chan probeMsg
	// singles bounds the one-account probes: cancelled on switch and quit.
	singles      context.Context
	cancelSingle context.CancelFunc
}

// newProbeState starts afresh for a session; run keeps counting, so a run
// of the previous session can never pass for one of this session.
func newProbeState(run int) probeState {
	ctx, cancel := context.WithCancel(context.Background())
	return probeState{
		results:      map[string]probe.Result{},
		inFlight:     map[string]bool{},
		run:          run,
		singles:      ctx,
		cancelSingle: cancel,
	}
}

// settleProbe asks for a probe of the selected account after it rests.
func (m *Model) settleProbe() tea.Cmd {
	r, ok := m.accounts.list.selected()
	if !ok || m.client == nil || m.accounts.session == nil {
		return nil
	}
	if _, done := m.probes.results[r.key]; done || m.probes.inFlight[r.key] {
		return nil
	}
	delay := m.cfg.ProbeDelay
	switch {
	case delay < 0:
		return nil
	case delay == 0:
		delay = probeSettle
	}
	return settle(delay, r.key)
}

// probeSettled probes the selected account if the selection is still the
// one that rested.
func (m *Model) probeSettled(msg probeSettledMsg) tea.Cmd {
	r, ok := m.accounts.list.selected()
	if !ok || r.key != msg.key || m.screen != screenAccounts {
		return nil
	}
	if _, done := m.probes.results[r.key]; done || m.probes.inFlight[r.key] {
		return nil
	}
	m.probes.inFlight[r.key] = true
	return probeOne(m.probes.singles, m.prober, probe.BearerAuth{Source: m.accounts.tokens}, m.sessionKey(), r.acc)
}

// toggleProbes starts probing every account, or stops a run in progress.
func (m *Model) toggleProbes() tea.Cmd {
	switch {
	case m.probes.running:
		m.stopProbes()
		m.setStatus("Stopped probing.", false)
		return nil
	case len(m.accounts.list.rows) == 0:
		m.setStatus("No account to probe.", true)
		return nil
	}
	m.setStatus("", false)
	return m.startProbes()
}

// startProbes starts a p run over every account; its answers arrive one
// message at a time through a channel the model listens on.
func (m *Model) startProbes() tea.Cmd {
	p := &m.probes
	if p.cancel != nil {
		p.cancel()
	}
	accs := make([]auth.Account, len(m.accounts.list.rows))
	for i, r := range m.accounts.list.rows {
		accs[i] = r.acc
	}
	p.run++
	ctx, cancel := context.WithCancel(context.Background())
	stream := make(chan probeMsg, len(accs))
	p.cancel, p.stream = cancel, stream
	p.running, p.done, p.total = true, 0, len(accs)
	a := probe.BearerAuth{Source: m.accounts.tokens}
	return tea.Batch(probeAll(ctx, m.prober, a, m.sessionKey(), p.run, accs, stream), listenProbes(p.run, stream))
}

// stopProbes cancels a p run in progress.
func (m *Model) stopProbes() {
	if m.probes.cancel != nil {
		m.probes.cancel()
		m.probes.cancel = nil
	}
	if m.probes.cancelSingle != nil {
		m.probes.cancelSingle()
	}
	m.probes.running = false
}

// gotProbe records one answer. A cancelled probe is not an answer and is
// not kept.
func (m *Model) gotProbe(msg probeMsg) tea.Cmd {
	if m.accounts.session == nil || msg.session != m.sessionKey() {
		// An answer for a Basecamp ID no longer shown. Its run's number
		// is not the current one, so nobody listens for the rest; the
		// stream is buffered for every answer, so its sender never blocks.
		return nil
	}
	key := msg.result.Account.Key()
	delete(m.probes.inFlight, key)
	if msg.result.Status != probe.Canceled {
		m.probes.results[key] = msg.result
	}
	if msg.run == 0 || msg.run != m.probes.run {
		return nil
	}
	m.probes.done++
	return listenProbes(msg.run, m.probes.stream)
}

func (m *Model) probesDone(msg probeDoneMsg) {
	if msg.run != m.probes.run || !m.probes.running {
		return
	}
	m.probes.running = false
	m.probes.cancel = nil
	counts := map[probe.Status]int{}
	for _, r := range m.accounts.list.rows {
		if res, ok := m.probes.results[r.key]; ok {
			counts[res.Status]++
		}
	}
	reach := counts[probe.Reachable]
	// As for bcauth probe's exit code, a product with nothing to ask is no failure.
	m.setStatus(core.ProbeSummary(counts, m.probes.total), reach+counts[probe.NotProbed] != m.probes.total)
}

// probeMark is a row's one-cell status mark; distinct glyphs, so it reads
// without colour too.
func probeMark(s probe.Status) string {
	switch s {
	case probe.Reachable:
		return "✓"
	case probe.Refused:
		return "✗"
	case probe.Inactive:
		return "⊘"
	case probe.NotFound:
		return "?"
	case probe.RateLimited, probe.Timeout:
		return "…"
	case probe.ServerError, probe.Failed:
		return "!"
	case probe.NotProbed:
		return "-"
	}
	return " "
}

// showMarks says whether rows carry probe marks: once anything was probed.
func (m *Model) showMarks() bool { return m.probes.running || len(m.probes.results) > 0 }

// markStyle colours a probe mark by how good the news is.
func (m *Model) markStyle(st probe.Status) lipgloss.Style {
	switch st {
	case probe.Reachable:
		return m.styles.Good
	case probe.Refused, probe.ServerError, probe.Failed:
		return m.styles.Error
	case probe.Inactive, probe.NotFound, probe.RateLimited, probe.Timeout:
		return m.styles.Warn
	}
	return m.styles.Muted
}

// legend explains the marks that are on screen, as many as fit whole:
// the statuses the answers so far have, in a fixed order.
func (m *Model) legend() string {
	s := m.styles
	seen := map[probe.Status]bool{}
	for _, r := range m.probes.results {
		seen[r.Status] = true
	}
	// The same words at every width, the ones the detail pane and bcauth
	// probe use: a narrow window drops entries, never renames them.
	long := map[probe.Status]string{probe.Refused: "refused", probe.Inactive: "inactive", probe.RateLimited: "slow", probe.Timeout: "slow",
		probe.ServerError: "error", probe.Failed: "error", probe.NotProbed: "not probed"}
	room := max(m.width-2, 1)
	shown := map[string]bool{}
	var b strings.Builder
	used := 0
	for _, st := range []probe.Status{probe.Reachable, probe.Refused, probe.Inactive, probe.NotFound, probe.RateLimited, probe.Timeout, probe.ServerError, probe.Failed, probe.NotProbed} {
		if !seen[st] {
			continue
		}
		label := cmp.Or(long[st], st.String())
		part := probeMark(st) + " " + label
		if shown[part] {
			continue // rate limited and timed out read alike
		}
		shown[part] = true
		w := ansi.StringWidth(part)
		if used > 0 {
			w += 2
		}
		if used+w > room {
			break // never half an entry
		}
		if used > 0 {
			b.WriteString(s.Subtle.Render("  "))
		}
		b.WriteString(m.markStyle(st).Render(probeMark(st)) + s.Muted.Render(" "+label))
		used += w
	}
	return s.App.Render(b.String())
}

// rowMark is a row's probe mark and a space: the answer, a dot while a
// probe is out, blank before. On the selected row it carries the
// selection's background, so the bar has no hole.
func (m *Model) rowMark(key string, selected bool) string {
	st, text := m.styles.Subtle, "  "
	if res, ok := m.probes.results[key]; ok {
		st, text = m.markStyle(res.Status), probeMark(res.Status)+" "
	} else if m.probes.inFlight[key] || m.probes.running {
		text = "· "
	}
	if selected {
		return st.Inherit(m.styles.Selected).Render(text)
	}
	if text == "  " {
		return text
	}
	return st.Render(text)
}

// probeLine describes what the selected account's product said, in the
// words bcauth probe prints, so the two always agree.
func (m *Model) probeLine(key string) string {
	s := m.styles
	res, ok := m.probes.results[key]
	switch {
	case ok && res.Status == probe.Reachable:
		return s.Good.Render("✓ reachable") + s.Value.Render(" as "+core.ProbeDetail(res))
	case ok:
		text := m.markStyle(res.Status).Render(probeMark(res.Status) + " " + res.Status.String())
		if d := core.ProbeDetail(res); d != res.Status.String() {
			text += s.Muted.Render(": " + d)
		}
		return text
	case m.probes.inFlight[key]:
		return s.Muted.Render(m.spinner.View() + " asking the product…")
	}
	if m.cfg.ProbeDelay >= 0 {
		return s.Muted.Render(m.spinner.View() + " asking the product…")
	}
	return s.Muted.Render("not asked yet (p probes every account)")
}
