package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
)

// Probing: the detail pane probes the selected account once it has been
// selected for a moment; p probes every account. Results are kept for the
// session, by account key, and never block the UI.

// probeSettle is how long a selection must rest before it is probed, so
// scrolling through a list does not fire a request per row.
const probeSettle = 400 * time.Millisecond

type (
	// probeSettledMsg says a selection has rested; probe it if it still is.
	probeSettledMsg struct {
		key string
	}
	// probeMsg is one account's answer, for one Basecamp ID.
	probeMsg struct {
		session string
		run     int // which p run, 0 for a single probe
		result  auth.ProbeResult
	}
	// probeDoneMsg says a p run has finished (or was cancelled).
	probeDoneMsg struct{ run int }
)

// probeState is what the model knows of reachability this session.
type probeState struct {
	results  map[string]auth.ProbeResult
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
		results:      map[string]auth.ProbeResult{},
		inFlight:     map[string]bool{},
		run:          run,
		singles:      ctx,
		cancelSingle: cancel,
	}
}

// settleProbe asks for a probe of the selected account after it rests.
func (m Model) settleProbe() tea.Cmd {
	r, ok := m.list.selected()
	if !ok || m.client == nil || m.session == nil {
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
	k := r.key
	return tea.Tick(delay, func(time.Time) tea.Msg { return probeSettledMsg{key: k} })
}

// probeOne probes one account in the background.
func (m Model) probeOne(acc auth.Account) tea.Cmd {
	prober := m.prober
	a := auth.BearerAuth{Source: m.tokens}
	parent, key := m.probes.singles, m.session.Key()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, time.Minute)
		defer cancel()
		return probeMsg{session: key, result: prober.Probe(ctx, acc, a)}
	}
}

// probeAll starts probing every account; results arrive one message at a
// time through a channel the model listens on.
func (m *Model) probeAll() tea.Cmd {
	if m.probes.cancel != nil {
		m.probes.cancel()
	}
	accs := make([]auth.Account, len(m.list.rows))
	for i, r := range m.list.rows {
		accs[i] = r.acc
	}
	m.probes.run++
	run := m.probes.run
	ctx, cancel := context.WithCancel(context.Background())
	stream := make(chan probeMsg, len(accs))
	m.probes.cancel, m.probes.stream = cancel, stream
	m.probes.running, m.probes.done, m.probes.total = true, 0, len(accs)
	prober := m.prober
	a := auth.BearerAuth{Source: m.tokens}
	key := m.session.Key()
	start := func() tea.Msg {
		go func() {
			defer close(stream)
			prober.ProbeAll(ctx, accs, a, func(_, _ int, r auth.ProbeResult) {
				stream <- probeMsg{session: key, run: run, result: r}
			})
		}()
		return nil
	}
	return tea.Batch(start, listenProbes(run, stream))
}

// listenProbes waits for the next result of a p run.
func listenProbes(run int, stream <-chan probeMsg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-stream
		if !ok {
			return probeDoneMsg{run: run}
		}
		return msg
	}
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
func (m Model) gotProbe(msg probeMsg) (Model, tea.Cmd) {
	if m.session == nil || msg.session != m.session.Key() {
		// An answer for a Basecamp ID no longer shown. Its run's number
		// is not the current one, so nobody listens for the rest; the
		// stream is buffered for every answer, so its sender never blocks.
		return m, nil
	}
	key := msg.result.Account.Key()
	delete(m.probes.inFlight, key)
	if msg.result.Status != auth.Canceled {
		m.probes.results[key] = msg.result
	}
	if msg.run == 0 {
		return m, nil
	}
	if msg.run != m.probes.run {
		return m, nil
	}
	m.probes.done++
	return m, listenProbes(msg.run, m.probes.stream)
}

func (m Model) probesDone(msg probeDoneMsg) (Model, tea.Cmd) {
	if msg.run != m.probes.run || !m.probes.running {
		return m, nil
	}
	m.probes.running = false
	m.probes.cancel = nil
	counts := map[auth.Status]int{}
	for _, r := range m.list.rows {
		if res, ok := m.probes.results[r.key]; ok {
			counts[res.Status]++
		}
	}
	reach := counts[auth.Reachable]
	m.setStatus(summary(reach, m.probes.total, counts), reach != m.probes.total)
	return m, nil
}

// summary says how a p run went, such as "9 of 12 reachable · 1 inactive".
func summary(reach, total int, counts map[auth.Status]int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(reach) + " of " + strconv.Itoa(total) + " reachable")
	for s := auth.Refused; s <= auth.Canceled; s++ {
		if n := counts[s]; n > 0 && s != auth.Reachable {
			b.WriteString(" · " + strconv.Itoa(n) + " " + s.String())
		}
	}
	return b.String()
}

// probeMark is a row's one-cell status mark; distinct glyphs, so it reads
// without colour too.
func probeMark(s auth.Status) string {
	switch s {
	case auth.Reachable:
		return "✓"
	case auth.Refused:
		return "✗"
	case auth.Inactive:
		return "⊘"
	case auth.NotFound:
		return "?"
	case auth.RateLimited, auth.Timeout:
		return "…"
	case auth.ServerError, auth.Failed:
		return "!"
	case auth.NotProbed:
		return "-"
	}
	return " "
}
