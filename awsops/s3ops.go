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

// FindBucket looks the bucket up among the caller's own buckets, with its
// creation time; ok is false when the caller owns no bucket of that name.
func (c *Client) FindBucket(ctx context.Context, bucket string) (Bucket, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.ownedBucket(ctx, bucket)
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
	out, err := c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
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

// CreateBucket creates the bucket in region. A bucket of that name that the
// caller already owns is reused (Reused, with its actual region); one owned
// by anybody else returns ErrBucketTaken.
func (c *Client) CreateBucket(ctx context.Context, name, region string) (BucketResult, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	if region == "" {
		region = c.region
	}
	op := fmt.Sprintf("create bucket %q", name)

	// us-east-1 answers 200 when the caller re-creates a bucket it owns
	// there, so success alone would not tell a new bucket from an old one,
	// and teardown must never delete a bucket setup did not create.
	if region == "us-east-1" {
		if b, ok, err := c.ownedBucket(ctx, name); err == nil && ok {
			return c.reuseBucket(ctx, b)
		}
	}

	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		// us-east-1 rejects an explicit LocationConstraint; every other
		// region requires one.
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(region),
		}
	}
	_, err := c.s3.CreateBucket(ctx, in, func(o *s3.Options) { o.Region = region })
	if err == nil {
		return BucketResult{Bucket: Bucket{Name: name, Region: region, Created: time.Now().UTC()}}, nil
	}

	var owned *s3types.BucketAlreadyOwnedByYou
	var taken *s3types.BucketAlreadyExists
	switch {
	case errors.As(err, &owned):
		// The listing dates the bucket, which tells a bucket an
		// interrupted run made from an older one.
		if b, ok, lerr := c.ownedBucket(ctx, name); lerr == nil && ok {
			return c.reuseBucket(ctx, b)
		}
		return c.reuseBucket(ctx, Bucket{Name: name})
	case errors.As(err, &taken):
		// Some emulators answer BucketAlreadyExists to the owner too; only
		// the owner's bucket list can say whose it is.
		if b, ok, lerr := c.ownedBucket(ctx, name); lerr == nil && ok {
			return c.reuseBucket(ctx, b)
		}
		return BucketResult{}, wrapAs(op, ErrBucketTaken, err)
	}
	return BucketResult{}, wrap(op, err)
}

// reuseBucket reports an existing bucket of ours with its real region,
// which may differ from the one asked for.
func (c *Client) reuseBucket(ctx context.Context, b Bucket) (BucketResult, error) {
	if b.Region == "" {
		r, err := c.bucketRegion(ctx, b.Name)
		if err != nil {
			return BucketResult{}, err
		}
		b.Region = r
	}
	return BucketResult{Bucket: b, Reused: true}, nil
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
