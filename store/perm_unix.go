//go:build !windows

package store

// permissionBits says the file system has group and other permission bits
// that bcauth must keep closed.
const permissionBits = true
