// Command bcauth connects a person to their Basecamp ID through Launchpad and
// lets them browse, copy and check the accounts it reaches. main only reads
// flags and the environment and wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/atotto/clipboard"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui"
)

const usage = `bcauth connects you to your Basecamp ID through Launchpad and lists the
accounts it reaches.

Usage:
  bcauth                      the app: your accounts, or the login if needed
  bcauth login [--no-browser] [--timeout 5m]
                              log in (adds or replaces that Basecamp ID)
  bcauth status [--json]      who is logged in, token state, where state lives
  bcauth accounts [--json] [--product CODE]
                              the accounts, one per line (tab-separated)
  bcauth token                the access token, refreshed first if needed
  bcauth logout [--all]       forget the current (or every) Basecamp ID
  bcauth demo                 try it all against a built-in fake Launchpad
  bcauth version              version and build information

Every command takes --help. Settings: BASECAMP_OAUTH_CLIENT_ID,
BASECAMP_OAUTH_CLIENT_SECRET, BASECAMP_OAUTH_REDIRECT_URI,
BASECAMP_LAUNCHPAD_URL (they win over the config file).
`

func main() {
	auth.Version = version()
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cmd := ""
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch cmd {
	case "", "login":
		return tui(cmd, args, false)
	case "demo":
		return tui(cmd, args, true)
	case "status", "accounts", "token", "logout":
		return script(ctx, cmd, args)
	case "version":
		fmt.Println("bcauth", version())
		if bi, ok := debug.ReadBuildInfo(); ok {
			fmt.Println(bi.GoVersion)
		}
		return 0
	case "help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "bcauth: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// envClient is the client configuration from the environment.
func envClient() store.ClientConfig {
	return store.ClientConfig{
		ClientID:     os.Getenv(auth.SettingClientID),
		ClientSecret: os.Getenv(auth.SettingClientSecret),
		RedirectURI:  os.Getenv(auth.SettingRedirectURI),
		LaunchpadURL: os.Getenv(auth.SettingLaunchpadURL),
	}
}

func service(dir string, env store.ClientConfig) (*ui.Service, error) {
	st, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	for _, n := range st.Notices() {
		fmt.Fprintln(os.Stderr, "bcauth:", n)
	}
	return &ui.Service{Store: st, Env: env, HTTPClient: &http.Client{Timeout: 30 * time.Second}}, nil
}

func tui(cmd string, args []string, demo bool) int {
	fs := flag.NewFlagSet("bcauth "+cmd, flag.ContinueOnError)
	noBrowser := fs.Bool("no-browser", false, "do not open a browser: paste the address it ends on instead")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the browser's approval")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		fmt.Fprintln(os.Stderr, "bcauth: this command needs a terminal; in scripts use bcauth status, accounts, token or logout")
		return 1
	}
	hasDisplay := os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	ssh := os.Getenv("SSH_CONNECTION") != "" || os.Getenv("SSH_TTY") != ""
	cfg := ui.Config{
		Timeout:    *timeout,
		NoBrowser:  *noBrowser || (ssh && !demo),
		ForceLogin: cmd == "login",
		OpenURL:    ui.Opener(os.Getenv("BROWSER"), hasDisplay),
	}
	if clipboard.Unsupported {
		cfg.CopyText = nil
	} else {
		cfg.CopyText = clipboard.WriteAll
	}
	dir := store.DefaultDir()
	env := envClient()
	if demo {
		fake, tmp, err := startDemo()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bcauth demo:", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		defer fake.Close()
		dir = tmp
		o := fake.Options()
		env = store.ClientConfig{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURI: o.RedirectURI, LaunchpadURL: fake.URL}
		cfg.NoBrowser = *noBrowser
		cfg.Demo = &ui.Demo{
			Approve:  func(ctx context.Context, authURL string) error { return demoApprove(ctx, fake, authURL) },
			Headless: cfg.OpenURL == nil,
			After:    3 * time.Second,
		}
	}
	svc, err := service(dir, env)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bcauth:", err)
		return 1
	}
	cfg.Service = svc
	if _, err := tea.NewProgram(ui.New(cfg)).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "bcauth:", err)
		return 1
	}
	return 0
}

// startDemo runs the fake Launchpad on a random loopback port, with its
// state in a temporary directory, never the person's real config.
func startDemo() (*launchpadtest.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	fake, err := launchpadtest.NewServerE(launchpadtest.Options{
		AppName:     "bcauth demo",
		RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", port),
	})
	if err != nil {
		return nil, "", err
	}
	tmp, err := os.MkdirTemp("", "bcauth-demo-")
	if err != nil {
		fake.Close()
		return nil, "", err
	}
	return fake, tmp, nil
}

// demoApprove clicks Allow on the fake consent page and follows the
// redirect to the loopback callback, as a browser would.
func demoApprove(ctx context.Context, fake *launchpadtest.Server, authURL string) error {
	loc, err := fake.Approve(ctx, authURL)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// script runs a command for scripts: no TUI, no prompts.
func script(ctx context.Context, cmd string, args []string) int {
	fs := flag.NewFlagSet("bcauth "+cmd, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	product := fs.String("product", "", "only accounts of this product code (bc3, bcx, basecamp, campfire, highrise, …)")
	all := fs.Bool("all", false, "log out of every Basecamp ID")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	svc, err := service(store.DefaultDir(), envClient())
	if err != nil {
		fmt.Fprintln(os.Stderr, "bcauth:", err)
		return 2
	}
	out := ui.Output{Stdout: os.Stdout, Stderr: os.Stderr}
	switch cmd {
	case "status":
		return ui.Status(ctx, svc, out, *asJSON)
	case "accounts":
		return ui.Accounts(ctx, svc, out, *asJSON, *product)
	case "token":
		return ui.Token(ctx, svc, out)
	case "logout":
		return ui.Logout(svc, out, *all)
	}
	return 2
}
