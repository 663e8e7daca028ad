package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"bcauth/auth"
	"bcauth/ui/core"
)

// Factory is what every command gets from the process that runs it: the
// environment main read, the standard streams, how the binary was built,
// and the Bubble Tea front end, handed in as functions so that this
// package links none of it.
type Factory struct {
	Env core.Env
	// Stdin is nil when there is none; Stdout and Stderr are files when
	// bcauth runs as itself, buffers when a test runs the command line.
	Stdin          *os.File
	Stdout, Stderr io.Writer
	Build          BuildInfo
	// App runs the app (the root command, login, setup, demo); nil in
	// tests of the script commands.
	App func(context.Context, core.Launch) int
	// PickID is the app's picker for switch on a terminal.
	PickID Picker
	// Clock is the script commands' clock: nil (the wall clock) but in
	// tests, which move it with the fake Launchpad's.
	Clock func() time.Time

	code *int // where Execute keeps the command's exit code
}

// BuildInfo is how the binary was built: main's -ldflags stamp version,
// commit and date in a release; a build from a checkout leaves them empty.
type BuildInfo struct {
	Version, Commit, Date string
}

// String is the version a person sees: the stamped one, else the module's
// (go install module@version), else the commit the build information
// records, with "-dirty" when the tree had changes, else "dev".
func (b BuildInfo) String() string {
	if b.Version != "" {
		return b.Version
	}
	bi, ok := readBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	if c := b.commit(bi); c != "" {
		return c
	}
	return "dev"
}

// readBuildInfo is debug.ReadBuildInfo, parsed once: a build that is not
// stamped asks for its version twice at every start (auth's User-Agent, the
// root's --version).
var readBuildInfo = sync.OnceValues(debug.ReadBuildInfo)

// commit is the stamped commit, else the build information's, shortened,
// "-dirty" when built from a changed tree.
func (b BuildInfo) commit(bi *debug.BuildInfo) string {
	if b.Commit != "" {
		return b.Commit
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && modified == "true" {
		rev += "-dirty"
	}
	return rev
}

// date is the stamped build date, else the commit's time.
func (b BuildInfo) date(bi *debug.BuildInfo) string {
	if b.Date != "" {
		return b.Date
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" {
			return s.Value
		}
	}
	return ""
}

// stdout and stderr are where f's commands write.
func (f *Factory) stdout() io.Writer { return f.Stdout }
func (f *Factory) stderr() io.Writer { return f.Stderr }

// output is where a script command writes. On a terminal its plain
// results are tables, written through a colour profile that honours
// NO_COLOR and the terminal's depth.
func (f *Factory) output() Output {
	out := Output{Stdout: f.stdout(), Stderr: f.stderr()}
	if isTerminal(out.Stdout) {
		out.Terminal = true
		out.Stdout = colorprofile.NewWriter(out.Stdout, []string(f.Env))
	}
	return out
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stdinTerminal reports whether standard input and output are both a
// terminal, where a person can be asked.
func (f *Factory) stdinTerminal() bool {
	return f.Stdin != nil && term.IsTerminal(int(f.Stdin.Fd())) && isTerminal(f.stdout())
}

// open builds the Service on the person's stored state, or on
// BASECAMP_TOKEN with lenient (see core.Where).
func (f *Factory) open(ctx context.Context, lenient bool) (*core.Service, error) {
	w := core.Stored(lenient)
	w.Clock = f.Clock
	return core.Open(ctx, w, f.Env, f.stderr())
}

// script runs a command for scripts (status, accounts, token, logout, …)
// against the stored state, or BASECAMP_TOKEN: no app, no prompts. id is
// the command's --id, or "" with BCAUTH_ID deciding.
func (f *Factory) script(cmd *cobra.Command, id string, do func(*core.Service, Output) int) error {
	out := f.output()
	// login --with-token stores what it reads, so it needs the directory.
	svc, err := f.open(cmd.Context(), cmd.Name() != "login")
	if err != nil {
		fmt.Fprintln(out.Stderr, "bcauth:", err)
		return f.exit(ExitUsage)
	}
	svc.ID = id
	return f.exit(interrupted(cmd.Context(), do(svc, out)))
}

// runOnService is the RunE of a script command with --id: the ID is
// --id else BCAUTH_ID; a test's runF gets the options, else do runs on
// the Service.
func runOnService[O any](f *Factory, o *O, id *string, runF func(*O) error, do func(context.Context, *core.Service, Output) int) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		*id = f.chosenID(cmd, *id)
		if runF != nil {
			return runF(o)
		}
		return f.script(cmd, *id, func(svc *core.Service, out Output) int { return do(cmd.Context(), svc, out) })
	}
}

// exit ends a command with code: Execute returns it, and cobra sees no
// error (a command that has reported its own failure has nothing more to
// print).
func (f *Factory) exit(code int) error {
	if f.code != nil {
		*f.code = code
	}
	return nil
}

// interrupted is code, or ExitInterrupted when ctx ended because of
// Ctrl-C (Execute cancels the command's context on SIGINT).
func interrupted(ctx context.Context, code int) int {
	if code != 0 && errors.Is(ctx.Err(), context.Canceled) {
		return ExitInterrupted
	}
	return code
}

// idFlag adds --id to cmd; chosenID reads it.
func (f *Factory) idFlag(cmd *cobra.Command, id *string) {
	cmd.Flags().StringVar(id, "id", "", "act on this logged-in Basecamp ID (Launchpad id or email) without making it current; "+core.IDSetting+" does the same")
	_ = cmd.RegisterFlagCompletionFunc("id", f.idCompletions)
}

// chosenID is --id when given, else BCAUTH_ID.
func (f *Factory) chosenID(cmd *cobra.Command, flag string) string {
	if cmd.Flags().Changed("id") {
		return flag
	}
	return f.Env.Get(core.IDSetting)
}

// idCompletions offers the stored Basecamp IDs by email address and by
// Launchpad id, so what a person starts typing, either, completes.
func (f *Factory) idCompletions(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	svc, err := core.Peek(core.Stored(false), f.Env)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	choices, _ := svc.IDs()
	var out []cobra.Completion
	for _, c := range choices {
		id := c.Session.Identity
		name := core.Clean(id.Name())
		if id.EmailAddress != "" {
			out = append(out, cobra.CompletionWithDesc(core.Clean(id.EmailAddress), name))
		}
		out = append(out, cobra.CompletionWithDesc(strconv.FormatInt(id.ID, 10), name))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// productCodes completes --product with the catalogue's codes.
func productCodes(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var codes []cobra.Completion
	for _, p := range auth.Products() {
		codes = append(codes, cobra.CompletionWithDesc(p.Code, p.Name))
	}
	return codes, cobra.ShellCompDirectiveNoFileComp
}

// noCompletions turns off file completion for the named flags, whose
// values are no file names.
func noCompletions(cmd *cobra.Command, names ...string) {
	for _, name := range names {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

// maxOneArg allows at most one positional argument.
func maxOneArg(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usage(cmd, "unexpected argument %q: name one Basecamp ID", args[1])
	}
	return nil
}
