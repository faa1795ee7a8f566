package download

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/s3link/s3link/awsops/transfer"
)

// MaxDeleteError means Options.Delete found more files to delete than
// Options.MaxDelete allows; nothing was deleted.
type MaxDeleteError struct {
	Would, Max int
}

func (e *MaxDeleteError) Error() string {
	return fmt.Sprintf("%d local files are not in the listing, more than the limit of %d; deleted none", e.Would, e.Max)
}

// deleteExtraneous removes (in a dry run: only lists) the regular files
// beneath the destination that the listing did not name, as aws s3 sync
// --delete does. It runs only after a complete listing. Only what the
// filter selects is considered, so an excluded file stays; links,
// directories and anything else that is not a regular file are never
// touched, nothing is reached through a link (the walk is beneath the
// destination's os.Root and does not descend into links), and the engine's
// own temporary files are left to the stale-file sweep.
func (e *Engine) deleteExtraneous(ctx context.Context) error {
	if e.dest == nil {
		return nil // a dry run into a folder that does not exist yet
	}
	var extra []string
	err := fs.WalkDir(e.dest.root.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			if rel == "." {
				return err
			}
			return nil // an unreadable folder: its files are not seen, so not deleted
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !d.Type().IsRegular() || IsTempName(d.Name()) {
			return nil
		}
		if _, listed := e.listed[rel]; listed || !e.filter.Match(rel) {
			return nil
		}
		extra = append(extra, rel)
		return nil
	})
	if err != nil {
		return fmt.Errorf("look for files to delete: %w", err)
	}
	if e.opts.MaxDelete >= 0 && len(extra) > e.opts.MaxDelete {
		return &MaxDeleteError{Would: len(extra), Max: e.opts.MaxDelete}
	}
	for _, rel := range extra {
		p := filepath.Join(e.opts.Dest, filepath.FromSlash(rel))
		if !e.opts.DryRun {
			// Remove unlinks the name itself: were it replaced by a link
			// since the walk, the link goes, never its target.
			if err := e.dest.root.Remove(filepath.FromSlash(rel)); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				e.deleteFailed = append(e.deleteFailed, transfer.Failure{Key: rel, Reason: transfer.OneLine(rootErr(err))})
				continue
			}
		}
		e.deleted = append(e.deleted, p)
	}
	return nil
}

// listedRel remembers a listed key's path below the destination, for
// deleteExtraneous.
func (e *Engine) listedRel(rel string) {
	if e.listed != nil && !strings.HasSuffix(rel, "/") {
		e.listed[rel] = struct{}{}
	}
}
