package transfer

import (
	"encoding/hex"
	"io"
	"sync"
	"sync/atomic"

	md5simd "github.com/minio/md5-simd"
)

// MD5 is the one hash every plain-ETag object is verified with, so it is
// computed with github.com/minio/md5-simd when several bodies are hashed at
// once: one AVX2 (or AVX-512) server hashes 8 (16) streams in parallel
// lanes on one core, where crypto/md5 hashes one. A lone stream gains
// nothing from lanes and goes to crypto/md5, as does every stream on a CPU
// without AVX2 (md5-simd's own fallback).

// simdMinStreams is how many MD5 streams must be running, the new one
// included, before a new one goes to the SIMD server: below it the lanes
// would mostly run empty and crypto/md5 is faster per stream
// (BenchmarkVerifyMD5).
const simdMinStreams = 3

var (
	md5Server     md5simd.Server
	md5ServerOnce sync.Once
	md5Streams    atomic.Int32
)

// MD5 is an MD5 in progress; Close must be called once it is done with,
// whatever happened, to give its lane back.
type MD5 struct {
	md5simd.Hasher
	closed bool
}

// NewMD5 returns an MD5 hasher, from the SIMD server when enough streams
// are running to fill its lanes.
func NewMD5() *MD5 {
	if md5Streams.Add(1) >= simdMinStreams {
		md5ServerOnce.Do(func() { md5Server = md5simd.NewServer() })
		return &MD5{Hasher: md5Server.NewHash()}
	}
	return &MD5{Hasher: md5simd.StdlibHasher()}
}

// Close releases the hasher; a second Close does nothing.
func (h *MD5) Close() {
	if h == nil || h.closed {
		return
	}
	h.closed = true
	h.Hasher.Close()
	md5Streams.Add(-1)
}

// MD5Range returns the MD5 of the n bytes of r from off, read through one
// pooled buffer.
func MD5Range(r io.ReaderAt, off, n int64) ([]byte, error) {
	h := NewMD5()
	defer h.Close()
	if err := CopyRange(h, r, off, n); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// MD5RangeHex is MD5Range in hex, the form of a plain ETag.
func MD5RangeHex(r io.ReaderAt, off, n int64) (string, error) {
	sum, err := MD5Range(r, off, n)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum), nil
}
