// Package setup is s3link's setup engine: it inspects what exists, plans
// what to create, reuse or refuse (with the reason), applies the plan one
// journalled call at a time, rolls a run back and tears a setup down. It
// changes or deletes only what it can prove it created: the resource
// carries the setup's id as a tag (set in the create call), or, for access
// keys, the record names it. It has no terminal code; the wizard and the
// commands are thin callers of it.
package setup

import (
	"fmt"
	"sort"
	"strings"

	"github.com/s3link/s3link/awsops"
)

// Spec is every answer setup needs. It is the same for the wizard and for
// the headless `s3link setup --non-interactive`.
type Spec struct {
	Bucket string
	// Region is where a new bucket goes; for an existing bucket Plan
	// replaces it with the bucket's real region.
	Region string
	// ExistingBucket uses a bucket that is already there: setup neither
	// creates nor reconfigures it (unless ProtectBucket).
	ExistingBucket bool
	// ProtectBucket turns on Block Public Access on an existing bucket: an
	// explicit choice, shown in review, never a side effect.
	ProtectBucket bool
	// Prefix is already normalised ("" = the bucket root).
	Prefix     string
	PolicyName string
	// PolicyNameChosen is true when the person named the policy; a default
	// name that belongs to s3link's policy for another location is then
	// replaced by one derived from this location instead.
	PolicyNameChosen bool
	UserName         string
	// ExistingUser allows a user s3link did not create to be given the
	// policy and a key (the person uses it knowingly).
	ExistingUser bool
	Tags         map[string]string
	// NewKey makes a new access key even when an earlier run's is active.
	NewKey bool
	// RotateOldest deletes the user's oldest key when it already holds 2.
	RotateOldest bool
	// DeleteKeyID, when set, is the key to delete at the 2-key limit (the
	// wizard's choice); it overrides RotateOldest.
	DeleteKeyID string
	// Access is AccessKey (a user and its key, the default) or AccessRole
	// (a role TrustedAccount assumes with an external id; RoleName names
	// it and UserName is empty).
	Access         Access
	TrustedAccount string
	RoleName       string
	// ExternalID is the role's external id; "" makes a random one (a
	// re-run keeps its record's).
	ExternalID string
}

// ActionKind names one AWS call of the setup plan.
type ActionKind string

// The setup plan's actions, in the order they run.
const (
	ActCreateBucket     ActionKind = "create-bucket"
	ActBlockPublic      ActionKind = "block-public-access"
	ActEncryption       ActionKind = "default-encryption"
	ActCreatePolicy     ActionKind = "create-policy"
	ActPolicyVersion    ActionKind = "policy-version"
	ActCreateBoundary   ActionKind = "create-boundary"
	ActCreateUser       ActionKind = "create-user"
	ActSetBoundary      ActionKind = "set-boundary"
	ActAttachPolicy     ActionKind = "attach-policy"
	ActDeleteOldKey     ActionKind = "delete-old-key"
	ActCreateAccessKey  ActionKind = "create-access-key"
	ActCreateRole       ActionKind = "create-role"
	ActAttachRolePolicy ActionKind = "attach-role-policy"
)

// PolicyFile is the name the CLI equivalents give the policy document.
const PolicyFile = "policy.json"

// BoundaryFile is the name the CLI equivalents give a widened boundary.
const BoundaryFile = "boundary.json"

// Action is one AWS call of the plan: what it does in plain words and the
// equivalent AWS CLI command.
type Action struct {
	Kind    ActionKind
	Title   string
	Command string
}

// Creates reports whether the action makes a resource that a kill during
// the call could leave behind unrecorded.
func (a Action) Creates() bool {
	switch a.Kind {
	case ActCreateBucket, ActCreatePolicy, ActCreateBoundary, ActCreateUser, ActCreateAccessKey, ActCreateRole:
		return true
	}
	return false
}

// Location renders a bucket and prefix as an s3:// URL.
func Location(bucket, prefix string) string {
	if prefix == "" {
		return "s3://" + bucket + "/"
	}
	return "s3://" + bucket + "/" + prefix + "/"
}

// actions lists the calls for a decided plan, in order.
func actions(p *Plan) []Action {
	s := p.Spec
	var acts []Action
	tag := fmt.Sprintf("Key=%s,Value=%s", awsops.SetupTagKey, p.SetupID)
	if p.Bucket.Decision == Create {
		loc := ""
		if s.Region != "us-east-1" {
			loc = "LocationConstraint=" + s.Region + ","
		}
		acts = append(acts,
			Action{ActCreateBucket, fmt.Sprintf("Create bucket %s in %s", s.Bucket, s.Region),
				// s3link tags the bucket again after creating it (not every
				// endpoint keeps CreateBucket's tags); so do the commands.
				fmt.Sprintf("aws s3api create-bucket --bucket %s --region %s --create-bucket-configuration '%sTags=[{%s}]' && aws s3api put-bucket-tagging --bucket %s --region %s --tagging 'TagSet=[{%s}]'", s.Bucket, s.Region, loc, tag, s.Bucket, s.Region, tag)},
		)
	}
	if p.Bucket.Decision == Create || (p.Bucket.Decision == Reuse && p.Bucket.Ours && !p.bucketBlocked) || s.ProtectBucket {
		title := "Block all public access to the bucket (all four settings)"
		if p.Bucket.Decision == Reuse && !p.Bucket.Ours {
			title = "Turn on Block Public Access (all four settings) on the existing bucket " + s.Bucket + ", as you chose"
		}
		acts = append(acts, Action{ActBlockPublic, title,
			fmt.Sprintf("aws s3api put-public-access-block --bucket %s --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true", s.Bucket)})
	}
	if p.Bucket.Decision == Create {
		acts = append(acts, Action{ActEncryption, "Turn on default encryption (SSE-S3)",
			fmt.Sprintf(`aws s3api put-bucket-encryption --bucket %s --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`, s.Bucket)})
	}
	switch p.Policy.Decision {
	case Create:
		acts = append(acts, Action{ActCreatePolicy, fmt.Sprintf("Create IAM policy %s (read-only on %s)", s.PolicyName, Location(s.Bucket, s.Prefix)),
			fmt.Sprintf("aws iam create-policy --policy-name %s --description %s --policy-document file://%s --tags %s",
				s.PolicyName, shellQuote(awsops.PolicyDescription), PolicyFile, tag)})
	case Change:
		acts = append(acts, Action{ActPolicyVersion, fmt.Sprintf("Give IAM policy %s (made by this setup) the current document as its default version", s.PolicyName),
			fmt.Sprintf("aws iam create-policy-version --policy-arn %s --policy-document file://%s --set-as-default", p.policyARN(), PolicyFile)})
	}
	if p.Boundary.Decision == Create {
		acts = append(acts, Action{ActCreateBoundary, fmt.Sprintf("Create IAM policy %s: a permissions boundary covering every location of user %s", p.Boundary.Name, s.UserName),
			fmt.Sprintf("aws iam create-policy --policy-name %s --description %s --policy-document file://%s --tags %s",
				p.Boundary.Name, shellQuote(awsops.PolicyDescription), BoundaryFile, tag)})
	}
	acts = append(acts, roleActions(p, tag)...)
	if p.User.Decision == Create {
		acts = append(acts, Action{ActCreateUser, fmt.Sprintf("Create IAM user %s, bounded by policy %s", s.UserName, s.PolicyName),
			fmt.Sprintf("aws iam create-user --user-name %s --permissions-boundary %s --tags %s%s", s.UserName, p.policyARN(), tag, tagsFlag(s.Tags))})
	}
	if p.Boundary.Decision == Create || p.Boundary.Decision == Change {
		acts = append(acts, Action{ActSetBoundary, fmt.Sprintf("Make %s the permissions boundary of user %s", p.Boundary.Name, s.UserName),
			fmt.Sprintf("aws iam put-user-permissions-boundary --user-name %s --permissions-boundary %s", s.UserName, p.Boundary.ARN)})
	}
	if p.Attach.Decision == Create {
		acts = append(acts, Action{ActAttachPolicy, fmt.Sprintf("Attach policy %s to user %s", s.PolicyName, s.UserName),
			fmt.Sprintf("aws iam attach-user-policy --user-name %s --policy-arn %s", s.UserName, p.policyARN())})
	}
	if p.DeleteKeyID != "" {
		acts = append(acts, Action{ActDeleteOldKey, fmt.Sprintf("Delete the old access key %s of %s", p.DeleteKeyID, s.UserName),
			fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id %s", s.UserName, p.DeleteKeyID)})
	}
	if p.Key.Decision == Create {
		acts = append(acts, Action{ActCreateAccessKey, fmt.Sprintf("Create an access key for %s", s.UserName),
			fmt.Sprintf("aws iam create-access-key --user-name %s", s.UserName)})
	}
	return acts
}

func tagsFlag(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " Key=%s,Value=%s", shellQuote(k), shellQuote(tags[k]))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/=+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
