package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// accountsOptions are accounts's flags.
type accountsOptions struct {
	JSON    bool
	ID      string
	Product string
}

func newAccountsCmd(f *Factory, runF func(*accountsOptions) error) *cobra.Command {
	o := &accountsOptions{}
	cmd := &cobra.Command{
		Use:     "accounts [--json] [--product CODE] [--id ID|EMAIL]",
		Short:   "The accounts, one per line (tab-separated)",
		Long:    "List the current Basecamp ID's accounts, one tab-separated line each: product, id, name, href.",
		Example: "bcauth accounts --product bc3 | cut -f2,3\nbcauth accounts --id ben@example.com --json",
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	f.idFlag(cmd, &o.ID)
	cmd.Flags().StringVar(&o.Product, "product", "", "only accounts of this product CODE (bc3, bcx, basecamp, campfire, highrise, …)")
	_ = cmd.RegisterFlagCompletionFunc("product", productCodes)
	cmd.RunE = runOnService(f, o, &o.ID, runF, func(ctx context.Context, svc *core.Service, out Output) int {
		return listing(svc, func() int { return Accounts(ctx, svc, out, o.JSON, o.Product) })
	})
	return cmd
}

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
func Accounts(ctx context.Context, svc *core.Service, out Output, asJSON bool, product string) int {
	if asJSON && product == "" {
		// The whole list, as the account cache may keep it already.
		list, text, err := svc.LoadAccountsAs(ctx, accountsView)
		if err != nil {
			return out.fail(err, svc.Settings(), false)
		}
		warnCached(out, list)
		if _, err := io.WriteString(out.Stdout, text); err != nil {
			fmt.Fprintln(out.Stderr, "bcauth: cannot write the result:", err)
			return ExitFailed
		}
		return ExitOK
	}
	list, err := loadAccounts(ctx, svc, out, product)
	if errors.Is(err, errNoSuchProduct) {
		return ExitUsage
	}
	if err != nil {
		return out.fail(err, svc.Settings(), false)
	}
	if asJSON {
		plain := list.Session.Authorization != nil && list.Session.Authorization.PlainText()
		if err := writeAccountList(out.Stdout, list.Accounts, plain); err != nil {
			fmt.Fprintln(out.Stderr, "bcauth: cannot write the result:", err)
			return ExitFailed
		}
		return ExitOK
	}
	rows := make([][]string, len(list.Accounts))
	for i, a := range list.Accounts {
		rows[i] = []string{core.Clean(a.Product), strconv.FormatInt(a.ID, 10), core.Clean(a.Name), core.Clean(a.Href)}
	}
	return out.rows([]string{"PRODUCT", "ID", "NAME", "HREF"}, rows)
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

// errNoSuchProduct is a --product that is neither a code bcauth knows nor
// one of the login's: a typo, told on stderr, exit 2, so a script that
// mistypes it fails rather than sees an empty list.
var errNoSuchProduct = errors.New("no such product")

// loadAccounts is core.LoadAccounts with what it has to say on stderr: that
// the list is the cached one, or that no account is of the product (and,
// for a code that names no product at all, errNoSuchProduct).
func loadAccounts(ctx context.Context, svc *core.Service, out Output, product string) (*core.AccountList, error) {
	list, err := svc.LoadAccounts(ctx, product)
	if err != nil {
		return nil, err
	}
	warnCached(out, list)
	if product != "" && len(list.Accounts) == 0 {
		has := "no accounts"
		if len(list.Products) > 0 {
			has = strings.Join(list.Products, ", ")
		}
		if !auth.LookupProduct(strings.ToLower(product)).Known() {
			var codes []string
			for _, p := range auth.Products() {
				codes = append(codes, p.Code)
			}
			fmt.Fprintf(out.Stderr, "bcauth: --product %q is no product code: the codes are %s; this login has: %s\n", core.Clean(product), strings.Join(codes, ", "), has)
			return nil, errNoSuchProduct
		}
		fmt.Fprintf(out.Stderr, "bcauth: no accounts of product %q; this login has: %s\n", core.Clean(product), has)
	}
	return list, nil
}

// warnCached says, when list is the cached one, why and from when.
func warnCached(out Output, list *core.AccountList) {
	if list.Cached != nil {
		out.warn("%s\n  Launchpad could not be reached, which is probably temporary: these are the accounts it listed %s; run the command again later for a fresh list",
			core.Clean(list.Cached.Error()), core.FetchedWhen(list.Session.FetchedAt))
	}
}

// accountsView is accounts --json's whole output as the account cache
// keeps it (core.ListView), so that a run whose answer has not changed
// writes it as it was, without reading thousands of accounts. Its By
// changes whenever writeAccountList's text does: TestAccountsViewBy holds
// it to that.
var accountsView = core.ListView{By: "accounts --json/1", Render: renderAccountList}

// renderAccountList is writeAccountList's text.
func renderAccountList(accs []auth.Account, plain bool) []byte {
	var b bytes.Buffer
	b.Grow(len(accs)*256 + 16)
	_ = writeAccountList(&b, accs, plain) // a bytes.Buffer takes anything
	return b.Bytes()
}

// writeAccountsJSON writes rows exactly as encodeJSON would (indented, no
// HTML escaping, terminal-safe), by hand and a piece at a time: at 30,000
// accounts reflection cost more than everything else bcauth does for the
// command, and a buffer of all of it cost as much again in memory.
//
// plain says the rows' strings are known to need no escape (see
// auth.Authorization.PlainText), so none is looked at again; the product's
// name, bcauth's own, always is.
func writeAccountsJSON(w io.Writer, rows iter.Seq[accountJSON], plain bool) error {
	const chunk = 64 << 10
	b := make([]byte, 0, chunk+1024)
	first := true
	for r := range rows {
		if first {
			b = append(b, '[')
			first = false
		} else {
			b = append(b, ',')
		}
		b = appendAccountJSON(b, r, plain)
		if len(b) >= chunk {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if first {
		b = append(b, "[]\n"...)
	} else {
		b = append(b, "\n]\n"...)
	}
	_, err := w.Write(b)
	return err
}

// accountRows are the rows of accounts --json for accs.
func accountRows(accs []auth.Account) iter.Seq[accountJSON] {
	return func(yield func(accountJSON) bool) {
		var code, name string // the last product looked up: the list is by product
		for i, a := range accs {
			if i == 0 || a.Product != code {
				code, name = a.Product, auth.LookupProduct(a.Product).Name
			}
			if !yield(accountJSON{
				Product:     a.Product,
				ProductName: name,
				ID:          a.ID,
				Name:        a.Name,
				Href:        a.Href,
				AppHref:     a.AppHref,
			}) {
				return
			}
		}
	}
}

// writeAccountList writes accs as writeAccountsJSON writes their rows
// (accountRows). When plain, as for a list the plain parser read, each
// account is a few copies: its product's text, up to its id, is worked
// out once for all its accounts, and its strings, which need no escape,
// go as they are. At 30,000 accounts that is 7 MB of text, the most of
// the command's own work once the list is there.
func writeAccountList(w io.Writer, accs []auth.Account, plain bool) error {
	if !plain || len(accs) == 0 {
		return writeAccountsJSON(w, accountRows(accs), plain)
	}
	const chunk = 64 << 10
	b := make([]byte, 0, chunk+1024)
	var code string
	var head []byte // the product's text, up to the id
	for i := range accs {
		a := &accs[i]
		if i == 0 || a.Product != code {
			code = a.Product
			head = appendQuoted(append(head[:0], "\n  {\n    \"product\": "...), a.Product)
			head = appendJSONString(append(head, ",\n    \"product_name\": "...), auth.LookupProduct(a.Product).Name)
			head = append(head, ",\n    \"id\": "...)
		}
		if i == 0 {
			b = append(b, '[')
		} else {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, head...), a.ID, 10)
		b = append(append(b, ",\n    \"name\": \""...), a.Name...)
		b = append(append(b, "\",\n    \"href\": \""...), a.Href...)
		if a.AppHref != "" {
			b = append(append(b, "\",\n    \"app_href\": \""...), a.AppHref...)
		}
		b = append(b, "\"\n  }"...)
		if len(b) >= chunk {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(append(b, "\n]\n"...))
	return err
}

// appendAccountJSON appends one element of the array, as encodeJSON
// indents it; plain as at writeAccountsJSON.
func appendAccountJSON(b []byte, r accountJSON, plain bool) []byte {
	str := appendJSONString
	if plain {
		str = appendQuoted
	}
	b = append(b, "\n  {\n    \"product\": "...)
	b = str(b, r.Product)
	b = append(b, ",\n    \"product_name\": "...)
	b = appendJSONString(b, r.ProductName)
	b = append(b, ",\n    \"id\": "...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, ",\n    \"name\": "...)
	b = str(b, r.Name)
	b = append(b, ",\n    \"href\": "...)
	b = str(b, r.Href)
	if r.AppHref != "" {
		b = append(b, ",\n    \"app_href\": "...)
		b = str(b, r.AppHref)
	}
	return append(b, "\n  }"...)
}

// appendQuoted appends a string that needs no escape, in quotes.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONString appends s as a JSON string, as encodeJSON writes it:
// plain printable ASCII as is, anything else through encodeJSON itself.
func appendJSONString(b []byte, s string) []byte {
	if !auth.PlainString(s) {
		var buf bytes.Buffer
		if err := encodeJSON(&buf, s); err != nil {
			// A string always encodes; this cannot happen.
			return append(b, `""`...)
		}
		return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	}
	return appendQuoted(b, s)
}
