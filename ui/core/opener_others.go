//go:build !darwin && !windows

package core

// systemOpener is the freedesktop way to open a URL, which needs a
// display: over SSH or on a server there is none, and no browser to open.
func systemOpener(hasDisplay bool) (name string, args []string, ok bool) {
	return "xdg-open", nil, hasDisplay
}
