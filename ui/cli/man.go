package cli

import (
	"fmt"
	"regexp"
	"sync"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
)

// newManCmd is `bcauth man`: the man page, made from the command tree.
func newManCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "man",
		Short:   "The man page (bcauth man | man -l -)",
		Long:    "Print bcauth's man page, made from this help: bcauth man | man -l - to read it, or bcauth man > ~/.local/share/man/man1/bcauth.1 to keep it.",
		Example: "bcauth man | man -l -",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := mcobra.NewManPage(1, cmd.Root())
			if err != nil {
				return err
			}
			fmt.Fprint(f.stdout(), manHeading(page.Build(roff.NewDocument()), f.Build.String()))
			return f.exit(ExitOK)
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
}

var thLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\.TH .*$`)
})

// manHeading replaces the page's .TH line, whose last field (the manual's
// name, centred in the header) mango fills with the whole description, which
// man then crams between the page's name and section.
func manHeading(page, version string) string {
	th := thLine().FindString(page)
	if th == "" {
		return page
	}
	date := regexp.MustCompile(`"\d{4}-\d\d-\d\d"`).FindString(th)
	return thLine().ReplaceAllLiteralString(page, fmt.Sprintf(`.TH BCAUTH 1 %s "bcauth %s" "User Commands"`, date, version))
}
