package cli

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer/download"
)

// memObjects is a download.Store in memory: key -> body. served, when set
// for a key, is what a GET returns instead, while the listing keeps the
// ETag of the real body (a body damaged on the way).
type memObjects struct {
	bodies map[string][]byte
	served map[string][]byte
}

var memModified = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func etag(b []byte) string { s := md5.Sum(b); return `"` + hex.EncodeToString(s[:]) + `"` }

func (m *memObjects) List(ctx context.Context, _, prefix string, page func([]download.Object) error) error {
	var keys []string
	for k := range m.bodies {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var objs []download.Object
	for _, k := range keys {
		objs = append(objs, download.Object{Key: k, Size: int64(len(m.bodies[k])), ETag: etag(m.bodies[k]), LastModified: memModified})
	}
	return page(objs)
}

func (m *memObjects) Get(_ context.Context, req download.GetRequest) (*download.GetResponse, error) {
	b := m.bodies[req.Key]
	if s, ok := m.served[req.Key]; ok {
		b = s
	}
	end := int64(len(b))
	if req.Length > 0 {
		end = req.Offset + req.Length
	}
	part := b[req.Offset:end]
	return &download.GetResponse{
		Body: io.NopCloser(bytes.NewReader(part)), ContentLength: int64(len(part)), Size: int64(len(b)),
		ETag: etag(m.bodies[req.Key]), LastModified: memModified,
	}, nil
}

// TestSyncThroughTheFactory runs the sync command on a store the Factory
// hands it: the files arrive byte for byte, and a body that does not match
// its plain-MD5 ETag is refused, named, and never left under its name.
func TestSyncThroughTheFactory(t *testing.T) {
	e := newFakeEnv(t)
	good := []byte(strings.Repeat("frame ", 5000))
	e.store = &memObjects{
		bodies: map[string][]byte{
			"photos/a.jpg":     good,
			"photos/day/b.jpg": []byte("second image"),
			"photos/c.jpg":     []byte("the real bytes"),
			"other/x.jpg":      []byte("outside the prefix"),
		},
		served: map[string][]byte{"photos/c.jpg": []byte("the real byteZ")},
	}
	dest := e.path("out")
	code, out, errOut := e.run("sync", "--json", "s3://media/photos", dest)
	if code != 1 {
		t.Fatalf("exit %d, want 1 for one refused body\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var rep struct {
		Downloaded  int64 `json:"downloaded"`
		FailedCount int64 `json:"failedCount"`
		Failed      []struct{ Key, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not the sync report: %v\n%s", err, out)
	}
	if rep.Downloaded != 2 || rep.FailedCount != 1 || len(rep.Failed) != 1 || rep.Failed[0].Key != "photos/c.jpg" {
		t.Fatalf("report = %+v, want 2 downloaded and photos/c.jpg failed", rep)
	}
	for name, want := range map[string][]byte{"a.jpg": good, "day/b.jpg": []byte("second image")} {
		got, err := os.ReadFile(filepath.Join(dest, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, %v; want the object's %d bytes", name, len(got), err, len(want))
		}
	}
	if _, err := os.Lstat(filepath.Join(dest, "c.jpg")); err == nil {
		t.Error("the damaged body was left under its final name")
	}
	if _, err := os.Lstat(filepath.Join(dest, "..", "x.jpg")); err == nil {
		t.Error("an object outside the prefix was downloaded")
	}
}
