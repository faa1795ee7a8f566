package awsops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ListBuckets lists the buckets the caller owns. Region is filled in when S3
// reports it in the listing and left empty otherwise.
func (c *Client) ListBuckets(ctx context.Context) ([]Bucket, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.listBuckets(ctx, "")
}

func (c *Client) listBuckets(ctx context.Context, prefix string) ([]Bucket, error) {
	in := &s3.ListBucketsInput{}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	var buckets []Bucket
	p := s3.NewListBucketsPaginator(c.s3, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("list buckets", err)
		}
		for _, b := range page.Buckets {
			buckets = append(buckets, Bucket{
				Name:    aws.ToString(b.Name),
				Region:  aws.ToString(b.BucketRegion),
				Created: aws.ToTime(b.CreationDate),
			})
		}
	}
	return buckets, nil
}

// ownedBucket looks name up among the caller's own buckets. Only ListBuckets
// tells ownership apart from mere access.
func (c *Client) ownedBucket(ctx context.Context, name string) (Bucket, bool, error) {
	buckets, err := c.listBuckets(ctx, name)
	if err != nil {
		return Bucket{}, false, err
	}
	for _, b := range buckets {
		if b.Name == name {
			return b, true, nil
		}
	}
	return Bucket{}, false, nil
}

// InspectBucket reports whether a bucket of that name exists, whether the
// caller's account owns it, and for an owned bucket its region, its
// SetupTagKey tag and its Block Public Access state. It changes nothing.
func (c *Client) InspectBucket(ctx context.Context, bucket string) (BucketFacts, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	f := BucketFacts{Name: bucket}
	b, owned, err := c.ownedBucket(ctx, bucket)
	if err != nil {
		return f, err
	}
	if !owned {
		// HeadBucket answers 404 only when no account holds the name; a
		// 403 or 301 means someone else's bucket.
		_, err := c.bucketRegion(ctx, bucket)
		switch {
		case errors.Is(err, ErrNoSuchBucket):
			return f, nil
		case err != nil && !errors.Is(err, ErrAccessDenied):
			return f, err
		}
		f.Exists = true
		return f, nil
	}
	f.Exists, f.Owned, f.Region = true, true, b.Region
	if f.Region == "" {
		if f.Region, err = c.bucketRegion(ctx, bucket); err != nil {
			return f, err
		}
	}
	if f.SetupID, err = c.bucketSetupID(ctx, bucket, f.Region); err != nil {
		return f, err
	}
	if f.PublicAccess, err = c.bucketPublicAccess(ctx, bucket, f.Region); err != nil {
		return f, err
	}
	return f, nil
}

// bucketSetupID reads the bucket's SetupTagKey tag; no tags is "".
func (c *Client) bucketSetupID(ctx context.Context, bucket, region string) (string, error) {
	out, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)}, inRegion(region))
	if err != nil {
		if errorCode(err) == "NoSuchTagSet" || errorCode(err) == "NoSuchTagSetError" {
			return "", nil
		}
		return "", wrap(fmt.Sprintf("get tags of bucket %q", bucket), err)
	}
	for _, t := range out.TagSet {
		if aws.ToString(t.Key) == SetupTagKey {
			return aws.ToString(t.Value), nil
		}
	}
	return "", nil
}

// inRegion sends one S3 call to the bucket's own region.
func inRegion(region string) func(*s3.Options) {
	return func(o *s3.Options) {
		if region != "" {
			o.Region = region
		}
	}
}

// BucketRegion returns the region a bucket lives in.
func (c *Client) BucketRegion(ctx context.Context, bucket string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.bucketRegion(ctx, bucket)
}

func (c *Client) bucketRegion(ctx context.Context, bucket string) (string, error) {
	var header string
	out, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)},
		func(o *s3.Options) { o.APIOptions = append(o.APIOptions, captureBucketRegion(&header)) })
	if err == nil && aws.ToString(out.BucketRegion) != "" {
		return aws.ToString(out.BucketRegion), nil
	}
	// S3 names the region in x-amz-bucket-region even on the 301 and 403
	// it answers when the bucket lives elsewhere or is not readable by us,
	// which is all a region lookup needs.
	if header != "" {
		return header, nil
	}
	if err != nil {
		if errorCode(err) == "NotFound" || isNotFound(err) {
			return "", wrapAs(fmt.Sprintf("get region of bucket %q", bucket), ErrNoSuchBucket, err)
		}
		return "", wrap(fmt.Sprintf("get region of bucket %q", bucket), err)
	}
	// Endpoints that do not send the header serve a single region.
	return c.region, nil
}

// captureBucketRegion records the x-amz-bucket-region response header
// whatever the status, before the SDK turns a non-2xx response into an error.
func captureBucketRegion(dst *string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("s3linkCaptureBucketRegion",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
				middleware.DeserializeOutput, middleware.Metadata, error,
			) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
					if r := resp.Header.Get("X-Amz-Bucket-Region"); r != "" {
						*dst = r
					}
				}
				return out, md, err
			}), middleware.After)
	}
}

// BucketPublicAccess reads the bucket's Block Public Access settings. A
// bucket without any configuration reports all four flags off.
func (c *Client) BucketPublicAccess(ctx context.Context, bucket string) (PublicAccess, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.bucketPublicAccess(ctx, bucket, "")
}

func (c *Client) bucketPublicAccess(ctx context.Context, bucket, region string) (PublicAccess, error) {
	out, err := c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)}, inRegion(region))
	if err != nil {
		if errorCode(err) == "NoSuchPublicAccessBlockConfiguration" {
			return PublicAccess{}, nil
		}
		return PublicAccess{}, wrap(fmt.Sprintf("get public access block of bucket %q", bucket), err)
	}
	cfg := out.PublicAccessBlockConfiguration
	if cfg == nil {
		return PublicAccess{}, nil
	}
	return PublicAccess{
		BlockPublicAcls:       aws.ToBool(cfg.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(cfg.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(cfg.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(cfg.RestrictPublicBuckets),
	}, nil
}

// SummarizePrefix counts the objects and bytes on the first listing page
// under prefix ("" for the whole bucket). The prefix is listed with a
// trailing slash, the form the generated policy allows.
func (c *Client) SummarizePrefix(ctx context.Context, bucket, prefix string) (PrefixSummary, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(strings.TrimSuffix(prefix, "/") + "/")
	}
	out, err := c.s3.ListObjectsV2(ctx, in)
	if err != nil {
		return PrefixSummary{}, wrap(fmt.Sprintf("list s3://%s/%s", bucket, aws.ToString(in.Prefix)), err)
	}
	var sum PrefixSummary
	for _, o := range out.Contents {
		sum.Objects++
		sum.Bytes += aws.ToInt64(o.Size)
	}
	sum.Truncated = aws.ToBool(out.IsTruncated)
	return sum, nil
}

// maxFolders bounds the folders ListFolders returns: a picker, not an
// inventory.
const maxFolders = 1000

// ListFolders lists the folders directly under prefix ("" for the bucket
// root) as full prefixes with a trailing slash ("photos/2026/"), the
// common prefixes of a listing with delimiter "/". It reads at most
// maxFolders of them.
func (c *Client) ListFolders(ctx context.Context, bucket, prefix string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/")}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		in.Prefix = aws.String(prefix + "/")
	}
	var out []string
	for {
		page, err := c.s3.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, wrap(fmt.Sprintf("list folders of s3://%s/%s", bucket, aws.ToString(in.Prefix)), err)
		}
		for _, p := range page.CommonPrefixes {
			out = append(out, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil || len(out) >= maxFolders {
			break
		}
		in.ContinuationToken = page.NextContinuationToken
	}
	return out[:min(len(out), maxFolders)], nil
}

// CreateBucket creates the bucket in region, tagged with setupID in the
// create call and again right after it (an endpoint that ignores tags at
// creation still ends up with them). A bucket the caller already owns is
// ErrBucketOwned, never adopted; one owned by anybody else ErrBucketTaken.
func (c *Client) CreateBucket(ctx context.Context, name, region, setupID string) (Bucket, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	if region == "" {
		return Bucket{}, fmt.Errorf("create bucket %q: no region given", name)
	}
	op := fmt.Sprintf("create bucket %q", name)

	// us-east-1 answers 200 when the caller re-creates a bucket it owns
	// there, so success alone would not tell a new bucket from an old one.
	if region == "us-east-1" {
		if _, ok, err := c.ownedBucket(ctx, name); err != nil {
			return Bucket{}, err
		} else if ok {
			return Bucket{}, wrapAs(op, ErrBucketOwned, errors.New("the bucket is already in this account"))
		}
	}

	tags := []s3types.Tag{{Key: aws.String(SetupTagKey), Value: aws.String(setupID)}}
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		// us-east-1 rejects an explicit LocationConstraint; every other
		// region requires one.
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(region),
		}
	}
	if setupID != "" {
		if in.CreateBucketConfiguration == nil {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{}
		}
		in.CreateBucketConfiguration.Tags = tags
	}
	_, err := c.s3.CreateBucket(ctx, in, inRegion(region))
	if err != nil {
		var taken *s3types.BucketAlreadyExists
		if errors.As(err, &taken) {
			// Some emulators answer BucketAlreadyExists to the owner too;
			// only the owner's bucket list can say whose it is.
			if _, ok, lerr := c.ownedBucket(ctx, name); lerr == nil && ok {
				return Bucket{}, wrapAs(op, ErrBucketOwned, err)
			}
		}
		return Bucket{}, wrap(op, err)
	}
	b := Bucket{Name: name, Region: region, Created: time.Now().UTC()}
	if setupID == "" {
		return b, nil
	}
	_, err = c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket:  aws.String(name),
		Tagging: &s3types.Tagging{TagSet: tags},
	}, inRegion(region))
	if err != nil {
		return b, wrap(fmt.Sprintf("tag bucket %q", name), err)
	}
	return b, nil
}

// BlockPublicAccess turns on all four Block Public Access settings.
func (c *Client) BlockPublicAccess(ctx context.Context, bucket string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls:       aws.Bool(true),
			IgnorePublicAcls:      aws.Bool(true),
			BlockPublicPolicy:     aws.Bool(true),
			RestrictPublicBuckets: aws.Bool(true),
		},
	})
	return wrap(fmt.Sprintf("block public access on bucket %q", bucket), err)
}

// EnableDefaultEncryption sets SSE-S3 (AES256) as the bucket's default.
func (c *Client) EnableDefaultEncryption(ctx context.Context, bucket string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
					SSEAlgorithm: s3types.ServerSideEncryptionAes256,
				},
			}},
		},
	})
	return wrap(fmt.Sprintf("enable default encryption on bucket %q", bucket), err)
}

// DeleteBucket deletes an empty bucket. It never deletes objects: a bucket
// that still holds any returns ErrBucketNotEmpty. A missing bucket is success.
func (c *Client) DeleteBucket(ctx context.Context, bucket string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	if err == nil || isNotFound(err) {
		return nil
	}
	return wrap(fmt.Sprintf("delete bucket %q", bucket), err)
}
