// Command bcauth connects a person to their Basecamp ID through Launchpad
// and lets them browse, copy and check the accounts it reaches. main reads
// the environment once, takes the secrets out of the process's own, and
// runs the command tree (ui/cli) with the app (ui/tui) handed in.
package main

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"bcauth/auth"
	"bcauth/ui/cli"
	"bcauth/ui/core"
	"bcauth/ui/tui"
)

// Stamped by a release build (-ldflags -X); a build from a checkout reads
// the commit from the build information instead.
var version, commit, date string

// clock is the script commands' clock: nil, the wall clock, but in tests.
var clock func() time.Time

func main() {
	env := core.Env(os.Environ())
	// Read once, then gone: no program bcauth starts (a browser, a
	// clipboard helper) may inherit a secret.
	for _, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); core.SecretEnv(name) {
			_ = os.Unsetenv(name)
		}
	}
	os.Exit(run(context.Background(), env, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs bcauth with args in env and returns its exit code.
func run(ctx context.Context, env core.Env, args []string, stdin *os.File, stdout, stderr io.Writer) int {
	build := cli.BuildInfo{Version: version, Commit: commit, Date: date}
	auth.Version = build.String()
	return cli.Execute(ctx, &cli.Factory{
		Env: env, Stdin: stdin, Stdout: stdout, Stderr: stderr, Build: build,
		App: tui.Main, Clock: clock,
		PickID: func(c []core.IDChoice) (int, bool, error) { return tui.PickID(c) },
	}, args)
}
