//go:build unix

package emulator

import (
	"errors"
	"os"
	"syscall"
)

// terminateGroup sends SIGTERM to the process group Start created. A
// negative pid signals the whole group created by Setpgid, which also
// reaches any worker moto may have forked.
func terminateGroup(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// killGroup sends SIGKILL to the process group; a group that is gone
// already is fine.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
