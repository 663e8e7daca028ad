package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// apiTokenEnv holds a classic API token for probe --api-token -.
const apiTokenEnv = "BASECAMP_API_TOKEN"

func newProbeCmd(f *Factory, runF func(*ProbeOptions) error) *cobra.Command {
	o := &ProbeOptions{}
	cmd := &cobra.Command{
		Use:   "probe [--json] [--product CODE] [--id ID|EMAIL]",
		Short: "Check which accounts answer the token, or one product URL",
		Long: `Check which accounts answer the token (exit 3 when any does not), or one product --url with a password or API token:

  bcauth probe --url HREF (--basic USER | --api-token TOKEN) [--product CODE] [--json]`,
		Example: `bcauth probe --product bc3
BASECAMP_PASSWORD=… bcauth probe --url https://basecamp.com/123/api/v1 \
  --basic me@example.com`,
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.JSON, "json", false, "print a JSON array instead of tab-separated lines")
	fl.StringVar(&o.Product, "product", "", "only accounts of this product CODE; with --url, the product it belongs to (guessed from the URL when left out)")
	f.idFlag(cmd, &o.ID)
	fl.StringVar(&o.URL, "url", "", "check this one product API HREF with --basic or --api-token, not the stored login")
	fl.StringVar(&o.BasicUser, "basic", "", "with --url: log in as USER with HTTP Basic (Basecamp 2); the password comes from "+PasswordEnv+" or is asked for in the terminal")
	fl.StringVar(&o.APIToken, "api-token", "", "with --url: a classic product's API TOKEN, sent as Basic user TOKEN, password X; \"-\" takes it from "+apiTokenEnv+", which keeps it out of ps and shell history")
	_ = cmd.RegisterFlagCompletionFunc("product", productCodes)
	noCompletions(cmd, "url", "basic", "api-token")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o.ID = f.chosenID(cmd, o.ID)
		if runF != nil {
			return runF(o)
		}
		return f.exit(f.probe(cmd, *o))
	}
	return cmd
}

// probe runs bcauth probe. With legacy credentials it opens no store at
// all: they never touch the stored login.
func (f *Factory) probe(cmd *cobra.Command, opts ProbeOptions) int {
	ctx := cmd.Context()
	out := f.output()
	if isTerminal(out.Stderr) {
		opts.Progress = out.Stderr
	}
	if opts.APIToken == "-" {
		opts.APIToken = f.Env.Get(apiTokenEnv)
		if opts.APIToken == "" {
			fmt.Fprintf(out.Stderr, "bcauth: --api-token - reads the token from %s, which is not set\n", apiTokenEnv)
			return ExitUsage
		}
	}
	if opts.URL == "" && opts.BasicUser == "" && opts.APIToken == "" {
		svc, err := f.open(ctx, true)
		if err != nil {
			fmt.Fprintln(out.Stderr, "bcauth:", err)
			return ExitUsage
		}
		svc.ID = opts.ID
		return interrupted(ctx, Probe(ctx, svc, out, opts))
	}
	// Everything on the command line is checked before a password is
	// asked for: a typo is told at once, not after typing it.
	if _, p := checkLegacy(opts, false); p != nil {
		out.problem(*p)
		return ExitMisconfigured
	}
	if opts.BasicUser != "" {
		opts.Password = f.Env.Get(PasswordEnv)
		if opts.Password == "" {
			pw, err := ReadPassword(ctx, opts.BasicUser)
			if err != nil {
				fmt.Fprintln(out.Stderr, "bcauth:", err)
				return ExitFailed
			}
			opts.Password = pw
		}
	}
	return Probe(ctx, &core.Service{HTTPClient: core.NewHTTPClient()}, out, opts)
}

// PasswordEnv is the environment variable main reads the password for
// `bcauth probe --basic USER` from, when it cannot ask in a terminal.
const PasswordEnv = "BASECAMP_PASSWORD"

// ProbeOptions is what `bcauth probe` was asked to do.
type ProbeOptions struct {
	// ID is --id (else BCAUTH_ID): the stored Basecamp ID to probe with.
	ID string
	// JSON prints an array of objects instead of tab-separated lines.
	JSON bool
	// Product keeps only the accounts with this product code
	// (case-insensitive); with URL it names the product instead of guessing
	// it from the href.
	Product string
	// URL, when set, probes this one product href with the legacy
	// credentials below instead of the stored login's accounts.
	URL string
	// BasicUser and Password are a person's own login, sent as HTTP Basic
	// (Basecamp 2). main fills Password from the terminal or PasswordEnv.
	BasicUser, Password string
	// APIToken is a classic product's API token, sent as Basic TOKEN:X.
	APIToken string
	// Progress, when not nil, gets a counter rewritten in place with "\r"
	// while the probes run; main sets it to stderr only on a terminal.
	Progress io.Writer
}

// Probe asks each account's product who the credentials belong to: the
// "who am I" endpoint of every account of the current Basecamp ID, with its
// OAuth token, or, with opts.URL, one product href with legacy credentials.
//
// The account list comes from Launchpad first, as for Accounts (refreshing
// the token if needed), or from the cache, with a warning on stderr, when
// Launchpad cannot be reached. Accounts are in Accounts' order and filtered
// by opts.Product the same way.
//
// Plain output is one line per account, fields separated by one tab:
// product code, account id, status, account name, detail. The status is the
// stable name (reachable, refused, inactive, not_found, rate_limited,
// server_error, timeout, failed, not_probed, canceled). The detail is the
// person for a reachable account, as "Annie Bryan <annie@example.com>
// (person 1000012345, admin, owner)", and otherwise the reason in a
// sentence. Every field passes through Clean.
//
// With opts.JSON it prints an array (never null) of objects:
//
//	[{"product":"bc3","product_name":"Basecamp","id":99999999,
//	  "name":"Honcho Design","href":"https://3.basecampapi.com/99999999",
//	  "status":"reachable","http_status":200,
//	  "person":{"id":1000012345,"name":"Annie Bryan",
//	            "email":"annie@example.com","admin":true,"owner":false},
//	  "reason":"","attempts":1,"elapsed_ms":212}]
//
// Every key is always present: person is null unless reachable, reason is
// "" when reachable, http_status is 0 when no answer came, attempts is 0
// when nothing was sent. Strings are raw, as in Accounts --json.
//
// With opts.URL (legacy mode) the stored OAuth state is never read: only
// svc.HTTPClient and svc.UserAgent are used, and svc.Store may be nil. The
// output is the same, with one line or a one-element array; name is empty
// and id is read from the href (0 when it holds none). The password and
// token are never printed.
//
// Exit 0 when every account that could be asked is reachable (also when
// none matched opts.Product; not_probed, a product with no who-am-I
// endpoint, never fails the run); 3 when at least one answered refused,
// inactive, not_found, rate_limited, server_error, timeout or failed; 1
// when not logged in, the login is
// rejected, the probes were interrupted or anything else fails; 2 when the
// client settings or the state file are unusable, or the flags do not make
// sense together.
func Probe(ctx context.Context, svc *core.Service, out Output, opts ProbeOptions) int {
	if opts.URL != "" || opts.BasicUser != "" || opts.APIToken != "" {
		return probeLegacy(ctx, svc, out, opts)
	}
	list, err := loadAccounts(ctx, svc, out, opts.Product)
	if errors.Is(err, errNoSuchProduct) {
		return ExitUsage
	}
	if err != nil {
		return out.fail(err, svc.Settings(), true)
	}
	results := svc.Prober(list.Client).ProbeAll(ctx, list.Accounts, probe.BearerAuth{Source: list.Tokens}, progressTo(opts.Progress))
	if opts.Progress != nil && len(list.Accounts) > 0 {
		fmt.Fprint(opts.Progress, "\r\x1b[K")
	}
	return printProbes(ctx, out, opts.JSON, results, nil)
}

// probeLegacy checks one product href with a password or an API token,
// never with (or near) the stored login.
func probeLegacy(ctx context.Context, svc *core.Service, out Output, opts ProbeOptions) int {
	product, p := checkLegacy(opts, true)
	if p != nil {
		out.problem(*p)
		return ExitMisconfigured
	}
	var a probe.Authorizer = probe.APITokenAuth{Token: opts.APIToken}
	secrets := []string{opts.APIToken}
	if opts.BasicUser != "" {
		a = probe.BasicAuth{User: opts.BasicUser, Password: opts.Password}
		secrets = []string{opts.Password}
	}
	r := svc.URLProber().ProbeURL(ctx, opts.URL, product, a)
	if r.Status == probe.NotProbed {
		out.problem(core.Problem{Message: redact(r.Reason, secrets), Fix: "give an https URL (plain http only reaches a loopback address)"})
		return ExitMisconfigured
	}
	return printProbes(ctx, out, opts.JSON, []probe.Result{r}, secrets)
}

// checkLegacy checks a probe of one --url with older credentials before
// anything is asked or sent: the flags, the URL and its product, and, with
// password, that there is one. It returns the product's code, or what is
// wrong.
func checkLegacy(opts ProbeOptions, password bool) (string, *core.Problem) {
	usage := func(msg, fix string) (string, *core.Problem) {
		return "", &core.Problem{Message: msg, Fix: fix}
	}
	switch {
	case opts.URL == "":
		return usage("--basic and --api-token check one product URL, and none was given",
			"add --url HREF (the account's API address, such as https://basecamp.com/ID/api/v1), or leave them out to probe the stored login's accounts")
	case opts.BasicUser != "" && opts.APIToken != "":
		return usage("--basic and --api-token are two different credentials: give one", "keep --basic USER for Basecamp 2, or --api-token TOKEN for the classic products")
	case opts.BasicUser == "" && opts.APIToken == "":
		return usage("--url probes with a password or an API token, and neither was given (the stored login is never used with --url)",
			"add --basic USER or --api-token TOKEN, or leave out --url to probe the stored login's accounts")
	}
	u, err := url.Parse(opts.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return usage(fmt.Sprintf("--url %q is not an http(s) URL", opts.URL), "give the account's API address, such as https://basecamp.com/ID/api/v1")
	}
	if u.User != nil {
		// Said without the URL, which holds a secret.
		return usage("--url holds credentials, and bcauth does not take them from a URL", "remove the user and password from the URL and use --basic USER or --api-token TOKEN")
	}
	product := strings.ToLower(opts.Product)
	if product == "" {
		product = auth.GuessProduct(opts.URL)
	}
	if product == "" {
		return usage(fmt.Sprintf("cannot tell which product %s belongs to", opts.URL), "name it with --product "+probeableCodes())
	}
	if prod := auth.LookupProduct(product); prod.WhoAmI == "" {
		return usage(fmt.Sprintf("%s has no public who-am-I endpoint to probe", prod.Name), "use --product "+probeableCodes())
	}
	if password && opts.BasicUser != "" && opts.Password == "" {
		return usage("no password for --basic "+opts.BasicUser, "set "+PasswordEnv+", or run the command in a terminal to type it")
	}
	return product, nil
}

// probeableCodes lists the product codes a probe can check.
func probeableCodes() string {
	var codes []string
	for _, p := range auth.Products() {
		if p.WhoAmI != "" {
			codes = append(codes, p.Code)
		}
	}
	return strings.Join(codes, ", ")
}

// progressTo writes "probed N of M accounts" over itself to w, or nothing
// when w is nil.
func progressTo(w io.Writer) func(done, total int, r probe.Result) {
	if w == nil {
		return nil
	}
	return func(done, total int, _ probe.Result) {
		fmt.Fprintf(w, "\r\x1b[Kbcauth: probed %d of %d", done, total)
	}
}

// printProbes writes the results, whole, and says how they went. secrets
// are taken out of every reason, in case a product echoes them.
func printProbes(ctx context.Context, out Output, asJSON bool, results []probe.Result, secrets []string) int {
	code := ExitOK
	for i := range results {
		results[i].Reason = redact(results[i].Reason, secrets)
		// A product with no who-am-I endpoint cannot be asked: that says
		// nothing against the login, so it never fails the run.
		if st := results[i].Status; st != probe.Reachable && st != probe.NotProbed {
			code = ExitUnreachable
		}
	}
	if c := writeProbes(out, asJSON, results); c != ExitOK {
		return c
	}
	if ctx.Err() != nil {
		fmt.Fprintln(out.Stderr, "bcauth: stopped before every account answered; the ones marked canceled were not checked")
		return ExitFailed
	}
	return code
}

// writeProbes prints the results as JSON or tab-separated lines.
func writeProbes(out Output, asJSON bool, results []probe.Result) int {
	if asJSON {
		rows := make([]probeJSON, 0, len(results))
		for _, r := range results {
			rows = append(rows, probeJSON{
				Product:     r.Account.Product,
				ProductName: auth.LookupProduct(r.Account.Product).Name,
				ID:          r.Account.ID,
				Name:        r.Account.Name,
				Href:        r.Account.Href,
				Status:      r.Status,
				HTTPStatus:  r.HTTPStatus,
				Person:      r.Person,
				Reason:      r.Reason,
				Attempts:    r.Attempts,
				ElapsedMS:   r.Elapsed.Milliseconds(),
			})
		}
		return out.flushJSON(rows)
	}
	rows := make([][]string, len(results))
	counts := map[probe.Status]int{}
	for i, r := range results {
		// probe --url knows no account name, and an id only when the
		// href holds one: the href names it then, and a person's table
		// shows no id rather than 0.
		id, name := strconv.FormatInt(r.Account.ID, 10), core.Clean(r.Account.Name)
		if name == "" {
			name = core.Clean(r.Account.Href)
		}
		if r.Account.ID == 0 && out.Terminal {
			id = "-"
		}
		rows[i] = []string{core.Clean(r.Account.Product), id, r.Status.Name(), name, core.ProbeDetail(r)}
		counts[r.Status]++
	}
	if c := out.rows([]string{"PRODUCT", "ID", "STATUS", "NAME", "DETAIL"}, rows); c != ExitOK || !out.Terminal || len(results) < 2 {
		return c
	}
	// People get the line the app shows after p.
	return out.flush([]byte("\n" + core.ProbeSummary(counts, len(results)) + "\n"))
}

// probeJSON is one element of `bcauth probe --json`; see Probe.
type probeJSON struct {
	Product     string        `json:"product"`
	ProductName string        `json:"product_name"`
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Href        string        `json:"href"`
	Status      probe.Status  `json:"status"`
	HTTPStatus  int           `json:"http_status"`
	Person      *probe.Person `json:"person"`
	Reason      string        `json:"reason"`
	Attempts    int           `json:"attempts"`
	ElapsedMS   int64         `json:"elapsed_ms"`
}

// redact replaces each secret in s. Secrets shorter than 4 bytes are left:
// replacing them would garble the text more than it protects.
func redact(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	return s
}
