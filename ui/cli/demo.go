package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
		Use:   "demo [--no-browser] [--timeout DURATION] [--bc5] [--serve]",
		Short: "Try it all against a built-in fake Launchpad",
		Long: "Run the app against a built-in fake Launchpad, with its state in a temporary directory. " +
			"With --bc5, the fake serves Basecamp's newer server (BC5) too, and the login is the device-code flow. " +
			"With --serve, run only the fake, until Ctrl-C, and print the lines that point another shell's bcauth at it; " +
			"what a login there shows (Launchpad's start address, or with --bc5 the device login's code), pasted into its window, is approved there.",
		Example: "bcauth demo\nbcauth demo --bc5\nbcauth demo --serve\nbcauth demo --serve --bc5",
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&o.Serve, "serve", false, "run the fake Launchpad (with --bc5, its BC5 issuer too) in the foreground for the script commands, and print how to use it")
	cmd.Flags().BoolVar(&o.BC5, "bc5", false, "the fake serves Basecamp's newer server (BC5) too, and the login is a code entered in the browser")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if runF != nil {
			return runF(o)
		}
		if !o.Serve {
			return f.runApp(cmd, "demo", &o.appOptions)
		}
		start := core.StartDemo
		if o.BC5 {
			start = core.StartDemoBC5
		}
		d, err := start()
		if err != nil {
			fmt.Fprintln(f.stderr(), err)
			return f.exit(ExitFailed)
		}
		defer d.Close()
		var in io.Reader
		if f.Stdin != nil {
			in = f.Stdin
		}
		bin, err := f.demoBin(d)
		if err != nil {
			fmt.Fprintf(f.stderr(), "bcauth demo: could not copy bcauth for the other shell (%v); build one with go build -o bcauth .\n", err)
		}
		return f.exit(DemoServe(cmd.Context(), f.output(), in, bin, d))
	}
	return cmd
}

// DemoServe prints the lines to paste into another shell, so every script
// command can be rehearsed against the fake, then waits until ctx ends
// (Ctrl-C). bin, when not "", is a directory holding a bcauth to put on
// that shell's PATH (this one is not there). Every line read from in that
// a login shows (Launchpad's start address; with BC5, the device login's
// code or the address that carries it) is approved as a browser would,
// so a machine without one can log in too. The fake's password and API
// token are demo values that open nothing but the fake.
func DemoServe(ctx context.Context, out Output, in io.Reader, bin string, d *core.Demo) int {
	var b strings.Builder
	fmt.Fprintf(&b, "bcauth demo: a fake Launchpad, with its product APIs, at %s\n", d.Client.LaunchpadURL)
	if d.BC5 != nil {
		fmt.Fprintf(&b, "and a fake of Basecamp's newer server (BC5) at %s, which the fake API origin advertises: bcauth login logs in there with a device code\n", d.BC5.Issuer)
	}
	fmt.Fprintf(&b, "Paste this into another shell, then run bcauth login, status, accounts, token, probe…:\n\n")
	b.WriteString(exportLine(append(d.Env(),
		"XDG_CONFIG_HOME="+d.ConfigDir(), "XDG_CACHE_HOME="+d.CacheDir(), core.DemoSetting+"="+d.Dir)))
	if bin != "" {
		// After go run, or with a binary built here, "bcauth" would be
		// "command not found": the demo's own copy, gone with the demo.
		fmt.Fprintf(&b, "\nbcauth is not on PATH here; this puts the demo's copy of it there:\n\nexport PATH=%s:\"$PATH\"\n", shellQuote(bin))
	}
	fmt.Fprintf(&b, "\nOlder credentials its product APIs take (demo values, good for nothing else):\n")
	fmt.Fprintf(&b, "  BASECAMP_PASSWORD=%s bcauth probe --url %s/bcx/88888888/api/v1 --product bcx --basic %s\n", shellQuote(core.DemoPassword), d.Client.LaunchpadURL, shellQuote(d.User))
	fmt.Fprintf(&b, "  BASECAMP_API_TOKEN=%s bcauth probe --url %s/classic/northwind --product basecamp --api-token -\n\n", shellQuote(core.DemoAPIToken), d.Client.LaunchpadURL)
	if d.BC5 != nil {
		fmt.Fprintf(&b, "bcauth login shows a code, such as BCDF-GHJK, to enter at %s. With no browser, paste the code (or the address with it, %s?user_code=…) here, then press enter: this window approves it as Annie (the next one as Ben), and the login ends by itself. Ctrl-C stops the fake and removes its state.\n", d.BC5.VerificationURI, d.BC5.VerificationURI)
	} else {
		fmt.Fprintf(&b, "bcauth login approves in the browser. With no browser, paste the start address bcauth login shows (http://127.0.0.1:PORT/start/…) here, then press enter: this window approves it as Annie (the next one as Ben), and the login ends by itself. Ctrl-C stops the fake and removes its state.\n")
	}
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

// exportLine is an export command setting vars (NAME=value), three to a
// line, each value quoted for a POSIX shell when it needs it.
func exportLine(vars []string) string {
	var b strings.Builder
	b.WriteString("export")
	for i, kv := range vars {
		if i > 0 && i%3 == 0 {
			b.WriteString(" \\\n ")
		}
		name, value, _ := strings.Cut(kv, "=")
		b.WriteString(" " + name + "=" + shellQuote(value))
	}
	b.WriteString("\n")
	return b.String()
}

// approvePasted approves each line read from in, as the person would in
// a browser, and says how it went: a Launchpad login's start address,
// or, when the demo serves BC5, a device login's code or the address
// that carries it. It ends with in (or never, when in stays open: the
// process ends it).
func approvePasted(ctx context.Context, out Output, in io.Reader, d *core.Demo) {
	approve := d.Fake.TakeTurns()
	var approveCode func(context.Context, string) error
	if d.BC5 != nil {
		approveCode = d.BC5.TakeTurns()
	}
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if line == "" {
			continue
		}
		var err error
		switch {
		case strings.HasPrefix(line, "http://127.0.0.1:") && strings.Contains(line, "/start/"):
			err = approve(ctx, line)
		case approveCode != nil && (strings.HasPrefix(line, d.BC5.Issuer+"/") || !strings.Contains(line, "://")):
			// A code as the terminal shows it, or the address with it.
			err = approveCode(ctx, line)
		case approveCode != nil:
			fmt.Fprintf(out.Stderr, "bcauth demo: that is neither a login's code (such as BCDF-GHJK) nor an address of %s nor a login's start address (http://127.0.0.1:PORT/start/…); paste the code bcauth login shows\n", d.BC5.Issuer)
			continue
		default:
			// Launchpad's own address would be approved, but the login
			// takes the answer only from a browser that came through
			// its start address.
			fmt.Fprintln(out.Stderr, "bcauth demo: that is not a login's start address (http://127.0.0.1:PORT/start/…, the one bcauth login shows for this); paste that one")
			continue
		}
		if err != nil {
			fmt.Fprintf(out.Stderr, "bcauth demo: could not approve it: %s\n", core.Clean(err.Error()))
			continue
		}
		fmt.Fprintln(out.Stderr, "bcauth demo: approved; the login ends in the other shell")
	}
}

// demoBin is a directory in the demo's own holding a copy of this binary,
// for another shell's PATH, or "" when PATH finds this binary as bcauth
// already. A copy, because go run's binary may be removed while it runs
// (the build cache keeps its own), and it goes when the demo does.
func (f *Factory) demoBin(d *core.Demo) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	for _, dir := range filepath.SplitList(f.Env.Get("PATH")) {
		if onPath, err := filepath.EvalSymlinks(filepath.Join(dir, "bcauth")); err == nil {
			if onPath == exe {
				return "", nil
			}
			break // another bcauth comes first
		}
	}
	src, err := os.Open(exe)
	if err != nil && runtime.GOOS == "linux" {
		src, err = os.Open("/proc/self/exe") // readable even once removed
	}
	if err != nil {
		return "", err
	}
	defer src.Close()
	dir := filepath.Join(d.Dir, "bin")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := "bcauth"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	dst, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o700)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return "", err
	}
	return dir, dst.Close()
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
