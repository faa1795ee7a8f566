//go:build unix

package upload

import "syscall"

// oNonblock keeps open from waiting on a named pipe swapped in after the
// walk; what was opened is then checked to be a regular file.
const oNonblock = syscall.O_NONBLOCK
