package cli

import (
	"fmt"

	"bcauth/store"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// switchOptions are switch's flags and its argument.
type switchOptions struct {
	Query string
	JSON  bool
}

func newSwitchCmd(f *Factory, runF func(*switchOptions) error) *cobra.Command {
	o := &switchOptions{}
	cmd := &cobra.Command{
		Use:   "switch [ID|EMAIL] [--json]",
		Short: "Make another Basecamp ID current",
		Long: `Make another logged-in Basecamp ID current, named by its Launchpad id, its email address, its name, or a part of any of them that only it has (8888, ben, @acme.com). Without an argument, pick one in the terminal (the app's own picker); without a terminal, the choices are listed and nothing changes.

Exit 0 switched, 4 no such Basecamp ID (log in as it), 1 several match or none named without a terminal.`,
		Example:           "bcauth switch ben@example.com\nbcauth switch 9999999\nbcauth switch",
		Args:              maxOneArg,
		ValidArgsFunction: f.idCompletions,
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the Basecamp ID now current as JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			o.Query = args[0]
		}
		if runF != nil {
			return runF(o)
		}
		var pick Picker
		if f.stdinTerminal() {
			pick = f.PickID
		}
		return f.script(cmd, "", func(svc *core.Service, out Output) int { return Switch(svc, out, o.Query, pick, o.JSON) })
	}
	return cmd
}

// Picker lets a person choose among Basecamp IDs in the terminal and
// returns the index chosen, or ok false when they left without choosing.
// main passes the app's own picker (ui/tui), which this package cannot
// link; nil means there is no terminal to ask in.
type Picker func(choices []core.IDChoice) (index int, ok bool, err error)

// Switch makes the Basecamp ID query names current (by Launchpad id or
// email, name, or a part of any that only one has; see
// core.FindSession) and says so: "Now using Annie Bryan (annie@example.com)."
// With no query it asks pick, the app's picker; without one (no terminal)
// it fails with the choices listed. A query that matches none or several
// lists them too. With asJSON it prints {"identity": {…}, "switched": bool}
// instead. Exit 0 switched (or left as it was in the picker); 1 otherwise;
// 2 when the state file cannot be read, as status.
func Switch(svc *core.Service, out Output, query string, pick Picker, asJSON bool) int {
	if query == "" && svc.EnvToken == "" {
		choices, err := svc.IDs()
		if err != nil {
			return out.fail(err, svc.Settings(), true)
		}
		if len(choices) == 0 {
			return out.fail(core.ErrNotLoggedIn, svc.Settings(), true)
		}
		if pick == nil {
			out.problem(noPickerProblem(choices))
			return ExitFailed
		}
		i, ok, err := pick(choices)
		if err != nil {
			return out.fail(err, svc.Settings(), true)
		}
		if !ok {
			if asJSON {
				cur := current(choices)
				return out.flushJSON(switchJSON{Identity: identityOf(cur.Identity), Server: serverOf(&cur)})
			}
			return out.flush(fmt.Appendf(nil, "Still using %s.\n", core.WhoOn(current(choices))))
		}
		query = core.SessionQuery(choices[i].Session)
	}
	sess, err := svc.SwitchTo(query)
	if err != nil {
		return out.fail(err, svc.Settings(), true)
	}
	if asJSON {
		return out.flushJSON(switchJSON{Identity: identityOf(sess.Identity), Server: serverOf(sess), Switched: true})
	}
	return out.flush(fmt.Appendf(nil, "Now using %s.\n", core.WhoOn(*sess)))
}

// switchJSON is `bcauth switch --json`: the Basecamp ID now current, and
// whether it changed (false when the picker was left).
type switchJSON struct {
	Identity identityJSON `json:"identity"`
	// Server is the login's (see serverJSON): the same person may be
	// logged in through Launchpad and BC5.
	Server   *serverJSON `json:"server"`
	Switched bool        `json:"switched"`
}

// noPickerProblem is bcauth switch without an argument where no picker can
// be shown: the choices, to name one.
func noPickerProblem(choices []core.IDChoice) core.Problem {
	sessions := make([]store.Session, len(choices))
	for i, c := range choices {
		sessions[i] = c.Session
	}
	detail := "logged in: " + core.ListIDs(sessions)
	if cur := current(choices); cur.Identity.ID != 0 {
		detail += "; current: " + core.SessionLabel(cur)
	}
	return core.Problem{
		Message: "bcauth switch needs a Basecamp ID to switch to when there is no terminal to pick one in",
		Detail:  detail,
		Fix:     "run bcauth switch ID or EMAIL with one of these",
	}
}

// current is the current choice's session (the zero one when none is).
func current(choices []core.IDChoice) store.Session {
	for _, c := range choices {
		if c.Current {
			return c.Session
		}
	}
	return store.Session{}
}
