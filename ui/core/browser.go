package core

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// Opener returns a function that opens a URL the way the person asked:
// with $BROWSER (a colon-separated list of commands, each tried in turn;
// "%s" stands for the URL, else the URL is the last argument), or else the
// platform's opener. Every command runs with env, less any secret in it
// (see childEnv): a nil env gives them an empty environment, never
// bcauth's own. It returns nil when nothing can open a URL here, so
// callers can say so instead of failing later.
func Opener(browserEnv string, hasDisplay bool, env []string) func(string) error {
	env = childEnv(env)
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
				cmd.Env = env
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
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			return err
		}
		go cmd.Wait() // reap it; xdg-open may outlive bcauth
		return nil
	}
}

// childEnv is env without the variables that hold secrets (see SecretEnv),
// for the programs bcauth starts: a browser, xdg-open, a clipboard helper.
// They need the display, the session bus and HOME, never a token. It is
// never nil, so exec.Cmd cannot fall back to bcauth's own environment.
func childEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !SecretEnv(name) {
			out = append(out, kv)
		}
	}
	return out
}

// secretWords mark a variable's name as holding a secret.
var secretWords = []string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "COOKIE", "SESSION_KEY"}

// notSecret are names with such a word that a launched program needs and
// that give nothing away: Wayland's and X's focus hand-over.
var notSecret = []string{"XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID"}

// SecretEnv reports whether an environment variable's name says it holds a
// secret: every BASECAMP_ one (the client secret, BASECAMP_TOKEN,
// BASECAMP_PASSWORD, BASECAMP_API_TOKEN, and any added later) and any other
// whose name holds a word such as TOKEN, SECRET or PASSWORD (GITHUB_TOKEN,
// AWS_SECRET_ACCESS_KEY).
func SecretEnv(name string) bool {
	up := strings.ToUpper(name)
	if slices.Contains(notSecret, up) {
		return false
	}
	if strings.HasPrefix(up, "BASECAMP_") {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}
