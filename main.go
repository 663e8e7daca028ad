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
	"strings"
	"time"

	"github.com/atotto/clipboard"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui"
	"bcauth/ui/cli"
	"bcauth/ui/tui"
)

const usage = `bcauth connects you to your Basecamp ID through Launchpad and lists the
accounts it reaches.

Usage:
  bcauth                      the app: your accounts, or the login if needed
  bcauth login [--no-browser] [--timeout 5m]
                              log in (adds or replaces that Basecamp ID)
  bcauth setup [--no-browser] [--timeout 5m]
                              correct the client ID and secret, then log in
  bcauth status [--json]      who is logged in, token state, where state lives
  bcauth accounts [--json] [--product CODE]
                              the accounts, one per line (tab-separated)
  bcauth token                the access token, refreshed first if needed
  bcauth logout [--all]       forget the current (or every) Basecamp ID
  bcauth probe [--json] [--product CODE]
                              check which accounts answer the token
  bcauth probe --url HREF (--basic USER | --api-token TOKEN) [--product CODE]
                              check one product URL with legacy credentials
  bcauth demo                 try it all against a built-in fake Launchpad
  bcauth version              version and build information

Every command takes --help (or run bcauth help COMMAND). Settings:
BASECAMP_OAUTH_CLIENT_ID, BASECAMP_OAUTH_CLIENT_SECRET,
BASECAMP_OAUTH_REDIRECT_URI, BASECAMP_LAUNCHPAD_URL (they win over the config
file); BASECAMP_PASSWORD for probe --basic.
`

// doc is what a command's --help says besides its flags.
type doc struct {
	summary, synopsis, example string
}

var docs = map[string]doc{
	"login": {"Log in through the browser, even when logged in (adds or replaces that Basecamp ID).",
		"bcauth login [--no-browser] [--timeout DURATION]", "bcauth login --no-browser --timeout 10m"},
	"setup": {"Enter the Launchpad client ID and secret again (the stored ones filled in), then log in: the fix for a mistyped client secret.",
		"bcauth setup [--no-browser] [--timeout DURATION]", "bcauth setup"},
	"status": {"Show who is logged in, whether Launchpad accepts the token, and where state is stored.",
		"bcauth status [--json]", "bcauth status --json | jq .valid"},
	"accounts": {"List the current Basecamp ID's accounts, one tab-separated line each: product, id, name, href.",
		"bcauth accounts [--json] [--product CODE]", "bcauth accounts --product bc3 | cut -f2,3"},
	"token": {"Print the current access token and nothing else, refreshed first if needed.",
		"bcauth token", `curl -H "Authorization: Bearer $(bcauth token)" -H "User-Agent: me (me@example.com)" https://3.basecampapi.com/ID/projects.json`},
	"logout": {"Forget the current (or every) Basecamp ID's tokens; the client settings stay.",
		"bcauth logout [--all]", "bcauth logout --all"},
	"probe": {"Check which accounts answer the token (exit 3 when any does not), or one product --url with a password or API token.",
		"bcauth probe [--json] [--product CODE]\n  bcauth probe --url HREF (--basic USER | --api-token TOKEN) [--product CODE] [--json]",
		"bcauth probe --product bc3\n  BASECAMP_PASSWORD=… bcauth probe --url https://basecamp.com/123/api/v1 --basic me@example.com"},
	"demo": {"Run the app against a built-in fake Launchpad, with its state in a temporary directory.",
		"bcauth demo [--no-browser] [--timeout DURATION]", "bcauth demo --no-browser"},
	"version": {"Print bcauth's version and the Go version it was built with.", "bcauth version", "bcauth version"},
}

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
	case "", "login", "setup":
		return runApp(cmd, args, false)
	case "demo":
		return runApp(cmd, args, true)
	case "status", "accounts", "token", "logout":
		return script(ctx, cmd, args)
	case "probe":
		return probe(ctx, args)
	case "version":
		if code, ok := parse(newFlags("version"), args); !ok {
			return code
		}
		fmt.Println("bcauth", version())
		if bi, ok := debug.ReadBuildInfo(); ok {
			fmt.Println(bi.GoVersion)
		}
		return 0
	case "help":
		if len(args) == 0 {
			fmt.Print(usage)
			return 0
		}
		if _, ok := docs[args[0]]; ok && len(args) == 1 {
			printHelp(os.Stdout, newFlagsFor(args[0]))
			return 0
		}
		fmt.Fprintf(os.Stderr, "bcauth help: no command %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "bcauth: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// newFlags is a command's flag set, quiet: parse reports errors and help.
func newFlags(cmd string) *flag.FlagSet {
	name := "bcauth"
	if cmd != "" {
		name += " " + cmd
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// newFlagsFor is the flag set a command parses, for bcauth help COMMAND.
func newFlagsFor(cmd string) *flag.FlagSet {
	fs := newFlags(cmd)
	switch cmd {
	case "login", "setup", "demo":
		tuiFlags(fs)
	case "status", "accounts", "token", "logout":
		scriptFlags(fs, cmd)
	case "probe":
		probeFlags(fs)
	}
	return fs
}

// parse reads args: on --help it prints the command's help to stdout, on a
// bad flag or a stray argument a short complaint to stderr. ok says whether
// to go on; code is the exit code otherwise.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(os.Stdout, fs)
		return 0, false
	case err != nil:
		// The flag package names flags "-timeout"; the help says "--timeout".
		msg := strings.Replace(err.Error(), " for flag -", " for --", 1)
		fmt.Fprintf(os.Stderr, "%s: %s\nRun %s --help for its flags.\n", fs.Name(), msg, fs.Name())
		return 2, false
	case fs.NArg() > 0:
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q\nRun %s --help for its flags.\n", fs.Name(), fs.Arg(0), fs.Name())
		return 2, false
	}
	return 0, true
}

// printHelp writes a command's summary, synopsis, example and flags.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	cmd := strings.TrimPrefix(strings.TrimPrefix(fs.Name(), "bcauth"), " ")
	d, ok := docs[cmd]
	if !ok {
		fmt.Fprint(w, usage)
		return
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n\nExample:\n  %s\n", d.summary, d.synopsis, d.example)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nFlags:\n")
			first = false
		}
		arg, text := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" {
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-22s %s\n", name, text)
	})
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
	return &ui.Service{Store: st, Env: env, HTTPClient: httpClient()}, nil
}

// tuiFlags declares the flags of the app, login, setup and demo.
func tuiFlags(fs *flag.FlagSet) (noBrowser *bool, timeout *time.Duration) {
	noBrowser = fs.Bool("no-browser", false, "do not open a browser: paste the address it ends on instead")
	d := durationFlag(5 * time.Minute)
	fs.Var(&d, "timeout", "how long to wait for the browser's approval: a `DURATION` such as 90s or 5m")
	return noBrowser, (*time.Duration)(&d)
}

// durationFlag is a flag.Value for a positive duration. flag.Duration's
// own error ("parse error") does not say what a duration looks like, and
// its default reads "5m0s".
type durationFlag time.Duration

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("use a duration such as 90s or 5m")
	case v <= 0:
		return errors.New("use a duration longer than zero, such as 90s or 5m")
	}
	*d = durationFlag(v)
	return nil
}

// String is the duration without zero units: "5m", "1h30m", "90ms".
func (d *durationFlag) String() string {
	if d == nil {
		return ""
	}
	s := time.Duration(*d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func runApp(cmd string, args []string, demo bool) int {
	fs := newFlags(cmd)
	noBrowser, timeout := tuiFlags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		fmt.Fprintln(os.Stderr, "bcauth: this command needs a terminal; in scripts use bcauth status, accounts, token or logout")
		return 1
	}
	hasDisplay := os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	ssh := os.Getenv("SSH_CONNECTION") != "" || os.Getenv("SSH_TTY") != ""
	cfg := tui.Config{
		Timeout:   *timeout,
		NoBrowser: *noBrowser || (ssh && !demo),
		Start:     map[string]tui.Start{"login": tui.StartLogin, "setup": tui.StartSetup}[cmd],
		OpenURL:   ui.Opener(os.Getenv("BROWSER"), hasDisplay),
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
		cfg.Demo = &tui.Demo{
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
	final, err := tea.NewProgram(tui.New(cfg)).Run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bcauth:", err)
		return 1
	}
	if m, ok := final.(*tui.Model); ok {
		code, msg := m.Outcome()
		if msg != "" {
			fmt.Fprintln(os.Stderr, msg)
		}
		return code
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

// scriptFlags declares the flags of status, accounts, token and logout:
// each only its own.
func scriptFlags(fs *flag.FlagSet, cmd string) (asJSON *bool, product *string, all *bool) {
	asJSON, product, all = new(bool), new(string), new(bool)
	if cmd == "status" || cmd == "accounts" {
		fs.BoolVar(asJSON, "json", false, "print JSON")
	}
	if cmd == "accounts" {
		fs.StringVar(product, "product", "", "only accounts of this product `CODE` (bc3, bcx, basecamp, campfire, highrise, …)")
	}
	if cmd == "logout" {
		fs.BoolVar(all, "all", false, "log out of every Basecamp ID")
	}
	return asJSON, product, all
}

// script runs a command for scripts: no TUI, no prompts.
func script(ctx context.Context, cmd string, args []string) int {
	fs := newFlags(cmd)
	asJSON, product, all := scriptFlags(fs, cmd)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	svc, err := service(store.DefaultDir(), envClient())
	if err != nil {
		fmt.Fprintln(os.Stderr, "bcauth:", err)
		return 2
	}
	out := cli.Output{Stdout: os.Stdout, Stderr: os.Stderr}
	switch cmd {
	case "status":
		return cli.Status(ctx, svc, out, *asJSON)
	case "accounts":
		return cli.Accounts(ctx, svc, out, *asJSON, *product)
	case "token":
		return cli.Token(ctx, svc, out)
	case "logout":
		return cli.Logout(svc, out, *all)
	}
	return 2
}

// apiTokenEnv holds a classic API token for probe --api-token -.
const apiTokenEnv = "BASECAMP_API_TOKEN"

// probeFlags declares bcauth probe's flags into opts.
func probeFlags(fs *flag.FlagSet) *cli.ProbeOptions {
	var o cli.ProbeOptions
	fs.BoolVar(&o.JSON, "json", false, "print a JSON array instead of tab-separated lines")
	fs.StringVar(&o.Product, "product", "", "only accounts of this product `CODE`; with --url, the product it belongs to (guessed from the URL when left out)")
	fs.StringVar(&o.URL, "url", "", "check this one product API `HREF` with --basic or --api-token, not the stored login")
	fs.StringVar(&o.BasicUser, "basic", "", "with --url: log in as `USER` with HTTP Basic (Basecamp 2); the password comes from "+cli.PasswordEnv+" or is asked for in the terminal")
	fs.StringVar(&o.APIToken, "api-token", "", "with --url: a classic product's API `TOKEN`, sent as Basic user TOKEN, password X; \"-\" takes it from "+apiTokenEnv+", which keeps it out of ps and shell history")
	return &o
}

// probe runs bcauth probe. With legacy credentials it opens no store at
// all: they never touch the stored login.
func probe(ctx context.Context, args []string) int {
	fs := newFlags("probe")
	opts := probeFlags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	out := cli.Output{Stdout: os.Stdout, Stderr: os.Stderr}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		opts.Progress = os.Stderr
	}
	if opts.APIToken == "-" {
		opts.APIToken = os.Getenv(apiTokenEnv)
		if opts.APIToken == "" {
			fmt.Fprintf(os.Stderr, "bcauth: --api-token - reads the token from %s, which is not set\n", apiTokenEnv)
			return 2
		}
	}
	if opts.URL == "" && opts.BasicUser == "" && opts.APIToken == "" {
		svc, err := service(store.DefaultDir(), envClient())
		if err != nil {
			fmt.Fprintln(os.Stderr, "bcauth:", err)
			return 2
		}
		return cli.Probe(ctx, svc, out, *opts)
	}
	if opts.URL != "" && opts.BasicUser != "" && opts.APIToken == "" {
		pw, err := password(ctx, opts.BasicUser)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bcauth:", err)
			return 1
		}
		opts.Password = pw
	}
	return cli.Probe(ctx, &ui.Service{HTTPClient: httpClient()}, out, *opts)
}

// password is the --basic password: BASECAMP_PASSWORD, else typed into the
// terminal without echo, else "" (ui.Probe then says to set the variable).
// No prompt when stdin is not a terminal, so scripts never hang.
func password(ctx context.Context, user string) (string, error) {
	if pw := os.Getenv(cli.PasswordEnv); pw != "" {
		return pw, nil
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "", nil
	}
	// The terminal itself, so the prompt shows even when stderr is
	// redirected; stdin and stderr when it cannot be opened.
	in, prompt := os.Stdin, io.Writer(os.Stderr)
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		in, prompt = tty, tty
	}
	fd := int(in.Fd())
	old, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("cannot read the password from the terminal: %w; set %s instead", err, cli.PasswordEnv)
	}
	fmt.Fprintf(prompt, "Password for %s: ", ui.Clean(user))
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- read{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(prompt)
		if r.err != nil {
			return "", fmt.Errorf("cannot read the password from the terminal: %w; set %s instead", r.err, cli.PasswordEnv)
		}
		return string(r.b), nil
	case <-ctx.Done():
		// Ctrl-C is caught for the probes, so ReadPassword would wait on
		// with echo off: give the terminal back before leaving.
		_ = term.Restore(fd, old)
		fmt.Fprintln(prompt)
		return "", errors.New("interrupted")
	}
}

func httpClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }
