package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
)

func TestRolesAndAssumeRole(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	pol, err := e.client.CreatePolicy(ctx, "Read", doc1, "s3l-1")
	if err != nil {
		t.Fatal(err)
	}
	trust := awsops.TrustPolicyDocument("111122223333", "the-external-id")
	r, err := e.client.CreateRole(ctx, "reader", trust, pol.ARN, "s3l-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.AttachRolePolicy(ctx, "reader", pol.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateRole(ctx, "reader", trust, "", ""); !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Errorf("second CreateRole: %v", err)
	}
	f, err := e.client.InspectRole(ctx, "reader")
	if err != nil {
		t.Fatal(err)
	}
	if !f.Exists || f.ARN != r.ARN || f.SetupID != "s3l-1" || f.Boundary != pol.ARN || !f.HasPolicy(pol.ARN) || !f.SameTrust(trust) {
		t.Errorf("role facts = %+v", f)
	}
	// The policy is in use while the role holds it.
	if err := e.client.DeletePolicy(ctx, pol.ARN); err == nil {
		t.Error("deleted a policy a role holds")
	}

	assume := func(ext string) (awsops.Identity, error) {
		c := e.cfg
		c.AssumeRole = &awsops.AssumeRole{ARN: r.ARN, ExternalID: ext, SessionName: "proof"}
		cl, err := awsops.New(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return cl.WhoAmI(ctx)
	}
	id, err := assume("the-external-id")
	if err != nil {
		t.Fatalf("assume with the external id: %v", err)
	}
	if !strings.HasSuffix(id.ARN, ":assumed-role/reader/proof") {
		t.Errorf("assumed identity = %+v", id)
	}
	if _, err := assume("wrong"); !errors.Is(err, awsops.ErrAccessDenied) {
		t.Errorf("assume with a wrong external id: %v, want access denied", err)
	}
	// A new external id (rotate): the old one stops working.
	if err := e.client.UpdateAssumeRolePolicy(ctx, "reader", awsops.TrustPolicyDocument("111122223333", "the-new-id")); err != nil {
		t.Fatal(err)
	}
	if f, _ := e.client.InspectRole(ctx, "reader"); !f.SameTrust(awsops.TrustPolicyDocument("111122223333", "the-new-id")) {
		t.Errorf("trust after the update = %s", f.TrustDocument)
	}
	if _, err := assume("the-new-id"); err != nil {
		t.Errorf("assume with the new external id: %v", err)
	}
	if _, err := assume("the-external-id"); !errors.Is(err, awsops.ErrAccessDenied) {
		t.Errorf("assume with the previous external id: %v, want access denied", err)
	}
	if err := e.client.UpdateAssumeRolePolicy(ctx, "nobody", trust); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("update a missing role: %v", err)
	}

	if err := e.client.DeleteRole(ctx, "reader"); err != nil {
		t.Fatal(err)
	}
	if f, _ := e.client.InspectRole(ctx, "reader"); f.Exists {
		t.Error("role still there")
	}
	if err := e.client.DeletePolicy(ctx, pol.ARN); err != nil {
		t.Errorf("delete the policy once the role is gone: %v", err)
	}
}
