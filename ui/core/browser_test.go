package core_test

import (
	"slices"
	"testing"

	"bcauth/ui/core"
)

func TestChildEnv(t *testing.T) {
	in := []string{
		"HOME=/h", "PATH=/bin", "DISPLAY=:0", "WAYLAND_DISPLAY=wayland-0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus",
		"XDG_ACTIVATION_TOKEN=t", "DESKTOP_STARTUP_ID=d", "SSH_AUTH_SOCK=/tmp/agent",
		"BASECAMP_OAUTH_CLIENT_SECRET=x", "BASECAMP_OAUTH_CLIENT_ID=x", "BASECAMP_TOKEN=x", "BASECAMP_PASSWORD=x",
		"BASECAMP_API_TOKEN=x", "BASECAMP_SOMETHING_NEW=x", "GITHUB_TOKEN=x", "NPM_CONFIG__AUTHTOKEN=x",
		"AWS_SECRET_ACCESS_KEY=x", "MYSQL_PASSWORD=x", "OPENAI_API_KEY=x", "GPG_PASSPHRASE=x", "db_passwd=x",
	}
	want := []string{"HOME=/h", "PATH=/bin", "DISPLAY=:0", "WAYLAND_DISPLAY=wayland-0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus",
		"XDG_ACTIVATION_TOKEN=t", "DESKTOP_STARTUP_ID=d", "SSH_AUTH_SOCK=/tmp/agent"}
	if got := core.ChildEnv(in); !slices.Equal(got, want) {
		t.Errorf("ChildEnv kept %q, want %q", got, want)
	}
	if got := core.ChildEnv(nil); got == nil || len(got) != 0 {
		t.Errorf("childEnv(nil) = %#v, want an empty, non-nil slice", got)
	}
}
