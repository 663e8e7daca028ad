package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"bcauth/auth"
	"bcauth/ui/core"
)

// appOptions are the flags of the app and of login, setup and demo, which
// run it.
type appOptions struct {
	NoBrowser bool
	Timeout   durationFlag
	ID        string
	// Keyring is --keyring when given (setup and login).
	Keyring *bool
	// Expect is login's --expect-identity.
	Expect string
	// Scope is login's --scope: what a BC5 login asks for.
	Scope string
	// BC5 is demo's --bc5.
	BC5 bool
}

// newAppCmd is the root command: with no command, the app.
func newAppCmd(f *Factory, runF func(*appOptions) error) *cobra.Command {
	o := &appOptions{}
	cmd := &cobra.Command{
		Use:   "bcauth [--id ID|EMAIL] [--no-browser] [--timeout DURATION]",
		Short: "Connect to your Basecamp ID through Launchpad and list the accounts it reaches",
		Long: `bcauth connects you to your Basecamp ID through Launchpad and lists the accounts it reaches. With no command it is the app: your accounts, or the login if needed.

Settings: BASECAMP_OAUTH_CLIENT_ID, BASECAMP_OAUTH_CLIENT_SECRET, BASECAMP_OAUTH_REDIRECT_URI, BASECAMP_LAUNCHPAD_URL (a Launchpad integration); BCAUTH_BC5_CLIENT_ID (a client of Basecamp's newer server, BC5: an ID and no secret; without one, logins stay on Launchpad); BASECAMP_BASE_URL (the API origin a login asks which server to use, default https://3.basecampapi.com) and BASECAMP_OAUTH_ISSUER (pins the BC5 issuer, which that origin must advertise). Each wins over its key in the config file (bcauth status says where each came from), and bcauth discover says which server a login would use now. BASECAMP_PASSWORD for probe --basic, BASECAMP_API_TOKEN for probe --api-token -. BASECAMP_TOKEN is an access token every command uses instead of the stored login (never refreshed or stored); BCAUTH_ID picks a stored Basecamp ID as --id does; BCAUTH_KEYRING=1 keeps the tokens and client secret in the OS keyring (0: in bcauth's files). Every command takes --help (or run bcauth help COMMAND).`,
		Example: `bcauth
bcauth login --no-browser
bcauth accounts --product bcx | cut -f4`,
		Args:              unknownCommand,
		ValidArgsFunction: cobra.NoFileCompletions,
		// cobra's own default, which SuggestionsFor does not apply.
		SuggestionsMinimumDistance: 2,
		DisableFlagsInUseLine:      true,
	}
	o.flags(cmd)
	f.idFlag(cmd, &o.ID)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o.ID = f.chosenID(cmd, o.ID)
		if runF != nil {
			return runF(o)
		}
		return f.runApp(cmd, "", o)
	}
	return cmd
}

// flags adds --no-browser and --timeout.
func (o *appOptions) flags(cmd *cobra.Command) {
	o.Timeout = durationFlag(5 * time.Minute)
	cmd.Flags().BoolVar(&o.NoBrowser, "no-browser", false, "do not open a browser: on Launchpad, paste the address it ends on instead (a BC5 login shows a code to enter in any browser, and needs nothing pasted)")
	most := durationFlag(auth.MaxLoginTimeout)
	cmd.Flags().Var(&o.Timeout, "timeout", "how long to wait for the browser's approval: a DURATION such as 90s or 5m, at most "+most.String())
	noCompletions(cmd, "timeout")
}

// keyringFlag adds --keyring to setup and login; keyringChoice reads it.
func (o *appOptions) keyringFlag(cmd *cobra.Command) {
	o.Keyring = new(bool)
	cmd.Flags().BoolVar(o.Keyring, "keyring", false, "from now on keep the tokens and the client secret in the OS keyring, not in bcauth's files (--keyring=false moves them back); "+core.KeyringSetting+"=1 or 0 decides for one run")
}

// keyringChoice leaves Keyring set only when --keyring was given.
func (o *appOptions) keyringChoice(cmd *cobra.Command) {
	if !cmd.Flags().Changed("keyring") {
		o.Keyring = nil
	}
}

// runApp hands the app to the Bubble Tea front end: the app itself (start
// ""), login, setup or demo.
func (f *Factory) runApp(cmd *cobra.Command, start string, o *appOptions) error {
	if f.App == nil {
		fmt.Fprintln(f.stderr(), "bcauth: this build has no app; in scripts use bcauth status, accounts, token or logout")
		return f.exit(ExitFailed)
	}
	// Zero unless given: a browser login then waits 5 minutes, a device
	// login as long as its code lives (at most an hour).
	var timeout time.Duration
	if cmd.Flags().Changed("timeout") {
		timeout = time.Duration(o.Timeout)
	}
	return f.exit(f.App(cmd.Context(), core.Launch{
		Start: start, NoBrowser: o.NoBrowser, Timeout: timeout, ID: o.ID, Keyring: o.Keyring, ExpectIdentity: o.Expect,
		Scope: o.Scope, BC5: o.BC5,
		Env: f.Env, Stdin: f.Stdin, Stdout: f.Stdout, Stderr: f.stderr(),
	}))
}

// durationFlag is a pflag.Value for a positive duration of at most
// auth.MaxLoginTimeout: a login link left open for a day is a day's
// chance for another program to use it. pflag's own Duration says "time:
// invalid duration", not what a duration looks like, and its default
// reads "5m0s".
type durationFlag time.Duration

var _ pflag.Value = (*durationFlag)(nil)

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("use a duration such as 90s or 5m")
	case v <= 0:
		return errors.New("use a duration longer than zero, such as 90s or 5m")
	case v > auth.MaxLoginTimeout:
		most := durationFlag(auth.MaxLoginTimeout)
		return fmt.Errorf("use a duration of at most %s, such as 90s or 5m", most.String())
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

// Type names the value in completions and the man page.
func (d *durationFlag) Type() string { return "duration" }
