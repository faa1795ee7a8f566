//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts moto in its own process group so Stop can signal the
// whole group. Only Linux offers Pdeathsig; elsewhere Stop must be called.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
