package download

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer"
)

// S3API is the part of *s3.Client the store uses.
type S3API interface {
	transfer.S3Reader
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3Store is the Store over Amazon S3 (or anything that speaks its API).
type S3Store struct {
	api S3API
}

// NewS3Store returns a Store reading through api, normally a client from
// NewS3Client.
func NewS3Store(api S3API) *S3Store { return &S3Store{api: api} }

// MaxRequestAttempts bounds the SDK's retries of one request (throttling,
// 5xx, resets before the body). Body failures are resumed by the engine.
const MaxRequestAttempts = transfer.MaxRequestAttempts

// NewS3Client returns the kernel's S3 client tuned for downloads
// (transfer.NewS3Client): many parallel GETs, bodies as stored, and
// checksum validation only when asked per request.
func NewS3Client(cfg aws.Config, concurrency int, optFns ...func(*s3.Options)) *s3.Client {
	return transfer.NewS3Client(cfg, transfer.Download, concurrency, optFns...)
}

// List implements Store with the ListObjectsV2 paginator.
func (s *S3Store) List(ctx context.Context, bucket, prefix string, page func([]Object) error) error {
	// URL-encoded keys survive characters XML 1.0 cannot carry (control
	// characters); S3 says so in the response when it applied the encoding.
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), EncodingType: types.EncodingTypeUrl}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	p := s3.NewListObjectsV2Paginator(s.api, in)
	var buf []Object
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return mapS3Error(fmt.Errorf("list s3://%s/%s", bucket, prefix), err)
		}
		buf = buf[:0]
		decode := out.EncodingType == types.EncodingTypeUrl
		for _, c := range out.Contents {
			o := Object{Key: aws.ToString(c.Key), Size: aws.ToInt64(c.Size), ETag: aws.ToString(c.ETag)}
			if decode {
				// A key that does not decode is kept as sent; its GET then
				// fails and is reported like any other.
				if k, err := url.QueryUnescape(o.Key); err == nil {
					o.Key = k
				}
			}
			if c.LastModified != nil {
				o.LastModified = *c.LastModified
			}
			buf = append(buf, o)
		}
		if err := page(buf); err != nil {
			return err
		}
	}
	return nil
}

// Get implements Store with GetObject.
func (s *S3Store) Get(ctx context.Context, req GetRequest) (*GetResponse, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(req.Bucket), Key: aws.String(req.Key)}
	ranged := req.ranged()
	if ranged {
		r := "bytes=" + strconv.FormatInt(req.Offset, 10) + "-"
		if req.Length > 0 {
			r += strconv.FormatInt(req.Offset+req.Length-1, 10)
		}
		in.Range = aws.String(r)
	}
	if req.IfMatch != "" {
		in.IfMatch = aws.String(req.IfMatch)
	}
	var optFns []func(*s3.Options)
	if !ranged {
		optFns = askChecksum
	}
	out, err := s.api.GetObject(ctx, in, optFns...)
	if err != nil {
		return nil, mapS3Error(fmt.Errorf("get %q", req.Key), err)
	}
	resp := &GetResponse{
		Body:          out.Body,
		ContentLength: aws.ToInt64(out.ContentLength),
		ETag:          aws.ToString(out.ETag),
		ETagIsNotMD5: out.SSECustomerAlgorithm != nil ||
			out.ServerSideEncryption == types.ServerSideEncryptionAwsKms ||
			out.ServerSideEncryption == types.ServerSideEncryptionAwsKmsDsse,
	}
	if out.LastModified != nil {
		resp.LastModified = *out.LastModified
	}
	if t, ok := transfer.MtimeFromMetadata(out.Metadata); ok {
		resp.Mtime = t
	}
	resp.Size = resp.ContentLength
	if cr := aws.ToString(out.ContentRange); cr != "" {
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				resp.Size = n
			}
		}
	}
	if !ranged {
		resp.Checksum, resp.Composite = getChecksum(out)
	}
	return resp, nil
}

// askChecksum asks a whole-object GET for the object's checksum with the
// x-amz-checksum-mode header itself rather than the input's ChecksumMode:
// the engine checks the checksum while it writes (CRC64NVME with
// carry-less multiplies, and in order across a resumed body), which the
// SDK, asked through ChecksumMode, would do again with hash/crc64's tables.
var askChecksum = []func(*s3.Options){func(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Build.Add(checksumModeHeader, middleware.After)
	})
}}

var checksumModeHeader = middleware.BuildMiddlewareFunc("s3link.ChecksumModeHeader",
	func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		if r, ok := in.Request.(*smithyhttp.Request); ok {
			r.Header.Set("X-Amz-Checksum-Mode", "ENABLED")
		}
		return next.HandleBuild(ctx, in)
	})

// getChecksum is the whole-object checksum a GET returned: full-object,
// or composite ("…-N"), which needs the part size to check; nil for none.
func getChecksum(out *s3.GetObjectOutput) (full, composite *ObjectChecksum) {
	for _, a := range []struct {
		name string
		v    *string
	}{{"CRC64NVME", out.ChecksumCRC64NVME}, {"CRC32C", out.ChecksumCRC32C}, {"CRC32", out.ChecksumCRC32}, {"SHA256", out.ChecksumSHA256}, {"SHA1", out.ChecksumSHA1}} {
		if v := aws.ToString(a.v); v != "" {
			c := &ObjectChecksum{Algorithm: a.name, Value: v}
			if out.ChecksumType == types.ChecksumTypeComposite || compositeParts(v) != 0 {
				if compositeParts(v) == 0 {
					return nil, nil // composite without "-N": not checkable
				}
				return nil, c
			}
			return c, nil
		}
	}
	return nil, nil
}

// firstPartSize implements partSizer: a HEAD of part 1, bound to the
// object's ETag; its Content-Length is the size of part 1.
func (s *S3Store) firstPartSize(ctx context.Context, bucket string, obj Object) (int64, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(obj.Key), PartNumber: aws.Int32(1)}
	if obj.ETag != "" {
		in.IfMatch = aws.String(obj.ETag)
	}
	p1, err := s.api.HeadObject(ctx, in)
	if err != nil {
		return 0, mapS3Error(fmt.Errorf("head %q part 1", obj.Key), err)
	}
	return aws.ToInt64(p1.ContentLength), nil
}

// Mtime implements MtimeReader with one HEAD, bound to the listed ETag.
func (s *S3Store) Mtime(ctx context.Context, bucket string, obj Object) (time.Time, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(obj.Key)}
	if obj.ETag != "" {
		in.IfMatch = aws.String(obj.ETag)
	}
	out, err := s.api.HeadObject(ctx, in)
	if err != nil {
		return time.Time{}, mapS3Error(fmt.Errorf("head %q", obj.Key), err)
	}
	t, _ := transfer.MtimeFromMetadata(out.Metadata)
	return t, nil
}

// Checksum implements Checksummer with HEAD in checksum mode: the object's
// full-object checksum, or its composite one together with the part size
// (a second HEAD, of part 1), when every part but the last has that size.
func (s *S3Store) Checksum(ctx context.Context, bucket string, obj Object) (*ObjectChecksum, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(obj.Key), ChecksumMode: types.ChecksumModeEnabled}
	if obj.ETag != "" {
		in.IfMatch = aws.String(obj.ETag)
	}
	out, err := s.api.HeadObject(ctx, in)
	if err != nil {
		return nil, mapS3Error(fmt.Errorf("head %q", obj.Key), err)
	}
	c, err := s.checksumFromHead(ctx, in, obj, out)
	if err != nil || c == nil {
		return nil, err
	}
	if isComposite(c) && !compositeFits(c, obj.Size) {
		return nil, nil // parts of unequal size: not reproducible
	}
	return c, nil
}

// rangedHead implements rangedHeader: one HEAD in checksum mode, bound to
// the listed ETag, for the object's checksum and its "mtime" metadata,
// which Checksum and Mtime would take two or three HEADs for. A composite
// checksum takes a second HEAD, of part 1, for its part size, only when
// the ETag is not a plain MD5 (which would verify the download instead);
// it is returned with that size whether or not the parts fit the object.
func (s *S3Store) rangedHead(ctx context.Context, bucket string, obj Object) (*ObjectChecksum, time.Time, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(obj.Key), ChecksumMode: types.ChecksumModeEnabled}
	if obj.ETag != "" {
		in.IfMatch = aws.String(obj.ETag)
	}
	out, err := s.api.HeadObject(ctx, in)
	if err != nil {
		return nil, time.Time{}, mapS3Error(fmt.Errorf("head %q", obj.Key), err)
	}
	mtime, _ := transfer.MtimeFromMetadata(out.Metadata)
	if _, md5 := PlainMD5(obj.ETag); md5 {
		in = nil // no part-1 HEAD: the MD5 of the ETag verifies it
	}
	c, err := s.checksumFromHead(ctx, in, obj, out)
	if err != nil && !isComposite(c) {
		return nil, mtime, nil
	}
	// A composite checksum whose part-1 HEAD failed comes back without a
	// part size: the engine then counts the object as checked by size.
	return c, mtime, nil
}

// checksumFromHead reads the checksum of a HEAD in checksum mode; for a
// composite one it asks part 1 for the part size (a nil in means composite
// checksums are not wanted).
func (s *S3Store) checksumFromHead(ctx context.Context, in *s3.HeadObjectInput, obj Object, out *s3.HeadObjectOutput) (*ObjectChecksum, error) {
	var c ObjectChecksum
	for _, a := range []struct {
		name string
		v    *string
	}{{"CRC64NVME", out.ChecksumCRC64NVME}, {"CRC32C", out.ChecksumCRC32C}, {"CRC32", out.ChecksumCRC32}, {"SHA256", out.ChecksumSHA256}, {"SHA1", out.ChecksumSHA1}} {
		if v := aws.ToString(a.v); v != "" {
			c = ObjectChecksum{Algorithm: a.name, Value: v}
			break
		}
	}
	if c.Value == "" {
		return nil, nil
	}
	n := compositeParts(c.Value)
	if out.ChecksumType == types.ChecksumTypeComposite && n == 0 {
		return nil, nil // composite without "-N": not reproducible
	}
	if out.ChecksumType == types.ChecksumTypeFullObject || n == 0 {
		if n != 0 {
			return nil, nil
		}
		return &c, nil
	}
	if in == nil {
		return nil, nil
	}
	// Composite: the part size comes from part 1; the upload is only
	// reproducible when the parts were equal but for the last, which the
	// caller checks (compositeFits).
	ps, err := s.firstPartSize(ctx, aws.ToString(in.Bucket), obj)
	if err != nil {
		return &c, err // PartSize 0: not reproducible
	}
	c.PartSize = ps
	return &c, nil
}

// s3Codes are what a download's answers mean beyond awsops' sentinels: a
// key that is gone, or an object changed since it was listed (If-Match).
var s3Codes = transfer.ErrorCodes{
	Codes:    map[string]error{"PreconditionFailed": ErrChanged, "NoSuchKey": ErrNoSuchKey},
	Statuses: map[int]error{http.StatusPreconditionFailed: ErrChanged, http.StatusNotFound: ErrNoSuchKey},
}

// mapS3Error wraps err under what with the kernel's one mapping.
func mapS3Error(what error, err error) error { return transfer.MapError(what.Error(), err, s3Codes) }

// Connect builds a Store for bucket from c: credentials and endpoint the
// awsops way, the tuned client of NewS3Client, and, when c names no region,
// the bucket's own region (S3 answers a request in the wrong region with a
// redirect, so the region is looked up once rather than guessed). It returns
// the region used.
func Connect(ctx context.Context, c awsops.Config, bucket string, concurrency int) (*S3Store, string, error) {
	cfg, err := awsops.LoadAWSConfig(ctx, c)
	if err != nil {
		return nil, "", err
	}
	if c.Region == "" {
		cl, err := awsops.New(ctx, c)
		if err != nil {
			return nil, "", err
		}
		r, err := cl.BucketRegion(ctx, bucket)
		switch {
		case errors.Is(err, awsops.ErrNoSuchBucket):
			return nil, "", err
		case err == nil && r != "":
			cfg.Region = r
		}
		// Any other error (no credentials, no network) resurfaces, better
		// worded, from the listing itself.
	}
	return NewS3Store(NewS3Client(cfg, concurrency, awsops.S3Options(c))), cfg.Region, nil
}
