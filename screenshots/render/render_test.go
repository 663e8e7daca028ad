package main

import (
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestParse(t *testing.T) {
	rgb := func(r, g, b uint8) color.Color { return color.RGBA{r, g, b, 0xff} }
	tests := []struct {
		name string
		dump string
		cols int
		// want and wantStyle are cells at {x, y} to check, the others
		// being anything.
		want      map[[2]int]cell
		wantStyle map[[2]int]style
		over      []int
	}{
		{
			name: "a wide character takes two cells and what follows it moves on two",
			dump: "a株b\n",
			cols: 6,
			want: map[[2]int]cell{
				{0, 0}: {text: "a", width: 1},
				{1, 0}: {text: "株", width: 2},
				{2, 0}: {width: 0},
				{3, 0}: {text: "b", width: 1},
				{4, 0}: {text: " ", width: 1},
			},
		},
		{
			name: "a style carries over to the next line, as tmux writes only changes",
			dump: "\x1b[1;38;2;247;201;72mA\nB\x1b[0mC\n",
			cols: 4,
			wantStyle: map[[2]int]style{
				{0, 0}: {fg: rgb(247, 201, 72), bold: true},
				{0, 1}: {fg: rgb(247, 201, 72), bold: true},
				{1, 1}: {},
			},
		},
		{
			name: "256 colours, basic colours and the defaults",
			dump: "\x1b[38;5;221;48;5;237mA\x1b[39mB\x1b[31;49mC\x1b[m\n",
			cols: 4,
			wantStyle: map[[2]int]style{
				{0, 0}: {fg: ansi.IndexedColor(221), bg: ansi.IndexedColor(237)},
				{1, 0}: {bg: ansi.IndexedColor(237)},
				{2, 0}: {fg: ansi.BasicColor(1)},
			},
		},
		{
			name: "sub-parameters are skipped, 4:0 turns underlining off",
			dump: "\x1b[4:3mA\x1b[4:0mB\n",
			cols: 3,
			wantStyle: map[[2]int]style{
				{0, 0}: {underline: true},
				{1, 0}: {},
			},
		},
		{
			name: "a combining mark stays in its character's cell",
			dump: "e\u0301x\n",
			cols: 3,
			want: map[[2]int]cell{
				{0, 0}: {text: "e\u0301", width: 1},
				{1, 0}: {text: "x", width: 1},
			},
		},
		{
			name: "text wider than the terminal is dropped and reported",
			dump: "abc\n株株\n",
			cols: 3,
			want: map[[2]int]cell{
				{2, 0}: {text: "c", width: 1},
				{2, 1}: {text: " ", width: 1},
			},
			over: []int{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(tt.dump, tt.cols, 2)
			for at, want := range tt.want {
				got := s.cells[at[1]][at[0]]
				if got.text != want.text || got.width != want.width {
					t.Errorf("cell %v = %q width %d, want %q width %d", at, got.text, got.width, want.text, want.width)
				}
			}
			for at, want := range tt.wantStyle {
				if got := s.cells[at[1]][at[0]].style; got != want {
					t.Errorf("cell %v style = %+v, want %+v", at, got, want)
				}
			}
			if !slices.Equal(s.overflow, tt.over) {
				t.Errorf("overflow = %v, want %v", s.overflow, tt.over)
			}
		})
	}
}

func TestPage(t *testing.T) {
	s := parse("\x1b[38;2;78;78;78m╭─╮\x1b[39m株\n│ │\n", 6, 2)
	var b strings.Builder
	l := layout{cw: 12, ch: 24, fontSize: 20, pad: 16, bar: 34, radius: 10, lw: 2}
	if err := writePage(&b, s, frames["dark"], l, "bcauth"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`grid-template-columns:repeat(6,12px)`, // every cell the same box
		`<symbol id="b256d"`,                   // ╭ drawn, not taken from a font
		`<use href="#b2502"/>`,                 // │ in a cell
		`class="s1 w">株</i>`,                   // a wide cell spans two columns
		`color:#4e4e4e;`,                       // true colour kept
		`width:104px;height:114px`,             // 2×16+6×12 by 34+2×16+2×24
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if w, h := l.size(s); w != 104 || h != 114 {
		t.Errorf("size = %d,%d, want 104,114", w, h)
	}
}
