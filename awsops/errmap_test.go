package awsops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// opErr wraps err the way the SDK does for every failed call.
func opErr(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "message for " + code}
}

func TestSentinel(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"bucket taken typed", opErr("S3", "CreateBucket", &s3types.BucketAlreadyExists{}), ErrBucketTaken},
		{"bucket owned typed", opErr("S3", "CreateBucket", &s3types.BucketAlreadyOwnedByYou{}), ErrBucketOwned},
		{"no such bucket typed", opErr("S3", "ListObjectsV2", &s3types.NoSuchBucket{}), ErrNoSuchBucket},
		{"no such bucket code", opErr("S3", "GetPublicAccessBlock", apiErr("NoSuchBucket")), ErrNoSuchBucket},
		{"bucket not empty", opErr("S3", "DeleteBucket", apiErr("BucketNotEmpty")), ErrBucketNotEmpty},
		{"entity exists", opErr("IAM", "CreateUser", &iamtypes.EntityAlreadyExistsException{}), ErrAlreadyExists},
		{"no such entity", opErr("IAM", "GetUser", &iamtypes.NoSuchEntityException{}), ErrNotFound},
		{"access denied s3", opErr("S3", "CreateBucket", apiErr("AccessDenied")), ErrAccessDenied},
		{"access denied iam", opErr("IAM", "CreateUser", apiErr("AccessDeniedException")), ErrAccessDenied},
		{"forbidden head", opErr("S3", "HeadBucket", apiErr("Forbidden")), ErrAccessDenied},
		{"expired token", opErr("STS", "GetCallerIdentity", apiErr("ExpiredToken")), ErrExpiredCredentials},
		{"expired token exception", opErr("IAM", "ListUsers", apiErr("ExpiredTokenException")), ErrExpiredCredentials},
		{"sso token expired", opErr("STS", "GetCallerIdentity", &credentialsError{err: &ssocreds.InvalidTokenError{Err: errors.New("expired")}}), ErrExpiredCredentials},
		{"invalid token id", opErr("STS", "GetCallerIdentity", apiErr("InvalidClientTokenId")), ErrInvalidCredentials},
		{"bad signature", opErr("S3", "ListBuckets", apiErr("SignatureDoesNotMatch")), ErrInvalidCredentials},
		{"unknown key id", opErr("S3", "ListBuckets", apiErr("InvalidAccessKeyId")), ErrInvalidCredentials},
		{"throttling", opErr("IAM", "CreateUser", apiErr("Throttling")), ErrThrottled},
		{"slow down", opErr("S3", "PutObject", apiErr("SlowDown")), ErrThrottled},
		{"illegal location", opErr("S3", "CreateBucket", apiErr("IllegalLocationConstraintException")), ErrInvalidRegion},
		{"invalid location", opErr("S3", "CreateBucket", apiErr("InvalidLocationConstraint")), ErrInvalidRegion},
		{"no credentials", opErr("STS", "GetCallerIdentity", fmt.Errorf("get identity: %w", &credentialsError{err: errors.New("no EC2 IMDS role found")})), ErrNoCredentials},
		{
			"no credentials beats dial error",
			opErr("STS", "GetCallerIdentity", &credentialsError{err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}),
			ErrNoCredentials,
		},
		{"connection refused", opErr("S3", "ListBuckets", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), ErrUnreachable},
		{"dns", opErr("S3", "ListBuckets", &net.DNSError{Err: "no such host", Name: "s3.example", IsNotFound: true}), ErrUnreachable},
		{"canceled", opErr("S3", "ListBuckets", fmt.Errorf("request canceled: %w", context.Canceled)), nil},
		{"unknown code", opErr("S3", "ListBuckets", apiErr("SomethingNew")), nil},
		{"plain error", errors.New("boom"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentinel(tt.err); got != tt.want {
				t.Fatalf("sentinel(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestWrapKeepsCodeAndSentinel(t *testing.T) {
	orig := opErr("S3", "CreateBucket", &s3types.BucketAlreadyExists{Message: strPtr("taken")})
	err := wrap(`create bucket "media"`, orig)

	if !errors.Is(err, ErrBucketTaken) {
		t.Fatalf("errors.Is(%v, ErrBucketTaken) = false", err)
	}
	var taken *s3types.BucketAlreadyExists
	if !errors.As(err, &taken) {
		t.Fatalf("wrapped error lost *s3types.BucketAlreadyExists")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "BucketAlreadyExists" {
		t.Fatalf("wrapped error lost the AWS code")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `create bucket "media": bucket name is taken`) {
		t.Fatalf("message %q does not start with the operation and the sentinel", msg)
	}

	// Wrapping twice must not repeat the sentinel.
	twice := wrap("setup", err)
	if strings.Count(twice.Error(), ErrBucketTaken.Error()) != 1 {
		t.Fatalf("sentinel repeated in %q", twice.Error())
	}
	if wrap("op", nil) != nil {
		t.Fatalf("wrap of nil is not nil")
	}
	plain := wrap("list buckets", errors.New("boom"))
	if plain.Error() != "list buckets: boom" {
		t.Fatalf("wrap without sentinel = %q", plain.Error())
	}
}

func TestProfileError(t *testing.T) {
	err := &profileError{profile: "work", configFile: "/x/config", credentialsFile: "/x/credentials", err: errors.New("sdk says no")}
	if !errors.Is(err, ErrNoProfile) || !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("profileError is not ErrNoProfile and ErrNoCredentials")
	}
	want := `profile "work" is not in /x/config or /x/credentials`
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

func strPtr(s string) *string { return &s }

func TestScrubCauseHidesSecretLookingText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"exit status 1: token service refused", "exit status 1: token service refused"},
		{"secret=abc123 and more", "secret=[hidden] and more"},
		{`{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG"}`, `{"SecretAccessKey": [hidden]}`},
		{"key AKIAIOSFODNN7EXAMPLE refused", "key [hidden] refused"},
		{"line one\nline\ttwo", "line one line two"},
		{"see /home/someone/.aws/config", "see /home/someone/.aws/config"},
		{`"SessionToken": "short"`, `"SessionToken": [hidden]`},
		{"the credential_process: its output", "the credential_process: its output"},
	}
	for _, tt := range tests {
		if got := scrubCause(tt.in); got != tt.want {
			t.Errorf("scrubCause(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := scrubCause(strings.Repeat("word ", 100)); len([]rune(got)) > 160 {
		t.Errorf("scrubCause keeps %d runes, want at most 160", len([]rune(got)))
	}
}
