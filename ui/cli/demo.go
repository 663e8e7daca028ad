package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"bcauth/ui/core"
)

// demoOptions are demo's flags.
type demoOptions struct {
	appOptions
	Serve bool
}

func newDemoCmd(f *Factory, runF func(*demoOptions) error) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo [--no-browser] [--timeout DURATION] [--serve]",
		Short: "Try it all against a built-in fake Launchpad",
		Long: "Run the app against a built-in fake Launchpad, with its state in a temporary directory. " +
			"With --serve, run only the fake, until Ctrl-C, and print the lines that point another shell's bcauth at it.",
		Example: "bcauth demo\nbcauth demo --serve",
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&o.Serve, "serve", false, "run the fake Launchpad in the foreground for the script commands, and print how to use it")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if runF != nil {
			return runF(o)
		}
		if !o.Serve {
			return f.runApp(cmd, "demo", &o.appOptions)
		}
		d, err := core.StartDemo()
		if err != nil {
			fmt.Fprintln(f.stderr(), err)
			return f.exit(ExitFailed)
		}
		defer d.Close()
		var in io.Reader
		if f.Stdin != nil {
			in = f.Stdin
		}
		return f.exit(DemoServe(cmd.Context(), f.output(), in, f.bcauthCommand(), d))
	}
	return cmd
}

// DemoServe prints the lines to paste into another shell, so every script
// command can be rehearsed against the fake, then waits until ctx ends
// (Ctrl-C). bcauth is the command that runs this binary there ("bcauth"
// when it is on PATH). Every line read from in that holds an address a
// login shows is approved as a browser would, so a machine without one
// can log in too. The fake's password and API token are demo values that
// open nothing but the fake.
func DemoServe(ctx context.Context, out Output, in io.Reader, bcauth string, d *core.Demo) int {
	var b strings.Builder
	fmt.Fprintf(&b, "bcauth demo: a fake Launchpad, with its product APIs, at %s\n", d.Client.LaunchpadURL)
	fmt.Fprintf(&b, "Paste this into another shell, then run bcauth login, status, accounts, token, probe…:\n\n")
	fmt.Fprintf(&b, "export BASECAMP_LAUNCHPAD_URL=%s BASECAMP_OAUTH_CLIENT_ID=%s BASECAMP_OAUTH_CLIENT_SECRET=%s \\\n  BASECAMP_OAUTH_REDIRECT_URI=%s XDG_CONFIG_HOME=%s XDG_CACHE_HOME=%s \\\n  %s=%s\n",
		shellQuote(d.Client.LaunchpadURL), shellQuote(d.Client.ClientID), shellQuote(d.Client.ClientSecret), shellQuote(d.Client.RedirectURI), shellQuote(d.ConfigDir()), shellQuote(d.CacheDir()),
		core.DemoSetting, shellQuote(d.Dir))
	if bcauth != "bcauth" {
		// go run's binary, or one built here: bcauth is not on PATH.
		fmt.Fprintf(&b, "alias bcauth=%s\n", shellQuote(bcauth))
	}
	fmt.Fprintf(&b, "\nOlder credentials its product APIs take (demo values, good for nothing else):\n")
	fmt.Fprintf(&b, "  BASECAMP_PASSWORD=%s bcauth probe --url %s/bcx/88888888/api/v1 --product bcx --basic %s\n", shellQuote(core.DemoPassword), d.Client.LaunchpadURL, shellQuote(d.User))
	fmt.Fprintf(&b, "  BASECAMP_API_TOKEN=%s bcauth probe --url %s/classic/northwind --product basecamp --api-token -\n\n", shellQuote(core.DemoAPIToken), d.Client.LaunchpadURL)
	fmt.Fprintf(&b, "bcauth login approves in the browser. With no browser, paste the start address bcauth login shows (http://127.0.0.1:PORT/start/…) here, then press enter: this window approves it as Annie (the next one as Ben), and the login ends by itself. Ctrl-C stops the fake and removes its state.\n")
	if c := out.flush([]byte(b.String())); c != ExitOK {
		return c
	}
	if in != nil {
		go approvePasted(ctx, out, in, d)
	}
	<-ctx.Done()
	fmt.Fprintln(out.Stderr, "bcauth demo: stopped; its state is removed")
	return ExitOK
}

// approvePasted approves each address read from in, as the person would
// in a browser, and says how it went; it ends with in (or never, when in
// stays open: the process ends it).
func approvePasted(ctx context.Context, out Output, in io.Reader, d *core.Demo) {
	approve := d.Fake.TakeTurns()
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		addr := strings.TrimSpace(lines.Text())
		if addr == "" {
			continue
		}
		if !strings.HasPrefix(addr, "http://127.0.0.1:") || !strings.Contains(addr, "/start/") {
			// Launchpad's own address would be approved, but the login
			// takes the answer only from a browser that came through
			// its start address.
			fmt.Fprintln(out.Stderr, "bcauth demo: that is not a login's start address (http://127.0.0.1:PORT/start/…, the one bcauth login shows for this); paste that one")
			continue
		}
		if err := approve(ctx, addr); err != nil {
			fmt.Fprintf(out.Stderr, "bcauth demo: could not approve it: %s\n", core.Clean(err.Error()))
			continue
		}
		fmt.Fprintln(out.Stderr, "bcauth demo: approved; the login ends in the other shell")
	}
}

// bcauthCommand is how another shell runs this binary: "bcauth" when that
// is what PATH finds, else the binary's own path (go run's, or one built
// in the checkout).
func (f *Factory) bcauthCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "bcauth"
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	for _, dir := range filepath.SplitList(f.Env.Get("PATH")) {
		onPath, err := filepath.EvalSymlinks(filepath.Join(dir, "bcauth"))
		if err == nil {
			if onPath == exe {
				return "bcauth"
			}
			break // another bcauth comes first
		}
	}
	return exe
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == ':' || r == '.' || r == '-' || r == '_' || r == '@' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
