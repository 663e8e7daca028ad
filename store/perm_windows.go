package store

import "io/fs"

// permissionBits is false: Windows has no group or other permission bits
// to tighten (its ACLs are left as the user's profile sets them).
const permissionBits = false

// openFlags: Windows has neither O_NOFOLLOW nor FIFOs in the file system;
// links are refused by Lstat before opening.
const openFlags = 0

// owner is not known from a FileInfo on Windows, whose profile ACLs keep
// other users out.
func owner(fs.FileInfo) (uid int, ok bool) { return 0, false }

// currentUID is meaningless on Windows.
func currentUID() int { return -1 }

// writable is true on Windows, where the ACLs, not a mode, say who may
// write: a write that is refused fails as it comes.
func writable(string) bool { return true }
