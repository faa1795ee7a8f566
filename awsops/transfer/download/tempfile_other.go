//go:build !linux

package download

import (
	"os"
	"time"
)

func (h *dirHandle) openFd() error { return nil }

func openUnnamed(*dirHandle) (*os.File, error) { return nil, errUnnamedUnsupported }

func linkUnnamed(*os.File, *dirHandle, string) error { return errUnnamedUnsupported }

func setTimesFd(*os.File, time.Time) error { return errUnnamedUnsupported }

func preallocate(f *os.File, size int64) error { return f.Truncate(size) }
