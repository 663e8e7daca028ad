//go:build !windows

package store

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// permissionBits says the file system has group and other permission bits
// that bcauth must keep closed.
const permissionBits = true

// openFlags open a state file without following a link in its place, and
// without waiting for a writer should a FIFO be there.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// owner is the uid that owns fi, and whether the platform says.
func owner(fi fs.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// currentUID is the uid bcauth runs as.
func currentUID() int { return os.Getuid() }

// writable says this user may create and replace files in dir: not when
// its mode says so, nor on a file system mounted read-only.
func writable(dir string) bool { return unix.Access(dir, unix.W_OK) == nil }
