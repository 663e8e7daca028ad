package tui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/store"
	"bcauth/ui/core"
)

// The root model's table tests: a state, a message, and the screen and
// commands that follow, without a program, a terminal or a network. The
// Backend counts its I/O calls, so the tests also prove that Update and
// View never do I/O themselves: every call must come from running a
// command.

// countingBackend answers from fields and counts every call that would be
// I/O for the real Service.
type countingBackend struct {
	calls    atomic.Int32
	settings core.Settings
	client   *auth.Client
	current  *store.Session
	err      error        // from Client or Current
	reload   *core.Reload // from ReloadWith
	saved    atomic.Bool  // SaveClient was called
	savedBC5 atomic.Value // the ID SaveBC5Client was given
	// setupServer is what SetupServer says: Launchpad when zero.
	setupServer auth.Server
	switched    atomic.Value  // the key Switch was given
	forgot      atomic.Value  // the key Forget was given
	unused      *probe.Prober // never used: the table runs no probe
}

func (b *countingBackend) io() { b.calls.Add(1) }

func (b *countingBackend) Settings() core.Settings { b.io(); return b.settings }
func (b *countingBackend) Client() (*auth.Client, error) {
	b.io()
	if errors.Is(b.err, auth.ErrNotConfigured) {
		return nil, b.err
	}
	return b.client, nil
}
func (b *countingBackend) Discover(context.Context) (*core.Plan, error) {
	b.io()
	if b.client == nil {
		return nil, auth.ErrNotConfigured
	}
	return &core.Plan{Client: b.client}, nil
}
func (b *countingBackend) ClientFor(*store.Session) (*auth.Client, error) {
	b.io()
	return b.client, nil
}
func (b *countingBackend) Current(*auth.Client) (*store.Session, error) {
	b.io()
	return b.current, b.err
}
func (b *countingBackend) Find(*auth.Client, string) (*store.Session, error) {
	b.io()
	return b.current, b.err
}
func (b *countingBackend) Sessions(*auth.Client) ([]store.Session, string, error) {
	b.io()
	if b.current == nil {
		return nil, "", nil
	}
	return []store.Session{*b.current}, b.current.Key(), nil
}
func (b *countingBackend) SaveClient(id, secret string) (string, error) {
	b.io()
	b.saved.Store(true)
	return "", nil
}
func (b *countingBackend) SetupServer(context.Context) (auth.Server, error) {
	b.io()
	return b.setupServer, nil
}
func (b *countingBackend) SaveBC5Client(id string) (string, error) {
	b.io()
	b.savedBC5.Store(id)
	return "", nil
}
func (b *countingBackend) Complete(context.Context, *auth.Client, *oauth2.Token) (*store.Session, string, error) {
	b.io()
	return b.current, "", nil
}
func (b *countingBackend) ReloadWith(context.Context, *auth.Client, *store.Session, *auth.TokenSource) (*core.Reload, error) {
	b.io()
	return b.reload, b.err
}
func (b *countingBackend) Remember(string, string) error { b.io(); return nil }
func (b *countingBackend) Forget(_ context.Context, key string) (*core.Revocation, error) {
	b.io()
	b.forgot.Store(key)
	return nil, nil
}
func (b *countingBackend) Switch(key string) error { b.io(); b.switched.Store(key); return nil }

// TokenSource, FromEnv and Prober build values; they are not I/O.
func (b *countingBackend) FromEnv(*store.Session) bool { return false }
func (b *countingBackend) TokenSource(c *auth.Client, sess *store.Session) *auth.TokenSource {
	return c.TokenSource(sess.Token.OAuth2(), nil)
}
func (b *countingBackend) Prober(*auth.Client) *probe.Prober { return b.unused }

func testClient(t *testing.T) *auth.Client {
	t.Helper()
	// Never dialled: the table runs no command that reaches Launchpad.
	c, err := auth.New(auth.Config{ClientID: "id", ClientSecret: "secret", LaunchpadURL: "http://127.0.0.1:9", RedirectURI: "http://127.0.0.1:9/callback"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testSession(accounts ...auth.Account) *store.Session {
	s := &store.Session{LaunchpadURL: "http://127.0.0.1:9", ClientID: "id",
		Identity: auth.Identity{ID: 7, FirstName: "Annie", LastName: "Bryan", EmailAddress: "annie@example.com"},
		Token:    store.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}}
	if accounts != nil {
		s.Authorization = &auth.Authorization{Accounts: accounts}
	}
	return s
}

// honcho's href is loopback, like every href a test hands the program:
// nothing may probe a real host.
var honcho = auth.Account{Product: "bc3", ID: 99, Name: "Honcho Design", Href: "http://127.0.0.1:9/bc3/99"}

// settled is a model that has shown its first screen: what the given
// backend's load says.
func settled(t *testing.T, b *countingBackend, cfg Config) *Model {
	t.Helper()
	cfg.Service, cfg.ProbeDelay = b, -1
	m := New(cfg)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	loaded := load(b)()
	b.calls.Store(0) // the load command's own I/O; from here on, none
	m.Update(loaded)
	return m
}

// collect runs cmd and every command it batches, in a synctest bubble so
// ticks and blinks fire at once, and returns the messages.
func collect(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	synctest.Test(t, func(t *testing.T) {
		var run func(tea.Cmd)
		run = func(c tea.Cmd) {
			if c == nil {
				return
			}
			switch msg := c().(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case nil:
			default:
				out = append(out, msg)
			}
		}
		run(cmd)
	})
	return out
}

// has reports whether msgs holds a message of type T.
func has[T any](msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(T); ok {
			return true
		}
	}
	return false
}

func TestRootModel(t *testing.T) {
	notConfigured := func(t *testing.T) *countingBackend { return &countingBackend{err: auth.ErrNotConfigured} }
	loggedIn := func(t *testing.T) *countingBackend {
		return &countingBackend{client: testClient(t), current: testSession(honcho)}
	}
	tests := []struct {
		name    string
		backend func(t *testing.T) *countingBackend
		cfg     Config
		// then is sent to the settled model, when not nil
		then   func(m *Model) tea.Msg
		screen screen
		// run runs the commands the message led to, for check's msgs; only
		// for commands that answer from the backend (a login would bind a
		// real listener).
		run   bool
		check func(t *testing.T, m *Model, b *countingBackend, msgs []tea.Msg)
	}{
		{
			name: "nothing configured opens setup", backend: notConfigured, screen: screenSetup,
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.setup.focus != 0 || !m.setup.id.Focused() {
					t.Error("the client ID field is not focused")
				}
			},
		},
		{
			name: "bcauth setup opens setup filled in", cfg: Config{Start: StartSetup}, screen: screenSetup,
			backend: func(t *testing.T) *countingBackend {
				b := loggedIn(t)
				b.settings.Client = store.ClientConfig{ClientID: "the-id", ClientSecret: "the-secret"}
				return b
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.setup.id.Value() != "the-id" || m.setup.secret.Value() != "the-secret" {
					t.Errorf("setup shows %q / %q", m.setup.id.Value(), m.setup.secret.Value())
				}
				if m.start != StartApp {
					t.Error("the start was not consumed")
				}
			},
		},
		{
			name: "enter with no client ID stays on it and says so", backend: notConfigured, screen: screenSetup,
			then: func(m *Model) tea.Msg { return press("enter") },
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.setup.focus != 0 || m.setup.note != "Enter the client ID first." {
					t.Errorf("focus %d, note %q", m.setup.focus, m.setup.note)
				}
			},
		},
		{
			name: "esc on setup opened from an error goes back to it, unchanged", screen: screenError,
			backend: func(t *testing.T) *countingBackend {
				return &countingBackend{client: testClient(t), err: &store.CorruptError{Path: "/x/state.json", Err: errors.New("bad")}}
			},
			then: func(m *Model) tea.Msg {
				m.Update(press("e"))
				if m.screen != screenSetup {
					return nil
				}
				m.setup.id.SetValue("typed but not saved")
				return press("esc")
			},
			run: true,
			check: func(t *testing.T, m *Model, b *countingBackend, msgs []tea.Msg) {
				if has[tea.QuitMsg](msgs) || b.saved.Load() {
					t.Errorf("esc quit or saved: %v, saved %v", msgs, b.saved.Load())
				}
			},
		},
		{
			name: "a stored login shows its cached accounts and reloads", backend: loggedIn, screen: screenAccounts,
			check: func(t *testing.T, m *Model, b *countingBackend, _ []tea.Msg) {
				if !m.accounts.loading || len(m.accounts.list.rows) != 1 {
					t.Errorf("loading %v, %d rows", m.accounts.loading, len(m.accounts.list.rows))
				}
			},
		},
		{
			name: "a login with no cached accounts waits for them", screen: screenLoading,
			backend: func(t *testing.T) *countingBackend {
				return &countingBackend{client: testClient(t), current: testSession()}
			},
		},
		{
			name: "a corrupt state file is an error offering a new login", screen: screenError,
			backend: func(t *testing.T) *countingBackend {
				return &countingBackend{client: testClient(t), err: &store.CorruptError{Path: "/x/state.json", Err: errors.New("bad")}}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.problem.p.Kind != core.KindCorruptState || m.problem.retry != retryLogin || !m.problem.p.Relogin {
					t.Errorf("problem %+v, retry %v", m.problem.p, m.problem.retry)
				}
			},
		},
		{
			name: "esc on setup quits", run: true, backend: notConfigured, screen: screenSetup,
			then: func(*Model) tea.Msg { return press("esc") },
			check: func(t *testing.T, _ *Model, _ *countingBackend, msgs []tea.Msg) {
				if !has[tea.QuitMsg](msgs) {
					t.Errorf("no quit in %v", msgs)
				}
			},
		},
		{
			name: "enter on the secret saves the client", run: true, backend: notConfigured, screen: screenSetup,
			then: func(m *Model) tea.Msg {
				m.setup.id.SetValue("id")
				m.setup.secret.SetValue("secret")
				m.setup.focusOn(1)
				return press("enter")
			},
			check: func(t *testing.T, m *Model, b *countingBackend, msgs []tea.Msg) {
				if !b.saved.Load() || !has[clientSavedMsg](msgs) || m.setup.note != "Saving…" {
					t.Errorf("saved %v, note %q, msgs %v", b.saved.Load(), m.setup.note, msgs)
				}
			},
		},
		{
			name: "a reload overtaken by another is dropped", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg {
				return reloadMsg{key: m.sessionKey(), gen: m.accounts.reloadGen - 1, err: errors.New("stale")}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if !m.accounts.loading || m.accounts.status != "" {
					t.Errorf("the stale answer was taken: loading %v, status %q", m.accounts.loading, m.accounts.status)
				}
			},
		},
		{
			name: "a refused login logs in again", backend: loggedIn, screen: screenConnect,
			then: func(m *Model) tea.Msg {
				return reloadMsg{key: m.sessionKey(), gen: m.accounts.reloadGen, err: &auth.LaunchpadError{Op: auth.OpRefresh, Status: 400, Text: "This Basecamp ID rekeyed its deadbolt.", Kind: auth.KindRelogin}}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if !strings.Contains(m.login.note, "rekeyed its deadbolt") {
					t.Errorf("connect note %q does not quote Launchpad", m.login.note)
				}
			},
		},
		{
			name: "Launchpad down keeps the cached accounts", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg {
				return reloadMsg{key: m.sessionKey(), gen: m.accounts.reloadGen, background: true,
					err: &auth.LaunchpadError{Op: auth.OpAuthorization, Status: 503, Text: "down", Kind: auth.KindRetry}}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if !m.accounts.statusBad || !strings.Contains(m.accounts.status, "probably temporary") || !strings.Contains(m.accounts.status, "r to retry") {
					t.Errorf("status %q", m.accounts.status)
				}
			},
		},
		{
			name: "a failed reload in the foreground is an error that reloads", backend: loggedIn, screen: screenError,
			then: func(m *Model) tea.Msg {
				return reloadMsg{key: m.sessionKey(), gen: m.accounts.reloadGen, err: errors.New("disk on fire")}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.problem.retry != retryReload || m.problem.p.Detail != "disk on fire" {
					t.Errorf("retry %v, problem %+v", m.problem.retry, m.problem.p)
				}
			},
		},
		{
			name: "a login answer for an abandoned attempt is dropped", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg { return loginDoneMsg{attempt: m.login.attempt - 1, err: errors.New("late")} },
		},
		{
			name: "s then enter on another ID switches to it", run: true, screen: screenAccounts,
			backend: func(t *testing.T) *countingBackend { return loggedIn(t) },
			then: func(m *Model) tea.Msg {
				other := *testSession(honcho)
				other.Identity.ID = 8
				m.accounts.others = append(m.accounts.others, other)
				m.Update(press("s"))
				m.Update(press("down"))
				return press("enter")
			},
			check: func(t *testing.T, m *Model, b *countingBackend, msgs []tea.Msg) {
				if k, _ := b.switched.Load().(string); !strings.HasSuffix(k, "|8") || !has[switchedMsg](msgs) {
					t.Errorf("switched to %q, msgs %v", k, msgs)
				}
			},
		},
		{
			name: "L then L logs out", run: true, backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg { m.Update(press("L")); return press("L") },
			check: func(t *testing.T, m *Model, b *countingBackend, msgs []tea.Msg) {
				if k, _ := b.forgot.Load().(string); k != m.sessionKey() || !has[loggedOutMsg](msgs) {
					t.Errorf("forgot %q, msgs %v", k, msgs)
				}
			},
		},
		{
			name: "after logging out the status no longer says logging out", backend: loggedIn, screen: screenLoading,
			then: func(m *Model) tea.Msg {
				m.Update(press("L"))
				m.Update(press("L"))
				return loggedOutMsg{}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.accounts.status != "" || m.loggedOut == "" {
					t.Errorf("status %q, logged out %q", m.accounts.status, m.loggedOut)
				}
			},
		},
		{
			// y copies on this screen: out of habit it must not confirm.
			name: "L then y keeps the login and copies nothing", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg { m.Update(press("L")); return press("y") },
			check: func(t *testing.T, m *Model, b *countingBackend, _ []tea.Msg) {
				if b.forgot.Load() != nil || m.accounts.status != "Still logged in." {
					t.Errorf("forgot %v, status %q", b.forgot.Load(), m.accounts.status)
				}
			},
		},
		{
			name: "typing the client ID clears enter-it-first", backend: notConfigured, screen: screenSetup,
			then: func(m *Model) tea.Msg { m.Update(press("enter")); return press("a") },
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.setup.note != "" || m.setup.id.Value() != "a" {
					t.Errorf("note %q, id %q", m.setup.note, m.setup.id.Value())
				}
			},
		},
		{
			name: "a status from the accounts does not follow onto the connect screen", backend: loggedIn, screen: screenConnect,
			then: func(m *Model) tea.Msg {
				m.setStatus("Reloaded from Launchpad.", false)
				m.Update(press("s"))
				m.Update(press("down")) // log in with another
				return press("enter")
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.accounts.status != "" || strings.Contains(m.viewConnect(), "Reloaded") {
					t.Errorf("status %q on the connect screen", m.accounts.status)
				}
			},
		},
		{
			name: "the filter clears what the last key said", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg {
				m.setStatus("Could not open http://x: no browser; y copies the href instead.", true)
				return press("/")
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.accounts.status != "" {
					t.Errorf("status %q in filter mode", m.accounts.status)
				}
			},
		},
		{
			name: "a switch that landed says whose accounts these are", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg {
				m.setStatus("Switching…", false)
				m.accounts.switching = true
				return loadedMsg{client: m.client, session: testSession(honcho)}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.accounts.status != "Now showing Annie Bryan (annie@example.com)." {
					t.Errorf("status %q", m.accounts.status)
				}
			},
		},
		{
			name: "a logout that lands on another ID says so", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg {
				m.loggedOut = "Ben Ortiz (ben@example.com)"
				return loadedMsg{client: m.client, session: testSession(honcho)}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if m.accounts.status != "Logged out of Ben Ortiz (ben@example.com); now showing Annie Bryan (annie@example.com)." {
					t.Errorf("status %q", m.accounts.status)
				}
			},
		},
		{
			name: "L then anything else keeps the login", backend: loggedIn, screen: screenAccounts,
			then: func(m *Model) tea.Msg { m.Update(press("L")); return press("x") },
			check: func(t *testing.T, m *Model, b *countingBackend, _ []tea.Msg) {
				if b.forgot.Load() != nil || m.accounts.status != "Still logged in." {
					t.Errorf("forgot %v, status %q", b.forgot.Load(), m.accounts.status)
				}
			},
		},
		{
			name: "a copy without a system clipboard says it went through the terminal", backend: loggedIn, screen: screenAccounts,
			then: func(*Model) tea.Msg { return copiedMsg{text: "http://127.0.0.1:9/bc3/99"} },
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				// Nothing confirmed it: it was sent, not copied.
				if !strings.HasPrefix(m.accounts.status, "Sent ") || !strings.Contains(m.accounts.status, "OSC 52") {
					t.Errorf("status %q", m.accounts.status)
				}
			},
		},
		{
			name: "a copy tmux took says so", backend: loggedIn, screen: screenAccounts,
			then: func(*Model) tea.Msg { return copiedMsg{text: "http://127.0.0.1:9/bc3/99", tmux: true} },
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if !strings.HasPrefix(m.accounts.status, "Copied ") || !strings.Contains(m.accounts.status, "tmux's paste buffer") {
					t.Errorf("status %q", m.accounts.status)
				}
			},
		},
		{
			name: "a failed system clipboard is named", backend: loggedIn, screen: screenAccounts,
			then: func(*Model) tea.Msg {
				return copiedMsg{text: "http://127.0.0.1:9/bc3/99", sys: true, sysErr: errors.New("xclip: no display")}
			},
			check: func(t *testing.T, m *Model, _ *countingBackend, _ []tea.Msg) {
				if !strings.HasPrefix(m.accounts.status, "Sent ") || !strings.Contains(m.accounts.status, "xclip: no display") || !m.accounts.statusBad {
					t.Errorf("status %q (bad %v)", m.accounts.status, m.accounts.statusBad)
				}
			},
		},
		{
			name: "an unsafe href is not copied", run: true, screen: screenAccounts,
			backend: func(t *testing.T) *countingBackend {
				b := loggedIn(t)
				b.current = testSession(auth.Account{Product: "bc3", ID: 1, Name: "x", Href: "javascript:alert(1)"})
				return b
			},
			then: func(*Model) tea.Msg { return press("y") },
			check: func(t *testing.T, m *Model, _ *countingBackend, msgs []tea.Msg) {
				if !strings.HasPrefix(m.accounts.status, "Not copied") || has[copiedMsg](msgs) {
					t.Errorf("status %q, msgs %v", m.accounts.status, msgs)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.backend(t)
			m := settled(t, b, tt.cfg)
			var cmd tea.Cmd
			if tt.then != nil {
				_, cmd = m.Update(tt.then(m))
			}
			_ = m.View()
			if n := b.calls.Load(); n != 0 {
				t.Fatalf("Update or View made %d I/O calls; only commands may", n)
			}
			if m.screen != tt.screen {
				t.Fatalf("screen %d, want %d", m.screen, tt.screen)
			}
			var msgs []tea.Msg
			if tt.run {
				msgs = collect(t, cmd)
			}
			if tt.check != nil {
				tt.check(t, m, b, msgs)
			}
		})
	}
}

// TestPickerChoosesFromWhatItShows: the stored IDs may arrive after the
// picker opened; enter acts on the entry the picker drew.
func TestPickerChoosesFromWhatItShows(t *testing.T) {
	b := &countingBackend{client: testClient(t), current: testSession(honcho)}
	m := settled(t, b, Config{})
	m.accounts.others = nil // the stored IDs have not been read yet
	m.Update(press("s"))
	m.Update(othersMsg{others: []store.Session{*b.current}}) // now they have
	_, cmd := m.Update(press("enter"))                       // the only entry drawn: log in with another
	if m.screen != screenConnect || cmd == nil {
		t.Errorf("screen %d after choosing \"log in with another\", want connect", m.screen)
	}
}

// TestDemoWithNoBrowserWaitsForThePaste: bcauth demo --no-browser is for
// rehearsing the paste-back, so the demo does not approve by itself, and
// the field's example is this login's own redirect URI.
func TestDemoWithNoBrowserWaitsForThePaste(t *testing.T) {
	b := &countingBackend{client: testClient(t), err: core.ErrNotLoggedIn}
	m := settled(t, b, Config{NoBrowser: true, Demo: &Demo{Headless: true, After: time.Millisecond}})
	if m.screen != screenConnect {
		t.Fatalf("screen %d, want connect", m.screen)
	}
	l, err := m.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	m.Update(loginReadyMsg{attempt: m.login.attempt, login: l})
	if !m.login.demoAt.IsZero() {
		t.Error("the demo will approve by itself although --no-browser asked for the paste-back")
	}
	if want := m.client.Config().RedirectURI + "?code="; !strings.HasPrefix(m.login.paste.Placeholder, want) {
		t.Errorf("placeholder %q, want it to start %q", m.login.paste.Placeholder, want)
	}
}

// TestPasteErrorsReadAsSentences: a paste error ends its sentence before
// the advice that follows it.
func TestPasteErrorsReadAsSentences(t *testing.T) {
	b := &countingBackend{client: testClient(t), err: core.ErrNotLoggedIn}
	m := settled(t, b, Config{NoBrowser: true})
	l, err := m.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	m.Update(loginReadyMsg{attempt: m.login.attempt, login: l})
	for _, e := range []error{auth.ErrStateMismatch, errors.New("it starts with http://127.0.0.1:9/callback…)")} {
		m.Update(pasteFailedMsg{attempt: m.login.attempt, err: e})
		if strings.Contains(m.login.pasteNote, "again Paste") || strings.Contains(m.login.pasteNote, ") Paste") {
			t.Errorf("paste note reads garbled: %q", m.login.pasteNote)
		}
	}
}
