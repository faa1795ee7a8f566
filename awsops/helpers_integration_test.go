//go:build e2e

package awsops_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator"
	"github.com/s3link/s3link/awsops/emulator/mototest"
)

// These tests live in package awsops_test because mototest imports awsops.

// motoAccount is the account moto puts everything in by default.
const motoAccount = "123456789012"

// env is one moto server with s3link's client and raw SDK clients, the
// latter to check what the client did independently of it.
type env struct {
	srv *emulator.MotoServer
	cfg awsops.Config
	c   *awsops.Client
	s3  *s3.Client
	iam *iam.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := mototest.Start(t)
	cfg := mototest.Config(srv)
	c, err := awsops.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("awsops.New: %v", err)
	}
	awsCfg, err := awsops.LoadAWSConfig(t.Context(), cfg)
	if err != nil {
		t.Fatalf("LoadAWSConfig: %v", err)
	}
	return &env{
		srv: srv,
		cfg: cfg,
		c:   c,
		s3:  s3.NewFromConfig(awsCfg, awsops.S3Options(cfg)),
		iam: iam.NewFromConfig(awsCfg, awsops.IAMOptions(cfg)),
	}
}

// s3For returns a raw S3 client that signs with the given key.
func (e *env) s3For(t *testing.T, key awsops.AccessKey) *s3.Client {
	t.Helper()
	cfg := e.cfg
	cfg.Static = &awsops.StaticCredentials{AccessKeyID: key.ID, Secret: key.Secret}
	awsCfg, err := awsops.LoadAWSConfig(t.Context(), cfg)
	if err != nil {
		t.Fatalf("LoadAWSConfig: %v", err)
	}
	return s3.NewFromConfig(awsCfg, awsops.S3Options(cfg))
}

func (e *env) putObject(t *testing.T, bucket, key, body string) {
	t.Helper()
	_, err := e.s3.PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
		Body:   strings.NewReader(body),
	})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// testSetupID is the setup id the helpers tag what they create with.
const testSetupID = "0123456789abcdef"

// createBucket creates a bucket in us-east-1 through the client, tagged
// with testSetupID.
func (e *env) createBucket(t *testing.T, name string) {
	t.Helper()
	if _, err := e.c.CreateBucket(t.Context(), name, "us-east-1", testSetupID); err != nil {
		t.Fatalf("CreateBucket(%q): %v", name, err)
	}
}

func policyDoc(bucket, prefix string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"AllowObjectAccess","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::` + bucket + `/` + prefix + `/*"]},` +
		`{"Sid":"AllowObjectsListing1","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::` + bucket + `"],"Condition":{"StringEquals":{"s3:prefix":["` + prefix + `"],"s3:delimiter":["/"]}}},` +
		`{"Sid":"AllowObjectsListing2","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::` + bucket + `"],"Condition":{"StringLike":{"s3:prefix":["` + prefix + `/*"]}}}]}`
}
