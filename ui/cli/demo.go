package cli

import (
	"bcauth/ui/core"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
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
		Example: "bcauth demo --no-browser\n  bcauth demo --serve",
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
		return f.exit(DemoServe(cmd.Context(), f.output(), d))
	}
	return cmd
}

// DemoServe prints the lines to paste into another shell, so every script
// command can be rehearsed against the fake, then waits until ctx ends
// (Ctrl-C). The fake's password and API token are demo values that open
// nothing but the fake.
func DemoServe(ctx context.Context, out Output, d *core.Demo) int {
	var b strings.Builder
	fmt.Fprintf(&b, "bcauth demo: a fake Launchpad, with its product APIs, at %s\n", d.Client.LaunchpadURL)
	fmt.Fprintf(&b, "Paste this into another shell, then run bcauth login, status, accounts, token, probe…:\n\n")
	fmt.Fprintf(&b, "export BASECAMP_LAUNCHPAD_URL=%s BASECAMP_OAUTH_CLIENT_ID=%s BASECAMP_OAUTH_CLIENT_SECRET=%s \\\n  BASECAMP_OAUTH_REDIRECT_URI=%s XDG_CONFIG_HOME=%s XDG_CACHE_HOME=%s\n\n",
		shellQuote(d.Client.LaunchpadURL), shellQuote(d.Client.ClientID), shellQuote(d.Client.ClientSecret), shellQuote(d.Client.RedirectURI), shellQuote(d.ConfigDir()), shellQuote(d.CacheDir()))
	fmt.Fprintf(&b, "Older credentials its product APIs take (demo values, good for nothing else):\n")
	fmt.Fprintf(&b, "  BASECAMP_PASSWORD=%s bcauth probe --url %s/bcx/88888888/api/v1 --product bcx --basic %s\n", shellQuote(core.DemoPassword), d.Client.LaunchpadURL, shellQuote(d.User))
	fmt.Fprintf(&b, "  BASECAMP_API_TOKEN=%s bcauth probe --url %s/classic/northwind --product basecamp --api-token -\n\n", shellQuote(core.DemoAPIToken), d.Client.LaunchpadURL)
	fmt.Fprintf(&b, "bcauth login approves in the browser (or with --no-browser, paste the address it ends on). Ctrl-C stops the fake and removes its state.\n")
	if c := out.flush([]byte(b.String())); c != ExitOK {
		return c
	}
	<-ctx.Done()
	fmt.Fprintln(out.Stderr, "bcauth demo: stopped; its state is removed")
	return ExitOK
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
