package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"
)

// Execute runs bcauth's command line as f says and returns the exit code:
// the command's own, 2 for a command line none can run.
func Execute(ctx context.Context, f *Factory, args []string) int {
	var code int
	f.code = &code
	// Each of these ends the command through its context: the terminal is
	// restored, the login's listener closed, the demo's directory
	// removed. Caught, SIGQUIT prints no goroutine dump either.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer stop()
	root := NewRoot(f)
	root.SetArgs(args)
	root.SetIn(f.Stdin)
	if err := root.ExecuteContext(ctx); err != nil {
		// bcauth's commands report their own failures and exit codes, so
		// an error is cobra's: a command line it cannot run.
		printError(f.stderr(), isTerminal(f.stderr()), err)
		return ExitUsage
	}
	return code
}

// NewRoot builds the command tree: the app itself at the root, then each
// command in the order of the app's flow, then the ones for scripts.
func NewRoot(f *Factory) *cobra.Command {
	cobra.EnableCommandSorting = false
	root := newAppCmd(f, nil)
	for _, c := range []*cobra.Command{
		newLoginCmd(f, nil), newSetupCmd(f, nil), newStatusCmd(f, nil), newAccountsCmd(f, nil),
		newTokenCmd(f, nil), newLogoutCmd(f, nil), newIDsCmd(f, nil), newSwitchCmd(f, nil),
		newRefreshCmd(f, nil), newProbeCmd(f, nil), newDiscoverCmd(f, nil), newAPICmd(f, nil), newDemoCmd(f, nil),
		newVersionCmd(f),
	} {
		// Use is each command's synopsis, flags included.
		c.DisableFlagsInUseLine = true
		if c.Args == nil {
			c.Args = noArgs
		}
		if c.ValidArgsFunction == nil {
			c.ValidArgsFunction = cobra.NoFileCompletions
		}
		root.AddCommand(c)
	}
	if f.Stdout != nil {
		// Before the completion commands, which keep the writer they
		// are made with.
		root.SetOut(f.Stdout)
		root.SetErr(f.Stderr)
	}
	root.AddCommand(newManCmd(f))
	root.SetHelpCommand(newHelpCmd())
	root.SetHelpFunc(f.help)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			strictShells(c)
		}
	}
	root.SilenceUsage, root.SilenceErrors = true, true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{cmd: cmd.CommandPath(), err: err}
	})
	// --version prints the version alone, for scripts; bcauth version
	// says the rest.
	root.Version = f.Build.String()
	root.SetVersionTemplate("{{.Version}}\n")
	return root
}

// newHelpCmd is cobra's `help COMMAND`, except that a command that does
// not exist is a usage error (exit 2) rather than the root's usage.
func newHelpCmd() *cobra.Command {
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

// usageError is a command line bcauth cannot run (exit 2): an unknown
// command or flag, a stray argument, a bad value.
type usageError struct {
	cmd string // the command whose --help to point at, such as "bcauth status"
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usage is a usageError for cmd.
func usage(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf(format, args...)}
}

// noArgs refuses positional arguments, for the commands that take none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage(cmd, "unexpected argument %q", args[0])
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

// strictShells makes `completion SHELL` refuse a shell it has no script
// for (exit 2, naming the ones it has) rather than show its help.
func strictShells(c *cobra.Command) {
	var shells []string
	for _, sh := range c.Commands() {
		shells = append(shells, sh.Name())
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usage(cmd, "no completion script for %q: the shells are %s", args[0], strings.Join(shells, ", "))
		}
		return nil
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	for _, sh := range c.Commands() {
		if sh.Name() == "bash" {
			sh.Long = `Print the completion script for bash. It needs no bash-completion package (with one, it uses it).

To load completions in this shell:

  source <(bcauth completion bash)

To load them in every new shell, add that line to ~/.bashrc, or with bash-completion installed:

  bcauth completion bash > ~/.local/share/bash-completion/completions/bcauth`
			sh.RunE = func(cmd *cobra.Command, _ []string) error {
				noDesc, _ := cmd.Flags().GetBool("no-descriptions")
				var b strings.Builder
				if err := cmd.Root().GenBashCompletionV2(&b, !noDesc); err != nil {
					return err
				}
				_, err := io.WriteString(cmd.OutOrStdout(), standaloneBash(b.String()))
				return err
			}
		}
	}
}

// standaloneBash makes cobra's bash script work without the
// bash-completion package, whose _get_comp_words_by_ref it calls: without
// it, every TAB printed "command not found". Bash's own COMP_WORDS do
// instead (they split a word at "=" and ":", which bcauth's completions
// survive).
func standaloneBash(script string) string {
	const call = "    _get_comp_words_by_ref \"$@\" cur prev words cword\n"
	return strings.Replace(script, call, `    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref "$@" cur prev words cword
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
    fi
`, 1)
}

// printError reports a command line bcauth cannot run: what is wrong and
// where the help is, the command in bold on a terminal.
func printError(w io.Writer, styled bool, err error) {
	cmd, what := "bcauth", "its commands"
	var u *usageError
	if errors.As(err, &u) {
		cmd = u.cmd
	}
	if cmd != "bcauth" {
		what = "its flags"
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		msg += "\n" // set the suggestions apart from the pointer to --help
	}
	name, help := cmd+":", cmd+" --help"
	if styled {
		name = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.ANSIColor(1)).Render(name)
		help = lipgloss.NewStyle().Bold(true).Render(help)
	}
	fmt.Fprintf(w, "%s %s\nRun %s for %s.\n", name, msg, help, what)
}
