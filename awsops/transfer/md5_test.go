package transfer

import (
	"encoding/hex"
	"testing"
)

// TestMD5StreamsBalance: every hasher handed out is given back, whichever
// implementation it came from.
func TestMD5StreamsBalance(t *testing.T) {
	before := md5Streams.Load()
	var hs []*MD5
	for range 2 * simdMinStreams {
		h := NewMD5()
		h.Write([]byte("abc"))
		hs = append(hs, h)
	}
	for _, h := range hs {
		if got := hex.EncodeToString(h.Sum(nil)); got != "900150983cd24fb0d6963f7d28e17f72" {
			t.Errorf("MD5(abc) = %s", got)
		}
		h.Close()
		h.Close() // twice is harmless
	}
	if got := md5Streams.Load(); got != before {
		t.Fatalf("%d streams counted after closing all, want %d", got, before)
	}
}
