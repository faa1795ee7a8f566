package emulator

import (
	"errors"
	"os"
	"syscall"
)

// sysProcAttr gives moto its own process group, so a Ctrl+C meant for
// s3link is not also delivered to it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// terminateGroup kills moto: Windows has no SIGTERM to ask first. Workers
// moto may have started are not reached; moto_server runs none by default.
func terminateGroup(p *os.Process) error {
	if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

// killGroup is terminateGroup without the error.
func killGroup(p *os.Process) { _ = terminateGroup(p) }
