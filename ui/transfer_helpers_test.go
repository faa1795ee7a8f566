package ui

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
)

// writeMedia writes a few media files (two folders deep) and one file the
// media filter leaves out into dir, and returns the media by relative,
// slash-separated path.
func writeMedia(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	media := map[string][]byte{
		"a.jpg":            bytes.Repeat([]byte("jpeg-a "), 300),
		"site-1/b.png":     bytes.Repeat([]byte("png-b "), 700),
		"site-1/raw/c.mp4": bytes.Repeat([]byte("mp4-c "), 1500),
	}
	files := map[string][]byte{"notes.txt": []byte("not media")}
	for k, v := range media {
		files[k] = v
	}
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return media
}

// requireSameTree fails unless dir holds exactly want, byte for byte.
func requireSameTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	got := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		got[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	for rel, body := range want {
		if b, ok := got[rel]; !ok {
			t.Errorf("%s was not downloaded", rel)
		} else if !bytes.Equal(b, body) {
			t.Errorf("%s differs from what was uploaded (%d bytes, want %d)", rel, len(b), len(body))
		}
	}
	for rel := range got {
		if _, ok := want[rel]; !ok {
			t.Errorf("%s was downloaded but never uploaded", rel)
		}
	}
}

// memStore is an in-memory bucket: a download.Store for the proof download,
// and the target of memUpload. Refuse makes the first List calls fail as
// a key IAM has not spread yet does.
type memStore struct {
	mu     sync.Mutex
	objs   map[string][]byte
	refuse int
	lists  int
}

func newMemStore() *memStore { return &memStore{objs: map[string][]byte{}} }

var memModTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func etagOf(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func (m *memStore) put(key string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[key] = slices.Clone(b)
}

func (m *memStore) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for k := range m.objs {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (m *memStore) List(ctx context.Context, bucket, prefix string, page func([]download.Object) error) error {
	m.mu.Lock()
	m.lists++
	if m.refuse > 0 {
		m.refuse--
		m.mu.Unlock()
		return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, awsops.ErrInvalidCredentials)
	}
	var objs []download.Object
	for k, b := range m.objs {
		if strings.HasPrefix(k, prefix) {
			objs = append(objs, download.Object{Key: k, Size: int64(len(b)), ETag: etagOf(b), LastModified: memModTime})
		}
	}
	m.mu.Unlock()
	slices.SortFunc(objs, func(a, b download.Object) int { return strings.Compare(a.Key, b.Key) })
	return page(objs)
}

func (m *memStore) Get(ctx context.Context, req download.GetRequest) (*download.GetResponse, error) {
	m.mu.Lock()
	b, ok := m.objs[req.Key]
	m.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("get %q: %w", req.Key, download.ErrNoSuchKey)
	}
	end := int64(len(b))
	if req.Length > 0 {
		end = min(req.Offset+req.Length, end)
	}
	body := b[req.Offset:end]
	return &download.GetResponse{
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Size: int64(len(b)),
		ETag: etagOf(b), LastModified: memModTime,
	}, nil
}

// memUpload is an upload into a memStore with the upload engine's media filter.
type memUpload struct {
	store       *memStore
	dir, prefix string
	all         bool
	mu          sync.Mutex
	done        int64
}

func (u *memUpload) Snapshot() transfer.Snapshot {
	u.mu.Lock()
	defer u.mu.Unlock()
	return transfer.Snapshot{Stats: transfer.Stats{FilesDone: u.done, FilesTotal: u.done, ListingDone: true}}
}
func (u *memUpload) Pause()  {}
func (u *memUpload) Resume() {}

func (u *memUpload) Run(ctx context.Context) (transfer.Result, error) {
	var t transfer.Result
	err := filepath.WalkDir(u.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if !u.all && !upload.IsMedia(d.Name()) {
			t.Filtered++
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(u.dir, p)
		u.store.put(path.Join(u.prefix, filepath.ToSlash(rel)), b)
		t.Done++
		t.Bytes += int64(len(b))
		return nil
	})
	u.mu.Lock()
	u.done = t.Done
	u.mu.Unlock()
	return t, err
}

func (u *memUpload) RetryFailed(ctx context.Context) (transfer.Result, error) { return u.Run(ctx) }

// fakeTransfer is a Transfer that records what the screen asked of it.
// Run blocks until release is closed (when set) or ctx is done, so a test
// can cancel a run that is in progress without any timing.
type fakeTransfer struct {
	mu      sync.Mutex
	calls   []string
	snap    transfer.Snapshot
	res     transfer.Result
	err     error
	release chan struct{}
}

func (f *fakeTransfer) record(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeTransfer) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeTransfer) Snapshot() transfer.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}
func (f *fakeTransfer) Pause()  { f.record("Pause") }
func (f *fakeTransfer) Resume() { f.record("Resume") }

func (f *fakeTransfer) wait(ctx context.Context) (transfer.Result, error) {
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return transfer.Result{Done: 1, Bytes: 10}, ctx.Err()
		}
	}
	return f.res, f.err
}

func (f *fakeTransfer) Run(ctx context.Context) (transfer.Result, error) {
	f.record("Run")
	return f.wait(ctx)
}

func (f *fakeTransfer) RetryFailed(ctx context.Context) (transfer.Result, error) {
	f.record("RetryFailed")
	return f.wait(ctx)
}
