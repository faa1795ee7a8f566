package download

import (
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

// md5Hasher is an MD5 in progress; Close must be called once it is done
// with, whatever happened, to give its lane back.
type md5Hasher struct {
	md5simd.Hasher
	closed bool
}

// newMD5 returns an MD5 hasher, from the SIMD server when enough streams
// are running to fill its lanes.
func newMD5() *md5Hasher {
	if md5Streams.Add(1) >= simdMinStreams {
		md5ServerOnce.Do(func() { md5Server = md5simd.NewServer() })
		return &md5Hasher{Hasher: md5Server.NewHash()}
	}
	return &md5Hasher{Hasher: md5simd.StdlibHasher()}
}

// Close releases the hasher; a second Close does nothing.
func (h *md5Hasher) Close() {
	if h == nil || h.closed {
		return
	}
	h.closed = true
	h.Hasher.Close()
	md5Streams.Add(-1)
}
