package download

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Engine benchmarks against the in-process server; compare runs with
// benchstat. bench/run.sh measures against a real server and other tools.

func benchSync(b *testing.B, n, size int, opts Options, resync bool) {
	f := newFakeS3(b)
	for i := range n {
		k := fmt.Sprintf("b/%02d/%05d.bin", i%50, i)
		f.put(k, body(k, size))
	}
	opts.Bucket = testBucket
	b.SetBytes(int64(n * size))
	b.ReportAllocs()
	root := b.TempDir()
	if resync {
		opts.Dest = filepath.Join(root, "d")
		runEngine(b, f.store(), opts)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !resync {
			opts.Dest = filepath.Join(root, fmt.Sprint(i))
		}
		e, err := New(f.store(), opts)
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.Run(context.Background())
		if err != nil || res.FailedCount != 0 || res.Done+res.Skipped != int64(n) {
			b.Fatalf("%+v %v", res, err)
		}
		if !resync {
			b.StopTimer()
			os.RemoveAll(opts.Dest)
			b.StartTimer()
		}
	}
}

func BenchmarkSmallObjects(b *testing.B) {
	for _, c := range []int{8, 16, 32} {
		b.Run(fmt.Sprintf("c%d", c), func(b *testing.B) {
			benchSync(b, 1000, 32<<10, Options{Concurrency: c}, false)
		})
	}
}

func BenchmarkLargeObjects(b *testing.B) {
	for _, ps := range []int64{4 << 20, 8 << 20, 16 << 20} {
		b.Run(fmt.Sprintf("part%dMiB", ps>>20), func(b *testing.B) {
			benchSync(b, 2, 64<<20, Options{PartSize: ps}, false)
		})
	}
}

func BenchmarkNoopResync(b *testing.B) {
	benchSync(b, 5000, 1<<10, Options{}, true)
}
