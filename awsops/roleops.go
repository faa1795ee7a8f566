package awsops

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// MaxRoleNameLen is IAM's limit on role names.
const MaxRoleNameLen = 64

// ExternalIDLen is the length of the external ids s3link generates.
const ExternalIDLen = 32

// RoleFacts describes an IAM role of a given name, if any.
type RoleFacts struct {
	Name   string
	Exists bool
	ARN    string
	// SetupID is the value of the role's SetupTagKey tag, "" when none.
	SetupID string
	// Boundary is the ARN of the role's permissions boundary, "" when none.
	Boundary string
	// Policies are the ARNs of the managed policies attached to the role.
	Policies []string
	// TrustDocument is the role's trust policy, decoded.
	TrustDocument string
}

// HasPolicy reports whether the policy arn is attached to the role.
func (r RoleFacts) HasPolicy(arn string) bool {
	for _, p := range r.Policies {
		if p == arn {
			return true
		}
	}
	return false
}

// SameTrust reports whether the role's trust policy says the same as
// document (compared as JSON values).
func (r RoleFacts) SameTrust(document string) bool {
	return r.TrustDocument != "" && sameDocument(r.TrustDocument, document)
}

// Role is an IAM role after CreateRole.
type Role struct {
	Name string
	ARN  string
}

// ValidateAccountID checks that id is an AWS account id: 12 digits.
func ValidateAccountID(id string) error {
	if id == "" {
		return invalidf("enter the platform's AWS account id: 12 digits, as its setup page shows it")
	}
	clean := strings.ReplaceAll(strings.ReplaceAll(id, "-", ""), " ", "")
	if len(clean) != 12 || strings.Trim(clean, "0123456789") != "" {
		return invalidf("an AWS account id is 12 digits, and %s is not; copy it again from the platform's setup page", quoteInput(id))
	}
	if clean != id {
		return invalidf("write the account id as 12 digits without dashes or spaces: %s", clean)
	}
	return nil
}

// ValidateRoleName checks name against IAM's rules for role names.
func ValidateRoleName(name string) error {
	return validateIAMName("role", name, MaxRoleNameLen)
}

// NewExternalID returns a fresh random external id: ExternalIDLen letters
// and digits, within the characters STS accepts.
func NewExternalID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, ExternalIDLen)
	_, _ = rand.Read(b)
	for i := range b {
		// 256 % 62 skews a few letters slightly; an external id is a
		// confused-deputy guard, not a key, and 32 characters keep it unguessable.
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// TrustPolicyDocument is the trust policy of the platform's role: only the
// trusted account's root (any principal that account allows) may assume it,
// and only with the external id.
func TrustPolicyDocument(account, externalID string) string {
	return TrustPolicyDocumentIn("aws", account, externalID)
}

// TrustPolicyDocumentIn is TrustPolicyDocument for another partition
// ("aws-cn", "aws-us-gov").
func TrustPolicyDocumentIn(partition, account, externalID string) string {
	type principal struct {
		AWS string
	}
	type statement struct {
		Sid       string
		Effect    string
		Principal principal
		Action    string
		Condition map[string]map[string]string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{"2012-10-17", []statement{{
		Sid:       "PlatformAssumesWithExternalId",
		Effect:    "Allow",
		Principal: principal{AWS: "arn:" + partition + ":iam::" + account + ":root"},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]string{"StringEquals": {"sts:ExternalId": externalID}},
	}}}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return string(b)
}

// CreateRole creates an IAM role with the trust policy trust, the
// permissions boundary boundaryARN and the SetupTagKey tag (setupID), all
// in the one create call. A role of that name is ErrAlreadyExists, never
// adopted.
func (c *Client) CreateRole(ctx context.Context, name, trust, boundaryARN, setupID string) (Role, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              aws.String(PolicyDescription),
	}
	if boundaryARN != "" {
		in.PermissionsBoundary = aws.String(boundaryARN)
	}
	if setupID != "" {
		in.Tags = []iamtypes.Tag{{Key: aws.String(SetupTagKey), Value: aws.String(setupID)}}
	}
	out, err := c.iam.CreateRole(ctx, in)
	if err != nil {
		return Role{}, wrap(fmt.Sprintf("create role %q", name), err)
	}
	return Role{Name: name, ARN: aws.ToString(out.Role.Arn)}, nil
}

// InspectRole looks up the IAM role called name: its SetupTagKey tag, its
// trust policy, its permissions boundary and its attached managed policies.
func (c *Client) InspectRole(ctx context.Context, name string) (RoleFacts, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	f := RoleFacts{Name: name}
	got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		if isNotFound(err) {
			return f, nil
		}
		return f, wrap(fmt.Sprintf("get role %q", name), err)
	}
	f.Exists, f.ARN = true, aws.ToString(got.Role.Arn)
	f.TrustDocument = decodeDocument(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if b := got.Role.PermissionsBoundary; b != nil {
		f.Boundary = aws.ToString(b.PermissionsBoundaryArn)
	}
	tags := iam.NewListRoleTagsPaginator(c.iam, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return f, wrap(fmt.Sprintf("list tags of role %q", name), err)
		}
		for _, t := range page.Tags {
			if aws.ToString(t.Key) == SetupTagKey {
				f.SetupID = aws.ToString(t.Value)
			}
		}
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(c.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return f, wrap(fmt.Sprintf("list policies attached to role %q", name), err)
		}
		for _, p := range page.AttachedPolicies {
			f.Policies = append(f.Policies, aws.ToString(p.PolicyArn))
		}
	}
	return f, nil
}

// UpdateAssumeRolePolicy replaces the trust policy of a role; setting the
// same document again is harmless.
func (c *Client) UpdateAssumeRolePolicy(ctx context.Context, role, document string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role), PolicyDocument: aws.String(document)})
	return wrap(fmt.Sprintf("update the trust policy of role %q", role), err)
}

// AttachRolePolicy attaches a managed policy to a role; attaching it again
// is harmless.
func (c *Client) AttachRolePolicy(ctx context.Context, role, policyARN string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(policyARN)})
	return wrap(fmt.Sprintf("attach policy %s to role %q", policyARN, role), err)
}

// DetachRolePolicy detaches a managed policy from a role; a policy that is
// not attached, or a role or policy that is gone, counts as done.
func (c *Client) DetachRolePolicy(ctx context.Context, role, policyARN string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.detachRolePolicy(ctx, role, policyARN)
}

func (c *Client) detachRolePolicy(ctx context.Context, role, policyARN string) error {
	_, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(policyARN)})
	if err == nil || isNotFound(err) {
		return nil
	}
	return wrap(fmt.Sprintf("detach policy %s from role %q", policyARN, role), err)
}

// DeleteRole removes a role with what would block the deletion: its
// attached managed policies and inline policies. A missing role is
// success.
func (c *Client) DeleteRole(ctx context.Context, role string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	err := c.deleteRole(ctx, role)
	if isNotFound(err) {
		return nil
	}
	return err
}

func (c *Client) deleteRole(ctx context.Context, role string) error {
	attached := iam.NewListAttachedRolePoliciesPaginator(c.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list policies attached to role %q", role), err)
		}
		for _, p := range page.AttachedPolicies {
			if err := c.detachRolePolicy(ctx, role, aws.ToString(p.PolicyArn)); err != nil {
				return err
			}
		}
	}
	inline := iam.NewListRolePoliciesPaginator(c.iam, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list inline policies of role %q", role), err)
		}
		for _, name := range page.PolicyNames {
			_, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
			if err != nil && !isNotFound(err) {
				return wrap(fmt.Sprintf("delete inline policy %q of role %q", name, role), err)
			}
		}
	}
	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role)}); err != nil {
		return wrap(fmt.Sprintf("delete role %q", role), err)
	}
	return nil
}
