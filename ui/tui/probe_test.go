package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/cli"
)

func TestDetailPaneProbesTheSelectedAccount(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	cfg := e.config()
	cfg.ProbeDelay = 10 * time.Millisecond
	tm := start(t, cfg, 120, 40)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	// The first account is selected; once it rests it is asked.
	waitFor(t, tm, "reachable as Annie Bryan")
	// The inactive account says so, with the product's reason.
	for range 2 {
		tm.Send(press("j"))
	}
	waitFor(t, tm, "Old Projects (archived)", "account inactive")
}

func TestProbeAllMarksEveryRow(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 100, 30)
	tm.Send(press("p"))
	waitFor(t, tm, "9 of 12 reachable · 1 token refused · 1 account inactive · 1 not probed")
	screen := tm.screen()
	for _, want := range []string{"✗ Northwind Traders", "⊘ Old Projects (archived)", "- Initech Notes", "✓ Honcho Design", "✓ reachable", "- not probed"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	golden(t, "probed_100x30", finalScreen(t, tm))
}

func TestProbeAllCanBeStopped(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{ProductLatency: 200e6})
	tm := login(t, e, 100, 30)
	tm.Send(press("p"))
	waitFor(t, tm, "Probing")
	tm.Send(press("p"))
	waitFor(t, tm, "Stopped probing.")
	if strings.Contains(tm.screen(), "Probing") {
		t.Error("the progress bar stayed after stopping")
	}
}

// TestTUIAndProbeCommandAgree probes the same login from the TUI and from
// bcauth probe and compares what each says of every account.
func TestTUIAndProbeCommandAgree(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 100, 30)
	tm.Send(press("p"))
	waitFor(t, tm, "9 of 12 reachable")
	m := finalModel(t, tm)

	var stdout, stderr strings.Builder
	code := cli.Probe(context.Background(), e.Svc, cli.Output{Stdout: &stdout, Stderr: &stderr}, cli.ProbeOptions{JSON: true})
	if code != 3 {
		t.Fatalf("bcauth probe exited %d, want 3 (some accounts unreachable); stderr: %s", code, stderr.String())
	}
	var cli []struct {
		Product string `json:"product"`
		ID      int64  `json:"id"`
		Status  string `json:"status"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &cli); err != nil {
		t.Fatal(err)
	}
	if len(cli) != len(m.accounts.list.rows) {
		t.Fatalf("bcauth probe answered for %d accounts, the TUI shows %d", len(cli), len(m.accounts.list.rows))
	}
	for _, c := range cli {
		key := fmt.Sprintf("%s:%d", c.Product, c.ID)
		res, ok := m.probes.results[key]
		if !ok {
			t.Errorf("the TUI has no answer for %s", key)
			continue
		}
		if res.Status.Name() != c.Status {
			t.Errorf("%s: the TUI says %s, bcauth probe says %s", key, res.Status.Name(), c.Status)
		}
	}
}

// finalModel quits and returns the root model as it ended.
func finalModel(t *testing.T, tm *prog) *Model {
	t.Helper()
	tm.Send(tea.Quit())
	return tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(recorder).Model
}
