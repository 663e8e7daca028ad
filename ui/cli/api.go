package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	"bcauth/auth"
	"bcauth/auth/product"
	"bcauth/ui/core"
)

func newAPICmd(f *Factory, runF func(*APIOptions) error) *cobra.Command {
	o := &APIOptions{}
	cmd := &cobra.Command{
		Use:   "api PATH|URL [--account ID|name:NAME] [--product CODE] [--id ID|EMAIL] [-X METHOD] [-H 'Name: value']… [-f key=value]… [-F key=value]… [--input FILE|-] [--paginate] [--jq EXPR] [--include]",
		Short: "Call an account's API with the stored login, as gh api does",
		Long: `Call an account's API with the login's token (refreshed when due) and print the answer as it comes: indented and coloured JSON on a terminal, raw when piped.

The account is --account (a number is an id, name:NAME or any other text a name only it has), else the only account of --product, else the one last picked in the app. PATH is relative to its href; a full URL must lie under one of this login's account hrefs or its Launchpad, or nothing is sent. -f and -F make a JSON body (and the method POST); with GET they go to the query string. A 429 waits out its Retry-After (Ctrl-C stops); a 5xx is retried for GET and HEAD. --paginate follows Link rel="next" and prints one merged array; --jq filters each answer with gojq, one result a line, strings raw.

The body (--input, -f, -F) is read once and whole, at most 64 MiB, before anything is sent. --paginate stops at a page fetched already and after 1000 pages; a value held whole (on a terminal, merged, or for --jq) at 16 MiB.

Exit 0 for 2xx, 1 for any other answer (the status and the server's words on stderr), a failed login or a bound reached, 2 for a command line that cannot run, 130 on Ctrl-C and 143 on SIGTERM.`,
		Example: `bcauth api --account 99999999 /projects.json
bcauth api --account 99999999 --paginate --jq '.[].name' /projects.json
bcauth api --account "name:Honcho Design" -f subject=Kickoff -f content='<p>Hello</p>' -F draft=false \
  /buckets/2086957000/message_boards/2086957001/messages.json`,
		Args: exactlyOnePath,
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Account, "account", "", "the account to call: its id (digits), or a name only it has (name:NAME when the name is digits)")
	fl.StringVar(&o.Product, "product", "", "the account's product CODE (bc3, bcx, basecamp, campfire, highrise, backpack)")
	f.idFlag(cmd, &o.ID)
	fl.StringVarP(&o.Method, "method", "X", "", "the HTTP METHOD (GET, or POST with a body)")
	fl.StringArrayVarP(&o.Headers, "header", "H", nil, "send the header 'Name: value' (again for more)")
	fl.StringArrayVarP(&o.Fields, "raw-field", "f", nil, "add the string field key=value to the JSON body (the query string for GET)")
	fl.StringArrayVarP(&o.TypedFields, "field", "F", nil, "add key=value as a number, true, false or null, or @FILE's contents")
	fl.StringVar(&o.Input, "input", "", "send FILE (\"-\": standard input) as the body")
	fl.BoolVar(&o.Paginate, "paginate", false, "follow Link rel=\"next\" and print every page as one JSON array")
	fl.StringVar(&o.JQ, "jq", "", "filter the JSON answer with the jq EXPRession (gojq)")
	fl.BoolVarP(&o.Include, "include", "i", false, "print the status line and the response headers first (never the token)")
	_ = cmd.RegisterFlagCompletionFunc("product", productCodes)
	noCompletions(cmd, "account", "method", "header", "raw-field", "field", "jq")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.ID = f.chosenID(cmd, o.ID)
		o.Path, o.Stdin = args[0], cmd.InOrStdin()
		o.Pretty = isTerminal(f.stdout())
		o.Color = o.Pretty && f.Env.Get("NO_COLOR") == ""
		// Made here, not with the command: cloning the default transport
		// sets up its HTTP/2 first, which no other command's start needs.
		o.HTTPClient = apiHTTPClient()
		if runF != nil {
			return runF(o)
		}
		// fang ends the command's context on SIGINT and SIGTERM; which of
		// them it was decides the exit code (130 or 143, as a shell's).
		caught := make(chan os.Signal, 1)
		signal.Notify(caught, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(caught)
		err := f.script(cmd, o.ID, func(svc *core.Service, out Output) int {
			mapCache(svc)
			return API(cmd.Context(), svc, out, *o)
		})
		if f.code != nil && *f.code != ExitOK {
			select {
			case s := <-caught:
				return f.exit(signalExit(s))
			default:
			}
		}
		return err
	}
	return cmd
}

// signalExit is a shell's exit code for a command a signal ended: 128 and
// the signal's number (130 for SIGINT, 143 for SIGTERM).
func signalExit(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitInterrupted
}

// exactlyOnePath is api's one PATH or URL.
func exactlyOnePath(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return usage(cmd, "name the PATH (such as /projects.json) or URL to call")
	case len(args) > 1:
		return usage(cmd, "unexpected argument %q: give one PATH or URL", args[1])
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

// APIOptions is what `bcauth api` was asked to do.
type APIOptions struct {
	// ID is --id (else BCAUTH_ID): the stored Basecamp ID whose login to use.
	ID string
	// Account, Product and Path name the call (see core.APIQuery).
	Account, Product, Path string
	// Method is the HTTP method; GET, or POST when there is a body, when
	// empty.
	Method string
	// Headers are "Name: value" lines sent as they are (Authorization and
	// User-Agent are bcauth's own).
	Headers []string
	// Fields are -f key=value (strings), TypedFields -F key=value (numbers,
	// true, false, null, @file), in a JSON object body, or the query
	// string for GET and HEAD or with Input.
	Fields, TypedFields []string
	// Input is a file to send as the body, "-" for Stdin.
	Input string
	Stdin io.Reader
	// Paginate follows Link rel="next" and prints one merged array;
	// MaxPages bounds the pages (MaxPages when zero).
	Paginate bool
	MaxPages int
	// JQ filters each JSON answer through gojq.
	JQ string
	// Include prints the status line and the response headers first.
	Include bool
	// Pretty indents JSON and makes every byte of the answer safe for a
	// terminal; Color colours it. main sets them when stdout is a terminal.
	Pretty, Color bool
	// HTTPClient sends the requests (leave its Timeout zero: bodies stream).
	HTTPClient *http.Client
	// Now and Sleep are the clock of the retries; the real one when nil.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// errorBodyBytes is how much of an error answer is kept to quote it.
const errorBodyBytes = 64 << 10

// API calls an account's API with the stored login, as `gh api` does, and
// streams the answer to stdout.
//
// The account is chosen as core.ChooseAccount says; PATH is under its href,
// or a full URL under one of the login's hrefs or its Launchpad (anything
// else is refused, naming the host, and nothing is sent). The token is
// refreshed first when due, and once more when the product calls it
// expired. A 429 waits out its Retry-After (said on stderr; Ctrl-C stops
// it); a 5xx is retried with backoff for GET and HEAD only. bc3 and bcx get
// Accept: application/json, the classic products application/xml, unless
// PATH's extension says otherwise.
//
// Exit 0 for a 2xx answer; 1 for any other (the status and the server's
// own words, cleaned, on stderr, the body on stdout), or when the login
// fails; 2 when the command line cannot be run (bad header, field, jq
// expression, foreign host, --paginate with a body).
func API(ctx context.Context, svc *core.Service, out Output, opts APIOptions) int {
	req, code := readAPIRequest(ctx, opts)
	if code != ExitOK {
		out.problem(req.problem)
		return code
	}
	var jq *gojq.Code
	if opts.JQ != "" {
		q, err := gojq.Parse(opts.JQ)
		if err == nil {
			jq, err = gojq.Compile(q)
		}
		if err != nil {
			out.problem(core.Problem{Message: jqProblem(opts.JQ, err), Fix: "see https://jqlang.org/manual/ (bcauth uses gojq)"})
			return ExitMisconfigured
		}
	}
	t, err := svc.APITarget(ctx, core.APIQuery{Account: opts.Account, Product: opts.Product, Path: opts.Path,
		Calls: product.Config{
			HTTPClient: opts.HTTPClient, Now: opts.Now, Sleep: opts.Sleep,
			Waiting: func(w product.Wait) { waitNote(out, w) },
		}})
	if err != nil {
		return apiTargetFailed(out, svc, err)
	}
	req.finish(t)
	c := &apiCall{out: out, opts: opts, jq: jq, target: t}
	return c.run(ctx, req)
}

// apiTargetFailed tells why there is nothing to call.
func apiTargetFailed(out Output, svc *core.Service, err error) int {
	var ce *core.ChoiceError
	var fe *core.ForeignURLError
	var pe *core.PathError
	switch {
	case errors.As(err, &pe):
		out.problem(core.Problem{Message: pe.Error(), Fix: "give a full URL to call another of this login's accounts or Launchpad"})
		return ExitMisconfigured
	case errors.As(err, &fe):
		fix := "give a path under the account's href, such as /projects.json, or a full URL that `bcauth accounts` lists"
		if fe.Insecure {
			fix = "use the https address"
		}
		out.problem(core.Problem{Message: fe.Error(), Fix: fix})
		return ExitMisconfigured
	case errors.As(err, &ce):
		fmt.Fprintln(out.Stderr, "bcauth:", ce.Head())
		for _, l := range ce.Lines() {
			fmt.Fprintln(out.Stderr, "  "+l)
		}
		return ExitFailed
	}
	return out.fail(err, svc.Settings(), false)
}

// waitNote tells the person at the terminal why nothing happens for a while.
func waitNote(out Output, w product.Wait) {
	why := "could not reach " + core.Clean(w.Host)
	switch {
	case w.Status == http.StatusTooManyRequests:
		why = core.Clean(w.Host) + " is rate limiting (HTTP 429)"
	case w.Status != 0:
		why = fmt.Sprintf("%s answered HTTP %d", core.Clean(w.Host), w.Status)
	}
	asked := ""
	if w.RetryAfter {
		asked = ", as its Retry-After asks"
	}
	fmt.Fprintf(out.Stderr, "bcauth: %s; trying again in %s%s (Ctrl-C stops)\n", why, w.For.Round(100*time.Millisecond), asked)
}

// apiRequest is the request the command line describes, before its URL is
// known.
type apiRequest struct {
	method  string
	header  http.Header
	query   url.Values // fields that go to the query string
	body    func() (io.ReadCloser, error)
	length  int64
	problem core.Problem // why the command line cannot run
	req     product.Request
}

// buildAPIRequest reads the command line's method, headers, fields and
// body. A code other than ExitOK comes with req.problem.
func buildAPIRequest(opts APIOptions) (apiRequest, int) {
	r := apiRequest{header: http.Header{}, query: url.Values{}, length: -1}
	bad := func(msg, fix string) (apiRequest, int) {
		r.problem = core.Problem{Message: msg, Fix: fix}
		return r, ExitMisconfigured
	}
	if msg, fix := apiHeaders(r.header, opts.Headers); msg != "" {
		return bad(msg, fix)
	}
	fields, order, msg := apiFields(opts)
	if msg != "" {
		return bad(msg, "")
	}
	method := strings.ToUpper(strings.TrimSpace(opts.Method))
	if method != "" && !validToken(method) {
		return bad(fmt.Sprintf("-X %q is not an HTTP method", opts.Method), "use GET, POST, PUT, PATCH or DELETE")
	}
	hasBody := opts.Input != "" || (len(order) > 0 && method != http.MethodGet && method != http.MethodHead)
	if method == "" {
		method = http.MethodGet
		if hasBody {
			method = http.MethodPost
		}
	}
	r.method = method
	if opts.Paginate && method != http.MethodGet {
		return bad("--paginate follows the pages of a GET, not a "+method, "leave out --paginate, or the body")
	}
	switch {
	case opts.Input != "":
		for _, k := range order {
			r.query.Set(k, fmt.Sprint(fields[k]))
		}
		if p := inputBody(&r, opts); p != "" {
			return bad(p, "")
		}
	case hasBody:
		b, err := encodeFields(fields, order)
		if err != nil {
			return bad(err.Error(), "")
		}
		if len(b) > MaxRequestBody {
			return bad("the fields' JSON body "+errBodyTooLarge.Error()+"; nothing was sent", "")
		}
		r.body = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		r.length = int64(len(b))
		if r.header.Get("Content-Type") == "" {
			r.header.Set("Content-Type", "application/json; charset=utf-8")
		}
	default:
		for _, k := range order {
			r.query.Set(k, fmt.Sprint(fields[k]))
		}
	}
	return r, ExitOK
}

// apiHeaders adds each -H 'Name: value' to h, or says what is wrong.
func apiHeaders(h http.Header, headers []string) (msg, fix string) {
	for _, raw := range headers {
		name, value, ok := strings.Cut(raw, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || !validToken(name) || strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Sprintf("-H %q is not a header: write it as 'Name: value'", raw), ""
		}
		if k := http.CanonicalHeaderKey(name); k == "Authorization" || k == "User-Agent" || k == "Host" {
			return "-H " + name + " is bcauth's own to send", "leave it out: bcauth sends the login's token and its User-Agent"
		}
		h.Add(name, value)
	}
	return "", ""
}

// apiFields reads -f key=value (strings) and -F key=value (typed), in
// the order given, a later key replacing an earlier one's value.
func apiFields(opts APIOptions) (fields map[string]any, order []string, msg string) {
	fields = map[string]any{}
	read := 0 // bytes of @FILE values, bounded as the body they go into
	for i, f := range append(append([]string{}, opts.Fields...), opts.TypedFields...) {
		typed := i >= len(opts.Fields)
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			flag := "-f"
			if typed {
				flag = "-F"
			}
			return nil, nil, fmt.Sprintf("%s %q is not key=value", flag, f)
		}
		var val any = v
		if typed {
			var err error
			if val, err = typedValue(v, opts.Stdin); err != nil {
				return nil, nil, fmt.Sprintf("-F %s: %v; nothing was sent", k, err)
			}
			if s, ok := val.(string); ok && strings.HasPrefix(v, "@") {
				if read += len(s); read > MaxRequestBody {
					return nil, nil, fmt.Sprintf("-F %s: the fields together are larger than bcauth api sends (%d MiB); nothing was sent", k, MaxRequestBody>>20)
				}
			}
		}
		if _, dup := fields[k]; !dup {
			order = append(order, k)
		}
		fields[k] = val
	}
	return fields, order, ""
}

// MaxRequestBody bounds what `bcauth api` sends: --input, or the JSON
// object -f and -F make. The product APIs take JSON and XML documents of
// kilobytes (an attachment, the largest thing they take, goes to
// Basecamp's own upload endpoint, which has no documented bound); the
// body is held in memory, read once, so that a pipe is never read twice
// and a 429 can send it again.
const MaxRequestBody = 64 << 20

// errBodyTooLarge is a body beyond MaxRequestBody.
var errBodyTooLarge = fmt.Errorf("is larger than bcauth api sends (%d MiB)", MaxRequestBody>>20)

// readAPIRequest is buildAPIRequest, given up on when ctx ends: reading
// --input or -F @FILE can block on a FIFO no one writes, or go on for
// ever on /dev/zero (up to MaxRequestBody), and neither open nor read
// heeds a context. The reader is then left behind, to end with the
// process.
func readAPIRequest(ctx context.Context, opts APIOptions) (apiRequest, int) {
	type built struct {
		r    apiRequest
		code int
	}
	done := make(chan built, 1)
	go func() {
		r, code := buildAPIRequest(opts)
		done <- built{r, code}
	}()
	select {
	case b := <-done:
		return b.r, b.code
	case <-ctx.Done():
		return apiRequest{problem: core.Problem{Message: "stopped while reading the body; nothing was sent"}}, ExitInterrupted
	}
}

// readBounded reads all of r, up to MaxRequestBody, in chunks: no chunk
// is copied again as the body grows, so it costs its own size.
func readBounded(r io.Reader) (body, error) {
	var b body
	for {
		c := make([]byte, 0, min(1<<20, MaxRequestBody+1-b.n))
		n, err := io.ReadFull(r, c[:cap(c)])
		if n > 0 {
			b.chunks, b.n = append(b.chunks, c[:n]), b.n+n
		}
		switch {
		case b.n > MaxRequestBody:
			return body{}, errBodyTooLarge
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return b, nil
		case err != nil:
			return body{}, err
		}
	}
}

// body is a request body read whole, in chunks.
type body struct {
	chunks [][]byte
	n      int
}

// reader reads the body from its start.
func (b body) reader() io.Reader {
	rs := make([]io.Reader, len(b.chunks))
	for i, c := range b.chunks {
		rs[i] = bytes.NewReader(c)
	}
	return io.MultiReader(rs...)
}

// head is the body's first n bytes, or all of it.
func (b body) head(n int) []byte {
	var h []byte
	for _, c := range b.chunks {
		if len(h) >= n {
			break
		}
		h = append(h, c[:min(len(c), n-len(h))]...)
	}
	return h
}

// readInput reads FILE whole ("-": stdin), once: a pipe, a FIFO,
// /dev/stdin or a process substitution can be read only once, and a body
// cut short must never be sent.
func readInput(name string, stdin io.Reader) (body, error) {
	if name == "-" {
		if stdin == nil {
			return body{}, errors.New("there is no standard input")
		}
		return readBounded(stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return body{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxRequestBody {
		return body{}, errBodyTooLarge
	}
	return readBounded(f)
}

// inputBody reads --input, once and whole, before anything is sent. It
// returns why not, or "".
func inputBody(r *apiRequest, opts APIOptions) string {
	b, err := readInput(opts.Input, opts.Stdin)
	if err != nil {
		what := "--input " + opts.Input
		if opts.Input == "-" {
			what = "--input - (standard input)"
		}
		return what + ": " + err.Error() + "; nothing was sent"
	}
	r.body = func() (io.ReadCloser, error) { return io.NopCloser(b.reader()), nil }
	r.length = int64(b.n)
	if r.header.Get("Content-Type") == "" {
		head := b.head(512)
		switch t := bytes.TrimLeft(head, " \t\r\n"); {
		case len(t) > 0 && (t[0] == '{' || t[0] == '['):
			r.header.Set("Content-Type", "application/json; charset=utf-8")
		case len(t) > 0 && t[0] == '<':
			r.header.Set("Content-Type", "application/xml; charset=utf-8")
		default:
			r.header.Set("Content-Type", http.DetectContentType(head))
		}
	}
	return ""
}

// typedValue is -F's value: a number, true, false, null, the contents of
// @file (@- for standard input), or else the string itself.
func typedValue(v string, stdin io.Reader) (any, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		var b body
		var err error
		if name == "-" && stdin != nil {
			b, err = readBounded(stdin)
		} else {
			b, err = readInput(name, nil)
		}
		if err != nil {
			return nil, err
		}
		return string(bytes.Join(b.chunks, nil)), nil
	}
	if n := json.Number(v); json.Valid([]byte(v)) && isNumber(v) {
		return n, nil
	}
	return v, nil
}

// isNumber reports whether v is a JSON number.
func isNumber(v string) bool {
	_, err := strconv.ParseFloat(v, 64)
	return err == nil && strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("0123456789.-+eE", r) }) < 0
}

// encodeFields writes the fields as one JSON object, in the order given.
func encodeFields(fields map[string]any, order []string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, v := range []any{k, fields[k]} {
			enc, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("cannot encode %s as JSON: %w", k, err)
			}
			b.Write(enc)
			if j == 0 {
				b.WriteByte(':')
			}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// validToken reports whether s is an HTTP token (a method, a header name).
func validToken(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// finish puts the URL and the product's Accept on the request.
func (r *apiRequest) finish(t *core.APITarget) {
	u := *t.URL
	if len(r.query) > 0 {
		q := u.Query()
		for k, vs := range r.query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	if r.header.Get("Accept") == "" {
		r.header.Set("Accept", acceptFor(t.Account.Product, u.Path))
	}
	r.req = product.Request{Method: r.method, URL: &u, Header: r.header, Body: r.body, ContentLength: r.length}
}

// acceptFor is the Accept a path's extension asks for, else the product's
// own format: JSON for Basecamp 4 and 2 (and Launchpad), XML for the
// classic products.
func acceptFor(code, p string) string {
	switch path.Ext(p) {
	case ".json":
		return "application/json"
	case ".xml":
		return "application/xml"
	}
	switch code {
	case "bc3", "bcx", "":
		return "application/json"
	}
	if auth.LookupProduct(code).WhoAmI != "" {
		return "application/xml"
	}
	return "application/json"
}

// jqProblem says what is wrong with a --jq expression and where, as gojq
// found it: the expression up to that point, then what came there.
func jqProblem(expr string, err error) string {
	var pe *gojq.ParseError
	if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(expr) {
		return "--jq " + strconv.Quote(expr) + " is no jq expression: " + err.Error()
	}
	at := "at its end, where it stops too early"
	if pe.Token != "" {
		at = fmt.Sprintf("at character %d, %q, which cannot come there", pe.Offset-len(pe.Token)+1, pe.Token)
	}
	return fmt.Sprintf("--jq %s is no jq expression: %s (after %s)", strconv.Quote(expr), at, strconv.Quote(expr[:pe.Offset-len(pe.Token)]))
}
