package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"bcauth/ui/cli"
)

// TestREADMECommandsMatchTheTree reads the README's command table and
// compares it with the command tree both ways: every command and flag a
// row names exists, and every command and flag bcauth has is in a row.
func TestREADMECommandsMatchTheTree(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Commands\n")
	if !ok {
		t.Fatal("the README has no Commands section")
	}
	table, _, _ = strings.Cut(table, "\n\n```")
	root := cli.NewRoot(&cli.Factory{})
	// As Execute adds them.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	// Flags the README names once for several commands, in rows of their own.
	shared := map[string]bool{}
	documented := map[string]map[string]bool{} // command path → flags its rows name
	flagRE := regexp.MustCompile(`(?:^|[\s\[(|])(--[a-z][a-z0-9-]*|-[A-Za-z])\b`)
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		// A cell's own "|" is escaped as "\|".
		line = strings.ReplaceAll(line, `\|`, "\x00")
		cell := strings.Trim(strings.SplitN(line, "|", 3)[1], " `")
		cell = strings.ReplaceAll(cell, "\x00", "|")
		if strings.HasPrefix(cell, "--") {
			name, _, _ := strings.Cut(cell[2:], " ")
			shared[name] = true
			continue
		}
		if !strings.HasPrefix(cell, "bcauth") {
			continue // BASECAMP_TOKEN=…
		}
		words := strings.Fields(cell)
		cmd, rest, err := root.Find(words[1:])
		if err != nil {
			t.Errorf("the README's row %q names no command: %v", cell, err)
			continue
		}
		targets := []*cobra.Command{cmd}
		// "completion bash|zsh|fish|powershell": each a command too.
		if len(rest) > 0 && cmd.HasSubCommands() && !strings.ContainsAny(rest[0][:1], "-[(") {
			targets = nil
			for _, name := range strings.Split(rest[0], "|") {
				sub, _, err := cmd.Find([]string{name})
				if err != nil || sub == cmd {
					t.Errorf("the README's row %q names %s %s, which does not exist", cell, cmd.CommandPath(), name)
					continue
				}
				targets = append(targets, sub)
			}
		}
		for _, c := range targets {
			path := c.CommandPath()
			if documented[path] == nil {
				documented[path] = map[string]bool{}
			}
			for _, m := range flagRE.FindAllStringSubmatch(cell, -1) {
				name := strings.TrimLeft(m[1], "-")
				f := c.Flags().Lookup(name)
				if f == nil && len(name) == 1 {
					f = c.Flags().ShorthandLookup(name)
				}
				if f == nil {
					t.Errorf("the README's row %q names %s, which %s does not take", cell, m[1], path)
					continue
				}
				documented[path][f.Name] = true
			}
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		path := c.CommandPath()
		flags, ok := documented[path]
		if !ok && c.Runnable() {
			t.Errorf("the README's command table has no row for %s", path)
		}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if ok && !flags[f.Name] && !shared[f.Name] && f.Name != "help" {
				t.Errorf("%s --%s is in no row of the README's command table", path, f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
