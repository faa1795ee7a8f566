package download

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/transfertest"
)

func TestManySmallObjectsThenResyncThenChanges(t *testing.T) {
	f := newFakeS3(t)
	want := map[string][]byte{}
	for i := range 3000 {
		rel := fmt.Sprintf("d%02d/sub%d/img-%04d.jpg", i%37, i%5, i)
		b := body(rel, 100+i%900)
		f.put("shoot/"+rel, b)
		want[rel] = b
	}
	f.put("elsewhere/not-me.jpg", []byte("outside the prefix"))
	dest := t.TempDir()
	opts := Options{Bucket: testBucket, Prefix: "shoot", Dest: dest, Concurrency: 8}

	e, res := runEngine(t, f.store(), opts)
	if res.Done != 3000 || res.FailedCount != 0 || res.Skipped != 0 {
		t.Fatalf("first run: %+v", res)
	}
	if found := checkDest(t, dest, want); len(found) != 3000 {
		t.Fatalf("found %d files, want 3000", len(found))
	}
	s := e.Snapshot()
	if !s.ListingDone || s.Running || s.FilesTotal != 3000 || s.FilesDone != 3000 || s.BytesDone != s.BytesTotal || len(s.Active) != 0 {
		t.Fatalf("final snapshot: %+v", s)
	}
	if f.lists.Load() != 3 {
		t.Errorf("listed %d pages, want 3 (1000 keys per page)", f.lists.Load())
	}
	fi, err := os.Stat(filepath.Join(dest, "d00/sub0/img-0000.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(f.clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("mtime %v, want the object's LastModified %v", fi.ModTime(), f.clock.Now())
	}

	// Re-sync: nothing changed, so not a single GET.
	gets := f.gets.Load()
	_, res = runEngine(t, f.store(), opts)
	if res.Skipped != 3000 || res.Done != 0 || f.gets.Load() != gets {
		t.Fatalf("re-sync: %+v, %d GETs", res, f.gets.Load()-gets)
	}

	// A same-size rewrite (newer LastModified) and a resize are fetched again.
	f.clock.Advance(time.Hour)
	same := "d01/sub1/img-0001.jpg"
	want[same] = body("changed", len(want[same]))
	f.put("shoot/"+same, want[same])
	grown := "d02/sub2/img-0002.jpg"
	want[grown] = body("grown", len(want[grown])+10)
	f.put("shoot/"+grown, want[grown])
	gets = f.gets.Load()
	_, res = runEngine(t, f.store(), opts)
	if res.Done != 2 || res.Skipped != 2998 || f.gets.Load()-gets != 2 {
		t.Fatalf("after changes: %+v, %d GETs", res, f.gets.Load()-gets)
	}
	checkDest(t, dest, want)
}

func TestLargeObjectsUseRangedGets(t *testing.T) {
	f := newFakeS3(t)
	want := map[string][]byte{
		"big/a.tif": body("a", 3<<20+12345),
		"big/b.tif": body("b", 1<<20),   // exactly 4 parts
		"small.txt": body("s", 128<<10), // below 2×PartSize: one GET
	}
	for k, b := range want {
		f.put(k, b)
	}
	dest := t.TempDir()
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Dest: dest, Concurrency: 4, PartSize: 256 << 10})
	if res.Done != 3 || res.FailedCount != 0 {
		t.Fatalf("%+v", res)
	}
	checkDest(t, dest, want)
	if got, wantRanged := f.rangedGets.Load(), int64(13+4); got != wantRanged {
		t.Errorf("%d ranged GETs, want %d", got, wantRanged)
	}
	if f.getsOf("small.txt") != 1 {
		t.Errorf("small object took %d GETs", f.getsOf("small.txt"))
	}
}

func TestUntrustedKeys(t *testing.T) {
	f := newFakeS3(t)
	good := map[string][]byte{
		"with space.jpg":   []byte("1"),
		"ünïcødé/日本.png":   []byte("2"),
		"a..b":             []byte("3"),
		"..hidden":         []byte("4"),
		`back\slash..\x`:   []byte("5"),
		"folder/inner.txt": []byte("7"),
	}
	for k, b := range good {
		f.put(k, b)
	}
	bad := []string{"../x", "a/../../y", "/abs", "x//y", "./dot"}
	for _, k := range bad {
		f.put(k, []byte("must not be written"))
	}
	// A file and a folder of the same name: whichever comes second fails
	// (workers race), and is reported rather than crashing the run.
	f.put("conflict/a", []byte("6"))
	f.put("conflict/a/b", []byte("8"))
	f.put("empty-dir/", nil)
	f.put("folder/", nil)

	root := t.TempDir()
	dest := filepath.Join(root, "dest")
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Dest: dest, Concurrency: 4})
	if res.Done != int64(len(good))+1 || res.Dirs != 2 {
		t.Errorf("downloaded %d, dirs %d: %+v", res.Done, res.Dirs, res)
	}
	failed := map[string]string{}
	for _, fl := range res.Failed {
		failed[fl.Key] = fl.Reason
		if strings.ContainsAny(fl.Reason, "\n\r") || fl.Reason == "" {
			t.Errorf("reason for %q is not one line: %q", fl.Key, fl.Reason)
		}
	}
	for _, k := range bad {
		if _, ok := failed[k]; !ok {
			t.Errorf("key %q was not reported as failed", k)
		}
	}
	_, aFailed := failed["conflict/a"]
	_, bFailed := failed["conflict/a/b"]
	if aFailed == bFailed {
		t.Errorf("want exactly one of the conflicting keys to fail: %v", failed)
	}
	if len(failed) != len(bad)+1 || res.FailedCount != int64(len(bad))+1 {
		t.Errorf("failures: %v", failed)
	}
	if fi, err := os.Stat(filepath.Join(dest, "empty-dir")); err != nil || !fi.IsDir() {
		t.Errorf("directory marker not made into a folder: %v", err)
	}
	// Nothing may appear beside dest.
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("something was written outside dest: %v", entries)
	}
	if aFailed {
		good["conflict/a/b"] = []byte("8")
	} else {
		good["conflict/a"] = []byte("6")
	}
	if found := checkDest(t, dest, good); len(found) != len(good) {
		t.Errorf("found %v", found)
	}
}

func TestFaults(t *testing.T) {
	objects := map[string][]byte{}
	for i := range 12 {
		objects[fmt.Sprintf("small/%02d.bin", i)] = body(fmt.Sprint(i), 40<<10+i)
	}
	objects["large/x.bin"] = body("x", 1<<20+77)
	objects["large/y.bin"] = body("y", 700<<10)

	firstOnly := func(fl fault) func(string, int64) fault {
		return func(_ string, n int64) fault {
			if n == 1 {
				return fl
			}
			return faultNone
		}
	}
	always := func(fl fault) func(string, int64) fault {
		return func(string, int64) fault { return fl }
	}
	// resumed checks that a broken body was resumed, not fetched again: two
	// GETs per small object, the second one a range.
	resumed := func(t *testing.T, f *fakeS3) {
		for k := range objects {
			if strings.HasPrefix(k, "small/") && f.getsOf(k) != 2 {
				t.Errorf("%s: %d GETs, want 2", k, f.getsOf(k))
			}
		}
		if f.rangedGets.Load() < 12 {
			t.Errorf("only %d ranged GETs: bodies were not resumed", f.rangedGets.Load())
		}
	}
	refetched := func(t *testing.T, f *fakeS3) {
		for k := range objects {
			if strings.HasPrefix(k, "small/") && f.getsOf(k) != 2 {
				t.Errorf("%s: %d GETs, want 2", k, f.getsOf(k))
			}
		}
	}
	tests := []struct {
		name       string
		decide     func(string, int64) fault
		wantFailed int
		check      func(*testing.T, *fakeS3)
	}{
		{"reset once", firstOnly(faultReset), 0, resumed},
		{"slowdown twice", func(_ string, n int64) fault {
			if n <= 2 {
				return faultSlowDown
			}
			return faultNone
		}, 0, nil},
		{"truncate once", firstOnly(faultTruncate), 0, resumed},
		{"flip once", firstOnly(faultFlip), 0, refetched},
		{"latency", always(faultLatency), 0, nil},
		{"stall once", firstOnly(faultStall), 0, resumed},
		{"flip always", always(faultFlip), len(objects), nil},
		{"reset always", always(faultReset), len(objects), nil},
		{"slowdown always", always(faultSlowDown), len(objects), nil},
	}
	// Each fault with plain-MD5 ETags only, and with a CRC64NVME on every
	// whole-object GET (checked instead of the MD5).
	for _, sums := range []bool{false, true} {
		for _, tt := range tests {
			name := tt.name
			if sums {
				name += ", with CRC64NVME"
			}
			t.Run(name, func(t *testing.T) {
				f := newFakeS3(t)
				f.checksums.Store(sums)
				for k, b := range objects {
					f.put(k, b)
				}
				f.setFaults(tt.decide)
				dest := t.TempDir()
				_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Dest: dest, Concurrency: 4, PartSize: 128 << 10, Attempts: 3, StallTimeout: 500 * time.Millisecond})
				if int(res.FailedCount) != tt.wantFailed || int(res.Done) != len(objects)-tt.wantFailed {
					t.Fatalf("downloaded %d, failed %d (%v)", res.Done, res.FailedCount, res.Failed)
				}
				for _, fl := range res.Failed {
					if !fl.Retryable {
						t.Errorf("%s: failure not marked retryable: %s", fl.Key, fl.Reason)
					}
				}
				// Every file present is byte-exact; the failed ones are absent.
				found := checkDest(t, dest, objects)
				if len(found) != len(objects)-tt.wantFailed {
					t.Errorf("%d files on disk, want %d", len(found), len(objects)-tt.wantFailed)
				}
				if tt.check != nil {
					tt.check(t, f)
				}
			})
		}
	}
}

func TestCancelLeavesNoPartialFiles(t *testing.T) {
	f := newFakeS3(t)
	want := map[string][]byte{}
	for i := range 200 {
		k := fmt.Sprintf("f/%03d.bin", i)
		want[k] = body(k, 64<<10)
		f.put(k, want[k])
	}
	want["f/big.bin"] = body("big", 4<<20)
	f.put("f/big.bin", want["f/big.bin"])
	f.setFaults(func(string, int64) fault { return faultLatency })
	dest := t.TempDir()
	e, err := New(f.store(), Options{Bucket: testBucket, Dest: dest, Concurrency: 4, PartSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var res Result
	go func() {
		var err error
		res, err = e.Run(ctx)
		done <- err
	}()
	transfertest.WaitFor(t, 60*time.Second, "10 files done", func() bool { return e.Snapshot().FilesDone >= 10 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("run ended with %v, want context.Canceled", err)
	}
	if res.Done >= int64(len(want)) {
		t.Fatalf("cancel came too late to test anything: %+v", res)
	}
	found := checkDest(t, dest, want)
	if int64(len(found)) != res.Done {
		t.Errorf("%d files on disk, result says %d downloaded", len(found), res.Done)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFakeS3(t)
	for i := range 50 {
		f.put(fmt.Sprintf("p/%d.jpg", i), body(fmt.Sprint(i), 1000))
	}
	f.put("p/dir/", nil)
	dest := filepath.Join(t.TempDir(), "not-yet")
	var planned atomic.Int64
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p/", Dest: dest, DryRun: true,
		OnPlan: func(p Planned) {
			if p.Reason != transfer.ReasonNew || p.Size != 1000 || !strings.HasPrefix(p.Path, dest) {
				t.Errorf("plan %+v", p)
			}
			planned.Add(1)
		}})
	if res.Done != 50 || res.Bytes != 50*1000 || !res.DryRun || planned.Load() != 50 {
		t.Errorf("%+v, planned %d", res, planned.Load())
	}
	if f.gets.Load() != 0 {
		t.Errorf("dry run made %d GETs", f.gets.Load())
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("dry run created the destination: %v", err)
	}
}

func TestIncludeExclude(t *testing.T) {
	f := newFakeS3(t)
	keys := []string{"p/a.jpg", "p/a.png", "p/raw/b.jpg", "p/raw/deep/c.jpg", "p/raw/deep/c.tif", "p/tmp/d.jpg"}
	for _, k := range keys {
		f.put(k, []byte(k))
	}
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
	}{
		{"all", nil, nil, []string{"a.jpg", "a.png", "raw/b.jpg", "raw/deep/c.jpg", "raw/deep/c.tif", "tmp/d.jpg"}},
		{"base name at any depth", []string{"*.jpg"}, nil, []string{"a.jpg", "raw/b.jpg", "raw/deep/c.jpg", "tmp/d.jpg"}},
		{"doublestar", []string{"raw/**"}, nil, []string{"raw/b.jpg", "raw/deep/c.jpg", "raw/deep/c.tif"}},
		{"doublestar middle", []string{"raw/**/*.jpg"}, nil, []string{"raw/b.jpg", "raw/deep/c.jpg"}},
		{"exclude folder", nil, []string{"tmp/**"}, []string{"a.jpg", "a.png", "raw/b.jpg", "raw/deep/c.jpg", "raw/deep/c.tif"}},
		{"both", []string{"*.jpg"}, []string{"raw/deep/*"}, []string{"a.jpg", "raw/b.jpg", "tmp/d.jpg"}},
		{"one level", []string{"raw/*"}, nil, []string{"raw/b.jpg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := t.TempDir()
			_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Prefix: "p", Dest: dest, Include: tt.include, Exclude: tt.exclude})
			want := map[string][]byte{}
			for _, w := range tt.want {
				want[w] = []byte("p/" + w)
			}
			found := checkDest(t, dest, want)
			if len(found) != len(tt.want) || res.Done != int64(len(tt.want)) {
				t.Errorf("got %v, want %v", found, tt.want)
			}
		})
	}
	if _, err := New(f.store(), Options{Bucket: testBucket, Dest: "x", Include: []string{"[z-"}}); err == nil {
		t.Error("bad pattern accepted")
	}
}

func TestChecksumModeAndLocalConflicts(t *testing.T) {
	f := newFakeS3(t)
	content := body("c", 5000)
	f.put("same-size.bin", content)
	f.put("dir-in-the-way", []byte("x"))
	dest := t.TempDir()
	opts := Options{Bucket: testBucket, Dest: dest}
	runEngine(t, f.store(), opts)

	// Same size, same mtime, different bytes: only checksum mode notices.
	p := filepath.Join(dest, "same-size.bin")
	fi, _ := os.Stat(p)
	if err := os.WriteFile(p, body("other", 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	os.Remove(filepath.Join(dest, "dir-in-the-way"))
	os.MkdirAll(filepath.Join(dest, "dir-in-the-way", "keep"), 0o755)

	_, res := runEngine(t, f.store(), opts)
	if res.Done != 0 || res.Skipped != 1 || res.FailedCount != 1 {
		t.Fatalf("size-and-time: %+v", res)
	}
	if res.Failed[0].Key != "dir-in-the-way" || !strings.Contains(res.Failed[0].Reason, "directory is in the way") {
		t.Errorf("failure %+v", res.Failed[0])
	}
	opts.Mode = Checksum
	_, res = runEngine(t, f.store(), opts)
	if res.Done != 1 {
		t.Fatalf("checksum mode: %+v", res)
	}
	if b, _ := os.ReadFile(p); string(b) != string(content) {
		t.Error("checksum mode did not restore the content")
	}
	gets := f.gets.Load()
	_, res = runEngine(t, f.store(), opts)
	if res.Skipped != 1 || f.gets.Load() != gets {
		t.Errorf("checksum re-sync: %+v", res)
	}
}

func TestRetryFailed(t *testing.T) {
	f := newFakeS3(t)
	want := map[string][]byte{"ok.jpg": []byte("fine"), "flaky.jpg": body("flaky", 3000)}
	for k, b := range want {
		f.put(k, b)
	}
	f.put("../escape", []byte("no"))
	var broken atomic.Bool
	broken.Store(true)
	f.setFaults(func(key string, _ int64) fault {
		if key == "flaky.jpg" && broken.Load() {
			return faultSlowDown
		}
		return faultNone
	})
	dest := t.TempDir()
	e, err := New(f.store(), Options{Bucket: testBucket, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background())
	if err != nil || res.Done != 1 || res.FailedCount != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	broken.Store(false)
	lists := f.lists.Load()
	res, err = e.RetryFailed(context.Background())
	if err != nil || res.Done != 1 || res.FailedCount != 1 || res.Failed[0].Key != "../escape" {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if f.lists.Load() != lists {
		t.Error("RetryFailed listed again")
	}
	checkDest(t, dest, want)
}

func TestLeftoverTempFilesAreIgnored(t *testing.T) {
	f := newFakeS3(t)
	f.put("a.jpg", []byte("aaa"))
	dest := t.TempDir()
	stale := filepath.Join(dest, ".a.jpg.s3link-123456.part")
	os.WriteFile(stale, []byte("half"), 0o644)
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Dest: dest})
	if res.Done != 1 {
		t.Fatalf("%+v", res)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "a.jpg")); string(b) != "aaa" {
		t.Errorf("a.jpg = %q", b)
	}
}

func TestDestIsAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	os.WriteFile(p, nil, 0o644)
	e, err := New(newMemStore(), Options{Bucket: "b", Dest: p})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(context.Background()); !errors.Is(err, ErrDestNotDir) {
		t.Errorf("err = %v", err)
	}
}
