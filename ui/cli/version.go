package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Version and build information",
		Long:    "Print bcauth's version, the commit and date it was built from, and the Go version it was built with. (bcauth --version prints the version alone.)",
		Example: "bcauth version\nbcauth --version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := f.Build
			bi, ok := readBuildInfo()
			if !ok {
				bi = &debug.BuildInfo{GoVersion: runtime.Version()}
			}
			w := f.stdout()
			fmt.Fprintln(w, "bcauth", b.String())
			if c := b.commit(bi); c != "" {
				fmt.Fprintln(w, "commit", c)
			}
			if d := b.date(bi); d != "" {
				fmt.Fprintln(w, "built", d)
			}
			fmt.Fprintln(w, bi.GoVersion, runtime.GOOS+"/"+runtime.GOARCH)
			return nil
		},
	}
}
