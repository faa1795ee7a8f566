package awsops

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BucketEncryption returns the algorithm of the bucket's default
// encryption ("AES256" for SSE-S3, "aws:kms", ...), "" when it has none.
// region is the bucket's own region ("" for the client's).
func (c *Client) BucketEncryption(ctx context.Context, bucket, region string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := c.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)}, inRegion(region))
	if err != nil {
		if errorCode(err) == "ServerSideEncryptionConfigurationNotFoundError" {
			return "", nil
		}
		return "", wrap(fmt.Sprintf("get default encryption of bucket %q", bucket), err)
	}
	if out.ServerSideEncryptionConfiguration == nil {
		return "", nil
	}
	for _, r := range out.ServerSideEncryptionConfiguration.Rules {
		if d := r.ApplyServerSideEncryptionByDefault; d != nil {
			return string(d.SSEAlgorithm), nil
		}
	}
	return "", nil
}

// SetAccessKeyStatus makes one of user's access keys active or inactive.
func (c *Client) SetAccessKeyStatus(ctx context.Context, user, keyID string, active bool) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	status := iamtypes.StatusTypeInactive
	if active {
		status = iamtypes.StatusTypeActive
	}
	_, err := c.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String(user), AccessKeyId: aws.String(keyID), Status: status,
	})
	return wrap(fmt.Sprintf("set access key %s of user %q %s", keyID, user, strings.ToLower(string(status))), err)
}

// ProbeList lists one page under prefix, with the trailing slash the
// policy allows ("" lists the bucket), and returns the first object's key,
// "" when there is none.
func (c *Client) ProbeList(ctx context.Context, bucket, prefix string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(10)}
	if prefix != "" {
		in.Prefix = aws.String(strings.TrimSuffix(prefix, "/") + "/")
	}
	out, err := c.s3.ListObjectsV2(ctx, in)
	if err != nil {
		return "", wrap(fmt.Sprintf("list s3://%s/%s", bucket, aws.ToString(in.Prefix)), err)
	}
	for _, o := range out.Contents {
		if k := aws.ToString(o.Key); !strings.HasSuffix(k, "/") {
			return k, nil
		}
	}
	return "", nil
}

// ProbeHead asks for one object's metadata. A missing object is
// ErrNotFound (the key may read there; nothing is there), a refusal
// ErrAccessDenied.
func (c *Client) ProbeHead(ctx context.Context, bucket, key string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return nil
	}
	op := fmt.Sprintf("head s3://%s/%s", bucket, key)
	if errors.Is(wrap(op, err), ErrAccessDenied) {
		return wrap(op, err)
	}
	if code := errorCode(err); code == "NotFound" || code == "NoSuchKey" {
		return wrapAs(op, ErrNotFound, err)
	}
	return wrap(op, err)
}
