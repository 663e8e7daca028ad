package core

// systemOpener is macOS's way to open a URL in the default browser.
func systemOpener(bool) (name string, args []string, ok bool) { return "open", nil, true }
