// Package awsops holds every AWS call s3link makes, behind small interfaces
// that take and return domain types rather than SDK structs.
package awsops

import (
	"context"
	"fmt"
	"io"
	"time"
)

// CallTimeout bounds each single AWS call made through Client.
const CallTimeout = 30 * time.Second

// Config selects the credentials and endpoint the clients use.
type Config struct {
	// Profile names a profile in the shared config; empty uses the SDK's
	// default chain (AWS_PROFILE, environment, SSO, instance roles, ...).
	Profile string
	// Region overrides the profile's region.
	Region string
	// EndpointURL points S3, IAM and STS at one endpoint (a local emulator)
	// and switches S3 to path-style addressing.
	EndpointURL string
	// Static, when set, replaces the credential chain (the new platform key,
	// or the sandbox's dummy credentials).
	Static *StaticCredentials
	// Debug, when set, receives one line per AWS call attempt (operation,
	// status, request id, error code; never headers or bodies).
	Debug io.Writer
}

// StaticCredentials is a fixed access key pair.
type StaticCredentials struct {
	AccessKeyID string
	Secret      Secret
}

// Identity is who the resolved credentials belong to.
type Identity struct {
	Account string
	ARN     string
	UserID  string
	// Region is the region the clients were configured with.
	Region string
}

// Bucket is an S3 bucket and where it lives.
type Bucket struct {
	Name    string
	Region  string
	Created time.Time
}

// BucketResult reports what CreateBucket did.
type BucketResult struct {
	Bucket
	// Reused is true when the bucket already existed and is ours.
	Reused bool
}

// PublicAccess is a bucket's Block Public Access configuration.
type PublicAccess struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// AllBlocked reports whether all four Block Public Access flags are on.
func (p PublicAccess) AllBlocked() bool {
	return p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets
}

// PrefixSummary counts what sits under a prefix. When Truncated is set the
// counts cover only the first listing page ("at least").
type PrefixSummary struct {
	Objects   int64
	Bytes     int64
	Truncated bool
}

// PolicyInfo describes an existing customer-managed policy, if any.
type PolicyInfo struct {
	Exists bool
	ARN    string
	// SameDocument is true when the default version's document equals the
	// document asked about (compared as JSON values, not bytes).
	SameDocument bool
	// Versions is how many versions the policy holds (IAM keeps at most 5).
	Versions int
}

// Policy is a customer-managed IAM policy after CreatePolicy.
type Policy struct {
	Name      string
	ARN       string
	VersionID string
	// Reused is true when a policy of that name already had the same document.
	Reused bool
	// NewVersion is true when an existing policy got a new default version.
	NewVersion bool
	// DeletedVersionID names the old version removed to stay within 5.
	DeletedVersionID string
	// Created is when AWS created the policy (zero when unknown); for a
	// reused policy it tells whether an interrupted run made it.
	Created time.Time
}

// User is an IAM user.
type User struct {
	Name   string
	ARN    string
	Reused bool
	// Created is when AWS created the user (zero when unknown); for a
	// reused user it tells whether an interrupted run made it.
	Created time.Time
}

// KeyInfo describes an existing access key; it never holds a secret.
type KeyInfo struct {
	ID       string
	Status   string
	Created  time.Time
	LastUsed time.Time // zero when never used
}

// AccessKey is a newly created access key. Secret is shown exactly once.
type AccessKey struct {
	User    string
	ID      string
	Secret  Secret
	Created time.Time
}

// Secret holds a secret access key. Its String, GoString and Format methods
// never reveal it, so it cannot leak through fmt, logs or errors by accident.
type Secret struct{ v string }

// NewSecret wraps a secret value.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the secret itself. Call it only where the secret must be
// handed over: the key screen, the clipboard, the CSV, an explicit --print-secret.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether no secret is held.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string { return "[secret]" }

// GoString implements fmt.GoStringer without revealing the secret.
func (s Secret) GoString() string { return "awsops.Secret{[secret]}" }

// Format implements fmt.Formatter so that every verb, %v, %+v, %#v, %s, %q, %x
// included, prints a placeholder.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("[secret]")) }

// MarshalJSON refuses to encode the secret: the record and logs must never
// hold it. The JSON summary reveals it explicitly instead.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"[secret]"`), nil }

// Provisioner is every call the setup wizard and the headless setup make.
type Provisioner interface {
	WhoAmI(ctx context.Context) (Identity, error)
	ListBuckets(ctx context.Context) ([]Bucket, error)
	BucketRegion(ctx context.Context, bucket string) (string, error)
	BucketPublicAccess(ctx context.Context, bucket string) (PublicAccess, error)
	SummarizePrefix(ctx context.Context, bucket, prefix string) (PrefixSummary, error)
	CreateBucket(ctx context.Context, name, region string) (BucketResult, error)
	BlockPublicAccess(ctx context.Context, bucket string) error
	EnableDefaultEncryption(ctx context.Context, bucket string) error
	LookupPolicy(ctx context.Context, name, document string) (PolicyInfo, error)
	CreatePolicy(ctx context.Context, name, document string) (Policy, error)
	CreateUser(ctx context.Context, name string, tags map[string]string) (User, error)
	AttachUserPolicy(ctx context.Context, user, policyARN string) error
	ListAccessKeys(ctx context.Context, user string) ([]KeyInfo, error)
	CreateAccessKey(ctx context.Context, user string) (AccessKey, error)
	DeleteAccessKey(ctx context.Context, user, keyID string) error
}

// Remover undoes what setup created. Each call treats "already gone" as success.
type Remover interface {
	DetachUserPolicy(ctx context.Context, user, policyARN string) error
	DeleteAccessKey(ctx context.Context, user, keyID string) error
	// DeleteUser removes the user, first deleting its remaining access keys
	// and detaching its managed policies.
	DeleteUser(ctx context.Context, user string) error
	// DeletePolicy removes the policy with all its non-default versions,
	// detaching it from any entity first.
	DeletePolicy(ctx context.Context, policyARN string) error
	// DeleteBucket removes the bucket only when it is empty; a non-empty
	// bucket returns ErrBucketNotEmpty and is left alone.
	DeleteBucket(ctx context.Context, bucket string) error

	// The lookups below tell teardown whether a create call that was cut
	// short left its resource behind: each reports the resource with its
	// creation time, and ok is false when there is none.

	// FindBucket looks the bucket up among the caller's own buckets.
	FindBucket(ctx context.Context, bucket string) (b Bucket, ok bool, err error)
	// FindPolicy looks up the customer-managed policy called name.
	FindPolicy(ctx context.Context, name string) (p Policy, ok bool, err error)
	// FindUser looks up the IAM user called name.
	FindUser(ctx context.Context, name string) (u User, ok bool, err error)
	// ListAccessKeys lists the user's access keys; a missing user is
	// ErrNotFound.
	ListAccessKeys(ctx context.Context, user string) ([]KeyInfo, error)
}
