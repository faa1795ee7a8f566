package awsops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// DefaultRegion is used when neither the Config nor the profile names one.
const DefaultRegion = "us-east-1"

// maxAttempts is the standard retryer's budget per call: enough to ride out
// throttling and a dropped connection, small enough that a dead endpoint
// fails within CallTimeout.
const maxAttempts = 5

// ErrNoProfile is returned by LoadAWSConfig when the named profile is in
// neither shared file. errors.Is(err, ErrNoCredentials) holds as well.
var ErrNoProfile = errors.New("AWS profile not found")

// LoadAWSConfig resolves credentials and region the SDK's way (shared config
// and credentials files, SSO, environment, instance roles), narrowed by c.
func LoadAWSConfig(ctx context.Context, c Config) (aws.Config, error) {
	cfg, _, err := loadAWSConfig(ctx, c)
	return cfg, err
}

// loadAWSConfig is LoadAWSConfig that also reports whether the region is
// only DefaultRegion because nothing configured one.
func loadAWSConfig(ctx context.Context, c Config) (aws.Config, bool, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = maxAttempts })
		}),
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Static != nil {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.Static.AccessKeyID, c.Static.Secret.Reveal(), "")))
	}
	// The SDK's own log lines (such as its IMDS fallback warnings) belong
	// in the debug log, never on the terminal behind the wizard.
	var logger logging.Logger = logging.Nop{}
	if c.Debug != nil {
		opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{debugMiddleware(c.Debug)}))
		logger = logging.NewStandardLogger(c.Debug)
	}
	if c.Verbose != nil {
		opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{verboseMiddleware(c.Verbose)}))
	}
	opts = append(opts, config.WithLogger(logger))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			pe := &profileError{profile: missing.Profile, err: err}
			pe.configFile, pe.credentialsFile = SharedFiles()
			return aws.Config{}, false, pe
		}
		return aws.Config{}, false, fmt.Errorf("load AWS config: %w: %w", ErrBadConfig, err)
	}
	defaulted := cfg.Region == ""
	if defaulted {
		// Calls that need some region (STS, IAM) still work; a new bucket
		// never lands here silently: see Client.RegionConfigured.
		cfg.Region = DefaultRegion
	}
	if cfg.Credentials != nil && c.Static == nil {
		// Mark failures of the credential chain so that every call can map
		// them to ErrNoCredentials; the SDK only wraps them in plain text.
		src := sourceOf(cfg)
		provider := cfg.Credentials
		if src.process != nil {
			// The SDK's own runner sends the process's stderr only to
			// the terminal; this one also keeps its last line.
			provider = src.process.provider()
		}
		cfg.Credentials = aws.NewCredentialsCache(markedProvider{provider, src})
	}
	if r := c.AssumeRole; r != nil && cfg.Credentials != nil {
		stsc := sts.NewFromConfig(cfg, STSOptions(c))
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsc, r.ARN, func(o *stscreds.AssumeRoleOptions) {
			if r.ExternalID != "" {
				o.ExternalID = aws.String(r.ExternalID)
			}
			o.RoleSessionName = r.SessionName
			if o.RoleSessionName == "" {
				o.RoleSessionName = "s3link-proof"
			}
		}))
	}
	return cfg, defaulted, nil
}

// S3Options adapts an S3 client to c. An explicit EndpointURL also switches
// to path-style addressing, which local emulators need because
// BUCKET.127.0.0.1 does not resolve. Without it the SDK's own
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 variables and endpoint_url settings
// stay in charge; the SDK has already applied them as BaseEndpoint when this
// option runs, and such a custom endpoint gets path style too, for the same
// reason. Plain AWS keeps virtual-hosted addressing.
func S3Options(c Config) func(*s3.Options) {
	return func(o *s3.Options) {
		if c.EndpointURL != "" {
			o.BaseEndpoint = aws.String(c.EndpointURL)
		}
		if o.BaseEndpoint != nil && *o.BaseEndpoint != "" {
			o.UsePathStyle = true
		}
		// Otherwise the SDK prints a line to stderr for every GetObject
		// whose response carries no checksum, garbling the terminal UI.
		o.DisableLogOutputChecksumValidationSkipped = true
	}
}

// IAMOptions points an IAM client at c.EndpointURL when one is set.
func IAMOptions(c Config) func(*iam.Options) {
	return func(o *iam.Options) {
		if c.EndpointURL != "" {
			o.BaseEndpoint = aws.String(c.EndpointURL)
		}
	}
}

// STSOptions points an STS client at c.EndpointURL when one is set.
func STSOptions(c Config) func(*sts.Options) {
	return func(o *sts.Options) {
		if c.EndpointURL != "" {
			o.BaseEndpoint = aws.String(c.EndpointURL)
		}
	}
}

// s3API is the part of *s3.Client that Client uses.
type s3API interface {
	bucketAPI
	bucketSettingsAPI
	objectListAPI
}

type bucketAPI interface {
	CreateBucket(context.Context, *s3.CreateBucketInput, ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	DeleteBucket(context.Context, *s3.DeleteBucketInput, ...func(*s3.Options)) (*s3.DeleteBucketOutput, error)
}

type bucketSettingsAPI interface {
	PutPublicAccessBlock(context.Context, *s3.PutPublicAccessBlockInput, ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutBucketEncryption(context.Context, *s3.PutBucketEncryptionInput, ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	PutBucketTagging(context.Context, *s3.PutBucketTaggingInput, ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error)
	GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
}

type objectListAPI interface {
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// iamAPI is the part of *iam.Client that Client uses.
type iamAPI interface {
	policyAPI
	userAPI
	keyAPI
	roleAPI
}

type roleAPI interface {
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	DeleteRole(context.Context, *iam.DeleteRoleInput, ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	AttachRolePolicy(context.Context, *iam.AttachRolePolicyInput, ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(context.Context, *iam.DetachRolePolicyInput, ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	ListAttachedRolePolicies(context.Context, *iam.ListAttachedRolePoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	ListRolePolicies(context.Context, *iam.ListRolePoliciesInput, ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	DeleteRolePolicy(context.Context, *iam.DeleteRolePolicyInput, ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	ListRoleTags(context.Context, *iam.ListRoleTagsInput, ...func(*iam.Options)) (*iam.ListRoleTagsOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
}

type policyAPI interface {
	GetPolicy(context.Context, *iam.GetPolicyInput, ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(context.Context, *iam.GetPolicyVersionInput, ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	ListPolicyVersions(context.Context, *iam.ListPolicyVersionsInput, ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error)
	CreatePolicy(context.Context, *iam.CreatePolicyInput, ...func(*iam.Options)) (*iam.CreatePolicyOutput, error)
	CreatePolicyVersion(context.Context, *iam.CreatePolicyVersionInput, ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error)
	DeletePolicyVersion(context.Context, *iam.DeletePolicyVersionInput, ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error)
	DeletePolicy(context.Context, *iam.DeletePolicyInput, ...func(*iam.Options)) (*iam.DeletePolicyOutput, error)
	ListEntitiesForPolicy(context.Context, *iam.ListEntitiesForPolicyInput, ...func(*iam.Options)) (*iam.ListEntitiesForPolicyOutput, error)
	ListPolicyTags(context.Context, *iam.ListPolicyTagsInput, ...func(*iam.Options)) (*iam.ListPolicyTagsOutput, error)
}

type userAPI interface {
	CreateUser(context.Context, *iam.CreateUserInput, ...func(*iam.Options)) (*iam.CreateUserOutput, error)
	GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error)
	DeleteUser(context.Context, *iam.DeleteUserInput, ...func(*iam.Options)) (*iam.DeleteUserOutput, error)
	AttachUserPolicy(context.Context, *iam.AttachUserPolicyInput, ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
	DetachUserPolicy(context.Context, *iam.DetachUserPolicyInput, ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
	ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	ListUserPolicies(context.Context, *iam.ListUserPoliciesInput, ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error)
	DeleteUserPolicy(context.Context, *iam.DeleteUserPolicyInput, ...func(*iam.Options)) (*iam.DeleteUserPolicyOutput, error)
	DeleteLoginProfile(context.Context, *iam.DeleteLoginProfileInput, ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
	ListUserTags(context.Context, *iam.ListUserTagsInput, ...func(*iam.Options)) (*iam.ListUserTagsOutput, error)
	PutUserPermissionsBoundary(context.Context, *iam.PutUserPermissionsBoundaryInput, ...func(*iam.Options)) (*iam.PutUserPermissionsBoundaryOutput, error)
	DeleteUserPermissionsBoundary(context.Context, *iam.DeleteUserPermissionsBoundaryInput, ...func(*iam.Options)) (*iam.DeleteUserPermissionsBoundaryOutput, error)
}

type keyAPI interface {
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
}

// stsAPI is the part of *sts.Client that Client uses.
type stsAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Client is the real Provisioner and Remover, backed by the AWS SDK.
// It is safe for concurrent use.
type Client struct {
	s3     s3API
	iam    iamAPI
	sts    stsAPI
	region string
	// regionDefaulted is true when nothing configured a region.
	regionDefaulted bool
	// regionSource, endpoint and endpointSource fill Identity's fields.
	regionSource   string
	endpoint       string
	endpointSource string

	mu        sync.Mutex
	account   string // cached from STS; IAM ARNs need it
	partition string // "aws", "aws-cn", ...: taken from the caller's ARN
}

var (
	_ Provisioner = (*Client)(nil)
	_ Remover     = (*Client)(nil)
)

// New builds the S3, IAM and STS clients for c. It makes no AWS call, so
// missing credentials surface on the first call (WhoAmI), as ErrNoCredentials.
func New(ctx context.Context, c Config) (*Client, error) {
	cfg, defaulted, err := loadAWSConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	cl := newClient(
		s3.NewFromConfig(cfg, S3Options(c)),
		iam.NewFromConfig(cfg, IAMOptions(c)),
		sts.NewFromConfig(cfg, STSOptions(c)),
		cfg.Region,
	)
	cl.regionDefaulted = defaulted
	if !defaulted {
		cl.regionSource = regionSource(c)
	}
	cl.endpoint, cl.endpointSource = endpointOf(c)
	return cl, nil
}

// regionSource names what configured the region, in the order the SDK
// reads them: the Config (the --region flag), the environment, the profile.
func regionSource(c Config) string {
	switch {
	case c.Region != "":
		return "--region"
	case os.Getenv("AWS_REGION") != "":
		return "AWS_REGION"
	case os.Getenv("AWS_DEFAULT_REGION") != "":
		return "AWS_DEFAULT_REGION"
	}
	p := c.Profile
	if p == "" {
		p = os.Getenv("AWS_PROFILE")
	}
	if p == "" {
		p = "default"
	}
	return "profile " + p
}

// endpointOf is the endpoint that replaces AWS's own, and what set it.
// Only the global variable counts here: a per-service one (such as
// AWS_ENDPOINT_URL_S3) moves one service, not "the calls".
func endpointOf(c Config) (string, string) {
	if c.EndpointURL != "" {
		return c.EndpointURL, "--endpoint-url"
	}
	if os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") == "true" {
		return "", ""
	}
	if e := os.Getenv("AWS_ENDPOINT_URL"); e != "" {
		return e, "AWS_ENDPOINT_URL"
	}
	return "", ""
}

// RegionConfigured reports whether a flag, an environment variable or the
// profile set the region; when none did, Region is only DefaultRegion.
func (c *Client) RegionConfigured() bool { return !c.regionDefaulted }

func newClient(s3c s3API, iamc iamAPI, stsc stsAPI, region string) *Client {
	return &Client{s3: s3c, iam: iamc, sts: stsc, region: region}
}

// Region is the region the clients were configured with.
func (c *Client) Region() string { return c.region }

// WhoAmI asks STS who the credentials belong to.
func (c *Client) WhoAmI(ctx context.Context) (Identity, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, wrap("get caller identity", err)
	}
	id := Identity{
		Account: aws.ToString(out.Account),
		ARN:     aws.ToString(out.Arn),
		UserID:  aws.ToString(out.UserId),
		Region:  c.region,
	}
	if c.regionDefaulted {
		id.Region = ""
	} else {
		id.RegionSource = c.regionSource
	}
	id.Endpoint, id.EndpointSource = c.endpoint, c.endpointSource
	partition := "aws"
	if parts := strings.SplitN(id.ARN, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		partition = parts[1]
	}
	c.mu.Lock()
	c.account, c.partition = id.Account, partition
	c.mu.Unlock()
	return id, nil
}

// policyARN builds the ARN of a customer-managed policy in the caller's
// account and partition, asking STS only the first time.
func (c *Client) policyARN(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	acct, partition := c.account, c.partition
	c.mu.Unlock()
	if acct == "" {
		id, err := c.WhoAmI(ctx)
		if err != nil {
			return "", err
		}
		if id.Account == "" {
			return "", errors.New("get caller identity: STS returned no account id")
		}
		c.mu.Lock()
		acct, partition = c.account, c.partition
		c.mu.Unlock()
	}
	return "arn:" + partition + ":iam::" + acct + ":policy/" + name, nil
}

// markedProvider tags every credential-resolution failure so errors.As can
// find it under the SDK's operation error.
// When the profile's source is one s3link knows (credential_process, SSO,
// assume-role) the failure becomes a *CredentialError naming it.
type markedProvider struct {
	aws.CredentialsProvider
	src credentialSource
}

func (p markedProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		if ce := p.src.classify(err); ce != nil {
			return creds, ce
		}
		return creds, &credentialsError{err: err}
	}
	return creds, nil
}

type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }
