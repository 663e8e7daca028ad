package tui

import "testing"

// TestWhereTheLoginRuns: over SSH, and with nothing that can open a
// browser here, the connect screen asks for the address back instead of
// promising a browser; SSH_CLIENT alone counts as SSH.
func TestWhereTheLoginRuns(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}, true},
		{map[string]string{"SSH_CLIENT": "10.0.0.1 5000 22"}, true},
		{map[string]string{"SSH_TTY": "/dev/pts/1"}, true},
		{map[string]string{"DISPLAY": ":0"}, false},
	} {
		if got := overSSH(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("overSSH(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name                          string
		noBrowser, demo, ssh, canOpen bool
		want                          bool
	}{
		{"a desktop", false, false, false, true, false},
		{"--no-browser", true, false, false, true, true},
		{"ssh", false, false, true, true, true},
		{"no display, no $BROWSER, no ssh", false, false, false, false, true},
		{"the demo without a browser approves by itself", false, true, false, false, false},
		{"the demo over ssh opens nothing either", false, true, true, false, false},
		{"the demo with --no-browser", true, true, false, true, true},
	} {
		if got := pasteBack(tc.noBrowser, tc.demo, tc.ssh, tc.canOpen); got != tc.want {
			t.Errorf("%s: pasteBack = %v, want %v", tc.name, got, tc.want)
		}
	}
}
