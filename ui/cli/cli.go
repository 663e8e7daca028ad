package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui"
)

// Output is where a script command writes: results to Stdout, diagnostics
// to Stderr.
type Output struct {
	Stdout, Stderr io.Writer
}

// Exit codes of the script commands.
const (
	exitOK = 0
	// exitFailed: not logged in, login rejected, Launchpad unreachable, or
	// any other failure.
	exitFailed = 1
	// exitMisconfigured: status and probe use it, for a problem no login
	// fixes (client settings, an unreadable or newer file); accounts and
	// token keep exitFailed, as documented.
	exitMisconfigured = 2
)

// Accounts prints the current Basecamp ID's accounts, asking Launchpad for
// the list first (refreshing the token if needed) and caching the answer.
// When Launchpad cannot be reached it prints the cached list, with a warning
// on stderr, and still exits 0; with no cached list it exits 1.
//
// Plain output is one line per account, fields separated by one tab:
// product code, id, name, href. Every field passes through Clean, so no
// field holds a tab, a line break or a terminal control. Accounts are sorted
// by product (bcauth's catalogue order, unknown products after, by code),
// then by name.
//
// With asJSON it prints an array (never null) of objects that carry
// Launchpad's raw data, with Launchpad's field names plus product_name:
//
//	[{"product":"bc3","product_name":"Basecamp","id":99999999,
//	  "name":"Honcho Design","href":"https://3.basecampapi.com/99999999",
//	  "app_href":"https://3.basecamp.com/99999999"}]
//
// app_href is left out when Launchpad has none (older products), as
// Launchpad itself does: use `.app_href // .href` in jq. Names are not
// cleaned in JSON; control, bidirectional and other invisible characters are
// written as \uXXXX escapes, so the output is safe on a terminal and decodes
// to exactly what Launchpad sent. HTML characters are not escaped.
//
// product, when not empty, keeps only the accounts with that product code
// (case-insensitive); no match prints nothing (or []) and a note on stderr.
// Exit 0, or 1 when not logged in, the login is rejected or anything else
// fails.
func Accounts(ctx context.Context, svc *ui.Service, out Output, asJSON bool, product string) int {
	c, err := svc.Client()
	if err != nil {
		diagnoseConfig(svc, err).print(out.Stderr)
		return exitFailed
	}
	sess, err := svc.Current(c)
	if err != nil {
		diagnose(svc, err).print(out.Stderr)
		return exitFailed
	}
	var list []auth.Account
	r, err := svc.Reload(ctx, c, sess)
	switch {
	case err == nil:
		if r.Session.Authorization != nil {
			list = r.Session.Authorization.Accounts
		}
	case auth.Temporary(err) && sess.Authorization != nil:
		fmt.Fprintf(out.Stderr, "bcauth: warning: %s\n  Launchpad could not be reached, which is probably temporary: these are the accounts it listed %s; run the command again later for a fresh list\n",
			ui.Clean(err.Error()), ui.FetchedWhen(sess.FetchedAt))
		list = sess.Authorization.Accounts
	default:
		diagnose(svc, err).print(out.Stderr)
		return exitFailed
	}
	list = sortAccounts(list)
	if product != "" {
		all := list
		list = slices.DeleteFunc(slices.Clone(list), func(a auth.Account) bool { return !strings.EqualFold(a.Product, product) })
		if len(list) == 0 {
			fmt.Fprintf(out.Stderr, "bcauth: no accounts of product %q; this login has: %s\n", ui.Clean(product), productCodes(all))
		}
	}
	var buf bytes.Buffer
	if asJSON {
		rows := make([]accountJSON, 0, len(list))
		for _, a := range list {
			rows = append(rows, accountJSON{
				Product:     a.Product,
				ProductName: auth.LookupProduct(a.Product).Name,
				ID:          a.ID,
				Name:        a.Name,
				Href:        a.Href,
				AppHref:     a.AppHref,
			})
		}
		if err := encodeJSON(&buf, rows); err != nil {
			fmt.Fprintln(out.Stderr, "bcauth:", err)
			return exitFailed
		}
	} else {
		for _, a := range list {
			fmt.Fprintf(&buf, "%s\t%d\t%s\t%s\n", ui.Clean(a.Product), a.ID, ui.Clean(a.Name), ui.Clean(a.Href))
		}
	}
	return flush(out, buf.Bytes())
}

// accountJSON is one element of `bcauth accounts --json`.
type accountJSON struct {
	Product     string `json:"product"`
	ProductName string `json:"product_name"`
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Href        string `json:"href"`
	AppHref     string `json:"app_href,omitempty"`
}

// sortAccounts orders accounts as the TUI lists them: catalogue order,
// unknown products after by code, then by name, then by id so that the
// order is the same on every run.
func sortAccounts(in []auth.Account) []auth.Account {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b auth.Account) int {
		pa, pb := auth.LookupProduct(a.Product), auth.LookupProduct(b.Product)
		if pa.Order != pb.Order {
			return pa.Order - pb.Order
		}
		if c := strings.Compare(a.Product, b.Product); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(ui.Clean(a.Name)), strings.ToLower(ui.Clean(b.Name))); c != 0 {
			return c
		}
		if a.ID != b.ID {
			if a.ID < b.ID {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

// productCodes lists the distinct product codes of sorted accounts, for a
// message.
func productCodes(sorted []auth.Account) string {
	var codes []string
	for _, a := range sorted {
		if c := ui.Clean(a.Product); !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return "no accounts"
	}
	return strings.Join(codes, ", ")
}

// Token prints the current access token and a newline on stdout, and
// nothing else, refreshing (and saving) it first when it is near its expiry.
// Any failure goes to stderr with exit 1 and an empty stdout.
func Token(ctx context.Context, svc *ui.Service, out Output) int {
	tok, err := svc.Token(ctx)
	var unsaved *auth.SaveError
	if errors.As(err, &unsaved) && tok != nil {
		// Launchpad issued a working token that could not be stored: use
		// it now, and say so where scripts do not read.
		fmt.Fprintf(out.Stderr, "bcauth: warning: the refreshed token could not be saved (%v); the next run may have to refresh again or log in\n", unsaved.Err)
		err = nil
	}
	if err != nil {
		diagnose(svc, err).print(out.Stderr)
		return exitFailed
	}
	if !isTokenText(tok.AccessToken) {
		// Never Clean a token: a changed token is worse than none.
		cliProblem{
			Message: "Launchpad's access token is empty or holds characters a token cannot have, so bcauth does not print it",
			Fix:     "run bcauth login",
		}.print(out.Stderr)
		return exitFailed
	}
	return flush(out, []byte(tok.AccessToken+"\n"))
}

// isTokenText reports whether s is non-empty visible ASCII, as every OAuth
// bearer token is (RFC 6750's b64token is a subset).
func isTokenText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Logout forgets the current Basecamp ID's tokens and cached accounts, or
// every Basecamp ID's with all; the client settings stay. It prints one
// "Logged out of NAME (EMAIL)." line per Basecamp ID forgotten, and, when
// another stored login becomes current, which one. With nothing to forget it
// prints "Not logged in.". Exit 0, or 1 when the state file cannot be read
// or written (it is never deleted).
//
// Launchpad offers no way to revoke a token, so this only forgets it here.
func Logout(svc *ui.Service, out Output, all bool) int {
	st, err := svc.Store.Load()
	if err != nil {
		p := diagnose(svc, err)
		if p.Kind == kindCorruptState || p.Kind == kindNewerFile {
			p.Fix = "nothing was changed; to forget every login anyway, move or delete " + stateFilePath(err) + " yourself"
		}
		p.print(out.Stderr)
		return exitFailed
	}
	var gone []store.Session
	if all {
		gone = st.Sessions
	} else if cur, ok := st.CurrentSession(); ok {
		gone = []store.Session{*cur}
	}
	if len(gone) == 0 {
		return flush(out, []byte("Not logged in.\n"))
	}
	if all {
		err = svc.Store.LogoutAll()
	} else {
		err = svc.Store.Logout(gone[0].Key())
	}
	if err != nil {
		diagnose(svc, err).print(out.Stderr)
		return exitFailed
	}
	var b strings.Builder
	for _, s := range gone {
		fmt.Fprintf(&b, "Logged out of %s.\n", ui.Who(s.Identity))
	}
	if !all {
		if st, err := svc.Store.Load(); err == nil {
			if cur, ok := st.CurrentSession(); ok {
				fmt.Fprintf(&b, "Now logged in as %s (bcauth logout --all forgets every Basecamp ID).\n", ui.Who(cur.Identity))
			}
		}
	}
	return flush(out, []byte(b.String()))
}

// flush writes a command's whole result at once, so a failure midway does
// not leave half a result for a script to read.
func flush(out Output, b []byte) int {
	if _, err := out.Stdout.Write(b); err != nil {
		fmt.Fprintln(out.Stderr, "bcauth: cannot write the result:", err)
		return exitFailed
	}
	return exitOK
}

// encodeJSON writes v as indented JSON without HTML escaping (a script wants
// "&", not "\u0026"), then escapes what a terminal could act on.
func encodeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("cannot encode the result as JSON: %w", err)
	}
	_, err := w.Write(terminalSafeJSON(b.Bytes()))
	return err
}

// terminalSafeJSON escapes as \uXXXX the characters encoding/json leaves
// raw but a terminal could act on, or that hide or reorder text: DEL, C1
// controls and invisible format characters such as bidirectional
// overrides. encoding/json already escapes C0 controls (ESC included), and
// all these can only occur inside strings, so the JSON decodes to the same
// data.
func terminalSafeJSON(b []byte) []byte {
	if !slices.ContainsFunc(b, func(c byte) bool { return c >= 0x7f }) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if jsonEscapes(r) {
			for _, u := range utf16.Encode([]rune{r}) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func jsonEscapes(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(unicode.Is(unicode.Cf, r) && r != '\u200d' && r != '\u200c')
}
