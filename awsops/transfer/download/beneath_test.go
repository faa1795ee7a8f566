//go:build linux

package download

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// snapshotTree returns every file under dir with its bytes (links as
// "-> target"), to prove a tree was left exactly as it was.
func snapshotTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			m[rel] = "-> " + l
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[rel] = string(b)
		default:
			m[rel] = fi.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%s: %d entries before, %d after: %v -> %v", what, len(before), len(after), before, after)
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %s changed: %q -> %q", what, k, v, after[k])
		}
	}
}

// A folder link inside DEST that leads out of it is never written through:
// the objects under it are skipped and reported, the outside folder stays
// byte for byte as it was, and the rest of the run (including a link that
// stays inside DEST) goes on.
func TestSyncNeverWritesThroughALinkOutOfDest(t *testing.T) {
	f := newFakeS3(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "victim.txt"), []byte("the victim's own bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshotTree(t, outside)
	base := t.TempDir()
	dest := filepath.Join(base, "dest")
	for _, d := range []string{dest, filepath.Join(dest, "real")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Symlink(outside, filepath.Join(dest, "sub")))  // leaves DEST
	must(t, os.Symlink("real", filepath.Join(dest, "alias"))) // stays inside
	// DEST itself may be a link: the person named it.
	must(t, os.Symlink(dest, filepath.Join(base, "destlink")))
	want := map[string][]byte{"ok.txt": []byte("fine"), "alias/x.txt": []byte("inside")}
	f.put("p/sub/evil.txt", []byte("evil"))
	f.put("p/sub/victim.txt", []byte("overwritten"))
	f.put("p/sub/deeper/new.txt", []byte("nope"))
	for k, b := range want {
		f.put("p/"+k, b)
	}
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: filepath.Join(base, "destlink")})
	sameTree(t, "outside folder", before, snapshotTree(t, outside))
	if res.Done != 2 || res.FailedCount < 3 {
		t.Fatalf("downloaded %d, failed %d (%+v); want 2 downloaded and the 3 under the link failed", res.Done, res.FailedCount, res.Failed)
	}
	for _, fl := range res.Failed {
		if strings.HasPrefix(fl.Key, "p/sub/") && (!strings.Contains(fl.Reason, "leads out of the destination") || strings.Contains(fl.Reason, "\n")) {
			t.Errorf("%s: reason %q, want one line saying the link leads out", fl.Key, fl.Reason)
		}
		if strings.HasPrefix(fl.Key, "p/sub/") && fl.Retryable {
			t.Errorf("%s: a link out of DEST is marked retryable", fl.Key)
		}
	}
	for k, b := range want {
		got, err := os.ReadFile(filepath.Join(dest, k))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: got %q, %v; want %q", k, got, err, b)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dest, "real", "x.txt")); err != nil || string(b) != "inside" {
		t.Errorf("the link inside DEST did not lead to real/: %q %v", b, err)
	}
}

// --checksum where the local file is a named pipe, or a link to /dev/zero
// of the object's size, neither blocks nor hashes forever: the thing is
// replaced by the object, and the run ends promptly.
func TestChecksumDoesNotHangOnSpecialFiles(t *testing.T) {
	f := newFakeS3(t)
	dest := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(dest, "empty.bin"), 0o644))
	must(t, os.Symlink("/dev/zero", filepath.Join(dest, "zero.bin")))
	f.put("p/empty.bin", nil)
	f.put("p/zero.bin", []byte("9 bytes!!")) // the link's own size
	e, err := New(f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest, Mode: Checksum})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := e.Run(ctx)
	if err != nil {
		t.Fatalf("run: %v (a hang shows as the deadline)", err)
	}
	if res.Done != 2 || res.FailedCount != 0 {
		t.Fatalf("downloaded %d failed %d %+v", res.Done, res.FailedCount, res.Failed)
	}
	for name, want := range map[string]string{"empty.bin": "", "zero.bin": "9 bytes!!"} {
		p := filepath.Join(dest, name)
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s is %v, %v; want a regular file", name, fi, err)
		}
		if b, _ := os.ReadFile(p); string(b) != want {
			t.Errorf("%s = %q, want %q", name, b, want)
		}
	}
}

// hashLocal itself refuses a named pipe without blocking and reads at most
// one byte past the expected size.
func TestHashLocalRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "grown"), []byte("0123456789"), 0o644))
	r, err := os.OpenRoot(dir)
	must(t, err)
	defer r.Close()
	done := make(chan error, 1)
	go func() {
		_, err := hashLocal(context.Background(), r, "fifo", 0, ObjectChecksum{Algorithm: "MD5"})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("hashed a named pipe")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hashing a named pipe still blocked after 10s")
	}
	if _, err := hashLocal(context.Background(), r, "grown", 4, ObjectChecksum{Algorithm: "MD5"}); !errors.Is(err, errGrew) {
		t.Errorf("a file larger than expected: %v, want errGrew", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := hashLocal(ctx, r, "grown", 10, ObjectChecksum{Algorithm: "MD5"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled hash: %v", err)
	}
}

// Named temporary files a killed run left are removed by the next run in
// the folders it works in; a person's files that merely look similar stay.
func TestStaleTempFilesAreRemoved(t *testing.T) {
	f := newFakeS3(t)
	dest := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dest, "a"), 0o755))
	stale := []string{"a/.x.jpg.s3link-3kq9z1w0abcd.part", ".top.jpg.s3link-1.part"}
	keep := []string{"a/.x.jpg.s3link-notours.txt", "a/.x.jpg.s3link-ABC.part", "a/x.s3link-abc.part", "a/notes.txt"}
	for _, p := range append(append([]string{}, stale...), keep...) {
		must(t, os.WriteFile(filepath.Join(dest, p), []byte("bytes of "+p), 0o644))
	}
	f.put("p/a/x.jpg", []byte("x"))
	f.put("p/top.jpg", []byte("t"))
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest})
	if res.Done != 2 {
		t.Fatalf("downloaded %d %+v", res.Done, res.Failed)
	}
	for _, p := range stale {
		if _, err := os.Lstat(filepath.Join(dest, p)); !os.IsNotExist(err) {
			t.Errorf("stale %s is still there (%v)", p, err)
		}
	}
	for _, p := range keep {
		if b, err := os.ReadFile(filepath.Join(dest, p)); err != nil || string(b) != "bytes of "+p {
			t.Errorf("a person's %s changed: %q %v", p, b, err)
		}
	}
}

// failingStore fails every GET of one key.
type failingStore struct {
	Store
	key string
}

func (s failingStore) Get(ctx context.Context, req GetRequest) (*GetResponse, error) {
	if req.Key == s.key {
		return nil, ErrNoSuchKey
	}
	return s.Store.Get(ctx, req)
}

// Folders made for an object that then failed are removed again when
// empty; a key too long for the filesystem makes none at all, and its
// reason does not repeat it.
func TestFailedObjectsLeaveNoFolders(t *testing.T) {
	f := newFakeS3(t)
	dest := t.TempDir()
	long := "p/deep/" + strings.Repeat("d", 200) + "/" + strings.Repeat("n", 300) + ".jpg"
	f.put(long, []byte("long"))
	f.put("p/gone/a/b/file.jpg", []byte("gone"))
	f.put("p/kept/ok.jpg", []byte("ok"))
	f.put("p/kept/sub/fails.jpg", []byte("no"))
	st := failingStore{Store: f.store(), key: "p/gone/a/b/file.jpg"}
	_, res := runEngine(t, multiFail{st, "p/kept/sub/fails.jpg"}, Options{Bucket: testBucket, Prefix: "p", Dest: dest})
	if res.Done != 1 || res.FailedCount != 3 {
		t.Fatalf("downloaded %d failed %d %+v", res.Done, res.FailedCount, res.Failed)
	}
	got := snapshotTree(t, dest)
	wantTree := map[string]string{".": got["."], "kept": got["kept"], "kept/ok.jpg": "ok"}
	sameTree(t, "destination", wantTree, got)
	for _, fl := range res.Failed {
		if fl.Key == long && strings.Contains(fl.Reason, strings.Repeat("n", 50)) {
			t.Errorf("the reason repeats the key: %q", fl.Reason)
		}
	}
}

type multiFail struct {
	Store
	key string
}

func (s multiFail) Get(ctx context.Context, req GetRequest) (*GetResponse, error) {
	if req.Key == s.key {
		return nil, ErrNoSuchKey
	}
	return s.Store.Get(ctx, req)
}

// multipartStore lists every object with a multipart-looking ETag and no
// checksum, as an object uploaded in parts by a tool that sets none.
type multipartStore struct{ Store }

func (s multipartStore) List(ctx context.Context, bucket, prefix string, page func([]Object) error) error {
	return s.Store.List(ctx, bucket, prefix, func(objs []Object) error {
		for i := range objs {
			objs[i].ETag = `"0123456789abcdef0123456789abcdef-2"`
		}
		return page(objs)
	})
}

func (s multipartStore) Checksum(context.Context, string, Object) (*ObjectChecksum, error) {
	return nil, nil
}

// --checksum is never weaker than the default: a multipart object of the
// same size but other content and another time is downloaded again, as the
// size-and-time rule would; with the same time too, both keep it.
func TestChecksumModeMultipartFallsBackToSizeAndTime(t *testing.T) {
	f := newFakeS3(t)
	dest := t.TempDir()
	f.put("p/m.bin", []byte("remote content"))
	local := filepath.Join(dest, "m.bin")
	must(t, os.WriteFile(local, []byte("LOCAL CONTENT!"), 0o644))
	must(t, os.Chtimes(local, time.Unix(1e9, 0), time.Unix(1e9, 0)))
	for _, mode := range []Mode{SizeAndTime, Checksum} {
		must(t, os.WriteFile(local, []byte("LOCAL CONTENT!"), 0o644))
		must(t, os.Chtimes(local, time.Unix(1e9, 0), time.Unix(1e9, 0)))
		_, res := runEngine(t, multipartStore{f.store()}, Options{Bucket: testBucket, Prefix: "p", Dest: dest, Mode: mode})
		if b, _ := os.ReadFile(local); res.Done != 1 || string(b) != "remote content" {
			t.Errorf("%v: downloaded %d, local %q; want the object downloaded again", mode, res.Done, b)
		}
		_, res = runEngine(t, multipartStore{f.store()}, Options{Bucket: testBucket, Prefix: "p", Dest: dest, Mode: mode})
		if res.Done != 0 || res.Skipped != 1 {
			t.Errorf("%v: second run downloaded %d skipped %d; want it kept", mode, res.Done, res.Skipped)
		}
	}
}

// A composite checksum is recomputed from parts of the listed part size.
func TestHashLocalComposite(t *testing.T) {
	dir := t.TempDir()
	content := bytes.Repeat([]byte("abcdefgh"), 3) // 24 bytes: parts of 10, 10, 4
	must(t, os.WriteFile(filepath.Join(dir, "f"), content, 0o644))
	r, err := os.OpenRoot(dir)
	must(t, err)
	defer r.Close()
	got, err := hashLocal(context.Background(), r, "f", 24, ObjectChecksum{Algorithm: "SHA256", PartSize: 10})
	must(t, err)
	if !strings.HasSuffix(got, "-3") {
		t.Fatalf("composite %q lacks -3", got)
	}
	whole, err := hashLocal(context.Background(), r, "f", 24, ObjectChecksum{Algorithm: "SHA256"})
	must(t, err)
	if strings.HasPrefix(got, whole) {
		t.Fatal("composite equals the full-object checksum")
	}
	// CRC-64/NVME's check value.
	if v := crc64.Checksum([]byte("123456789"), crc64NVME); v != 0xae8b14860a799888 {
		t.Fatalf("CRC64NVME check value %#x", v)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
