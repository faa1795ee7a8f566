package syncer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// tempFile is a download in progress. Where the OS allows (Linux O_TMPFILE)
// it has no name at all until commit links it into place, which makes a
// crash leave nothing behind and saves a rename per file; elsewhere it is
// ".<name>.s3link-<random>.part" beside the target.
type tempFile struct {
	f    *os.File
	name string // named temporary file; empty when unnamed
}

// openTemp creates the temporary file for target in dir.
func (e *Engine) openTemp(dir, base string) (*tempFile, error) {
	if !e.noUnnamed.Load() {
		f, err := openUnnamed(dir)
		if err == nil {
			return &tempFile{f: f}, nil
		}
		if !errors.Is(err, errUnnamedUnsupported) {
			return nil, err
		}
		e.noUnnamed.Store(true) // this filesystem cannot; stop asking
	}
	if len(base) > 200 {
		base = base[:200] // stay within the 255-byte name limit
	}
	f, err := os.CreateTemp(dir, "."+base+".s3link-*.part")
	if err != nil {
		return nil, err
	}
	return &tempFile{f: f, name: f.Name()}, nil
}

// commit sets the modification time, closes the file and puts it under
// final, replacing what was there. The time is set first so the final name
// never shows a wrong time, which would make the next run download it again.
func (t *tempFile) commit(final string, mtime time.Time) error {
	if t.name != "" {
		if err := t.f.Close(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if err := os.Chtimes(t.name, mtime, mtime); err != nil {
			return fmt.Errorf("set modification time: %w", err)
		}
		if err := os.Rename(t.name, final); err != nil {
			return fmt.Errorf("move into place: %w", err)
		}
		return nil
	}
	defer t.f.Close()
	if err := setTimesFd(t.f, mtime); err != nil {
		return fmt.Errorf("set modification time: %w", err)
	}
	err := linkUnnamed(t.f, final)
	if errors.Is(err, os.ErrExist) {
		// link cannot replace a file; link under a fresh name and rename
		// over the old one, which is atomic.
		dir, base := filepath.Split(final)
		if len(base) > 200 {
			base = base[:200]
		}
		tmp := filepath.Join(dir, "."+base+".s3link-"+strconv.FormatUint(rand.Uint64(), 36)+".part")
		if err = linkUnnamed(t.f, tmp); err == nil {
			if err = os.Rename(tmp, final); err != nil {
				os.Remove(tmp)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("move into place: %w", err)
	}
	return t.f.Close()
}

// abort discards the file.
func (t *tempFile) abort() {
	t.f.Close()
	if t.name != "" {
		os.Remove(t.name)
	}
}

// errUnnamedUnsupported means the OS or filesystem has no unnamed files.
var errUnnamedUnsupported = errors.New("unnamed temporary files not supported")
