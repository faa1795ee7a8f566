//go:build e2e

package awsops_test

import (
	"errors"
	"testing"

	"github.com/s3link/s3link/awsops"
)

// TestAuditCalls checks the calls status and rotate add against moto:
// default encryption read back, a key made inactive and active again, and
// the probe's list and head with the platform's own key, refused outside
// its location once moto enforces IAM.
func TestAuditCalls(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const bucket, prefix, user = "s3link-audit", "media/set1", "s3link-audit-user"
	e.createBucket(t, bucket)
	if alg, err := e.c.BucketEncryption(ctx, bucket, ""); err != nil || alg != "" {
		t.Fatalf("BucketEncryption before = %q, %v; want none", alg, err)
	}
	if err := e.c.EnableDefaultEncryption(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	if alg, err := e.c.BucketEncryption(ctx, bucket, "us-east-1"); err != nil || alg != "AES256" {
		t.Fatalf("BucketEncryption = %q, %v; want AES256", alg, err)
	}
	e.putObject(t, bucket, prefix+"/a.jpg", "a")
	e.putObject(t, bucket, "root.jpg", "r")

	p, err := e.c.CreatePolicy(ctx, "s3link-audit-policy", awsops.PolicyDocument(bucket, prefix), testSetupID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateUser(ctx, user, nil, p.ARN, testSetupID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.AttachUserPolicy(ctx, user, p.ARN); err != nil {
		t.Fatal(err)
	}
	key, err := e.c.CreateAccessKey(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.SetAccessKeyStatus(ctx, user, key.ID, false); err != nil {
		t.Fatalf("SetAccessKeyStatus inactive: %v", err)
	}
	keys, err := e.c.ListAccessKeys(ctx, user)
	if err != nil || len(keys) != 1 || keys[0].Status != "Inactive" {
		t.Fatalf("keys after deactivation = %+v, %v", keys, err)
	}
	if err := e.c.SetAccessKeyStatus(ctx, user, key.ID, true); err != nil {
		t.Fatalf("SetAccessKeyStatus active: %v", err)
	}

	cfg := e.cfg
	cfg.Static = &awsops.StaticCredentials{AccessKeyID: key.ID, Secret: key.Secret}
	probe, err := awsops.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Listing with enforcement off (moto issue #5948, see enforcement_integration_test.go).
	first, err := probe.ProbeList(ctx, bucket, prefix)
	if err != nil || first != prefix+"/a.jpg" {
		t.Fatalf("ProbeList = %q, %v; want %s/a.jpg", first, err, prefix)
	}
	if err := probe.ProbeHead(ctx, bucket, prefix+"/missing.jpg"); !errors.Is(err, awsops.ErrNotFound) {
		t.Fatalf("ProbeHead of a missing object = %v, want ErrNotFound", err)
	}
	if err := e.srv.ResetAuth(ctx, 0); err != nil {
		t.Fatalf("switch IAM enforcement on: %v", err)
	}
	if err := probe.ProbeHead(ctx, bucket, prefix+"/a.jpg"); err != nil {
		t.Fatalf("ProbeHead under the prefix with enforcement: %v", err)
	}
	for _, k := range []string{"root.jpg", prefix + "-s3link-status-probe"} {
		if err := probe.ProbeHead(ctx, bucket, k); !errors.Is(err, awsops.ErrAccessDenied) {
			t.Errorf("ProbeHead %s with enforcement = %v, want ErrAccessDenied", k, err)
		}
	}
}
