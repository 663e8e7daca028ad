package core

// systemOpener is Windows' way to open a URL in the default browser.
func systemOpener(bool) (name string, args []string, ok bool) {
	return "rundll32", []string{"url.dll,FileProtocolHandler"}, true
}
