package store

// permissionBits is false: Windows has no group or other permission bits
// to tighten (its ACLs are left as the user's profile sets them).
const permissionBits = false
