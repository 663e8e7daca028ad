package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"bcauth/auth"
	"bcauth/store"
)

// Where says where a front end keeps its state and how it may do without.
type Where struct {
	// Dir is the state directory; CacheDir the account cache's ("" keeps
	// it inside Dir, as the demo does).
	Dir, CacheDir string
	// Lenient, with Token set, lets a missing state directory stay
	// missing and one that cannot be opened be done without: the token
	// needs none, so a read-only or missing home still works.
	Lenient bool
	// Keyring lets this run use the OS keyring, as BCAUTH_KEYRING and
	// config.json decide (the demo's throwaway state never does).
	Keyring bool
	// Clock is the Service's clock: nil (the wall clock) but in tests,
	// which share the fake Launchpad's.
	Clock func() time.Time
}

// Stored is where the person's own state lives: the XDG config and cache
// directories, the OS keyring when its setting says so.
func Stored(lenient bool) Where {
	return Where{Dir: store.DefaultDir(), CacheDir: store.DefaultCacheDir(), Lenient: lenient, Keyring: true}
}

// Peek opens w's store only to look (shell completions): without the
// keyring, and moving or writing nothing.
func Peek(w Where, env Env) (*Service, error) {
	st, err := store.Open(w.Dir, store.WithCacheDir(w.CacheDir))
	if err != nil {
		return nil, err
	}
	return &Service{Store: st, Env: env.Client()}, nil
}

// Open opens the store as w says and builds the Service on it, with the
// client settings and BASECAMP_TOKEN from env. Every wait for the store's
// lock ends when ctx does (Ctrl-C). Secrets found elsewhere than the
// keyring setting says are moved first; the store's notices go to notices.
func Open(ctx context.Context, w Where, env Env, notices io.Writer) (*Service, error) {
	if err := demoGone(env); err != nil {
		return nil, err
	}
	// Blanks around the token are a shell's doing; inside, they make it
	// malformed (see envTokenText), and it is never sent.
	token := strings.Trim(env.Get(auth.SettingToken), " \t\r\n")
	svc := &Service{Env: env.Client(), HTTPClient: NewHTTPClient(), EnvToken: token, Clock: w.Clock}
	if token != "" && w.Lenient {
		if _, err := os.Stat(w.Dir); err != nil {
			return svc, nil
		}
	}
	opts := []store.Option{store.WithContext(ctx)}
	if w.CacheDir != "" {
		opts = append(opts, store.WithCacheDir(w.CacheDir))
	}
	if w.Keyring {
		mode, err := env.KeyringMode()
		if err != nil {
			return nil, err
		}
		opts = append(opts, store.WithKeyring(store.OSKeyring{}, mode))
	}
	st, err := store.Open(w.Dir, opts...)
	if err != nil {
		if token != "" && w.Lenient {
			return svc, nil
		}
		return nil, err
	}
	svc.Store = st
	if err := svc.PlaceSecrets(); err != nil {
		p := Describe(err, svc.Settings())
		return nil, fmt.Errorf("%s\n%s", Sentence(p.Text()), Sentence(p.Fix))
	}
	for _, n := range st.Notices() {
		fmt.Fprintln(notices, "bcauth:", n)
	}
	return svc, nil
}

// ErrDemoGone means the shell points at a bcauth demo --serve that has
// stopped: its fake Launchpad and its state are gone.
var ErrDemoGone = errors.New("this shell points at a bcauth demo --serve that has stopped: its fake Launchpad and its logins are gone; start bcauth demo --serve again and paste its new export line, or open a new shell for your own settings")

// demoGone is ErrDemoGone when env came from a demo's export line and the
// demo's directory is gone.
func demoGone(env Env) error {
	dir := env.Get(DemoSetting)
	if dir == "" {
		return nil
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return ErrDemoGone
	}
	return nil
}

// NewHTTPClient is the client for Launchpad and the product APIs: every
// request is bounded as a whole.
func NewHTTPClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }
