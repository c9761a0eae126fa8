//go:build unix

package runner

import "syscall"

// openFlags keep open(2) from blocking on a FIFO that appears between the
// Stat and the Open: the Stat of the opened file then refuses it.
const openFlags = syscall.O_NONBLOCK
