package download

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// headAPI answers HEADs as S3 does for a composite-checksum object: in
// checksum mode the "…-N" value, and with PartNumber=1 part 1's length.
type headAPI struct {
	S3API
	partSize  int64
	heads     []*s3.HeadObjectInput
	composite bool
	partErr   error
}

func (h *headAPI) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	h.heads = append(h.heads, in)
	if in.PartNumber != nil {
		if h.partErr != nil {
			return nil, h.partErr
		}
		return &s3.HeadObjectOutput{ContentLength: aws.Int64(h.partSize), PartsCount: aws.Int32(3)}, nil
	}
	if !h.composite {
		return &s3.HeadObjectOutput{ChecksumCRC64NVME: aws.String("AAAAAAAAAAA="), ChecksumType: types.ChecksumTypeFullObject}, nil
	}
	return &s3.HeadObjectOutput{ChecksumCRC32C: aws.String("AAAAAA==-3"), ChecksumType: types.ChecksumTypeComposite}, nil
}

func TestS3StoreCompositeHeads(t *testing.T) {
	ctx := context.Background()
	multipart := Object{Key: "k", Size: 25, ETag: `"0123456789abcdef0123456789abcdef-3"`}
	// Ranged: one HEAD, then part 1's for the part size.
	api := &headAPI{partSize: 10, composite: true}
	c, _, err := NewS3Store(api).rangedHead(ctx, "b", multipart)
	if err != nil || c == nil || c.PartSize != 10 || c.Algorithm != "CRC32C" || len(api.heads) != 2 ||
		aws.ToInt32(api.heads[1].PartNumber) != 1 || aws.ToString(api.heads[1].IfMatch) != multipart.ETag {
		t.Fatalf("composite ranged head: %+v, %v, %d heads", c, err, len(api.heads))
	}
	// A plain-MD5 ETag verifies instead: no HEAD of part 1.
	api = &headAPI{partSize: 10, composite: true}
	plain := multipart
	plain.ETag = `"0123456789abcdef0123456789abcdef"`
	if c, _, _ := NewS3Store(api).rangedHead(ctx, "b", plain); c != nil || len(api.heads) != 1 {
		t.Fatalf("plain ETag: %+v, %d heads", c, len(api.heads))
	}
	// A full-object checksum: one HEAD.
	api = &headAPI{}
	if c, _, _ := NewS3Store(api).rangedHead(ctx, "b", multipart); c == nil || c.Algorithm != "CRC64NVME" || len(api.heads) != 1 {
		t.Fatalf("full-object: %+v, %d heads", c, len(api.heads))
	}
	// Part 1's HEAD fails: the checksum comes back without a part size,
	// which the engine counts as checked by size.
	api = &headAPI{composite: true, partErr: errors.New("boom")}
	if c, _, err := NewS3Store(api).rangedHead(ctx, "b", multipart); err != nil || c == nil || c.PartSize != 0 || compositeFits(c, multipart.Size) {
		t.Fatalf("failed part head: %+v, %v", c, err)
	}
	// --checksum drops a composite checksum whose parts do not fit.
	api = &headAPI{partSize: 20, composite: true}
	if c, err := NewS3Store(api).Checksum(ctx, "b", multipart); c != nil || err != nil {
		t.Fatalf("unfit composite kept: %+v, %v", c, err)
	}
	// GET: a composite value is told apart from a full-object one.
	if full, comp := getChecksum(&s3.GetObjectOutput{ChecksumSHA256: aws.String("x-2"), ChecksumType: types.ChecksumTypeComposite}); full != nil || comp == nil || comp.Algorithm != "SHA256" {
		t.Fatalf("composite GET: %+v %+v", full, comp)
	}
	if full, comp := getChecksum(&s3.GetObjectOutput{ChecksumCRC32: aws.String("AAAAAA==")}); full == nil || comp != nil {
		t.Fatalf("full-object GET: %+v %+v", full, comp)
	}
}
