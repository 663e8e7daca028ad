package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// OSKeyring over go-keyring's own in-memory provider, in a process of its
// own: the provider is global, and the real keyring tests in this process
// must keep the real one. The session bus is pointed nowhere, so the
// Secret Service shortcut (quickGet) cannot answer and the call goes
// through go-keyring, as it does when the shortcut cannot.
const mockKeyringEnv = "BCAUTH_STORE_MOCK_KEYRING"

func TestOSKeyringHelper(t *testing.T) {
	mode := os.Getenv(mockKeyringEnv)
	if mode == "" {
		t.Skip("helper process for TestOSKeyringOverGoKeyring")
	}
	k := OSKeyring{}
	ctx := context.Background()
	if mode == "broken" {
		broken := errors.New("the provider is broken")
		keyring.MockInitWithError(broken)
		if _, err := k.Get(ctx, "a"); !errors.Is(err, broken) || errors.Is(err, ErrSecretGone) {
			t.Errorf("Get = %v, want the provider's error, not ErrSecretGone", err)
		}
		if err := k.Delete(ctx, "a"); !errors.Is(err, broken) {
			t.Errorf("Delete = %v, want the provider's error", err)
		}
		fmt.Println("HELPER DONE")
		return
	}
	keyring.MockInit()
	if _, err := k.Get(ctx, "a"); !errors.Is(err, ErrSecretGone) {
		t.Errorf("Get of a missing entry = %v, want ErrSecretGone", err)
	}
	if err := k.Delete(ctx, "a"); err != nil {
		t.Errorf("Delete of a missing entry = %v, want nil", err)
	}
	if err := k.Set(ctx, "a", "secret-a"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(ctx, "a"); err != nil || v != "secret-a" {
		t.Errorf("Get = %q, %v; want secret-a", v, err)
	}
	if v, err := keyring.Get(secretService, "a"); err != nil || v != "secret-a" {
		t.Errorf("go-keyring holds %q, %v under service %q", v, err, secretService)
	}
	if err := k.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, "a"); !errors.Is(err, ErrSecretGone) {
		t.Errorf("Get after Delete = %v, want ErrSecretGone", err)
	}

	// A whole login through it.
	s, err := Open(t.TempDir(), WithKeyring(k, KeyringOn))
	if err != nil {
		t.Fatal(err)
	}
	sess := session(ada, "access-mock")
	if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	inNoFile(t, s.Dir(), sess.Token.AccessToken, sess.Token.RefreshToken)
	if tok, err := s.LoadToken(sess.Key()); err != nil || tok != sess.Token {
		t.Errorf("LoadToken = %+v, %v", tok, err)
	}
	if err := s.LogoutAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(secretService, tokenAccount(sess.Key())); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("after logout the entry is still there: %v", err)
	}
	if !strings.Contains(k.Name(), "keyring") && !strings.Contains(k.Name(), "Keychain") && !strings.Contains(k.Name(), "Credential Manager") {
		t.Errorf("Name = %q", k.Name())
	}
	fmt.Println("HELPER DONE")
}

func TestOSKeyringOverGoKeyring(t *testing.T) {
	for _, mode := range []string{"working", "broken"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestOSKeyringHelper$", "-test.count=1", "-test.v")
			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "DISPLAY=") {
					env = append(env, kv)
				}
			}
			cmd.Env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bcauth-bus", mockKeyringEnv+"="+mode)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "HELPER DONE") {
				t.Fatalf("helper: %v\n%s", err, out)
			}
		})
	}
}
