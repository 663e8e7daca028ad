//go:build !linux

package store

// quickGet has no shortcut here: go-keyring's Get is one call to the
// Keychain or the Credential Manager already.
func quickGet(string) (secret string, found, ok bool) { return "", false, false }
