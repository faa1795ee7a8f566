package download

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestOrderedMD5 writes a file's parts in place from several goroutines in
// a random order and in uneven pieces, as ranged GETs do, and checks that
// the in-order hasher ends with the MD5 of the whole file.
func TestOrderedMD5(t *testing.T) {
	const size, ps = 5<<20 + 123, 1 << 20
	data := body("ordered", size)
	want := md5.Sum(data)
	for round := range 5 {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		o := newOrderedMD5(f, size, ps)
		ctx := context.Background()
		go o.run(ctx)
		parts := rand.Perm(int((size + ps - 1) / ps))
		var wg sync.WaitGroup
		for _, i := range parts {
			wg.Go(func() {
				w := fileWriter{f: f, at: true, ord: o, part: i}
				off, end := int64(i)*ps, min(int64(i+1)*ps, size)
				for off < end {
					n := min(end-off, int64(1+rand.IntN(300<<10)))
					if err := w.write(data[off:off+n], off); err != nil {
						t.Error(err)
						return
					}
					off += n
				}
			})
		}
		wg.Wait()
		got, err := o.wait()
		o.close()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != hex.EncodeToString(want[:]) {
			t.Fatalf("round %d: MD5 %s, want %x", round, got, want)
		}
	}
}

// TestOrderedMD5StopsWithContext: parts that never arrive must not hold
// the hasher once the download is given up.
func TestOrderedMD5StopsWithContext(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o := newOrderedMD5(f, 4<<20, 1<<20)
	ctx, cancel := context.WithCancel(context.Background())
	go o.run(ctx)
	w := fileWriter{f: f, at: true, ord: o, part: 1}
	if err := w.write(make([]byte, 1<<20), 1<<20); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := o.wait(); err == nil {
		t.Fatal("hasher finished without part 0")
	}
	o.close()
}
