package emulator

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"sync"
)

// DemoFile is one generated demo image.
type DemoFile struct {
	// Name is the path relative to the demo prefix, e.g. "site-03/img-0042.jpg".
	Name string
	Body []byte
}

// DemoImages generates n deterministic JPEG images spread over a few folders.
// They look like aerial survey tiles (smooth terrain with noise), so the
// sandbox's sync has real media of realistic, varied sizes to move.
//
// Encoding is the slow part, so only a few distinct tiles are drawn (in
// parallel) and the rest reuse them with a unique trailer after the JPEG's
// end marker, which decoders ignore: every object still has its own bytes.
func DemoImages(n int, seed uint64) []DemoFile {
	tiles := make([][]byte, min(n, distinctTiles))
	var wg sync.WaitGroup
	for i := range tiles {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			tiles[i] = terrain(320+rng.IntN(3)*160, 240+rng.IntN(3)*120, rng)
		})
	}
	wg.Wait()
	files := make([]DemoFile, 0, n)
	for i := range n {
		base := tiles[i%len(tiles)]
		body := make([]byte, 0, len(base)+32)
		body = append(body, base...)
		body = fmt.Appendf(body, "s3link demo tile %d", i+1)
		files = append(files, DemoFile{Name: fmt.Sprintf("site-%02d/tile-%04d.jpg", i%8+1, i+1), Body: body})
	}
	return files
}

const distinctTiles = 24

func terrain(w, h int, rng *rand.Rand) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fx, fy := 2+rng.Float64()*6, 2+rng.Float64()*6
	phase := rng.Float64() * math.Pi * 2
	for y := range h {
		for x := range w {
			v := math.Sin(float64(x)/float64(w)*fx+phase)*math.Cos(float64(y)/float64(h)*fy) + rng.Float64()*0.35
			g := uint8(90 + 60*v)
			img.Set(x, y, color.RGBA{R: g / 2, G: g, B: uint8(60 + 40*v), A: 255})
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes()
}
