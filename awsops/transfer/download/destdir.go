package download

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// ErrLeavesDest marks an object whose path goes through a symbolic link that
// leads out of the destination (or is absolute). Such objects are skipped
// and reported; nothing is written through the link.
var ErrLeavesDest = errors.New("the path goes through a symbolic link that leads out of the destination; not written")

// maxOpenDirs bounds the folder handles kept open between objects; folders
// in use are never closed, so at most maxOpenDirs + concurrency are open.
const maxOpenDirs = 64

// maxScanned bounds the folders remembered as already cleared of stale
// temporary files; past it, clearing stops for the rest of the run.
const maxScanned = 1 << 20

// destDirs is the destination, opened once per run as an os.Root, and a
// small cache of handles on its folders. Every path the engine touches is
// resolved beneath the root: a symbolic link inside the destination may lead
// elsewhere inside it, never out. Per object the engine then works on the
// folder's handle with single-name calls (one fstatat, one openat, one
// renameat or linkat), so resolving beneath the root costs no extra system
// calls per object once a folder is open.
//
// Opening a folder for the first time in a run also removes the named
// temporary files an earlier, killed run left in it (".NAME.s3link-*.part",
// regular files only): see IsTempName.
type destDirs struct {
	root *os.Root

	mu      sync.Mutex
	open    map[string]*dirHandle // by slash-separated path below root; "." is root
	scanned map[any]struct{}      // folder identities already cleared this run
}

// dirHandle is one open folder beneath the root.
type dirHandle struct {
	rel  string
	r    *os.Root
	f    *os.File // the folder itself where the OS needs a descriptor (Linux linkat); else nil
	fd   int      // f's descriptor
	refs int
}

func openDestDirs(dest string) (*destDirs, error) {
	r, err := os.OpenRoot(dest)
	if err != nil {
		return nil, err
	}
	return &destDirs{root: r, open: map[string]*dirHandle{}, scanned: map[any]struct{}{}}, nil
}

// close releases every handle; no object may be in progress.
func (d *destDirs) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, h := range d.open {
		h.close()
		delete(d.open, k)
	}
	d.root.Close()
}

func (h *dirHandle) close() {
	if h.f != nil {
		h.f.Close()
	}
	h.r.Close()
}

// acquire returns a handle on the folder rel (slash-separated, "." for the
// destination itself), creating the folders that are missing. made lists
// the folders this call created, for release to remove again when the
// object fails. A path through a link that leaves the destination fails
// with ErrLeavesDest.
func (d *destDirs) acquire(rel string) (h *dirHandle, made []string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if h := d.open[rel]; h != nil {
		h.refs++
		return h, nil, nil
	}
	r, err := d.root.OpenRoot(filepath.FromSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		made, err = d.mkdirs(rel)
		if err == nil {
			r, err = d.root.OpenRoot(filepath.FromSlash(rel))
		}
	}
	if err != nil {
		d.removeMade(made)
		return nil, nil, rootErr(err)
	}
	h = &dirHandle{rel: rel, r: r, refs: 1}
	if err := h.openFd(); err != nil {
		r.Close()
		d.removeMade(made)
		return nil, nil, rootErr(err)
	}
	d.clearStale(h)
	d.open[rel] = h
	return h, made, nil
}

// mkdirs creates the missing folders of rel one by one, so it knows which
// ones it made; on failure it returns what it made so far.
func (d *destDirs) mkdirs(rel string) ([]string, error) {
	var made []string
	for i := 0; ; {
		j := strings.IndexByte(rel[i:], '/')
		p := rel
		if j >= 0 {
			p = rel[:i+j]
		}
		err := d.root.Mkdir(filepath.FromSlash(p), 0o755)
		switch {
		case err == nil:
			made = append(made, p)
		case errors.Is(err, fs.ErrExist):
		default:
			return made, err
		}
		if j < 0 {
			return made, nil
		}
		i += j + 1
	}
}

// release gives the handle back. When the object failed (ok false), the
// folders its acquire made are removed again, deepest first, as long as
// they are empty and no other object is working in or below them.
func (d *destDirs) release(h *dirHandle, ok bool, made []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h.refs--
	if !ok {
		d.removeMade(made)
	}
	if len(d.open) <= maxOpenDirs {
		return
	}
	for k, o := range d.open {
		if o.refs == 0 {
			o.close()
			delete(d.open, k)
			if len(d.open) <= maxOpenDirs {
				return
			}
		}
	}
}

// removeMade removes the folders in made, deepest first; d.mu is held.
func (d *destDirs) removeMade(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		p := made[i]
		for k, o := range d.open {
			if k == p || strings.HasPrefix(k, p+"/") {
				if o.refs > 0 {
					return // in use: not empty for long, or about to be
				}
				o.close()
				delete(d.open, k)
			}
		}
		if d.root.Remove(filepath.FromSlash(p)) != nil {
			return // not empty, or gone: its parents are not empty either
		}
	}
}

// clearStale removes the named temporary files a killed run left in h's
// folder, once per folder per run; d.mu is held.
func (d *destDirs) clearStale(h *dirHandle) {
	if len(d.scanned) >= maxScanned {
		return
	}
	fi, err := h.r.Stat(".")
	if err != nil {
		return
	}
	id := fileIdentity(fi, h.rel)
	if _, done := d.scanned[id]; done {
		return
	}
	d.scanned[id] = struct{}{}
	dir, err := h.r.Open(".")
	if err != nil {
		return
	}
	defer dir.Close()
	for {
		names, err := dir.Readdirnames(1024)
		for _, n := range names {
			if !IsTempName(n) {
				continue
			}
			if li, err := h.r.Lstat(n); err == nil && li.Mode().IsRegular() {
				h.r.Remove(n)
			}
		}
		if err != nil || len(names) == 0 {
			return
		}
	}
}

// splitRel returns the folder and file name of a slash-separated path below
// the destination; the folder is "." at the top.
func splitRel(rel string) (dir, base string) {
	return path.Dir(rel), path.Base(rel)
}

// rootErr words an error from resolving beneath the root: a link out of the
// destination becomes ErrLeavesDest, and the path (which the failure line
// shows beside it already) is dropped.
func rootErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return ErrLeavesDest
		}
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// prepareDest creates the destination when missing and opens it, once per
// run. The destination itself may be a symbolic link (the person named it);
// nothing below it is reached through a link that leads out.
func (e *Engine) prepareDest() error {
	fi, err := os.Stat(e.opts.Dest)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s: %w", e.opts.Dest, ErrDestNotDir)
	case e.opts.DryRun && errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(e.opts.Dest, 0o755); err != nil {
			return fmt.Errorf("create destination: %w", err)
		}
	case err != nil:
		return fmt.Errorf("destination: %w", err)
	}
	d, err := openDestDirs(e.opts.Dest)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	e.dest = d
	return nil
}

// local describes what is at name beneath r, hashing it when the mode and
// the object call for a checksum. A link at name is described as itself,
// never followed: a download replaces it.
func (e *Engine) local(ctx context.Context, r *os.Root, name string, obj Object) (LocalFile, error) {
	fi, err := r.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return LocalFile{}, nil
	}
	if err != nil {
		return LocalFile{}, fmt.Errorf("look at the local file: %w", rootErr(err))
	}
	local := LocalFile{Exists: true, IsDir: fi.IsDir(), Irregular: !fi.IsDir() && !fi.Mode().IsRegular(),
		Size: fi.Size(), ModTime: fi.ModTime()}
	if !NeedsLocalHash(obj, local, e.opts.Mode) {
		return local, nil
	}
	if _, ok := PlainMD5(obj.ETag); ok {
		sum, err := hashLocal(ctx, r, name, obj.Size, ObjectChecksum{Algorithm: "MD5"})
		if err != nil {
			return LocalFile{}, fmt.Errorf("read local file for checksum: %w", err)
		}
		local.MD5 = sum
		return local, nil
	}
	cs, err := e.remoteChecksum(ctx, obj)
	if err != nil {
		return LocalFile{}, err
	}
	if cs == nil {
		return local, nil // nothing to compare with: the size and time rule decides
	}
	sum, err := hashLocal(ctx, r, name, obj.Size, *cs)
	if err != nil {
		return LocalFile{}, fmt.Errorf("read local file for checksum: %w", err)
	}
	local.Sum, local.RemoteSum = sum, cs.Value
	return local, nil
}
