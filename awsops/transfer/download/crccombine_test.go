package download

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc64"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCRCCombine(t *testing.T) {
	data := body("crc", 3<<20+17)
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME"} {
		k, ok := crcFor(alg)
		if !ok {
			t.Fatal(alg)
		}
		whole := k.new()
		whole.Write(data)
		want := base64.StdEncoding.EncodeToString(whole.Sum(nil))
		for range 20 {
			// Random cut points, including empty parts.
			var crc uint64
			first := true
			for off := 0; off < len(data); {
				n := min(len(data)-off, rand.IntN(1<<20))
				h := k.new()
				h.Write(data[off : off+n])
				if first {
					crc, first = k.value(h), false
				} else {
					crc = k.combine(crc, k.value(h), int64(n))
				}
				off += n
			}
			if got := k.encode(crc); got != want {
				t.Fatalf("%s: combined %s, want %s", alg, got, want)
			}
		}
	}
	// The CRC64NVME implementation against the standard library's.
	k, _ := crcFor("CRC64NVME")
	fast, slow := k.new(), crc64.New(crc64NVME)
	fast.Write(data)
	slow.Write(data)
	if !bytes.Equal(fast.Sum(nil), slow.Sum(nil)) {
		t.Fatalf("crc64nvme %x, hash/crc64 %x", fast.Sum(nil), slow.Sum(nil))
	}
	if _, ok := crcFor("SHA256"); ok {
		t.Fatal("SHA256 is not combinable")
	}
}

// csStore is a memStore whose objects carry a full-object checksum, as S3
// keeps one (CRC64NVME by default since 2025).
type csStore struct {
	*memStore
	sum func(key string, data []byte) *ObjectChecksum
}

func (s *csStore) Checksum(_ context.Context, _ string, obj Object) (*ObjectChecksum, error) {
	for i := 0; i < s.n; i++ {
		if o, b := s.gen(i); o.Key == obj.Key {
			return s.sum(o.Key, b), nil
		}
	}
	return nil, ErrNoSuchKey
}

// TestRangedDownloadVerifiesCRC: a large object with a full-object CRC is
// verified with the CRC, combined from its parts, and not also with the MD5
// of its ETag; a wrong CRC is refused whatever the ETag says.
func TestRangedDownloadVerifiesCRC(t *testing.T) {
	data := body("big", 1<<20+77)
	md5ok := md5.Sum(data)
	tests := []struct {
		name   string
		etag   string
		sum    func([]byte) *ObjectChecksum
		failed bool
	}{
		{"right CRC64NVME, wrong MD5 ETag: only the CRC counts", strings.Repeat("ab", 16),
			func(b []byte) *ObjectChecksum { return crcOf("CRC64NVME", b) }, false},
		{"right CRC32C", hex.EncodeToString(md5ok[:]),
			func(b []byte) *ObjectChecksum { return crcOf("CRC32C", b) }, false},
		{"wrong CRC32, right MD5 ETag: refused", hex.EncodeToString(md5ok[:]),
			func(b []byte) *ObjectChecksum { return crcOf("CRC32", append([]byte{1}, b[1:]...)) }, true},
		{"composite CRC: the MD5 decides (right)", hex.EncodeToString(md5ok[:]),
			func([]byte) *ObjectChecksum {
				return &ObjectChecksum{Algorithm: "CRC32", Value: "AAAAAA==-3", PartSize: 512 << 10}
			}, false},
		{"composite CRC: the MD5 decides (wrong)", strings.Repeat("ab", 16),
			func([]byte) *ObjectChecksum {
				return &ObjectChecksum{Algorithm: "CRC32", Value: "AAAAAA==-3", PartSize: 512 << 10}
			}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memStore{n: 1, page: 1000, reads: map[string]int{}, gen: func(int) (Object, []byte) {
				return Object{Key: "big.bin", Size: int64(len(data)), ETag: `"` + tt.etag + `"`, LastModified: memTime}, data
			}}
			st := &csStore{memStore: m, sum: func(_ string, b []byte) *ObjectChecksum { return tt.sum(b) }}
			dest := t.TempDir()
			_, res := runEngine(t, st, Options{Bucket: testBucket, Dest: dest, Concurrency: 4, PartSize: 128 << 10, Attempts: 2})
			if tt.failed {
				if res.FailedCount != 1 || !strings.Contains(res.Failed[0].Reason, "does not match") {
					t.Fatalf("want one verification failure, got %+v", res)
				}
				if _, err := os.Stat(filepath.Join(dest, "big.bin")); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("a refused body is on disk: %v", err)
				}
				return
			}
			if res.FailedCount != 0 || res.Done != 1 {
				t.Fatalf("%+v", res)
			}
			got, err := os.ReadFile(filepath.Join(dest, "big.bin"))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("file differs (%v)", err)
			}
		})
	}
}

func crcOf(alg string, b []byte) *ObjectChecksum {
	k, _ := crcFor(alg)
	h := k.new()
	h.Write(b)
	return &ObjectChecksum{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(h.Sum(nil))}
}

// BenchmarkCRC64NVME: the ranged path's CRC64NVME (minio/crc64nvme) against
// hash/crc64, which the SDK uses for whole-object GETs.
func BenchmarkCRC64NVME(b *testing.B) {
	data := body("crc", 4<<20)
	k, _ := crcFor("CRC64NVME")
	for _, impl := range []struct {
		name string
		new  func() hash.Hash
	}{{"crc64nvme", k.new}, {"hash-crc64", func() hash.Hash { return crc64.New(crc64NVME) }}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				h := impl.new()
				for off := 0; off < len(data); off += copyBufSize {
					h.Write(data[off : off+copyBufSize])
				}
				h.Sum(nil)
			}
		})
	}
}

// TestWholeGetVerifiesReturnedChecksum: a whole-object GET that returns the
// object's CRC64NVME is checked against it (here a wrong one, whose MD5
// ETag is right: refused, nothing under the final name).
func TestWholeGetVerifiesReturnedChecksum(t *testing.T) {
	f := newFakeS3(t)
	f.checksums.Store(true)
	f.put("good.bin", body("good", 70<<10))
	f.put("bad.bin", body("bad", 70<<10))
	f.crcs.Store("bad.bin", crcOf("CRC64NVME", body("other", 70<<10)).Value)
	dest := t.TempDir()
	_, res := runEngine(t, f.store(), Options{Bucket: testBucket, Dest: dest, Concurrency: 2, Attempts: 2})
	if res.Done != 1 || res.FailedCount != 1 || res.Failed[0].Key != "bad.bin" || !strings.Contains(res.Failed[0].Reason, "CRC64NVME") {
		t.Fatalf("%+v", res)
	}
	if _, err := os.Stat(filepath.Join(dest, "bad.bin")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a refused body is on disk: %v", err)
	}
	if f.getsOf("bad.bin") != 2 {
		t.Errorf("bad.bin fetched %d times, want 2 (refetched once)", f.getsOf("bad.bin"))
	}
}
