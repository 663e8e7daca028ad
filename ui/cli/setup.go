package cli

import "github.com/spf13/cobra"

func newSetupCmd(f *Factory, runF func(*appOptions) error) *cobra.Command {
	o := &appOptions{}
	cmd := &cobra.Command{
		Use:     "setup [--no-browser] [--timeout DURATION] [--keyring]",
		Short:   "Correct the client ID and secret, then log in",
		Long:    "Enter the Launchpad client ID and secret again (the stored ones filled in), then log in: the fix for a mistyped client secret.",
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
