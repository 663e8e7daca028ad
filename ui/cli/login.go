package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"bcauth/auth"
	"bcauth/ui/core"
)

// loginOptions are login's flags.
type loginOptions struct {
	appOptions
	WithToken, JSON bool
}

func newLoginCmd(f *Factory, runF func(*loginOptions) error) *cobra.Command {
	o := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login [--no-browser] [--timeout DURATION] [--scope read|full] [--keyring] [--with-token [--json]] [--expect-identity ID|EMAIL]",
		Short: "Log in (adds or replaces that Basecamp ID)",
		Long: `Log in through the browser, even when logged in (adds or replaces that Basecamp ID). --timeout bounds the wait for approval: 5m by default in the browser; a device-code login (BC5) waits, unless --timeout is given, as long as its code lives, at most 1h.

Which server: bcauth asks the API origin (BASECAMP_BASE_URL, default https://3.basecampapi.com) which authorization servers it trusts. The login goes to Basecamp's newer server (BC5) only when that origin advertises one BC5 issuer, or advertises the one pinned with BASECAMP_OAUTH_ISSUER (a pinned issuer must be advertised too), and a BC5 client is configured (BCAUTH_BC5_CLIENT_ID). Two BC5 issuers and none pinned, a pinned issuer the origin does not advertise (or an origin that cannot be read while one is pinned), a pinned one with no BC5 client, or a BC5 issuer whose metadata is unusable, is an error naming the setting to fix, and Launchpad is not asked either. In every other case the login goes to Launchpad. bcauth discover says which server a login would use now, and why: that BC5 is there but no BC5 client is configured, say, or that the origin could not be read. On BC5 the login is a code shown here and entered in any browser on any device, with --scope read or full (default full).

With --with-token, read an access token (and, optionally, its refresh token on a second line) from standard input instead, check it with Launchpad and store it like a browser login; nothing is echoed or printed. A refresh token is proven to be the same person's first (one refresh and one more authorization.json request). Exit 0 stored, 4 refused or another person's (nothing stored), 1 Launchpad unreachable or on hold, 2 no token on standard input.

With --expect-identity, a login (in the browser or --with-token) that comes back as any other Basecamp ID than that Launchpad id or email address is refused, and nothing is stored.`,
		Example: `bcauth login --no-browser --timeout 10m
bcauth login --expect-identity ben@example.com
printf '%s\n%s\n' "$ACCESS_TOKEN" "$REFRESH_TOKEN" | bcauth login --with-token`,
	}
	o.flags(cmd)
	o.keyringFlag(cmd)
	cmd.Flags().BoolVar(&o.WithToken, "with-token", false, "read the tokens from standard input instead of opening a browser")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "with --with-token: print who logged in and until when as JSON")
	cmd.Flags().StringVar(&o.Expect, "expect-identity", "", "refuse, storing nothing, a login that comes back as any other Basecamp ID than this Launchpad id or email address")
	noCompletions(cmd, "expect-identity")
	cmd.Flags().StringVar(&o.Scope, "scope", "full", "on BC5: ask for read (read-only) or full (read and write) access; Launchpad has no scopes")
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions([]string{"read\tread-only access", "full\tread and write"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o.keyringChoice(cmd)
		if o.JSON && !o.WithToken {
			return usage(cmd, "--json goes with --with-token: a browser login ends in the app")
		}
		if o.Scope != "read" && o.Scope != "full" {
			return usage(cmd, "--scope is read or full")
		}
		if runF != nil {
			return runF(o)
		}
		if !o.WithToken {
			return f.runApp(cmd, "login", &o.appOptions)
		}
		return f.script(cmd, "", func(svc *core.Service, out Output) int {
			if o.Keyring != nil {
				if err := svc.SetKeyring(*o.Keyring); err != nil {
					return out.fail(err, svc.Settings(), true)
				}
			}
			svc.Expect = o.Expect
			return LoginWithToken(cmd.Context(), svc, out, cmd.InOrStdin(), o.JSON)
		})
	}
	return cmd
}

// maxTokenInput bounds what login --with-token reads: two tokens are a few
// hundred bytes.
const maxTokenInput = 64 << 10

// LoginWithToken stores a login made elsewhere (another machine, a secret
// store): it reads an access token from in and, optionally, a refresh
// token on the second line, asks Launchpad whom it belongs to, and stores
// it as a browser login would, as the current Basecamp ID. Nothing is
// stored unless Launchpad accepts it. A token without a refresh token
// cannot be renewed, and the output says when it expires.
//
// When in is a terminal it asks for each without echo; otherwise it reads
// to the end. Blank lines and surrounding spaces are ignored; anything but
// one or two lines of visible ASCII is refused before Launchpad is asked.
// Tokens are never printed; with asJSON it prints {"identity": {…},
// "expires_at", "renewable"} instead of sentences. Exit 0 stored; 1
// Launchpad refused the token or could not be reached; 2 no usable token
// on standard input, or the client is not configured (a refresh token is
// only useful with it).
func LoginWithToken(ctx context.Context, svc *core.Service, out Output, in io.Reader, asJSON bool) int {
	access, refresh, err := readTokens(ctx, in, out.Stderr)
	if err != nil {
		out.problem(core.Problem{Message: "no token was read from standard input: " + err.Error(),
			Fix: "pipe the access token in, and its refresh token on a second line: printf '%s\\n%s\\n' \"$ACCESS\" \"$REFRESH\" | bcauth login --with-token"})
		return ExitMisconfigured
	}
	sess, aside, err := svc.AddToken(ctx, access, refresh)
	if err != nil {
		return out.fail(err, svc.Settings(), true)
	}
	if svc.EnvToken != "" {
		out.warn("%s is set, so the other commands use that token until it is unset", auth.SettingToken)
	}
	if aside != "" {
		fmt.Fprintf(out.Stderr, "bcauth: the unreadable state file was moved aside to %s\n", core.Clean(aside))
	}
	renewable := sess.Token.Renewable()
	if asJSON {
		return out.flushJSON(loginJSON{Identity: identityOf(sess.Identity), ExpiresAt: timeJSON(sess.Token.Expiry), Renewable: renewable})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Logged in as %s, Launchpad id %d.\n", core.Who(sess.Identity), sess.Identity.ID)
	switch {
	case refresh == "" && renewable:
		b.WriteString("Kept the refresh token already stored for this login, so it is renewed as before.\n")
	case !renewable:
		exp := "when Launchpad decides (it gave no expiry)"
		if t := timeJSON(sess.Token.Expiry); t != nil {
			exp = *t + " (" + core.Expiry(sess.Token.Expiry, svc.Now()) + ")"
		}
		fmt.Fprintf(&b, "Without a refresh token this login cannot be renewed: it ends %s. Log in again before then.\n", exp)
	}
	return out.flush([]byte(b.String()))
}

// loginJSON is `bcauth login --with-token --json`.
type loginJSON struct {
	Identity  identityJSON `json:"identity"`
	ExpiresAt *string      `json:"expires_at"`
	Renewable bool         `json:"renewable"` // it came with a refresh token, or kept the stored one
}

// readTokens reads the access token and the optional refresh token.
func readTokens(ctx context.Context, in io.Reader, prompt io.Writer) (access, refresh string, err error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		const instead = "pipe it in instead"
		if access, err = readHidden(ctx, f, prompt, "Access token: ", "the access token", instead); err != nil {
			return "", "", err
		}
		if refresh, err = readHidden(ctx, f, prompt, "Refresh token (enter for none): ", "the refresh token", instead); err != nil {
			return "", "", err
		}
		return checkTokens([]string{access, refresh})
	}
	data, err := io.ReadAll(io.LimitReader(in, maxTokenInput+1))
	if err != nil {
		return "", "", err
	}
	if len(data) > maxTokenInput {
		return "", "", fmt.Errorf("more than %d KiB, far more than two tokens", maxTokenInput>>10)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, maxTokenInput+1)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return checkTokens(lines)
}

// checkTokens keeps the non-blank lines, which must be one or two tokens.
func checkTokens(lines []string) (access, refresh string, err error) {
	var toks []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			toks = append(toks, l)
		}
	}
	switch {
	case len(toks) == 0:
		return "", "", errors.New("it was empty")
	case len(toks) > 2:
		return "", "", fmt.Errorf("it holds %d lines, and only an access token and a refresh token are read", len(toks))
	}
	for i, t := range toks {
		if !core.IsTokenText(t) {
			// Said without the line, which may be a secret.
			return "", "", fmt.Errorf("line %d is not a token (%v)", i+1, core.ErrNotTokenText)
		}
	}
	access = toks[0]
	if len(toks) == 2 {
		refresh = toks[1]
	}
	return access, refresh, nil
}
