package main

import (
	"image/color"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// style is what SGR can say about a cell. Colours are nil for the
// terminal's default.
type style struct {
	fg, bg                                         color.Color
	bold, faint, italic, underline, strike, invert bool
}

// cell is one terminal cell. A wide character sits in its first cell with
// width 2; the cell after it has width 0 and is drawn by nobody.
type cell struct {
	text  string
	width int
	style style
}

// screen is a grid of cells, rows × cols, as the terminal laid it out.
type screen struct {
	cols, rows int
	cells      [][]cell
	// overflow lists the rows (from 1) whose text, measured with x/ansi's
	// widths, is wider than the terminal: the terminal measured some
	// character narrower, and the picture will not match it.
	overflow []int
}

// parse reads a `tmux capture-pane -e -p` dump: one line per row, SGR
// sequences carrying their state from one line to the next (tmux writes
// only what changed since the previous cell). Widths are x/ansi's grapheme
// widths, the ones lipgloss laid the screen out with. Text past the last
// column or row is dropped; missing cells stay blank in the default style.
func parse(dump string, cols, rows int) *screen {
	s := &screen{cols: cols, rows: rows, cells: make([][]cell, rows)}
	for y := range s.cells {
		s.cells[y] = make([]cell, cols)
		for x := range s.cells[y] {
			s.cells[y][x] = cell{text: " ", width: 1}
		}
	}
	var (
		cur   style
		state byte
		p     = ansi.NewParser()
	)
	lines := strings.Split(strings.TrimSuffix(dump, "\n"), "\n")
	for y, line := range lines {
		x := 0
		for len(line) > 0 {
			seq, w, n, newState := ansi.DecodeSequence(line, state, p)
			state = newState
			line = line[n:]
			switch {
			case seq[0] == ansi.ESC:
				if c := ansi.Cmd(p.Command()); c.Final() == 'm' && c.Prefix() == 0 && c.Intermediate() == 0 {
					cur = applySGR(cur, p.Params())
				}
			case w == 0:
				// A control character, or a combining mark that belongs
				// to the character before it.
				if seq[0] >= ' ' && seq[0] != ansi.DEL && x > 0 && y < rows {
					prev := &s.cells[y][x-1]
					if prev.width == 0 && x > 1 {
						prev = &s.cells[y][x-2]
					}
					prev.text += seq
				}
			default:
				if y < rows && x+w <= cols {
					s.cells[y][x] = cell{text: seq, width: w, style: cur}
					for i := 1; i < w; i++ {
						s.cells[y][x+i] = cell{width: 0, style: cur}
					}
				}
				x += w
			}
		}
		if x > cols {
			s.overflow = append(s.overflow, y+1)
		}
	}
	return s
}

// applySGR returns st changed by one SGR sequence's parameters.
func applySGR(st style, params ansi.Params) style {
	if len(params) == 0 {
		return style{}
	}
	for i := 0; i < len(params); {
		v := params[i].Param(0)
		switch {
		case v == 0:
			st = style{}
		case v == 1:
			st.bold = true
		case v == 2:
			st.faint = true
		case v == 3:
			st.italic = true
		case v == 4:
			// 4:0 turns underlining off; 4:1…4:5 are its kinds.
			st.underline = !params[i].HasMore() || len(params) < i+2 || params[i+1].Param(1) != 0
		case v == 7:
			st.invert = true
		case v == 9:
			st.strike = true
		case v == 21:
			st.underline = true
		case v == 22:
			st.bold, st.faint = false, false
		case v == 23:
			st.italic = false
		case v == 24:
			st.underline = false
		case v == 27:
			st.invert = false
		case v == 29:
			st.strike = false
		case v >= 30 && v <= 37:
			st.fg = ansi.BasicColor(v - 30)
		case v == 39:
			st.fg = nil
		case v >= 40 && v <= 47:
			st.bg = ansi.BasicColor(v - 40)
		case v == 49:
			st.bg = nil
		case v >= 90 && v <= 97:
			st.fg = ansi.BasicColor(v - 90 + 8)
		case v >= 100 && v <= 107:
			st.bg = ansi.BasicColor(v - 100 + 8)
		case v == 38 || v == 48 || v == 58:
			var c color.Color
			n := ansi.ReadStyleColor(params[i:], &c)
			if n > 0 {
				if c != nil {
					if _, _, _, a := c.RGBA(); a == 0 {
						c = nil // transparent: the default colour
					}
				}
				switch v {
				case 38:
					st.fg = c
				case 48:
					st.bg = c
				}
				i += n
				continue
			}
		}
		// Skip this parameter and any sub-parameters (4:3 and the like).
		for i < len(params) && params[i].HasMore() {
			i++
		}
		i++
	}
	return st
}
