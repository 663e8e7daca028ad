// Command render turns a terminal screen dump (`tmux capture-pane -e -p`:
// text with SGR colours, 16, 256 or true colour) into an HTML page that
// draws it in a window frame, every cell its own fixed box, so that a
// headless browser's screenshot of it shows what the terminal showed, cell
// for cell, whatever the font's widths. screenshots/make.sh uses it:
//
//	tmux capture-pane -e -p -N | go run ./screenshots/render -o shot.html
//
// It prints the page's size in CSS pixels as WIDTH,HEIGHT, the argument
// chromium's --window-size wants.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	var (
		out   = flag.String("o", "", "write the page to `file` (default: standard output, and no size)")
		cols  = flag.Int("cols", 100, "the terminal's width in `cells`")
		rows  = flag.Int("rows", 30, "the terminal's height in `cells`")
		theme = flag.String("theme", "dark", "the window's look: dark or light")
		fg    = flag.String("fg", "", "the terminal's default text `colour` (default: the theme's)")
		bg    = flag.String("bg", "", "the terminal's default background `colour` (default: the theme's)")
		title = flag.String("title", "", "the title bar's `text`")
	)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: render [flags] < capture.ans\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	f, ok := frames[*theme]
	if !ok || flag.NArg() > 0 || *cols < 1 || *rows < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *fg != "" {
		f.fg = *fg
	}
	if *bg != "" {
		f.bg = *bg
	}
	// 12 × 24 cells hold DejaVu Sans Mono at 20 px (its advance is 0.602 em):
	// 100 columns make a window about 1,230 px wide.
	l := layout{cw: 12, ch: 24, fontSize: 20, pad: 16, bar: 34, radius: 10, lw: 2}
	if err := run(os.Stdin, *out, f, l, *cols, *rows, *title); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out string, f frame, l layout, cols, rows int, title string) error {
	dump, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading the screen dump: %w", err)
	}
	s := parse(string(dump), cols, rows)
	if len(s.overflow) > 0 {
		fmt.Fprintf(os.Stderr, "render: rows %v are wider than %d cells by x/ansi's widths: the terminal measured a character narrower, so the picture will differ there\n", s.overflow, cols)
	}
	if out == "" {
		w := bufio.NewWriter(os.Stdout)
		if err := writePage(w, s, f, l, title); err != nil {
			return err
		}
		return w.Flush()
	}
	file, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := writePage(file, s, f, l, title); err != nil {
		file.Close()
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	width, height := l.size(s)
	fmt.Printf("%d,%d\n", width, height)
	return nil
}
