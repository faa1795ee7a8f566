//go:build !linux

package syncer

import (
	"os"
	"time"
)

func openUnnamed(string) (*os.File, error) { return nil, errUnnamedUnsupported }

func linkUnnamed(*os.File, string) error { return errUnnamedUnsupported }

func setTimesFd(*os.File, time.Time) error { return errUnnamedUnsupported }

func preallocate(f *os.File, size int64) error { return f.Truncate(size) }
