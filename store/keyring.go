package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultKeyringTimeout bounds every keyring call. A Secret Service that
// waits for an unlock prompt nobody sees, or a headless macOS keychain,
// would otherwise hang bcauth; Basecamp's CLI caps its probe at 10 s for
// the same reason.
const DefaultKeyringTimeout = 5 * time.Second

// OSKeyring is the operating system's keyring through go-keyring: the
// Secret Service (GNOME Keyring, KWallet, KeePassXC) on Linux, the
// Keychain on macOS, the Credential Manager on Windows. Entries have the
// service "bcauth".
type OSKeyring struct {
	// Timeout bounds each call; DefaultKeyringTimeout when zero.
	Timeout time.Duration
}

// Name says which keyring this is, as messages and bcauth status name it.
func (k OSKeyring) Name() string {
	switch runtime.GOOS {
	case "darwin":
		return "the macOS Keychain"
	case "windows":
		return "the Windows Credential Manager"
	}
	return "the OS keyring (Secret Service)"
}

// Get reads the secret of account; a missing entry matches ErrSecretGone.
func (k OSKeyring) Get(ctx context.Context, account string) (string, error) {
	var v string
	err := k.call(ctx, func() (err error) {
		secret, found, ok := quickGet(account)
		switch {
		case ok && !found:
			return keyring.ErrNotFound
		case ok:
			v = secret
			return nil
		}
		v, err = keyring.Get(secretService, account)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrSecretGone
	}
	return v, err
}

// Set creates or replaces the entry of account.
func (k OSKeyring) Set(ctx context.Context, account, secret string) error {
	return k.call(ctx, func() error { return keyring.Set(secretService, account, secret) })
}

// Delete removes the entry of account; a missing one is no error.
func (k OSKeyring) Delete(ctx context.Context, account string) error {
	err := k.call(ctx, func() error { return keyring.Delete(secretService, account) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// call runs fn in a goroutine and gives up at the deadline: go-keyring
// takes no context, and a keyring waiting for an unlock can block for
// ever. A call given up on may still finish later; bcauth then has
// already reported the keyring as unavailable and written nothing.
func (k OSKeyring) call(ctx context.Context, fn func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s (a locked keyring waiting for its password, or no keyring service running)", timeout)
	}
}
