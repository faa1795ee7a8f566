package download

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"strings"

	"github.com/minio/crc64nvme"
)

// A full-object CRC (CRC32, CRC32C, CRC64NVME) can be checked on a ranged
// download without hashing the file in order: each part's CRC is computed
// by its own fetcher, in parallel, and the parts' CRCs are combined into
// the object's (zlib's crc32_combine, for any reflected CRC up to 64 bits).
// A CRC runs at several GB/s where MD5 runs at well under one, on one core.

type crcKind struct {
	width int    // 32 or 64
	poly  uint64 // reflected polynomial
	new   func() hash.Hash
}

var crc32cTable = crc32.MakeTable(crc32.Castagnoli)

// crcFor describes the combinable CRC of a checksum algorithm; ok is false
// for the others (SHA-1, SHA-256, MD5), which need the bytes in order.
func crcFor(algorithm string) (crcKind, bool) {
	switch strings.ToUpper(algorithm) {
	case "CRC32":
		return crcKind{32, crc32.IEEE, func() hash.Hash { return crc32.NewIEEE() }}, true
	case "CRC32C":
		return crcKind{32, crc32.Castagnoli, func() hash.Hash { return crc32.New(crc32cTable) }}, true
	case "CRC64NVME":
		// minio/crc64nvme folds with carry-less multiplies (PCLMULQDQ,
		// AVX-512 VPCLMULQDQ, ARM PMULL) where hash/crc64 looks up tables:
		// BenchmarkCRC64NVME.
		return crcKind{64, 0x9a6c9329ac4bc9b5, func() hash.Hash { return crc64nvme.New() }}, true
	}
	return crcKind{}, false
}

// value reads a finished part's CRC from its hash.
func (k crcKind) value(h hash.Hash) uint64 {
	b := h.Sum(nil)
	if k.width == 32 {
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

// encode is the CRC as S3 writes it: big-endian bytes in base64.
func (k crcKind) encode(crc uint64) string {
	if k.width == 32 {
		return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, uint32(crc)))
	}
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, crc))
}

// combine returns the CRC of A followed by B from crc1 = CRC(A), crc2 =
// CRC(B) and len2 = len(B).
func (k crcKind) combine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	even := make([]uint64, k.width) // operator for 2^n zero bits, even n
	odd := make([]uint64, k.width)  // operator for 2^n zero bits, odd n
	odd[0] = k.poly                 // one zero bit
	row := uint64(1)
	for n := 1; n < k.width; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(even, odd) // two zero bits
	gf2Square(odd, even) // four zero bits
	for {
		// Apply len2 zero bytes to crc1, one bit of len2 at a time.
		gf2Square(even, odd)
		if len2&1 != 0 {
			crc1 = gf2Times(even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(odd, even)
		if len2&1 != 0 {
			crc1 = gf2Times(odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat []uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat []uint64) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}
