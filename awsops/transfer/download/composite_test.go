package download

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// compositeOf is the composite checksum S3 keeps for data uploaded in parts
// of ps bytes: base64(H(H(part 1) ‖ … ‖ H(part N)))-N.
func compositeOf(alg string, data []byte, ps int) string {
	outer := newHash(alg)
	n := 0
	for off := 0; off < len(data); off += ps {
		h := newHash(alg)
		h.Write(data[off:min(off+ps, len(data))])
		outer.Write(h.Sum(nil))
		n++
	}
	return base64.StdEncoding.EncodeToString(outer.Sum(nil)) + "-" + strconv.Itoa(n)
}

// compStore is a memStore whose one object has a composite checksum and a
// multipart ETag, as S3 gives an object uploaded in parts with a checksum
// algorithm: whole-object GETs return the checksum (without the part size),
// the part size comes from firstPartSize (S3: HEAD with PartNumber=1) or,
// for a ranged download, from Checksum with it.
type compStore struct {
	*memStore
	cs       ObjectChecksum // PartSize: what part 1's HEAD tells
	mu       sync.Mutex
	partHead int // firstPartSize calls
	heads    int // Checksum calls
}

func (s *compStore) Get(ctx context.Context, req GetRequest) (*GetResponse, error) {
	r, err := s.memStore.Get(ctx, req)
	if err == nil {
		r.ETag = `"0123456789abcdef0123456789abcdef-4"`
		if !req.ranged() {
			r.Composite = &ObjectChecksum{Algorithm: s.cs.Algorithm, Value: s.cs.Value}
		}
	}
	return r, err
}

func (s *compStore) firstPartSize(context.Context, string, Object) (int64, error) {
	s.mu.Lock()
	s.partHead++
	s.mu.Unlock()
	return s.cs.PartSize, nil
}

func (s *compStore) Checksum(context.Context, string, Object) (*ObjectChecksum, error) {
	s.mu.Lock()
	s.heads++
	s.mu.Unlock()
	c := s.cs
	return &c, nil
}

// TestCompositeChecksumVerified: an object whose only checksum is composite
// (multipart ETag, no MD5) is verified part by part, in one GET and in
// ranges (ranges of one upload part, and of several upload parts each):
// right downloads, one wrong byte is refused with nothing under the final
// name, and parts that do not fit the object's size leave the size as the
// only check, reported, without failing.
func TestCompositeChecksumVerified(t *testing.T) {
	const rangePart = 128 << 10 // Options.PartSize: ranged from 256 KiB
	for _, alg := range []string{"CRC32", "CRC32C", "SHA256"} {
		for _, shape := range []struct {
			name     string
			size, ps int // object size, upload part size
		}{
			{"single GET", 200<<10 + 3, 64 << 10},
			{"ranged, a range per upload part", 1<<20 + 77, 300 << 10},
			{"ranged, upload parts split inside ranges", 1<<20 + 77, 40 << 10},
		} {
			for _, c := range []string{"right", "wrong byte", "parts do not fit"} {
				t.Run(alg+"/"+shape.name+"/"+c, func(t *testing.T) {
					data := body("comp"+alg, shape.size)
					var value string
					partSize := int64(shape.ps)
					switch c {
					case "right":
						value = compositeOf(alg, data, shape.ps)
					case "wrong byte":
						bad := bytes.Clone(data)
						bad[len(bad)/2+1] ^= 1
						value = compositeOf(alg, bad, shape.ps)
					case "parts do not fit":
						// Part 1 was bigger than the others: N parts of
						// its size are more than the object.
						value = compositeOf(alg, data, shape.ps)
						partSize = int64(shape.ps) * 2
					}
					m := &memStore{n: 1, page: 1000, reads: map[string]int{}, gen: func(int) (Object, []byte) {
						return Object{Key: "f.bin", Size: int64(len(data)), ETag: `"0123456789abcdef0123456789abcdef-4"`, LastModified: memTime}, data
					}}
					st := &compStore{memStore: m, cs: ObjectChecksum{Algorithm: alg, Value: value, PartSize: partSize}}
					dest := t.TempDir()
					_, res := runEngine(t, st, Options{Bucket: testBucket, Dest: dest, Concurrency: 4, PartSize: rangePart, Attempts: 2})
					if st.partHead+st.heads != 1 {
						t.Errorf("asked for the part size %d times (HEAD of part 1) and the checksum %d times, want one in all", st.partHead, st.heads)
					}
					if c == "wrong byte" {
						if res.FailedCount != 1 || !strings.Contains(res.Failed[0].Reason, "composite "+alg) {
							t.Fatalf("want one verification failure, got %+v", res)
						}
						if _, err := os.Stat(filepath.Join(dest, "f.bin")); !errors.Is(err, fs.ErrNotExist) {
							t.Fatalf("a refused body is on disk: %v", err)
						}
						return
					}
					if res.FailedCount != 0 || res.Done != 1 {
						t.Fatalf("%+v", res)
					}
					wantSizeOnly := int64(0)
					if c == "parts do not fit" {
						wantSizeOnly = 1
					}
					if res.SizeOnly != wantSizeOnly {
						t.Errorf("SizeOnly %d, want %d", res.SizeOnly, wantSizeOnly)
					}
					checkDest(t, dest, map[string][]byte{"f.bin": data})
				})
			}
		}
	}
}

// TestNoPartSizeAskedWithoutComposite: objects without a composite checksum
// cost no extra request.
func TestNoPartSizeAskedWithoutComposite(t *testing.T) {
	st := &countingSizer{memStore: newMemStore("a", "b", "c")}
	dest := t.TempDir()
	_, res := runEngine(t, st, Options{Bucket: testBucket, Dest: dest, Concurrency: 2})
	if res.Done != 3 || st.n != 0 {
		t.Fatalf("downloaded %d, part size asked %d times", res.Done, st.n)
	}
}

type countingSizer struct {
	*memStore
	mu sync.Mutex
	n  int
}

func (s *countingSizer) firstPartSize(context.Context, string, Object) (int64, error) {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return 1, nil
}

func TestCompositeFits(t *testing.T) {
	c := func(v string, ps int64) *ObjectChecksum {
		return &ObjectChecksum{Algorithm: "CRC32", Value: v, PartSize: ps}
	}
	for _, tt := range []struct {
		c    *ObjectChecksum
		size int64
		want bool
	}{
		{c("x-3", 10), 30, true},
		{c("x-3", 10), 21, true},
		{c("x-3", 10), 20, false},
		{c("x-3", 10), 31, false},
		{c("x-3", 0), 30, false},
		{c("x", 10), 30, false},
		{&ObjectChecksum{Algorithm: "MD5", Value: "x-3", PartSize: 10}, 30, false},
	} {
		if got := compositeFits(tt.c, tt.size); got != tt.want {
			t.Errorf("compositeFits(%+v, %d) = %v", *tt.c, tt.size, got)
		}
	}
}

// noSizer returns a composite checksum on GETs but cannot tell the part
// size: the object downloads, checked by size, and is counted so.
type noSizer struct{ *memStore }

func (s noSizer) Get(ctx context.Context, req GetRequest) (*GetResponse, error) {
	r, err := s.memStore.Get(ctx, req)
	if err == nil {
		r.ETag = `"0123456789abcdef0123456789abcdef-2"`
		r.Composite = &ObjectChecksum{Algorithm: "CRC32", Value: "AAAAAA==-2"}
	}
	return r, err
}

func TestCompositeWithoutPartSizeIsSizeOnly(t *testing.T) {
	_, res := runEngine(t, noSizer{newMemStore("a")}, Options{Bucket: testBucket, Dest: t.TempDir()})
	if res.Done != 1 || res.FailedCount != 0 || res.SizeOnly != 1 {
		t.Fatalf("%+v", res)
	}
}
