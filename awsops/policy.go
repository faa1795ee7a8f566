package awsops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// PolicyVersion is the IAM policy language version every document uses.
// 2012-10-17 is the only version that supports policy variables, which the
// escaping of *, ? and $ in prefixes relies on.
const PolicyVersion = "2012-10-17"

// Statement ids of the platform policy. They keep the manual doc's names so
// a customer comparing the two sees the same statements.
const (
	SidObjectAccess    = "AllowObjectAccess"
	SidObjectsListing  = "AllowObjectsListing"
	SidObjectsListing1 = "AllowObjectsListing1"
	SidObjectsListing2 = "AllowObjectsListing2"
)

// MaxManagedPolicySize is IAM's limit on a customer-managed policy document,
// counted in characters with whitespace excluded.
const MaxManagedPolicySize = 6144

// PolicyDifferenceHeadObject explains, in one sentence, why s3link's policy
// has no s3:HeadObject although the manual setup guide lists one.
const PolicyDifferenceHeadObject = "There is no s3:HeadObject permission in IAM: AWS authorises HEAD requests for file size and checksum through s3:GetObject, so s3link leaves out the action the manual guide lists."

// PolicyDifferenceRoot explains, in one sentence, why the bucket-root policy
// differs from the manual guide's root variant.
const PolicyDifferenceRoot = "For the bucket root, the manual guide's listing condition (prefix \"\" with delimiter \"/\") only lets the platform see the top level and denies listing files in sub-folders, so s3link allows listing the whole bucket instead."

// PolicyDifferences returns both differences from the manual setup guide, in
// the order the policy screen and README show them.
func PolicyDifferences() []string {
	return []string{PolicyDifferenceHeadObject, PolicyDifferenceRoot}
}

// policyDocument and policyStatement fix the JSON key order: Version before
// Statement, and Sid, Effect, Action, Resource, Condition in each statement,
// so that the same inputs always produce the same bytes.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
	// Condition maps an operator to condition keys to values; encoding/json
	// sorts map keys, which keeps the output stable.
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// policyLiteral makes a prefix match itself only. In a 2012-10-17 policy, *
// and ? are wildcards in Resource ARNs and StringLike values, and "${" starts
// a policy variable in every string, so a folder named "a*" would otherwise
// grant "abc/" too. ${*}, ${?} and ${$} are IAM's own escapes; a bucket name
// never contains these characters, and typical prefixes come out unchanged.
var policyLiteral = strings.NewReplacer("$", "${$}", "*", "${*}", "?", "${?}")

// PolicyDocument returns the least-privilege policy that lets the platform
// list and download everything under bucket/prefix and nothing else.
//
// prefix must already be normalised by NormalizePrefix (no leading or
// trailing slash); "" means the whole bucket.
//
// The document grants s3:GetObject but no s3:HeadObject: HeadObject is
// authorised by s3:GetObject, and IAM has no s3:HeadObject action (it would
// be rejected or ignored), so listing it only misleads.
//
// For the root, the manual guide's variant keeps ListBucket under the
// condition s3:prefix "" and s3:delimiter "/", which allows listing the top
// level only; a recursive listing (no delimiter) is denied. The bucket is
// the platform's whole scope in that case, so ListBucket is unconditional.
//
// For a prefix P, AllowObjectsListing1 lets a client open the folder itself
// (prefix "P" with delimiter "/"), and AllowObjectsListing2 lets it list
// anything under "P/". A listing must therefore ask for "P/" with the
// slash: a bare "P" without the delimiter matches neither statement.
func PolicyDocument(bucket, prefix string) string {
	bucketARN := "arn:aws:s3:::" + bucket
	var stmts []policyStatement
	if prefix == "" {
		stmts = []policyStatement{
			{
				Sid:      SidObjectAccess,
				Effect:   "Allow",
				Action:   []string{"s3:GetObject"},
				Resource: []string{bucketARN + "/*"},
			},
			{
				Sid:      SidObjectsListing,
				Effect:   "Allow",
				Action:   []string{"s3:ListBucket"},
				Resource: []string{bucketARN},
			},
		}
	} else {
		p := policyLiteral.Replace(prefix)
		stmts = []policyStatement{
			{
				Sid:      SidObjectAccess,
				Effect:   "Allow",
				Action:   []string{"s3:GetObject"},
				Resource: []string{bucketARN + "/" + p + "/*"},
			},
			{
				Sid:      SidObjectsListing1,
				Effect:   "Allow",
				Action:   []string{"s3:ListBucket"},
				Resource: []string{bucketARN},
				Condition: map[string]map[string][]string{
					"StringEquals": {
						"s3:prefix":    {p},
						"s3:delimiter": {"/"},
					},
				},
			},
			{
				Sid:      SidObjectsListing2,
				Effect:   "Allow",
				Action:   []string{"s3:ListBucket"},
				Resource: []string{bucketARN},
				Condition: map[string]map[string][]string{
					"StringLike": {
						"s3:prefix": {p + "/*"},
					},
				},
			},
		}
	}
	return marshalPolicy(policyDocument{Version: PolicyVersion, Statement: stmts})
}

// PolicySummary describes in plain words what PolicyDocument(bucket, prefix)
// grants, for the policy screen and the README.
func PolicySummary(bucket, prefix string) []string {
	if prefix == "" {
		return []string{
			fmt.Sprintf("Download any file in the bucket %s (s3:GetObject, which also covers reading a file's size and checksum).", bucket),
			fmt.Sprintf("List every file in the bucket %s, in all folders (s3:ListBucket).", bucket),
			"Nothing else: no uploads, no deletes, no changes to settings, no other bucket.",
		}
	}
	loc := fmt.Sprintf("s3://%s/%s/", bucket, prefix)
	return []string{
		fmt.Sprintf("Download any file under %s (s3:GetObject, which also covers reading a file's size and checksum).", loc),
		fmt.Sprintf("List the files under %s, in all its sub-folders (s3:ListBucket, limited to that prefix).", loc),
		fmt.Sprintf("Nothing else: no uploads, no deletes, no files outside %s, no other bucket.", loc),
	}
}

// CallerScope names what the caller policy is limited to. Empty fields
// fall back to the defaults setup uses ("*" for the bucket, a policy
// variable for the account).
type CallerScope struct {
	Account    string
	Bucket     string
	Prefix     string
	UserName   string
	PolicyName string
	// BoundaryName is the policy setup makes when it widens an existing
	// user's permissions boundary; "" for PolicyName + "-Boundary".
	BoundaryName string
	// RoleName is a role link's role; "" for UserName (setup's default
	// role name is the default user name).
	RoleName string
}

// CallerPolicyDocument returns the least-privilege IAM policy the person
// running s3link needs for setup, the proof, upload and teardown of scope:
// every action on the exact bucket, objects, user and policy ARNs; user
// creation only with the platform policy as permissions boundary; attach
// and detach only of that policy; changes to policies only where they carry
// s3link's tag. Only sts:GetCallerIdentity and s3:ListAllMyBuckets, which
// take no narrower resource, are on "*".
func CallerPolicyDocument(scope CallerScope) string {
	acct := scope.Account
	if acct == "" {
		acct = "${aws:PrincipalAccount}"
	}
	bucket := scope.Bucket
	if bucket == "" {
		bucket = "*"
	}
	objects := "arn:aws:s3:::" + bucket + "/*"
	if scope.Prefix != "" {
		objects = "arn:aws:s3:::" + bucket + "/" + policyLiteral.Replace(scope.Prefix) + "/*"
	}
	boundary := scope.BoundaryName
	if boundary == "" {
		boundary = scope.PolicyName + "-Boundary"
	}
	iamARN := func(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }
	policyARNs := []string{iamARN("policy", scope.PolicyName), iamARN("policy", boundary)}
	userARN := iamARN("user", scope.UserName)
	roleName := scope.RoleName
	if roleName == "" {
		roleName = scope.UserName
	}
	roleARN := iamARN("role", roleName)
	tagged := map[string]map[string][]string{"Null": {"aws:ResourceTag/" + SetupTagKey: {"false"}}}
	doc := policyDocument{Version: PolicyVersion, Statement: []policyStatement{
		{Sid: "S3LinkGlobal", Effect: "Allow", Resource: []string{"*"}, Action: []string{
			"s3:ListAllMyBuckets",
			"sts:GetCallerIdentity",
		}},
		{Sid: "S3LinkBucket", Effect: "Allow", Resource: []string{"arn:aws:s3:::" + bucket}, Action: []string{
			"s3:CreateBucket",
			"s3:DeleteBucket",
			"s3:GetBucketPublicAccessBlock",
			"s3:GetBucketTagging",
			"s3:GetEncryptionConfiguration",
			"s3:ListBucket",
			"s3:PutBucketPublicAccessBlock",
			"s3:PutBucketTagging",
			"s3:PutEncryptionConfiguration",
			"s3:TagResource",
		}},
		{Sid: "S3LinkObjects", Effect: "Allow", Resource: []string{objects}, Action: []string{
			"s3:AbortMultipartUpload",
			"s3:GetObject",
			"s3:PutObject",
		}},
		{Sid: "S3LinkReadPolicies", Effect: "Allow", Resource: policyARNs, Action: []string{
			"iam:CreatePolicy",
			"iam:GetPolicy",
			"iam:GetPolicyVersion",
			"iam:ListEntitiesForPolicy",
			"iam:ListPolicyTags",
			"iam:ListPolicyVersions",
			"iam:TagPolicy",
		}},
		{Sid: "S3LinkChangeOwnPolicies", Effect: "Allow", Resource: policyARNs, Condition: tagged, Action: []string{
			"iam:CreatePolicyVersion",
			"iam:DeletePolicy",
			"iam:DeletePolicyVersion",
		}},
		{Sid: "S3LinkUser", Effect: "Allow", Resource: []string{userARN}, Action: []string{
			"iam:CreateAccessKey",
			"iam:DeleteAccessKey",
			"iam:DeleteLoginProfile",
			"iam:DeleteUser",
			"iam:DeleteUserPermissionsBoundary",
			"iam:DeleteUserPolicy",
			"iam:GetAccessKeyLastUsed",
			"iam:GetUser",
			"iam:ListAccessKeys",
			"iam:ListAttachedUserPolicies",
			"iam:ListUserPolicies",
			"iam:ListUserTags",
			"iam:TagUser",
			"iam:UpdateAccessKey",
		}},
		{Sid: "S3LinkCreateBoundedUser", Effect: "Allow", Resource: []string{userARN},
			Condition: map[string]map[string][]string{"ArnEquals": {"iam:PermissionsBoundary": policyARNs}},
			Action: []string{
				"iam:CreateUser",
				"iam:PutUserPermissionsBoundary",
			}},
		{Sid: "S3LinkAttachPlatformPolicy", Effect: "Allow", Resource: []string{userARN},
			Condition: map[string]map[string][]string{"ArnEquals": {"iam:PolicyARN": policyARNs[:1]}},
			Action: []string{
				"iam:AttachUserPolicy",
				"iam:DetachUserPolicy",
			}},
		// A role link (setup --access role): the role, made only with the
		// platform policy as its boundary and given only that policy; the
		// proof assumes it.
		{Sid: "S3LinkRole", Effect: "Allow", Resource: []string{roleARN}, Action: []string{
			"iam:DeleteRole",
			"iam:DeleteRolePolicy",
			"iam:GetRole",
			"iam:ListAttachedRolePolicies",
			"iam:ListRolePolicies",
			"iam:ListRoleTags",
			"iam:TagRole",
			"iam:UpdateAssumeRolePolicy",
			"sts:AssumeRole",
		}},
		{Sid: "S3LinkCreateBoundedRole", Effect: "Allow", Resource: []string{roleARN},
			Condition: map[string]map[string][]string{"ArnEquals": {"iam:PermissionsBoundary": policyARNs[:1]}},
			Action:    []string{"iam:CreateRole"}},
		{Sid: "S3LinkAttachPlatformPolicyToRole", Effect: "Allow", Resource: []string{roleARN},
			Condition: map[string]map[string][]string{"ArnEquals": {"iam:PolicyARN": policyARNs[:1]}},
			Action: []string{
				"iam:AttachRolePolicy",
				"iam:DetachRolePolicy",
			}},
	}}
	return marshalPolicy(doc)
}

// MergePolicies returns one document that allows what both documents
// allow: the statements of a, then those of b, with statement ids made
// unique. It is how a permissions boundary is widened to a second location.
func MergePolicies(a, b string) (string, error) {
	var da, db policyDocument
	if err := json.Unmarshal([]byte(a), &da); err != nil {
		return "", fmt.Errorf("read the first document: %w", err)
	}
	if err := json.Unmarshal([]byte(b), &db); err != nil {
		return "", fmt.Errorf("read the second document: %w", err)
	}
	out := policyDocument{Version: PolicyVersion}
	seen := map[string]bool{}
	for _, st := range append(da.Statement, db.Statement...) {
		base, sid := st.Sid, st.Sid
		for n := 2; seen[sid]; n++ {
			sid = fmt.Sprintf("%s%d", base, n)
		}
		seen[sid] = true
		st.Sid = sid
		out.Statement = append(out.Statement, st)
	}
	doc := marshalPolicy(out)
	if err := CheckPolicySize(doc); err != nil {
		return "", err
	}
	return doc, nil
}

// PolicySize counts a document the way IAM does for its size limit:
// characters, with whitespace excluded.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// CheckPolicySize refuses a document over IAM's managed-policy limit before
// any AWS call, which only happens with a very long prefix.
func CheckPolicySize(doc string) error {
	if n := PolicySize(doc); n > MaxManagedPolicySize {
		return invalidf("the policy would be %d characters, over IAM's limit of %d: choose a shorter path inside the bucket", n, MaxManagedPolicySize)
	}
	return nil
}

// marshalPolicy encodes with two-space indent and a trailing newline, and
// without HTML escaping so that a prefix with & or < reads as typed.
func marshalPolicy(doc policyDocument) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		// Only strings and slices of strings: encoding cannot fail.
		panic("awsops: encode policy: " + err.Error())
	}
	return buf.String()
}
