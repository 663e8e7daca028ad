package ui

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Opener returns a function that opens a URL the way the person asked:
// with $BROWSER (a colon-separated list of commands, each tried in turn;
// "%s" stands for the URL, else the URL is the last argument), or else the
// platform's opener. It returns nil when nothing can open a URL here, so
// callers can say so instead of failing later.
func Opener(browserEnv string, hasDisplay bool) func(string) error {
	if strings.TrimSpace(browserEnv) != "" {
		cmds := strings.Split(browserEnv, ":")
		return func(u string) error {
			var errs []error
			for _, c := range cmds {
				fields := strings.Fields(c)
				if len(fields) == 0 {
					continue
				}
				args := fields[1:]
				placed := false
				for i, a := range args {
					if strings.Contains(a, "%s") {
						args[i] = strings.ReplaceAll(a, "%s", u)
						placed = true
					}
				}
				if !placed {
					args = append(args, u)
				}
				cmd := exec.Command(fields[0], args...)
				if err := cmd.Start(); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", fields[0], err))
					continue
				}
				go cmd.Wait() // reap it; a browser may outlive bcauth
				return nil
			}
			return fmt.Errorf("no command in $BROWSER worked: %w", errors.Join(errs...))
		}
	}
	name, pre, ok := systemOpener(hasDisplay)
	if !ok {
		return nil
	}
	if _, err := exec.LookPath(name); err != nil {
		return nil
	}
	return func(u string) error {
		cmd := exec.Command(name, append(pre, u)...)
		if err := cmd.Start(); err != nil {
			return err
		}
		go cmd.Wait() // reap it; xdg-open may outlive bcauth
		return nil
	}
}
