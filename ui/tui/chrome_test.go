package tui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Basecamp's real hrefs, as the screen shows them: these tests only
// shorten strings.
func TestMiddle(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"https://3.basecampapi.com/99999999", 40, "https://3.basecampapi.com/99999999"},
		{"https://3.basecampapi.com/99999999", 21, "https://3.…m/99999999"},
		{"https://3.basecampapi.com/99999999", 4, "htt…"},
		{"株式会社さくらデザイン", 9, "株式…イン"},
	}
	for _, tt := range tests {
		got := middle(tt.in, tt.w)
		if got != tt.want || ansi.StringWidth(got) > tt.w {
			t.Errorf("middle(%q, %d) = %q (%d cells), want %q", tt.in, tt.w, got, ansi.StringWidth(got), tt.want)
		}
	}
}

func TestShortURL(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"https://3.basecampapi.com/99999999", 40, "https://3.basecampapi.com/99999999"},
		{"http://127.0.0.1:38649/bc3/99999994", 31, "http://127.0.0.1:38649/bc3…9994"},
		{"https://basecamp.com/88888888/api/v1", 30, "https://basecamp.com/888…pi/v1"},
		{"https://a-very-long-host-name.example.com/1", 20, "https://a…mple.com/1"},
	}
	for _, tt := range tests {
		if got := shortURL(tt.in, tt.w); got != tt.want || ansi.StringWidth(got) > tt.w {
			t.Errorf("shortURL(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
}
