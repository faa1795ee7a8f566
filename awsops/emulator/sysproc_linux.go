package emulator

import "syscall"

// sysProcAttr puts moto in its own process group, so Stop can signal the
// whole group, and has the kernel SIGKILL it when the thread that started it
// dies, so a crashed test run does not leave emulators behind. Go only ends
// an OS thread when a goroutine exits while locked to it, which Start never
// does, so in practice that thread lives as long as the process.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
