package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/itchyny/gojq"

	"bcauth/auth"
	"bcauth/auth/product"
	"bcauth/ui/core"
)

// apiCall is one run of `bcauth api`: the requests, one per page, and the
// output.
type apiCall struct {
	out    Output
	opts   APIOptions
	jq     *gojq.Code
	target *core.APITarget
	pages  int
	merged io.Writer // --paginate's merged array, once begun
	// mergedAny says an element is in the merged array already.
	mergedAny bool
	// done ends the output: the merged array's "]".
	done func() error
}

// run sends the request, and with --paginate every next page, and writes
// the answers.
func (c *apiCall) run(ctx context.Context, req apiRequest) int {
	r := req.req
	maxPages := c.opts.MaxPages
	if maxPages <= 0 {
		maxPages = MaxPages
	}
	fetched := map[string]bool{}
	for {
		fetched[pageKey(r.URL)] = true
		res, err := c.target.Call(ctx, r)
		if err != nil {
			return c.failed(ctx, err)
		}
		resp := res.Response
		next, code := c.page(ctx, res)
		resp.Body.Close()
		if code != ExitOK || next == nil {
			if c.done != nil {
				if err := c.done(); err != nil && code == ExitOK {
					return c.writeFailed(err)
				}
			}
			return code
		}
		var why string
		switch {
		case next.err != nil:
			why = next.err.Error()
		case fetched[pageKey(next.url)]:
			why = "it was fetched already (the pages' links go round in a circle)"
		case c.pages >= maxPages:
			why = fmt.Sprintf("bcauth api stops at %d pages", maxPages)
		default:
			if _, err := c.target.Allowed(next.url); err != nil {
				why = err.Error()
			}
		}
		if why != "" {
			// What came so far stays on stdout, the array closed.
			if c.done != nil {
				_ = c.done()
			}
			c.out.problem(core.Problem{Message: fmt.Sprintf("stopped after %d pages: the next page, %s, is not followed: %s", c.pages, core.Clean(next.raw), why)})
			return ExitFailed
		}
		r.URL = next.url
	}
}

// MaxPages is the most pages --paginate fetches in one run: at the
// products' pace (4 requests a second, Basecamp's 15 to 50 items a page)
// over four minutes and 15,000 items or more; a list that long is better
// walked page by page (?page=N).
const MaxPages = 1000

// pageKey is how a page's URL is compared with the ones fetched already.
func pageKey(u *url.URL) string {
	k := *u
	k.Host = strings.ToLower(k.Host)
	k.Scheme = strings.ToLower(k.Scheme)
	k.Fragment, k.RawFragment = "", ""
	return k.String()
}

// failed tells why no answer came.
func (c *apiCall) failed(ctx context.Context, err error) int {
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(c.out.Stderr, "bcauth: stopped; no complete answer came")
		if c.done != nil {
			_ = c.done()
		}
		return ExitFailed
	case errors.Is(err, product.ErrInsecure):
		c.out.problem(core.Problem{Message: err.Error()})
		return ExitMisconfigured
	case auth.NeedsLogin(err) || errors.Is(err, auth.ErrFixedToken):
		return c.out.fail(err, core.Settings{}, false)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		// Not the network: the store's lock held by another bcauth,
		// above all, said as every command says it.
		return c.out.fail(err, core.Settings{}, false)
	}
	err = ue.Err
	c.out.problem(core.Problem{Message: fmt.Sprintf("could not reach %s: %v", core.Clean(c.target.URL.Host), err), Fix: "check the network and try again"})
	return ExitFailed
}

func (c *apiCall) writeFailed(err error) int {
	fmt.Fprintln(c.out.Stderr, "bcauth: cannot write the answer:", core.Clean(err.Error()))
	return ExitFailed
}

// page writes one answer and returns the next page's link, when
// paginating.
func (c *apiCall) page(ctx context.Context, res *product.Result) (*link, int) {
	resp := res.Response
	c.pages++
	if carriesTokens(c.target.Account.Product) {
		// Their answers about people carry their API token: every answer,
		// of any status and type, is read through the redactor.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{redactTokens(resp.Body), resp.Body}
	}
	if c.opts.Include {
		c.writeHead(resp)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.errorAnswer(res)
	}
	isJSON := strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json")
	var err error
	switch {
	case c.jq != nil && (isJSON || c.opts.Paginate):
		err = c.writeJQ(ctx, resp.Body)
	case c.opts.Paginate:
		err = c.mergePage(resp.Body)
	case c.opts.Pretty && isJSON:
		err = writePrettyJSON(c.out.Stdout, resp.Body, c.opts.Color)
	case c.opts.Pretty:
		tw := newTerminalWriter(c.out.Stdout)
		if _, err = io.Copy(tw, resp.Body); err == nil && !tw.endsLine() {
			// On a terminal the prompt would start on the answer's last
			// line; piped, the bytes stay as they came.
			_, err = io.WriteString(c.out.Stdout, "\n")
		}
	case c.jq != nil:
		err = fmt.Errorf("--jq filters JSON, and the answer is %s", core.Clean(resp.Header.Get("Content-Type")))
	default:
		_, err = io.Copy(c.out.Stdout, resp.Body)
	}
	if err != nil {
		var je *json.SyntaxError
		var big *valueTooLong
		switch {
		case errors.As(err, &big):
			fmt.Fprintln(c.out.Stderr, "bcauth: the answer stops here:", big.Error())
			return nil, ExitFailed
		case ctx.Err() != nil:
			fmt.Fprintln(c.out.Stderr, "bcauth: stopped; the answer is incomplete")
			return nil, ExitFailed
		}
		if errors.As(err, &je) || errors.Is(err, io.ErrUnexpectedEOF) {
			fmt.Fprintln(c.out.Stderr, "bcauth: the answer is not valid JSON:", core.Clean(err.Error()))
			return nil, ExitFailed
		}
		return nil, c.writeFailed(err)
	}
	if !c.opts.Paginate {
		return nil, ExitOK
	}
	return nextLink(resp), ExitOK
}

// carriesTokens says whether a product's answers can hold the person's
// own API token: the classic products, whose APIs take one.
func carriesTokens(product string) bool {
	switch product {
	case "highrise", "basecamp", "campfire", "backpack":
		return true
	}
	return false
}

// writeHead prints the status line and the headers, cleaned.
// withoutToken is s without the access token resp's request carried: a
// product that echoes it in a header or an error must not make bcauth
// print the token.
func withoutToken(s string, resp *http.Response) string {
	if resp.Request == nil {
		return s
	}
	_, tok, ok := strings.Cut(resp.Request.Header.Get("Authorization"), " ")
	if !ok || len(tok) < 8 {
		return s
	}
	return strings.ReplaceAll(s, tok, "[redacted]")
}

func (c *apiCall) writeHead(resp *http.Response) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", core.Clean(resp.Proto), core.Clean(resp.Status))
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k == "Authorization" || k == "Proxy-Authorization" {
			continue
		}
		for _, v := range resp.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", core.Clean(k), core.Clean(withoutToken(v, resp)))
		}
	}
	b.WriteByte('\n')
	_, _ = c.out.Stdout.Write(b.Bytes())
}

// errorAnswer writes a non-2xx answer's body to stdout and what it says to
// stderr.
func (c *apiCall) errorAnswer(res *product.Result) int {
	resp := res.Response
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyBytes))
	body = []byte(withoutToken(string(body), resp))
	if c.merged == nil && len(body) > 0 {
		w := c.out.Stdout
		if c.opts.Pretty {
			w = newTerminalWriter(w)
		}
		_, _ = w.Write(body)
		if !bytes.HasSuffix(body, []byte("\n")) {
			_, _ = io.WriteString(w, "\n")
		}
	}
	msg := fmt.Sprintf("%s %s answered HTTP %s", c.target.URL.Host, resp.Request.Method, resp.Status)
	if text := auth.ErrorText(body); text != "" {
		msg += ": " + text
	}
	p := core.Problem{Message: msg}
	switch code := resp.StatusCode; {
	case res.RefreshErr != nil:
		rp := core.Describe(res.RefreshErr, core.Settings{})
		p.Message += "; getting a new token failed: " + rp.Text()
		p.Fix = rp.Fix
	case code == http.StatusUnauthorized:
		p.Fix = "the product refused the token: check that this login reaches the account (bcauth probe)"
	case code == http.StatusTooManyRequests:
		p.Fix = "the product asked to wait longer than bcauth does: try again later"
	case code == http.StatusNotFound && strings.EqualFold(resp.Header.Get("Reason"), "Account Inactive"):
		p.Fix = "the account is closed or suspended"
	case code >= 300 && code < 400:
		p.Message += " to " + resp.Header.Get("Location")
		p.Fix = "bcauth does not follow redirects with the token; call the new address if it is one of this login's"
	}
	c.out.problem(p)
	return ExitFailed
}

// linkNext finds the rel="next" target in a Link header; relNext says a
// Link value names a next page at all, parsed or not.
var (
	linkNext = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<([^>]*)>\s*;[^,]*\brel="?next"?`)
	})
	relNext = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\brel\s*=\s*"?[^",;]*\bnext\b`)
	})
)

// link is an answer's next page: its URL, or why it cannot be followed.
type link struct {
	raw string
	url *url.URL
	err error
}

// nextLink is the answer's next page, or nil when there is none. A Link
// that names a next page bcauth cannot read is a link with err: never
// the end of the list, silently.
func nextLink(resp *http.Response) *link {
	for _, v := range resp.Header.Values("Link") {
		if m := linkNext().FindStringSubmatch(v); m != nil {
			u, err := resp.Request.URL.Parse(strings.TrimSpace(m[1]))
			if err != nil {
				return &link{raw: m[1], err: errors.New("it is not a URL")}
			}
			return &link{raw: m[1], url: u}
		}
		if relNext().MatchString(v) {
			return &link{raw: v, err: errors.New("the Link header does not read as <URL>; rel=\"next\"")}
		}
	}
	return nil
}

// mergePage copies one page's array elements into the merged array, one
// element in memory at a time.
func (c *apiCall) mergePage(body io.Reader) error {
	if c.merged == nil {
		c.beginMerge()
	}
	dec := boundedDecoder(body, "an element of page "+strconv.Itoa(c.pages))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("--paginate merges JSON arrays, and page %d is not one", c.pages)
	}
	for dec.More() {
		var el json.RawMessage
		if err := dec.Decode(&el); err != nil {
			return err
		}
		if c.mergedAny {
			if _, err := io.WriteString(c.merged, ","); err != nil {
				return err
			}
		}
		c.mergedAny = true
		if _, err := c.merged.Write(el); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// beginMerge opens the merged array: straight to stdout when piped, or
// through the pretty printer, which reads it from a pipe as it comes.
func (c *apiCall) beginMerge() {
	if !c.opts.Pretty {
		w := bufio.NewWriterSize(c.out.Stdout, 32<<10)
		c.merged = w
		_, _ = io.WriteString(w, "[")
		c.done = func() error {
			_, _ = io.WriteString(w, "]\n")
			return w.Flush()
		}
		return
	}
	pr, pw := io.Pipe()
	printed := make(chan error, 1)
	go func() {
		err := writePrettyJSON(c.out.Stdout, pr, c.opts.Color)
		pr.CloseWithError(err) // a writer stuck on a dead printer gives up
		printed <- err
	}()
	c.merged = pw
	_, _ = io.WriteString(pw, "[")
	c.done = func() error {
		_, _ = io.WriteString(pw, "]")
		pw.Close()
		return <-printed
	}
}

// writeJQ runs the filter over each JSON value of the answer (each page's,
// with --paginate) and prints every result on its own line: strings raw,
// the rest as compact JSON.
func (c *apiCall) writeJQ(ctx context.Context, body io.Reader) error {
	dec := boundedDecoder(body, "a JSON value --jq reads")
	dec.UseNumber()
	w := bufio.NewWriter(c.out.Stdout)
	var tw io.Writer = w
	if c.opts.Pretty {
		tw = newTerminalWriter(w)
	}
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		iter := c.jq.RunWithContext(ctx, v) // a filter can run for ever: Ctrl-C ends it
		for {
			r, ok := iter.Next()
			if !ok {
				break
			}
			if err, ok := r.(error); ok {
				var halt *gojq.HaltError
				if errors.As(err, &halt) && halt.Value() == nil {
					break
				}
				_ = w.Flush()
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("--jq: %w", err)
			}
			var line []byte
			if s, ok := r.(string); ok {
				line = []byte(s)
			} else {
				b, err := gojq.Marshal(r)
				if err != nil {
					return err
				}
				line = terminalSafeJSON(b)
			}
			if _, err := tw.Write(append(line, '\n')); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

// MaxValue bounds a JSON value bcauth holds whole: a string or number the
// pretty printer writes, an element --paginate merges, an answer --jq
// reads. Product answers hold values of kilobytes; beyond the bound the
// output ends where it got to, with an error.
const MaxValue = 16 << 20

// MaxDepth bounds how deep the arrays and objects of an answer the pretty
// printer writes may nest (encoding/json's own bound is 10,000).
const MaxDepth = 1000

// valueTooLong is a value beyond MaxValue, or nesting beyond MaxDepth.
type valueTooLong struct{ what string }

func (e *valueTooLong) Error() string { return e.what }

// boundedDecoder is a json.Decoder over r that fails, rather than read on,
// once it holds more than MaxValue bytes of one value: the bytes it has
// read past the start of the value it is decoding (its InputOffset).
func boundedDecoder(r io.Reader, what string) *json.Decoder {
	b := &valueBound{r: r, what: what}
	dec := json.NewDecoder(b)
	b.start = dec.InputOffset
	return dec
}

type valueBound struct {
	r     io.Reader
	read  int64
	start func() int64
	what  string
}

func (b *valueBound) Read(p []byte) (int, error) {
	if b.read-b.start() > MaxValue {
		return 0, &valueTooLong{fmt.Sprintf("%s is longer than bcauth holds whole (%d MiB)", b.what, MaxValue>>20)}
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}
