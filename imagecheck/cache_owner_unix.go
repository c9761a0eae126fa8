//go:build unix

package imagecheck

import (
	"os"
	"syscall"
)

// ownedPrivate reports whether fi belongs to the current user and is not
// writable by group or others: only then can its content be trusted as
// this user's own earlier findings.
func ownedPrivate(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid() && fi.Mode().Perm()&0o022 == 0
}

// oNoFollow makes the open fail on a symlink planted after the Lstat.
const oNoFollow = syscall.O_NOFOLLOW

// oNonBlock keeps the open from waiting on a FIFO planted as an entry.
const oNonBlock = syscall.O_NONBLOCK
