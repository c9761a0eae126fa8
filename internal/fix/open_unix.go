//go:build unix

package fix

import "syscall"

// openFlags refuse a symbolic link swapped in after the Lstat and keep a
// FIFO from blocking the open.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
