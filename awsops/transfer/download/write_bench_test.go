package download

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"hash"
	"sync"
	"testing"
	"time"

	md5simd "github.com/minio/md5-simd"
	"github.com/s3link/s3link/awsops/transfer"
)

// BenchmarkVerifyMD5 hashes streams bodies of 4 MiB at once, in the
// engine's 256 KiB buffers, with crypto/md5 and with one md5-simd server
// (what newMD5 picks between). MB/s is the total over all streams.
func BenchmarkVerifyMD5(b *testing.B) {
	const size = 4 << 20
	data := body("md5", size)
	srv := md5simd.NewServer()
	defer srv.Close()
	impls := []struct {
		name string
		new  func() (hash.Hash, func())
	}{
		{"crypto", func() (hash.Hash, func()) { return md5.New(), func() {} }},
		{"simd", func() (hash.Hash, func()) { h := srv.NewHash(); return h, h.Close }},
		{"engine", func() (hash.Hash, func()) { h := transfer.NewMD5(); return h, h.Close }},
	}
	for _, impl := range impls {
		for _, streams := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("%s/streams%d", impl.name, streams), func(b *testing.B) {
				b.SetBytes(int64(streams * size))
				b.ReportAllocs()
				for b.Loop() {
					var wg sync.WaitGroup
					for range streams {
						wg.Go(func() {
							h, done := impl.new()
							defer done()
							for off := 0; off < size; off += copyBufSize {
								h.Write(data[off : off+copyBufSize])
							}
							h.Sum(nil)
						})
					}
					wg.Wait()
				}
			})
		}
	}
}

// BenchmarkWriteObject is the engine's local path for one object, without
// the network: temporary file beneath the destination, body copied through
// the pooled buffer (MD5-hashed when the object is a plain-MD5 one, as
// without an SDK checksum), time set, file linked into place. allocs/op and
// the system calls behind it are what this measures; the disk's speed is
// bench/run.sh's business.
func BenchmarkWriteObject(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
		md5  bool
	}{{"small32KiB", 32 << 10, false}, {"small32KiB-md5", 32 << 10, true}, {"large8MiB", 8 << 20, false}, {"large8MiB-md5", 8 << 20, true}} {
		b.Run(c.name, func(b *testing.B) {
			dest := b.TempDir()
			e, err := New(nil, Options{Bucket: testBucket, Dest: dest})
			if err != nil {
				b.Fatal(err)
			}
			if err := e.prepareDest(); err != nil {
				b.Fatal(err)
			}
			defer e.dest.close()
			h, _, err := e.dest.acquire(".")
			if err != nil {
				b.Fatal(err)
			}
			data := body("w", c.size)
			ctx := context.Background()
			mtime := time.Unix(1700000000, 0)
			b.SetBytes(int64(c.size))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// A fresh name every time: the cold path, linked into place
				// without replacing anything.
				base := fmt.Sprintf("f%07d", i)
				i++
				tf, err := e.openTemp(h, base)
				if err != nil {
					b.Fatal(err)
				}
				tr := e.p.Begin(0, base, int64(c.size))
				var hh *transfer.MD5
				if c.md5 {
					hh = transfer.NewMD5()
				}
				_, guard := e.watch(ctx)
				if _, err := e.copyBody(ctx, fileWriter{f: tf.f}, 0, bytes.NewReader(data), hashOrNil(hh), tr, guard); err != nil {
					b.Fatal(err)
				}
				guard.stop()
				if hh != nil {
					hh.Sum(nil)
					hh.Close()
				}
				e.p.End(0)
				if err := tf.commit(base, mtime); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
