//go:build unix

package download

import (
	"io/fs"
	"syscall"
)

// oNonblock keeps open from waiting on a named pipe or a device.
const oNonblock = syscall.O_NONBLOCK

// fileIdentity is what tells two folders apart however they were reached.
func fileIdentity(fi fs.FileInfo, rel string) any {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return [2]uint64{uint64(st.Dev), uint64(st.Ino)}
	}
	return rel
}
