package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"bcauth/store"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// logoutOptions are logout's flags.
type logoutOptions struct {
	All bool
	ID  string
}

func newLogoutCmd(f *Factory, runF func(*logoutOptions) error) *cobra.Command {
	o := &logoutOptions{}
	cmd := &cobra.Command{
		Use:     "logout [--all] [--id ID|EMAIL]",
		Short:   "Forget the current (or every) Basecamp ID",
		Long:    "Forget the current (or every, or the named) Basecamp ID's tokens; the client settings stay.",
		Example: "bcauth logout --all\nbcauth logout --id ben@example.com",
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "log out of every Basecamp ID")
	f.idFlag(cmd, &o.ID)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if o.All && cmd.Flags().Changed("id") {
			return usage(cmd, "--all logs out of every Basecamp ID and --id of one: give one of them")
		}
		if o.All {
			o.ID = "" // BCAUTH_ID names one; --all is every one
		} else {
			o.ID = f.chosenID(cmd, o.ID)
		}
		if runF != nil {
			return runF(o)
		}
		return f.script(cmd, o.ID, func(svc *core.Service, out Output) int {
			return Logout(cmd.Context(), svc, out, o.All)
		})
	}
	return cmd
}

// Logout forgets the current Basecamp ID's tokens and cached accounts, or
// every Basecamp ID's with all; the client settings stay. It prints one
// "Logged out of NAME (EMAIL)." line per Basecamp ID forgotten, and, when
// another stored login becomes current, which one. With nothing to forget it
// prints "Not logged in.". Exit 0; 4 when --id names no stored Basecamp
// ID; 1 when the state file cannot be read or written (it is never
// deleted).
//
// A BC5 login's refresh token is also revoked at its server's revocation
// endpoint (RFC 7009), after it is forgotten here, and a line says whether
// the server confirmed; the exit code is the same either way, since the
// login is gone from this machine. Launchpad offers no way to revoke a
// token, so a Launchpad login is only forgotten here.
func Logout(ctx context.Context, svc *core.Service, out Output, all bool) int {
	gone, now, err := svc.Logout(all)
	if err != nil {
		p := core.Describe(err, svc.Settings())
		if path := unreadableFile(err); path != "" {
			p.Fix = "nothing was changed; to forget every login anyway, move or delete " + path + " yourself"
		}
		out.problem(p)
		// The same code as every other command for the same state: 2 for
		// an unreadable file, 4 for --id naming nobody stored.
		return p.Exit
	}
	if len(gone) == 0 {
		return out.flush([]byte("Not logged in.\n"))
	}
	var b strings.Builder
	for _, r := range svc.Revoke(ctx, gone) {
		fmt.Fprintf(&b, "Logged out of %s.\n", core.WhoOn(r.Session))
		server := core.Clean(r.Session.Server.Name())
		switch {
		case r.Confirmed:
			fmt.Fprintf(&b, "%s confirmed that its refresh token is revoked.\n", server)
		case r.Asked || r.Err != nil:
			// Forgotten here all the same: nothing on this machine sends
			// it again, but the server may still take it until it expires.
			why := ""
			if r.Err != nil {
				why = " (" + core.Clean(r.Err.Error()) + ")"
			}
			fmt.Fprintf(&b, "%s did not confirm that its refresh token is revoked%s; it was forgotten here all the same, and may stay valid at the server until it expires.\n", server, why)
		}
	}
	if now != nil && !all {
		fmt.Fprintf(&b, "Now logged in as %s (bcauth logout --all forgets every Basecamp ID).\n", core.WhoOn(*now))
	}
	return out.flush([]byte(b.String()))
}

// unreadableFile is the path of the file an unreadable-file error names, or
// "" for any other error.
func unreadableFile(err error) string {
	var (
		ce *store.CorruptError
		ve *store.VersionError
	)
	switch {
	case errors.As(err, &ce):
		return ce.Path
	case errors.As(err, &ve):
		return ve.Path
	}
	return ""
}
