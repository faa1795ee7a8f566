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
	// AssumeRole, when set, signs with temporary credentials of that role,
	// assumed (sts:AssumeRole, with its external id) by the credentials
	// the rest of Config resolves: a role link's proof.
	AssumeRole *AssumeRole
	// Debug, when set, receives one line per AWS call attempt (operation,
	// status, request id, error code; never headers or bodies).
	Debug io.Writer
	// Verbose, when set, receives a line as each AWS call starts and ends
	// (operation and error code only; never parameters or bodies).
	Verbose io.Writer
}

// AssumeRole names a role to assume and the external id its trust policy
// asks for.
type AssumeRole struct {
	ARN        string
	ExternalID string
	// SessionName names the session in the role's CloudTrail entries.
	SessionName string
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
	// Region is the region a flag, variable or the profile configured;
	// "" when none did.
	Region string
	// RegionSource says what set Region: "--region", "AWS_REGION",
	// "AWS_DEFAULT_REGION" or "profile NAME"; "" when Region is "".
	RegionSource string
	// Endpoint is the endpoint the calls go to when one replaces AWS's own
	// (--endpoint-url or AWS_ENDPOINT_URL), "" for AWS itself.
	Endpoint string
	// EndpointSource says what set Endpoint: "--endpoint-url" or the
	// environment variable's name.
	EndpointSource string
}

// SetupTagKey is the tag s3link puts on every bucket, IAM user and IAM
// policy it creates, in the create call itself. Its value is the setup's
// random id: a resource is s3link's exactly when it carries the id of a
// record s3link holds.
const SetupTagKey = "s3link:setup-id"

// Bucket is an S3 bucket and where it lives.
type Bucket struct {
	Name    string
	Region  string
	Created time.Time
}

// BucketFacts is what Inspect learns about a bucket name before any plan.
type BucketFacts struct {
	Name string
	// Exists is true when some account holds a bucket of that name.
	Exists bool
	// Owned is true when the caller's own account holds it (ListBuckets is
	// the only call that tells ownership apart from mere access).
	Owned  bool
	Region string
	// SetupID is the value of the bucket's SetupTagKey tag, "" when none.
	SetupID string
	// PublicAccess is the bucket's Block Public Access state (owned only).
	PublicAccess PublicAccess
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

// PolicyFacts describes a customer-managed policy of a given name, if any.
type PolicyFacts struct {
	Name   string
	Exists bool
	ARN    string
	// SetupID is the value of the policy's SetupTagKey tag, "" when none.
	SetupID string
	// SameDocument is true when the default version's document equals the
	// document asked about (compared as JSON values, not bytes).
	SameDocument bool
	// Document is the default version's document, decoded.
	Document string
	// Versions is how many versions the policy holds (IAM keeps at most 5).
	Versions int
	// Users, Groups and Roles are the entities the policy is attached to.
	Users, Groups, Roles []string
	// Boundaries are the users and roles that use it as permissions boundary.
	Boundaries []string
}

// AttachedElsewhere lists the entities other than user that the policy is
// attached to or bounds, in plain words ("user analyst", "role ci").
func (p PolicyFacts) AttachedElsewhere(user string) []string {
	var out []string
	for _, u := range p.Users {
		if u != user {
			out = append(out, "user "+u)
		}
	}
	for _, g := range p.Groups {
		out = append(out, "group "+g)
	}
	for _, r := range p.Roles {
		out = append(out, "role "+r)
	}
	for _, b := range p.Boundaries {
		if b != user {
			out = append(out, "the permissions boundary of "+b)
		}
	}
	return out
}

// Policy is a customer-managed IAM policy after CreatePolicy or
// AddPolicyVersion.
type Policy struct {
	Name      string
	ARN       string
	VersionID string
	// DeletedVersionID names the old version removed to stay within 5.
	DeletedVersionID string
}

// UserFacts describes an IAM user of a given name, if any.
type UserFacts struct {
	Name   string
	Exists bool
	ARN    string
	// SetupID is the value of the user's SetupTagKey tag, "" when none.
	SetupID string
	// Boundary is the ARN of the user's permissions boundary, "" when none.
	Boundary string
	// Policies are the ARNs of the managed policies attached to the user.
	Policies []string
	// Keys are the user's access keys, with when each was last used.
	Keys []KeyInfo
}

// HasPolicy reports whether the policy arn is attached to the user.
func (u UserFacts) HasPolicy(arn string) bool {
	for _, p := range u.Policies {
		if p == arn {
			return true
		}
	}
	return false
}

// User is an IAM user after CreateUser.
type User struct {
	Name string
	ARN  string
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

// Inspector reads the state setup and teardown decide on. It changes
// nothing.
type Inspector interface {
	WhoAmI(ctx context.Context) (Identity, error)
	ListBuckets(ctx context.Context) ([]Bucket, error)
	InspectBucket(ctx context.Context, bucket string) (BucketFacts, error)
	SummarizePrefix(ctx context.Context, bucket, prefix string) (PrefixSummary, error)
	// InspectPolicy looks the policy up by name in the caller's account,
	// comparing its default document with document.
	InspectPolicy(ctx context.Context, name, document string) (PolicyFacts, error)
	InspectUser(ctx context.Context, user string) (UserFacts, error)
	InspectRole(ctx context.Context, role string) (RoleFacts, error)
}

// Provisioner is every call the setup wizard and the headless setup make.
// Each create call fails with ErrAlreadyExists (or, for a bucket the
// caller owns, ErrBucketOwned) instead of adopting what is there: whether
// an existing resource may be used is the setup engine's decision.
type Provisioner interface {
	Inspector
	// CreateBucket creates the bucket in region, tagged with setupID in
	// the create call itself.
	CreateBucket(ctx context.Context, name, region, setupID string) (Bucket, error)
	BlockPublicAccess(ctx context.Context, bucket string) error
	EnableDefaultEncryption(ctx context.Context, bucket string) error
	// CreatePolicy creates the policy, tagged with setupID.
	CreatePolicy(ctx context.Context, name, document, setupID string) (Policy, error)
	// AddPolicyVersion makes document the policy's default version,
	// deleting the oldest non-default version at IAM's limit of 5.
	AddPolicyVersion(ctx context.Context, policyARN, document string) (Policy, error)
	// CreateUser creates the user, tagged with setupID and tags, with the
	// permissions boundary boundaryARN ("" for none).
	CreateUser(ctx context.Context, name string, tags map[string]string, boundaryARN, setupID string) (User, error)
	// SetUserBoundary sets (or, with "", removes) a user's permissions
	// boundary.
	SetUserBoundary(ctx context.Context, user, boundaryARN string) error
	AttachUserPolicy(ctx context.Context, user, policyARN string) error
	ListAccessKeys(ctx context.Context, user string) ([]KeyInfo, error)
	CreateAccessKey(ctx context.Context, user string) (AccessKey, error)
	DeleteAccessKey(ctx context.Context, user, keyID string) error
	// CreateRole creates the role with the trust policy trust, tagged with
	// setupID, with the permissions boundary boundaryARN ("" for none).
	CreateRole(ctx context.Context, name, trust, boundaryARN, setupID string) (Role, error)
	AttachRolePolicy(ctx context.Context, role, policyARN string) error
}

// Auditor reads what status checks beyond what setup inspects. It
// changes nothing.
type Auditor interface {
	Inspector
	// BucketEncryption returns the bucket's default encryption algorithm
	// ("AES256" is SSE-S3), "" when it has none; region is the bucket's.
	BucketEncryption(ctx context.Context, bucket, region string) (string, error)
}

// KeyRotator is every call rotate makes with the caller's credentials.
type KeyRotator interface {
	Inspector
	CreateAccessKey(ctx context.Context, user string) (AccessKey, error)
	// SetAccessKeyStatus makes a key active or inactive.
	SetAccessKeyStatus(ctx context.Context, user, keyID string, active bool) error
	DeleteAccessKey(ctx context.Context, user, keyID string) error
}

// RoleRotator is every call rotate makes for a role link with the
// caller's credentials.
type RoleRotator interface {
	Inspector
	// UpdateAssumeRolePolicy replaces the role's trust policy with
	// document.
	UpdateAssumeRolePolicy(ctx context.Context, role, document string) error
}

// Prober asks S3 what the platform's own key may do; it is built with
// that key, never the caller's.
type Prober interface {
	// ProbeList lists under the prefix (with its slash) and returns the
	// first object's key, "" when there is none.
	ProbeList(ctx context.Context, bucket, prefix string) (string, error)
	// ProbeHead heads one object: nil, ErrNotFound (readable there, but
	// missing) or ErrAccessDenied.
	ProbeHead(ctx context.Context, bucket, key string) error
}

// Remover undoes what setup created. Each call treats "already gone" as
// success. None of them decides what is s3link's: the setup engine proves
// that first.
type Remover interface {
	DetachUserPolicy(ctx context.Context, user, policyARN string) error
	DeleteAccessKey(ctx context.Context, user, keyID string) error
	// DeleteUser removes the user, first deleting its remaining access keys,
	// detaching its managed policies and deleting its inline policies.
	DeleteUser(ctx context.Context, user string) error
	// DeletePolicy removes the policy with all its non-default versions. It
	// detaches nothing: a policy still attached anywhere fails with
	// ErrInUse.
	DeletePolicy(ctx context.Context, policyARN string) error
	// DeleteBucket removes the bucket only when it is empty; a non-empty
	// bucket returns ErrBucketNotEmpty and is left alone.
	DeleteBucket(ctx context.Context, bucket string) error
	SetUserBoundary(ctx context.Context, user, boundaryARN string) error
	DetachRolePolicy(ctx context.Context, role, policyARN string) error
	// DeleteRole removes the role, first detaching its managed policies
	// and deleting its inline policies.
	DeleteRole(ctx context.Context, role string) error
}
