package transfer

import "io"

// CopyBufSize is the unit of body reads and writes, progress updates and
// pause checks, in both directions.
const CopyBufSize = 256 << 10

// bufFree keeps copy buffers for reuse. Unlike a sync.Pool it is not
// emptied by every garbage collection, which with many small objects came
// round every ~100 objects and made each worker allocate (and clear) a fresh
// 256 KiB buffer: 10% of all bytes allocated in a 5,000-object sync. It
// holds at most maxFreeBufs buffers (16 MiB); past that they go to the GC.
var bufFree = make(chan *[]byte, maxFreeBufs)

const maxFreeBufs = 64

// GetBuf returns a CopyBufSize buffer from the free list, or a new one when
// the list is empty. Give it back with PutBuf.
func GetBuf() *[]byte {
	select {
	case b := <-bufFree:
		return b
	default:
		b := make([]byte, CopyBufSize)
		return &b
	}
}

// PutBuf returns b to the free list; past maxFreeBufs it goes to the GC.
func PutBuf(b *[]byte) {
	select {
	case bufFree <- b:
	default:
	}
}

// CopyRange copies the n bytes of r from off to w through one pooled
// buffer.
func CopyRange(w io.Writer, r io.ReaderAt, off, n int64) error {
	bp := GetBuf()
	defer PutBuf(bp)
	_, err := io.CopyBuffer(w, io.NewSectionReader(r, off, n), *bp)
	return err
}
