package core_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/uitest"
)

// TestNewerFilesAreNeverReplaced: a state.json or config.json written by
// a newer bcauth is not moved aside nor overwritten by a login or by
// setup, which fail instead and say why.
func TestNewerFilesAreNeverReplaced(t *testing.T) {
	const newer = `{"version":999}`
	for _, tc := range []struct {
		name, file string
		do         func(e *uitest.Env) error
	}{
		{name: "a login over a newer state", file: "state.json", do: func(e *uitest.Env) error {
			access, refresh, _ := e.Fake.IssueToken()
			_, _, err := e.Svc.AddToken(testContext(t), access, refresh)
			return err
		}},
		{name: "setup over a newer config", file: "config.json", do: func(e *uitest.Env) error {
			_, err := e.Svc.SaveClient("my-id", "my-secret")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := uitest.New(t, launchpadtest.Options{})
			path := filepath.Join(e.Dir, tc.file)
			if err := os.WriteFile(path, []byte(newer), 0o600); err != nil {
				t.Fatal(err)
			}
			var ve *store.VersionError
			if err := tc.do(e); !errors.As(err, &ve) {
				t.Errorf("%v, want a VersionError", err)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != newer {
				t.Errorf("%s now holds %q, %v", tc.file, got, err)
			}
			if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 0 {
				t.Errorf("moved aside: %q", aside)
			}
		})
	}
}
