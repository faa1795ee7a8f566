// Command mkdata writes a benchmark data set: n files of random bytes in
// nested folders, sizes fixed or spread uniformly between -min and -max,
// reproducible from -seed.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "", "output folder")
	n := flag.Int("n", 0, "number of files")
	minSize := flag.Int64("min", 32<<10, "smallest file size")
	maxSize := flag.Int64("max", 32<<10, "largest file size")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, 7))
	var key [32]byte
	key[0] = byte(*seed)
	stream := rand.NewChaCha8(key)
	buf := make([]byte, 1<<20)
	for i := range *n {
		size := *minSize
		if *maxSize > *minSize {
			size += rng.Int64N(*maxSize - *minSize + 1)
		}
		p := filepath.Join(*dir, fmt.Sprintf("d%02d", i%20), fmt.Sprintf("e%d", i%7), fmt.Sprintf("f%06d.bin", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			panic(err)
		}
		f, err := os.Create(p)
		if err != nil {
			panic(err)
		}
		for left := size; left > 0; {
			k := min(left, int64(len(buf)))
			stream.Read(buf[:k])
			if _, err := f.Write(buf[:k]); err != nil {
				panic(err)
			}
			left -= k
		}
		if err := f.Close(); err != nil {
			panic(err)
		}
	}
}
