package download

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

// tempFile is a download in progress. Where the OS allows (Linux O_TMPFILE)
// it has no name at all until commit links it into place, which makes a
// crash leave nothing behind and saves a rename per file; elsewhere it is
// ".<name>.s3link-<random>.part" beside the target. Both are made through
// the folder's handle beneath the destination, never through a path.
type tempFile struct {
	f    *os.File
	h    *dirHandle
	name string // named temporary file in h; empty when unnamed
}

// openTemp creates the temporary file for base in h's folder.
func (e *Engine) openTemp(h *dirHandle, base string) (*tempFile, error) {
	if !e.noUnnamed.Load() {
		f, err := openUnnamed(h)
		if err == nil {
			return &tempFile{f: f, h: h}, nil
		}
		if !errors.Is(err, errUnnamedUnsupported) {
			return nil, err
		}
		e.noUnnamed.Store(true) // this filesystem cannot; stop asking
	}
	for {
		name := tempName(base)
		f, err := h.r.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue // 64 random bits taken: try others
		}
		if err != nil {
			return nil, rootErr(err)
		}
		return &tempFile{f: f, h: h, name: name}, nil
	}
}

// tempName is a fresh name for a temporary file beside base; IsTempName
// recognises exactly these.
func tempName(base string) string {
	if len(base) > 200 {
		base = base[:200] // stay within the 255-byte name limit
	}
	return "." + base + ".s3link-" + strconv.FormatUint(rand.Uint64(), 36) + ".part"
}

// commit sets the modification time, closes the file and puts it under
// base in its folder, replacing what was there (a link there is replaced,
// never written through). The time is set first so the final name never
// shows a wrong time, which would make the next run download it again.
func (t *tempFile) commit(base string, mtime time.Time) error {
	if t.name != "" {
		if err := t.f.Close(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if err := t.h.r.Chtimes(t.name, mtime, mtime); err != nil {
			return fmt.Errorf("set modification time: %w", rootErr(err))
		}
		if err := t.h.r.Rename(t.name, base); err != nil {
			return fmt.Errorf("move into place: %w", rootErr(err))
		}
		return nil
	}
	defer t.f.Close()
	if err := setTimesFd(t.f, mtime); err != nil {
		return fmt.Errorf("set modification time: %w", err)
	}
	err := linkUnnamed(t.f, t.h, base)
	if errors.Is(err, os.ErrExist) {
		// link cannot replace a file; link under a fresh name and rename
		// over the old one, which is atomic. A kill between the two leaves
		// the fresh name behind, which the next run removes.
		tmp := tempName(base)
		if err = linkUnnamed(t.f, t.h, tmp); err == nil {
			if err = t.h.r.Rename(tmp, base); err != nil {
				t.h.r.Remove(tmp)
				err = rootErr(err)
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
		t.h.r.Remove(t.name)
	}
}

// errUnnamedUnsupported means the OS or filesystem has no unnamed files.
var errUnnamedUnsupported = errors.New("unnamed temporary files not supported")
