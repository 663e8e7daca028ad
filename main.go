// Command bcauth connects a person to their Basecamp ID through Launchpad and
// lets them browse, copy and check the accounts it reaches. main declares the
// commands (cobra, through fang), reads flags and the environment, and wires
// the packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"charm.land/fang/v2"
	"charm.land/lipgloss/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"golang.org/x/term"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui"
	"bcauth/ui/cli"
	"bcauth/ui/tui"
)

func main() {
	auth.Version = version()
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run runs bcauth with args and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var code int
	root := newRoot(&code)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := fang.Execute(ctx, root,
		fang.WithVersion(version()),
		// Each of these ends the app through its context: the terminal is
		// restored, the login's listener closed, the demo's directory
		// removed. Caught, SIGQUIT prints no goroutine dump either.
		fang.WithNotifySignal(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT),
		fang.WithErrorHandler(printError),
	)
	if err != nil {
		// bcauth's commands report their own failures and exit codes, so
		// an error is cobra's: a command line it cannot run.
		return 2
	}
	return code
}

// newRoot builds the command tree; the command that runs sets *code to its
// exit code. It runs in main, not at init, so that nothing is built before
// bcauth knows what it was asked.
func newRoot(code *int) *cobra.Command {
	cobra.EnableCommandSorting = false // the order below: the app's flow, then scripts
	root := &cobra.Command{
		Use:   "bcauth [--id ID|EMAIL] [--no-browser] [--timeout DURATION]",
		Short: "Connect to your Basecamp ID through Launchpad and list the accounts it reaches",
		Long: `bcauth connects you to your Basecamp ID through Launchpad and lists the accounts it reaches. With no command it is the app: your accounts, or the login if needed.

Settings: BASECAMP_OAUTH_CLIENT_ID, BASECAMP_OAUTH_CLIENT_SECRET, BASECAMP_OAUTH_REDIRECT_URI, BASECAMP_LAUNCHPAD_URL (they win over the config file); BASECAMP_PASSWORD for probe --basic. BASECAMP_TOKEN is an access token every command uses instead of the stored login (never refreshed or stored); BCAUTH_ID picks a stored Basecamp ID as --id does; BCAUTH_KEYRING=1 keeps the tokens and client secret in the OS keyring (0: in bcauth's files).  Every command takes --help (or run bcauth help COMMAND).`,
		Example: `bcauth
bcauth login --no-browser
bcauth accounts --product bcx | cut -f4`,
		Args:              unknownCommand,
		ValidArgsFunction: cobra.NoFileCompletions,
		// cobra's own default, which SuggestionsFor does not apply.
		SuggestionsMinimumDistance: 2,
		DisableFlagsInUseLine:      true,
	}
	o := appFlags(root)
	o.id = idFlag(root)
	root.RunE = keepExitCode(code, func(cmd *cobra.Command, _ []string) error { return exit(runApp(cmd, "", o)) })
	for _, c := range []*cobra.Command{
		loginCmd(), setupCmd(), statusCmd(), accountsCmd(), tokenCmd(), logoutCmd(),
		idsCmd(), switchCmd(), refreshCmd(),
		probeCmd(), apiCmd(), demoCmd(), versionCmd(),
	} {
		// Use is each command's synopsis, flags included.
		c.DisableFlagsInUseLine = true
		if c.Args == nil {
			c.Args = noArgs
		}
		c.ValidArgsFunction = cobra.NoFileCompletions
		if c.RunE != nil {
			c.RunE = keepExitCode(code, c.RunE)
		}
		root.AddCommand(c)
	}
	root.SetHelpCommand(helpCmd())
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{cmd: cmd.CommandPath(), err: err}
	})
	return root
}

func loginCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login [--no-browser] [--timeout DURATION] [--with-token]",
		Short: "Log in (adds or replaces that Basecamp ID)",
		Long: `Log in through the browser, even when logged in (adds or replaces that Basecamp ID).

With --with-token, read an access token (and, optionally, its refresh token on a second line) from standard input instead, check it with Launchpad and store it like a browser login; nothing is echoed or printed. Exit 0 stored, 1 refused, 2 no token on standard input.`,
		Example: `bcauth login --no-browser --timeout 10m
printf '%s\n%s\n' "$ACCESS_TOKEN" "$REFRESH_TOKEN" | bcauth login --with-token`,
	}
	o := appFlags(cmd)
	keyring := keyringFlag(cmd)
	withToken := cmd.Flags().Bool("with-token", false, "read the tokens from standard input instead of opening a browser")
	asJSON := cmd.Flags().Bool("json", false, "with --with-token: print who logged in and until when as JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o.keyring = keyringChoice(cmd, keyring)
		if !*withToken {
			if *asJSON {
				return &usageError{cmd: cmd.CommandPath(), err: errors.New("--json goes with --with-token: a browser login ends in the app")}
			}
			return exit(runApp(cmd, "login", o))
		}
		return script(cmd, nil, func(svc *ui.Service, out cli.Output) int {
			if code := setKeyring(svc, out, o.keyring); code != 0 {
				return code
			}
			return cli.LoginWithToken(cmd.Context(), svc, out, cmd.InOrStdin(), *asJSON)
		})
	}
	return cmd
}

func setupCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "setup [--no-browser] [--timeout DURATION]",
		Short:   "Correct the client ID and secret, then log in",
		Long:    "Enter the Launchpad client ID and secret again (the stored ones filled in), then log in: the fix for a mistyped client secret.",
		Example: "bcauth setup",
	}
	o := appFlags(cmd)
	keyring := keyringFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o.keyring = keyringChoice(cmd, keyring)
		return exit(runApp(cmd, "setup", o))
	}
	return cmd
}

// keyringFlag adds --keyring to setup and login.
func keyringFlag(cmd *cobra.Command) *bool {
	return cmd.Flags().Bool("keyring", false, "from now on keep the tokens and the client secret in the OS keyring, not in bcauth's files (--keyring=false moves them back); "+ui.KeyringSetting+"=1 or 0 decides for one run")
}

// keyringChoice is --keyring's value when it was given, else nil.
func keyringChoice(cmd *cobra.Command, flag *bool) *bool {
	if !cmd.Flags().Changed("keyring") {
		return nil
	}
	return flag
}

// setKeyring saves the --keyring choice, if any, and moves the secrets
// where it says; it returns an exit code, 0 when all went well.
func setKeyring(svc *ui.Service, out cli.Output, on *bool) int {
	if on == nil {
		return 0
	}
	if err := svc.SetKeyring(*on); err != nil {
		p := ui.Describe(err, svc.Settings())
		fmt.Fprintf(out.Stderr, "bcauth: %s\n%s\n", ui.Sentence(p.Text()), ui.Sentence(p.Fix))
		return p.Exit
	}
	return 0
}

// keyringMode reads BCAUTH_KEYRING: 1 keeps the secrets in the OS keyring
// for this run, 0 in bcauth's files, unset as config.json says.
func keyringMode() (store.KeyringMode, error) {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(ui.KeyringSetting))) {
	case "":
		return store.KeyringAsConfigured, nil
	case "1", "true", "yes", "on":
		return store.KeyringOn, nil
	case "0", "false", "no", "off":
		return store.KeyringOff, nil
	}
	return 0, fmt.Errorf("%s is %q: set it to 1 to keep the secrets in the OS keyring, 0 to keep them in bcauth's files, or unset it to follow config.json", ui.KeyringSetting, os.Getenv(ui.KeyringSetting))
}

func statusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "status [--json] [--id ID|EMAIL]",
		Short:   "Who is logged in, token state, where state lives",
		Long:    "Show who is logged in, whether Launchpad accepts the token (BASECAMP_TOKEN's when set), and where state is stored.",
		Example: "bcauth status --json | jq .valid\nBASECAMP_TOKEN=… bcauth status",
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	id := idFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return script(cmd, id, func(svc *ui.Service, out cli.Output) int {
			return cli.Status(cmd.Context(), svc, out, *asJSON)
		})
	}
	return cmd
}

func accountsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "accounts [--json] [--product CODE] [--id ID|EMAIL]",
		Short:   "The accounts, one per line (tab-separated)",
		Long:    "List the current Basecamp ID's accounts, one tab-separated line each: product, id, name, href.",
		Example: "bcauth accounts --product bc3 | cut -f2,3\nbcauth accounts --id ben@example.com --json",
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	id := idFlag(cmd)
	product := cmd.Flags().String("product", "", "only accounts of this product CODE (bc3, bcx, basecamp, campfire, highrise, …)")
	_ = cmd.RegisterFlagCompletionFunc("product", productCodes)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return script(cmd, id, func(svc *ui.Service, out cli.Output) int {
			return cli.Accounts(cmd.Context(), svc, out, *asJSON, *product)
		})
	}
	return cmd
}

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token [--json] [--id ID|EMAIL]",
		Short: "The access token, refreshed first if needed",
		Long: `Print the current access token and nothing else, refreshed first if needed (BASECAMP_TOKEN, when set, as it is).

With --json: {"access_token", "expires_at", "identity": {…}, "source": "stored" or "environment"}.`,
		Example: `curl -H "Authorization: Bearer $(bcauth token)" \
  -H "User-Agent: me (me@example.com)" \
  https://3.basecampapi.com/ID/projects.json
bcauth token --json --id ben@example.com | jq -r .expires_at`,
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON with the expiry and whose token it is")
	id := idFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return script(cmd, id, func(svc *ui.Service, out cli.Output) int {
			return cli.Token(cmd.Context(), svc, out, *asJSON)
		})
	}
	return cmd
}

func logoutCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "logout [--all] [--id ID|EMAIL]",
		Short:   "Forget the current (or every) Basecamp ID",
		Long:    "Forget the current (or every, or the named) Basecamp ID's tokens; the client settings stay.",
		Example: "bcauth logout --all\nbcauth logout --id ben@example.com",
	}
	all := cmd.Flags().Bool("all", false, "log out of every Basecamp ID")
	id := idFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return script(cmd, id, func(svc *ui.Service, out cli.Output) int {
			return cli.Logout(svc, out, *all)
		})
	}
	return cmd
}

// apiTokenEnv holds a classic API token for probe --api-token -.
const apiTokenEnv = "BASECAMP_API_TOKEN"

func probeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "probe [--json] [--product CODE] [--id ID|EMAIL]",
		Short: "Check which accounts answer the token, or one product URL",
		Long: `Check which accounts answer the token (exit 3 when any does not), or one product --url with a password or API token:

  bcauth probe --url HREF (--basic USER | --api-token TOKEN) [--product CODE] [--json]`,
		Example: `bcauth probe --product bc3
BASECAMP_PASSWORD=… bcauth probe --url https://basecamp.com/123/api/v1 \
  --basic me@example.com`,
	}
	var o cli.ProbeOptions
	id := idFlag(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.JSON, "json", false, "print a JSON array instead of tab-separated lines")
	f.StringVar(&o.Product, "product", "", "only accounts of this product CODE; with --url, the product it belongs to (guessed from the URL when left out)")
	f.StringVar(&o.URL, "url", "", "check this one product API HREF with --basic or --api-token, not the stored login")
	f.StringVar(&o.BasicUser, "basic", "", "with --url: log in as USER with HTTP Basic (Basecamp 2); the password comes from "+cli.PasswordEnv+" or is asked for in the terminal")
	f.StringVar(&o.APIToken, "api-token", "", "with --url: a classic product's API TOKEN, sent as Basic user TOKEN, password X; \"-\" takes it from "+apiTokenEnv+", which keeps it out of ps and shell history")
	_ = cmd.RegisterFlagCompletionFunc("product", productCodes)
	for _, name := range []string{"url", "basic", "api-token"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return exit(probe(cmd, o, id)) }
	return cmd
}

func apiCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "api PATH|URL [--account ID|NAME] [--product CODE] [--id ID|EMAIL] [-X METHOD] [-H 'Name: value']… [-f key=value]… [-F key=value]… [--input FILE|-] [--paginate] [--jq EXPR] [--include]",
		Short: "Call an account's API with the stored login, as gh api does",
		Long: `Call an account's API with the login's token (refreshed when due) and print the answer as it comes: indented and coloured JSON on a terminal, raw when piped.

The account is --account (an id, or a name only it has), else the only account of --product, else the one last picked in the app. PATH is relative to its href; a full URL must lie under one of this login's account hrefs or its Launchpad, or nothing is sent. -f and -F make a JSON body (and the method POST); with GET they go to the query string. A 429 waits out its Retry-After (Ctrl-C stops); a 5xx is retried for GET and HEAD. --paginate follows Link rel="next" and prints one merged array; --jq filters each answer with gojq, one result a line, strings raw.

Exit 0 for 2xx, 1 for any other answer (the status and the server's words on stderr) or a failed login, 2 for a command line that cannot run.`,
		Example: `bcauth api --product bc3 /projects.json
bcauth api --account 99999999 --paginate --jq '.[].name' /projects.json
bcauth api --account "Honcho Design" -f subject=Kickoff -f content='<p>Hello</p>' -F status=active \
  /buckets/2086957000/message_boards/2086957001/messages.json`,
		Args: exactlyOnePath,
	}
	o := cli.APIOptions{HTTPClient: apiHTTPClient()}
	id := idFlag(cmd)
	f := cmd.Flags()
	f.StringVar(&o.Account, "account", "", "the account to call: its id, or a name only it has")
	f.StringVar(&o.Product, "product", "", "the account's product CODE (bc3, bcx, basecamp, campfire, highrise, backpack)")
	f.StringVarP(&o.Method, "method", "X", "", "the HTTP METHOD (GET, or POST with a body)")
	f.StringArrayVarP(&o.Headers, "header", "H", nil, "send the header 'Name: value' (again for more)")
	f.StringArrayVarP(&o.Fields, "raw-field", "f", nil, "add the string field key=value to the JSON body (the query string for GET)")
	f.StringArrayVarP(&o.TypedFields, "field", "F", nil, "add key=value as a number, true, false or null, or @FILE's contents")
	f.StringVar(&o.Input, "input", "", "send FILE (\"-\": standard input) as the body")
	f.BoolVar(&o.Paginate, "paginate", false, "follow Link rel=\"next\" and print every page as one JSON array")
	f.StringVar(&o.JQ, "jq", "", "filter the JSON answer with the jq EXPRession (gojq)")
	f.BoolVarP(&o.Include, "include", "i", false, "print the status line and the response headers first (never the token)")
	_ = cmd.RegisterFlagCompletionFunc("product", productCodes)
	for _, name := range []string{"account", "method", "header", "raw-field", "field", "jq"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.Path, o.Stdin = args[0], cmd.InOrStdin()
		o.Pretty = isTerminal(cmd.OutOrStdout())
		o.Color = o.Pretty && os.Getenv("NO_COLOR") == ""
		return script(cmd, id, func(svc *ui.Service, out cli.Output) int { return cli.API(cmd.Context(), svc, out, o) })
	}
	return cmd
}

// exactlyOnePath is api's one PATH or URL.
func exactlyOnePath(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return &usageError{cmd: cmd.CommandPath(), err: errors.New("name the PATH (such as /projects.json) or URL to call")}
	case len(args) > 1:
		return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("unexpected argument %q: give one PATH or URL", args[1])}
	}
	return nil
}

// apiHTTPClient bounds the wait for an answer, not its length: bcauth api
// streams bodies of any size.
func apiHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: t}
}

func idsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ids [--json]",
		Short: "The Basecamp IDs logged in here, the current one marked",
		Long: `List the Basecamp IDs logged in on this machine, from what is stored: "*" for the current one, Launchpad id, name, email, token state and accounts per product, tab-separated.

With --json: an array of {"current", "identity": {…}, "token": {"state", "expires_at", "renewable"}, "accounts_by_product", "accounts_fetched_at"}.`,
		Example: "bcauth ids\nbcauth ids --json | jq -r '.[] | select(.current) | .identity.email_address'",
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return script(cmd, nil, func(svc *ui.Service, out cli.Output) int { return cli.IDs(svc, out, *asJSON) })
	}
	return cmd
}

func switchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "switch [ID|EMAIL]",
		Short: "Make another Basecamp ID current",
		Long: `Make another logged-in Basecamp ID current, named by its Launchpad id, its email address, or a part of either that only it has. Without an argument, pick one in the terminal (the app's own picker); without a terminal, the choices are listed and nothing changes.

Exit 0 switched, 1 no such Basecamp ID, several match, or none named without a terminal.`,
		Example:           "bcauth switch ben@example.com\nbcauth switch 9999999\nbcauth switch",
		Args:              maxOneArg,
		ValidArgsFunction: idCompletions,
	}
	asJSON := cmd.Flags().Bool("json", false, "print the Basecamp ID now current as JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		query := ""
		if len(args) == 1 {
			query = args[0]
		}
		var pick cli.Picker
		if term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())) {
			pick = func(choices []ui.IDChoice) (int, bool, error) { return tui.PickID(choices) }
		}
		return script(cmd, nil, func(svc *ui.Service, out cli.Output) int { return cli.Switch(svc, out, query, pick, *asJSON) })
	}
	return cmd
}

func refreshCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "refresh [--json] [--id ID|EMAIL]",
		Short: "Refresh the access token now, even if it is fresh",
		Long: `Ask Launchpad for a new access token now, however fresh the stored one is: to check that the refresh token still works, or after rotating the client secret. Prints whose token and its new expiry, never the token; a refused refresh is reported, not retried.

Exit 0 refreshed, 1 refused, unreachable, not logged in or BASECAMP_TOKEN set, 2 misconfigured.`,
		Example: "bcauth refresh\nbcauth refresh --id ben@example.com --json",
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON: identity and expires_at")
	id := idFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return script(cmd, id, func(svc *ui.Service, out cli.Output) int { return cli.Refresh(cmd.Context(), svc, out, *asJSON) })
	}
	return cmd
}

// Environment variables of the login in use.
const (
	// idEnv picks a stored Basecamp ID as --id does; the flag wins.
	idEnv = "BCAUTH_ID"
)

// idFlag adds --id to cmd. Its value is read with chosenID.
func idFlag(cmd *cobra.Command) *string {
	id := cmd.Flags().String("id", "", "act on this logged-in Basecamp ID (Launchpad id or email) without making it current; "+idEnv+" does the same")
	_ = cmd.RegisterFlagCompletionFunc("id", idCompletions)
	return id
}

// chosenID is --id when given, else BCAUTH_ID.
func chosenID(cmd *cobra.Command, flag *string) string {
	if flag == nil {
		return ""
	}
	if cmd.Flags().Changed("id") {
		return *flag
	}
	return os.Getenv(idEnv)
}

// idCompletions offers the stored Basecamp IDs' email addresses.
func idCompletions(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	st, err := store.Open(store.DefaultDir(), store.WithCacheDir(store.DefaultCacheDir()))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	choices, _ := (&ui.Service{Store: st, Env: envClient()}).IDs()
	var out []cobra.Completion
	for _, c := range choices {
		out = append(out, cobra.CompletionWithDesc(c.Session.Identity.EmailAddress, c.Session.Identity.Name()))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// maxOneArg allows at most one positional argument.
func maxOneArg(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("unexpected argument %q: name one Basecamp ID", args[1])}
	}
	return nil
}

func demoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo [--no-browser] [--timeout DURATION] [--serve]",
		Short: "Try it all against a built-in fake Launchpad",
		Long: "Run the app against a built-in fake Launchpad, with its state in a temporary directory. " +
			"With --serve, run only the fake, until Ctrl-C, and print the lines that point another shell's bcauth at it.",
		Example: "bcauth demo --no-browser\n  bcauth demo --serve",
	}
	o := appFlags(cmd)
	serve := cmd.Flags().Bool("serve", false, "run the fake Launchpad in the foreground for the script commands, and print how to use it")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if *serve {
			return exit(serveDemo(cmd))
		}
		return exit(runApp(cmd, "demo", o))
	}
	return cmd
}

// Demo credentials for the fake's product APIs: they open nothing else.
const (
	demoPassword = "demo-password"
	demoAPIToken = "demo-api-token"
)

// serveDemo runs bcauth demo --serve: the fake Launchpad with its own state
// directories, until Ctrl-C.
func serveDemo(cmd *cobra.Command) int {
	stderr := cmd.ErrOrStderr()
	fake, err := launchpadtest.StartDemo()
	if err != nil {
		fmt.Fprintln(stderr, "bcauth demo:", err)
		return 1
	}
	defer fake.Close()
	dir, err := os.MkdirTemp("", "bcauth-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "bcauth demo:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	user := launchpadtest.DemoIdentity().EmailAddress
	fake.AllowBasic(user, demoPassword)
	fake.AllowBasic(demoAPIToken, "X")
	fo := fake.Options()
	return cli.DemoServe(cmd.Context(), cli.Output{Stdout: cmd.OutOrStdout(), Stderr: stderr}, cli.Demo{
		LaunchpadURL: fake.URL, ClientID: fo.ClientID, ClientSecret: fo.ClientSecret, RedirectURI: fo.RedirectURI,
		ConfigDir: filepath.Join(dir, "config"), CacheDir: filepath.Join(dir, "cache"),
		User: user, Password: demoPassword, APIToken: demoAPIToken,
	})
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Version and build information",
		Long:    "Print bcauth's version and the Go version it was built with.",
		Example: "bcauth version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "bcauth", version())
			if bi, ok := debug.ReadBuildInfo(); ok {
				fmt.Fprintln(cmd.OutOrStdout(), bi.GoVersion)
			}
		},
	}
}

// helpCmd is cobra's `help COMMAND`, except that a command that does not
// exist is a usage error (exit 2) rather than the root's usage.
func helpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "Help about any command",
		Long:  "Show a command's help, as bcauth COMMAND --help does.",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := cmd.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, c := range target.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return &usageError{cmd: "bcauth", err: fmt.Errorf("no command %q", strings.Join(args, " "))}
			}
			// As cobra's own help command does, so the page lists them.
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

func productCodes(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var codes []cobra.Completion
	for _, p := range auth.Products() {
		codes = append(codes, cobra.CompletionWithDesc(p.Code, p.Name))
	}
	return codes, cobra.ShellCompDirectiveNoFileComp
}

// exitError is a command's exit code, once it has said what went wrong.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// exit is the error RunE returns for a command's exit code.
func exit(code int) error {
	if code == 0 {
		return nil
	}
	return exitError(code)
}

// keepExitCode stores the exitError that run returns in *code and lets
// fang.Execute see no error: on an error, fang asks the terminal for its
// background colour (to style a message) before its handler is called, and
// a command that has reported its own failure has nothing more to print.
func keepExitCode(code *int, run func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := run(cmd, args)
		var exit exitError
		if errors.As(err, &exit) {
			*code = int(exit)
			return nil
		}
		return err
	}
}

// usageError is a command line bcauth cannot run (exit 2): an unknown
// command or flag, a stray argument, a bad value.
type usageError struct {
	cmd string // the command whose --help to point at, such as "bcauth status"
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// noArgs refuses positional arguments: no command takes any.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf("unexpected argument %q", args[0])}
	}
	return nil
}

// unknownCommand is the root's check of its arguments: any is a mistyped
// command, answered with cobra's suggestions.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return &usageError{cmd: cmd.CommandPath(), err: errors.New(msg)}
}

// printError is fang's error handler, for usage errors: what is wrong and
// where the help is, styled as fang does on a terminal, plain otherwise.
func printError(w io.Writer, styles fang.Styles, err error) {
	cmd, what := "bcauth", "its commands"
	var u *usageError
	if errors.As(err, &u) {
		cmd = u.cmd
	}
	if cmd != "bcauth" {
		what = "its flags"
	}
	msg := err.Error()
	if cw, ok := w.(*colorprofile.Writer); !ok || cw.Profile == colorprofile.NoTTY {
		if strings.Contains(msg, "\n") {
			msg += "\n" // set the suggestions apart from the pointer to --help
		}
		fmt.Fprintf(w, "%s: %s\nRun %s --help for %s.\n", cmd, msg, cmd, what)
		return
	}
	fmt.Fprintln(w, styles.ErrorHeader.String())
	fmt.Fprintln(w, styles.ErrorText.Render(msg))
	fmt.Fprintln(w)
	text := styles.ErrorText.UnsetWidth().UnsetTransform()
	fmt.Fprintln(w, lipgloss.JoinHorizontal(lipgloss.Left,
		text.Render("Run"),
		styles.Program.Flag.Render(" "+cmd+" --help "),
		text.UnsetMargins().Render("for "+what+"."),
	))
	fmt.Fprintln(w)
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

// service opens the store in dir, with the account cache in cacheDir
// ("" keeps it inside dir, as the demo does), and builds the Service.
// With BASECAMP_TOKEN set (token) and lenient, a state directory that is
// missing is not created and one that cannot be opened is done without:
// the token needs none, so a read-only or missing home still works.
//
// keyring says whether this run may use the OS keyring, as
// BCAUTH_KEYRING and config.json decide (the demo's throwaway state never
// does); secrets found elsewhere than they say are moved first.
func service(dir, cacheDir string, env store.ClientConfig, stderr io.Writer, token string, lenient, keyring bool) (*ui.Service, error) {
	return serviceIn(context.Background(), dir, cacheDir, env, stderr, token, lenient, keyring)
}

// serviceIn is service whose store gives up every wait for the lock when
// ctx ends: a script command's context, which Ctrl-C ends.
func serviceIn(ctx context.Context, dir, cacheDir string, env store.ClientConfig, stderr io.Writer, token string, lenient, keyring bool) (*ui.Service, error) {
	svc := &ui.Service{Env: env, HTTPClient: httpClient(), EnvToken: token}
	if token != "" && lenient {
		if _, err := os.Stat(dir); err != nil {
			return svc, nil
		}
	}
	opts := []store.Option{store.WithContext(ctx)}
	if cacheDir != "" {
		opts = append(opts, store.WithCacheDir(cacheDir))
	}
	if keyring {
		mode, err := keyringMode()
		if err != nil {
			return nil, err
		}
		opts = append(opts, store.WithKeyring(store.OSKeyring{}, mode))
	}
	st, err := store.Open(dir, opts...)
	if err != nil {
		if token != "" && lenient {
			return svc, nil
		}
		return nil, err
	}
	svc.Store = st
	if err := svc.PlaceSecrets(); err != nil {
		p := ui.Describe(err, svc.Settings())
		return nil, fmt.Errorf("%s\n%s", ui.Sentence(p.Text()), ui.Sentence(p.Fix))
	}
	for _, n := range st.Notices() {
		fmt.Fprintln(stderr, "bcauth:", n)
	}
	return svc, nil
}

// appOptions are the flags of the app, login, setup and demo.
type appOptions struct {
	noBrowser bool
	timeout   durationFlag
	id        *string // the app's --id; nil for the others
	keyring   *bool   // setup and login's --keyring, when given
}

func appFlags(cmd *cobra.Command) *appOptions {
	o := &appOptions{timeout: durationFlag(5 * time.Minute)}
	cmd.Flags().BoolVar(&o.noBrowser, "no-browser", false, "do not open a browser: paste the address it ends on instead")
	most := durationFlag(auth.MaxLoginTimeout)
	cmd.Flags().Var(&o.timeout, "timeout", "how long to wait for the browser's approval: a DURATION such as 90s or 5m, at most "+most.String())
	_ = cmd.RegisterFlagCompletionFunc("timeout", cobra.NoFileCompletions)
	return o
}

// durationFlag is a pflag.Value for a positive duration of at most
// auth.MaxLoginTimeout: a login link left open for a day is a day's
// chance for another program to use it. pflag's own
// Duration says "time: invalid duration", not what a duration looks like,
// and its default reads "5m0s".
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

// runApp runs the TUI: the app itself (name ""), login, setup or demo.
func runApp(cmd *cobra.Command, name string, o *appOptions) int {
	stderr := cmd.ErrOrStderr()
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		fmt.Fprintln(stderr, "bcauth: this command needs a terminal; in scripts use bcauth status, accounts, token or logout")
		return 1
	}
	demo := name == "demo"
	hasDisplay := os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	ssh := overSSH(os.Getenv)
	env := envClient()
	// Read once, then gone: the clipboard helpers bcauth starts inherit
	// this process's environment, and must not inherit a secret.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); ui.SecretEnv(name) {
			_ = os.Unsetenv(name)
		}
	}
	open := ui.Opener(os.Getenv("BROWSER"), hasDisplay, os.Environ())
	cfg := tui.Config{
		Timeout:   time.Duration(o.timeout),
		NoBrowser: pasteBack(o.noBrowser, demo, ssh, open != nil),
		Start:     map[string]tui.Start{"login": tui.StartLogin, "setup": tui.StartSetup}[name],
		OpenURL:   open,
	}
	if os.Getenv("TMUX") != "" {
		cfg.TmuxCopy = ui.TmuxCopy
	}
	if clipboard.Unsupported {
		cfg.CopyText = nil
	} else {
		cfg.CopyText = clipboard.WriteAll
	}
	dir, cacheDir := store.DefaultDir(), store.DefaultCacheDir()
	if demo {
		// The fake Launchpad on a random loopback port, with its state in a
		// temporary directory, never the person's real config.
		fake, err := launchpadtest.StartDemo()
		if err != nil {
			fmt.Fprintln(stderr, "bcauth demo:", err)
			return 1
		}
		defer fake.Close()
		if dir, err = os.MkdirTemp("", "bcauth-demo-"); err != nil {
			fmt.Fprintln(stderr, "bcauth demo:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cacheDir = ""
		fo := fake.Options()
		env = store.ClientConfig{ClientID: fo.ClientID, ClientSecret: fo.ClientSecret, RedirectURI: fo.RedirectURI, LaunchpadURL: fake.URL}
		cfg.NoBrowser = o.noBrowser
		cfg.Demo = &tui.Demo{
			Approve:  fake.TakeTurns(), // a second login is the demo's second person
			Headless: cfg.OpenURL == nil,
			After:    3 * time.Second,
		}
	}
	token := ""
	if !demo {
		token = os.Getenv(auth.SettingToken)
		cfg.ID = chosenID(cmd, o.id)
	}
	// Only the app itself does without a state directory: login and setup
	// store what they are given.
	svc, err := service(dir, cacheDir, env, stderr, token, name == "", !demo)
	if err != nil {
		fmt.Fprintln(stderr, "bcauth:", err)
		return 1
	}
	if code := setKeyring(svc, cli.Output{Stdout: cmd.OutOrStdout(), Stderr: stderr}, o.keyring); code != 0 {
		return code
	}
	cfg.Service = svc
	return tui.Run(cmd.Context(), cfg, stderr)
}

// overSSH reports whether bcauth runs in an SSH session: any of the
// variables sshd sets (SSH_CLIENT alone on some servers and clients).
func overSSH(getenv func(string) string) bool {
	return getenv("SSH_CONNECTION") != "" || getenv("SSH_CLIENT") != "" || getenv("SSH_TTY") != ""
}

// pasteBack decides whether the login asks for the address the browser
// ends on instead of opening a browser: when asked to, over SSH (the
// browser is on another machine), and when nothing here can open one (no
// display and no $BROWSER: a container, a VM console, mosh). The demo
// approves by itself instead when it has no browser.
func pasteBack(noBrowser, demo, ssh, canOpen bool) bool {
	if noBrowser {
		return true
	}
	return !demo && (ssh || !canOpen)
}

// script runs a command for scripts (status, accounts, token, logout, …)
// against the stored state, or BASECAMP_TOKEN: no TUI, no prompts (but
// switch's picker, asked for). id is the command's --id flag, nil when it
// has none.
func script(cmd *cobra.Command, id *string, do func(*ui.Service, cli.Output) int) error {
	out := output(cmd)
	// login --with-token stores what it reads, so it needs the directory.
	lenient := cmd.Name() != "login"
	svc, err := serviceIn(cmd.Context(), store.DefaultDir(), store.DefaultCacheDir(), envClient(), out.Stderr, os.Getenv(auth.SettingToken), lenient, true)
	if err != nil {
		fmt.Fprintln(out.Stderr, "bcauth:", err)
		return exit(2)
	}
	svc.ID = chosenID(cmd, id)
	return exit(interrupted(cmd.Context(), do(svc, out)))
}

// exitInterrupted is the shell's exit code for a command ended by Ctrl-C
// (128 + SIGINT).
const exitInterrupted = 130

// interrupted is code, or exitInterrupted when ctx ended because of
// Ctrl-C (fang cancels the command's context on SIGINT).
func interrupted(ctx context.Context, code int) int {
	if code != 0 && errors.Is(ctx.Err(), context.Canceled) {
		return exitInterrupted
	}
	return code
}

// probe runs bcauth probe. With legacy credentials it opens no store at
// all: they never touch the stored login.
func probe(cmd *cobra.Command, opts cli.ProbeOptions, id *string) int {
	ctx := cmd.Context()
	out := output(cmd)
	if isTerminal(out.Stderr) {
		opts.Progress = out.Stderr
	}
	if opts.APIToken == "-" {
		opts.APIToken = os.Getenv(apiTokenEnv)
		if opts.APIToken == "" {
			fmt.Fprintf(out.Stderr, "bcauth: --api-token - reads the token from %s, which is not set\n", apiTokenEnv)
			return 2
		}
	}
	if opts.URL == "" && opts.BasicUser == "" && opts.APIToken == "" {
		svc, err := serviceIn(ctx, store.DefaultDir(), store.DefaultCacheDir(), envClient(), out.Stderr, os.Getenv(auth.SettingToken), true, true)
		if err != nil {
			fmt.Fprintln(out.Stderr, "bcauth:", err)
			return 2
		}
		svc.ID = chosenID(cmd, id)
		return interrupted(ctx, cli.Probe(ctx, svc, out, opts))
	}
	if opts.URL != "" && opts.BasicUser != "" && opts.APIToken == "" {
		opts.Password = os.Getenv(cli.PasswordEnv)
		if opts.Password == "" {
			pw, err := cli.ReadPassword(ctx, opts.BasicUser)
			if err != nil {
				fmt.Fprintln(out.Stderr, "bcauth:", err)
				return 1
			}
			opts.Password = pw
		}
	}
	return cli.Probe(ctx, &ui.Service{HTTPClient: httpClient()}, out, opts)
}

// isTerminal reports whether w is a terminal, for output meant only for
// people watching (probe's progress counter).
// output is where a script command writes. On a terminal its plain results
// are tables, written through a colour profile that honours NO_COLOR and
// the terminal's depth.
func output(cmd *cobra.Command) cli.Output {
	out := cli.Output{Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
	if isTerminal(out.Stdout) {
		out.Terminal = true
		out.Stdout = colorprofile.NewWriter(out.Stdout, os.Environ())
	}
	return out
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func httpClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }
