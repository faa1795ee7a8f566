package awsops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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

// callerActions are the permissions the person running s3link needs for
// setup, the sync check and teardown, one statement per service. Every
// resource is "*": the bucket, policy and user names are chosen in the
// wizard, after this policy would have to exist, and s3:ListAllMyBuckets
// and sts:GetCallerIdentity accept no narrower resource anyway.
var callerActions = []struct {
	sid     string
	actions []string
}{
	{"S3LinkIdentity", []string{
		"sts:GetCallerIdentity",
	}},
	{"S3LinkBuckets", []string{
		"s3:AbortMultipartUpload",
		"s3:CreateBucket",
		"s3:DeleteBucket",
		"s3:GetBucketLocation",
		"s3:GetBucketPublicAccessBlock",
		"s3:GetObject",
		"s3:ListAllMyBuckets",
		"s3:ListBucket",
		"s3:PutBucketPublicAccessBlock",
		"s3:PutEncryptionConfiguration",
		"s3:PutObject",
	}},
	{"S3LinkIAM", []string{
		"iam:AttachUserPolicy",
		"iam:CreateAccessKey",
		"iam:CreatePolicy",
		"iam:CreatePolicyVersion",
		"iam:CreateUser",
		"iam:DeleteAccessKey",
		"iam:DeleteLoginProfile",
		"iam:DeletePolicy",
		"iam:DeletePolicyVersion",
		"iam:DeleteUser",
		"iam:DeleteUserPolicy",
		"iam:DetachUserPolicy",
		"iam:GetAccessKeyLastUsed",
		"iam:GetPolicy",
		"iam:GetPolicyVersion",
		"iam:GetUser",
		"iam:ListAccessKeys",
		"iam:ListAttachedUserPolicies",
		"iam:ListEntitiesForPolicy",
		"iam:ListPolicyVersions",
		"iam:ListUserPolicies",
		"iam:TagUser",
	}},
}

// CallerPolicyDocument returns the IAM policy the person running s3link
// needs for setup and teardown, for anyone who would rather not use admin
// credentials.
func CallerPolicyDocument() string {
	doc := policyDocument{Version: PolicyVersion}
	for _, g := range callerActions {
		doc.Statement = append(doc.Statement, policyStatement{
			Sid:      g.sid,
			Effect:   "Allow",
			Action:   slices.Clone(g.actions),
			Resource: []string{"*"},
		})
	}
	return marshalPolicy(doc)
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
		return fmt.Errorf("The policy would be %d characters, over IAM's limit of %d: choose a shorter path inside the bucket.", n, MaxManagedPolicySize)
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
