package cli

import "github.com/spf13/cobra"

func newSetupCmd(f *Factory, runF func(*appOptions) error) *cobra.Command {
	o := &appOptions{}
	cmd := &cobra.Command{
		Use:   "setup [--no-browser] [--timeout DURATION] [--keyring]",
		Short: "Correct the client settings, then log in",
		Long: "Enter the Launchpad client ID and secret again (the stored ones filled in), then log in: the fix for a mistyped client secret. " +
			"When the API origin advertises Basecamp's newer server (BC5), setup asks for a BC5 client ID instead (a public client: an ID, no secret), " +
			"unless a Launchpad integration is set up and no BC5 client is; ctrl+o switches between the two. bcauth discover says which server a login would use now.",
		Example: "bcauth setup",
	}
	o.flags(cmd)
	o.keyringFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o.keyringChoice(cmd)
		if runF != nil {
			return runF(o)
		}
		return f.runApp(cmd, "setup", o)
	}
	return cmd
}
