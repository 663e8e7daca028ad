package main

import (
	"fmt"
	"html"
	"image/color"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// frame is the look of the window around the terminal.
type frame struct {
	fg, bg  string    // the terminal's default colours
	bar     string    // the title bar
	title   string    // the title bar's text colour
	edge    string    // a hairline around the window
	dots    [3]string // close, minimise, zoom
	palette [16]string
}

var frames = map[string]frame{
	"dark": {
		fg: "#eeeeee", bg: "#1c1c1c", bar: "#2b2b2b", title: "#9e9e9e", edge: "#3a3a3a",
		dots: [3]string{"#ff5f57", "#febc2e", "#28c840"},
		palette: [16]string{
			"#1c1c1c", "#e06c75", "#6ccb8a", "#f0c674", "#61afef", "#c678dd", "#56b6c2", "#d0d0d0",
			"#767676", "#ff8a80", "#98e0a8", "#ffd580", "#8ccaff", "#e0a0f0", "#88dde8", "#ffffff",
		},
	},
	"light": {
		fg: "#1c1c1c", bg: "#ffffff", bar: "#ececec", title: "#626262", edge: "#d0d0d0",
		dots: [3]string{"#ff5f57", "#febc2e", "#28c840"},
		palette: [16]string{
			"#1c1c1c", "#b3261e", "#1d7a3a", "#9a6200", "#1f5fbf", "#8e3ea8", "#13808a", "#d0d0d0",
			"#626262", "#d93025", "#2e9d4f", "#b8860b", "#3a7ae0", "#a855c7", "#1a9aa6", "#ffffff",
		},
	},
}

// layout is the page's geometry in CSS pixels.
type layout struct {
	cw, ch, fontSize, pad, bar, radius, lw int
}

// size is the page's width and height: the window, nothing around it.
func (l layout) size(s *screen) (int, int) {
	return 2*l.pad + s.cols*l.cw, l.bar + 2*l.pad + s.rows*l.ch
}

// writePage writes s as an HTML page: a window with a title bar, and the
// terminal as a grid of fixed cells, one element per cell (two columns for a
// wide character), so no font can move a border or a column.
func writePage(w io.Writer, s *screen, f frame, l layout, title string) error {
	width, height := l.size(s)
	classes := map[style]int{}
	var rules strings.Builder
	class := func(st style) int {
		if n, ok := classes[st]; ok {
			return n
		}
		n := len(classes)
		classes[st] = n
		fmt.Fprintf(&rules, ".s%d{%s}\n", n, css(st, f))
		return n
	}

	var body strings.Builder
	for _, row := range s.cells {
		body.WriteString(`<div class="r">`)
		for _, c := range row {
			if c.width == 0 {
				continue // the second half of a wide character
			}
			n := class(c.style)
			span := ""
			if c.width > 1 {
				span = " w"
			}
			if r := []rune(c.text + " ")[0]; c.width == 1 && drawn(r) {
				fmt.Fprintf(&body, `<i class="s%d"><svg width="%d" height="%d"><use href="#b%x"/></svg></i>`, n, l.cw, l.ch, r)
				continue
			}
			fmt.Fprintf(&body, `<i class="s%d%s">%s</i>`, n, span, html.EscapeString(c.text))
		}
		body.WriteString("</div>\n")
	}

	_, err := fmt.Fprintf(w, `<!doctype html>
<html><head><meta charset="utf-8"><title>%[1]s</title><style>
html,body{margin:0;background:transparent}
.win{box-sizing:border-box;width:%[2]dpx;height:%[3]dpx;border-radius:%[4]dpx;overflow:hidden;background:%[5]s;color:%[6]s;box-shadow:inset 0 0 0 1px %[7]s}
.bar{position:relative;height:%[8]dpx;background:%[9]s;display:flex;align-items:center;gap:8px;padding:0 14px;box-shadow:inset 0 1px 0 %[7]s,inset 1px 0 0 %[7]s,inset -1px 0 0 %[7]s}
.bar b{width:12px;height:12px;border-radius:50%%}
.bar span{position:absolute;left:0;right:0;text-align:center;font:13px "DejaVu Sans",sans-serif;color:%[10]s}
.term{padding:%[11]dpx;font-family:"DejaVu Sans Mono","WenQuanYi Zen Hei Mono","Noto Sans Mono CJK JP",monospace;font-size:%[12]dpx;line-height:%[13]dpx;font-variant-ligatures:none}
.r{display:grid;grid-template-columns:repeat(%[14]d,%[15]dpx);height:%[13]dpx}
.r i{font-style:normal;white-space:pre;text-align:center;overflow:visible;height:%[13]dpx}
.r i.w{grid-column:span 2}
.r svg{display:block}
%[16]s</style></head><body>
<svg width="0" height="0" style="position:absolute">%[17]s</svg>
<div class="win"><div class="bar"><b style="background:%[18]s"></b><b style="background:%[19]s"></b><b style="background:%[20]s"></b><span>%[1]s</span></div>
<div class="term">
%[21]s</div></div>
</body></html>
`, html.EscapeString(title), width, height, l.radius, f.bg, f.fg, f.edge,
		l.bar, f.bar, f.title,
		l.pad, l.fontSize, l.ch, s.cols, l.cw,
		rules.String(), symbols(s, l.cw, l.ch, l.lw),
		f.dots[0], f.dots[1], f.dots[2], body.String())
	return err
}

// css is the rule for one style. Inverse video swaps the colours, the
// defaults included, as terminals do.
func css(st style, f frame) string {
	fg, bg := hex(st.fg, f), hex(st.bg, f)
	if st.invert {
		if fg == "" {
			fg = f.fg
		}
		if bg == "" {
			bg = f.bg
		}
		fg, bg = bg, fg
	}
	if st.faint {
		// Faint text fades towards the background, which stays as it is.
		fg = fmt.Sprintf("color-mix(in srgb,%s 60%%,%s)", or(fg, f.fg), or(bg, f.bg))
	}
	var b strings.Builder
	if fg != "" {
		fmt.Fprintf(&b, "color:%s;", fg)
	}
	if bg != "" {
		fmt.Fprintf(&b, "background:%s;", bg)
	}
	if st.bold {
		b.WriteString("font-weight:bold;")
	}
	if st.italic {
		b.WriteString("font-style:italic!important;")
	}
	var deco []string
	if st.underline {
		deco = append(deco, "underline")
	}
	if st.strike {
		deco = append(deco, "line-through")
	}
	if len(deco) > 0 {
		fmt.Fprintf(&b, "text-decoration:%s;", strings.Join(deco, " "))
	}
	return b.String()
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// hex is c as #rrggbb, the frame's palette for the 16 basic colours, or ""
// for the default.
func hex(c color.Color, f frame) string {
	switch c := c.(type) {
	case nil:
		return ""
	case ansi.BasicColor:
		return f.palette[c&15]
	case ansi.IndexedColor:
		if c < 16 {
			return f.palette[c]
		}
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}
