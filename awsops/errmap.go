package awsops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// awsError carries an operation's context, the sentinels it maps to and the
// original error, so that errors.Is finds the sentinel and errors.As still
// finds the SDK's typed error and its code.
type awsError struct {
	msg       string
	sentinels []error
	err       error
}

func (e *awsError) Error() string {
	parts := []string{e.msg}
	if len(e.sentinels) > 0 {
		// Later sentinels are broader categories of the first; naming
		// the first is enough.
		parts = append(parts, e.sentinels[0].Error())
	}
	if e.err != nil {
		parts = append(parts, e.err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *awsError) Unwrap() []error {
	errs := append([]error{}, e.sentinels...)
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

// Wrap adds op as context to err and, when the cause is one s3link knows
// (unreachable endpoint, throttling, bad or expired credentials, ...), the
// matching sentinel. The transfer engines call it for what their own
// mapping does not cover, so every command words AWS errors alike.
func Wrap(op string, err error) error { return wrap(op, err) }

// wrap is Wrap. It returns nil for a nil err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s := sentinel(err); s != nil && !errors.Is(err, s) {
		return &awsError{msg: op, sentinels: []error{s}, err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// wrapAs is wrap with a sentinel chosen by the caller, for codes whose
// meaning depends on the call (LimitExceeded: keys or policy versions).
func wrapAs(op string, s, err error) error {
	if errors.Is(err, s) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &awsError{msg: op, sentinels: []error{s}, err: err}
}

// Error codes by sentinel. S3 and IAM/STS spell some of them differently.
var codeSentinels = map[string]error{
	"AccessDenied":          ErrAccessDenied,
	"AccessDeniedException": ErrAccessDenied,
	"AllAccessDisabled":     ErrAccessDenied,
	"Forbidden":             ErrAccessDenied, // HEAD requests carry no body, only the status

	"ExpiredToken":          ErrExpiredCredentials,
	"ExpiredTokenException": ErrExpiredCredentials,
	"RequestExpired":        ErrExpiredCredentials,
	"TokenRefreshRequired":  ErrExpiredCredentials,

	"InvalidClientTokenId":          ErrInvalidCredentials,
	"InvalidAccessKeyId":            ErrInvalidCredentials,
	"SignatureDoesNotMatch":         ErrInvalidCredentials,
	"IncompleteSignature":           ErrInvalidCredentials,
	"InvalidToken":                  ErrInvalidCredentials,
	"UnrecognizedClientException":   ErrInvalidCredentials,
	"AuthFailure":                   ErrInvalidCredentials,
	"InvalidSecurity":               ErrInvalidCredentials,
	"MissingAuthenticationToken":    ErrInvalidCredentials,
	"NotSignedUp":                   ErrInvalidCredentials,
	"OptInRequired":                 ErrInvalidCredentials,
	"InvalidClientTokenIdException": ErrInvalidCredentials,

	"Throttling":                             ErrThrottled,
	"ThrottlingException":                    ErrThrottled,
	"ThrottledException":                     ErrThrottled,
	"RequestThrottled":                       ErrThrottled,
	"RequestThrottledException":              ErrThrottled,
	"RequestLimitExceeded":                   ErrThrottled,
	"TooManyRequestsException":               ErrThrottled,
	"SlowDown":                               ErrThrottled,
	"ProvisionedThroughputExceededException": ErrThrottled,

	"BucketNotEmpty": ErrBucketNotEmpty,
	"NoSuchBucket":   ErrNoSuchBucket,

	"BucketAlreadyExists":     ErrBucketTaken,
	"BucketAlreadyOwnedByYou": ErrBucketOwned,
	"EntityAlreadyExists":     ErrAlreadyExists,
	"DeleteConflict":          ErrInUse,
	"NoSuchEntity":            ErrNotFound,

	"IllegalLocationConstraintException": ErrInvalidRegion,
	"InvalidLocationConstraint":          ErrInvalidRegion,
	"InvalidRegion":                      ErrInvalidRegion,
}

// Sentinel returns the sentinel error Wrap would add to err, or nil when
// err is not one s3link knows (or is a cancellation).
func Sentinel(err error) error { return sentinel(err) }

// sentinel returns the sentinel error err maps to, or nil.
func sentinel(err error) error {
	// Cancellation is the user's choice, not a failure to classify.
	if errors.Is(err, context.Canceled) {
		return nil
	}

	// Typed errors first: they hold even when a proxy rewrites codes.
	var (
		taken    *s3types.BucketAlreadyExists
		owned    *s3types.BucketAlreadyOwnedByYou
		noBucket *s3types.NoSuchBucket
		exists   *iamtypes.EntityAlreadyExistsException
		noEntity *iamtypes.NoSuchEntityException
		ssoToken *ssocreds.InvalidTokenError
		creds    *credentialsError
		source   *CredentialError
	)
	switch {
	case errors.As(err, &taken):
		return ErrBucketTaken
	case errors.As(err, &owned):
		return ErrBucketOwned
	case errors.As(err, &noBucket):
		return ErrNoSuchBucket
	case errors.As(err, &exists):
		return ErrAlreadyExists
	case errors.As(err, &noEntity):
		return ErrNotFound
	case errors.As(err, &source):
		return source.sentinel
	case errors.As(err, &ssoToken):
		return ErrExpiredCredentials
	case errors.As(err, &creds):
		// Checked before isUnreachable: the default chain ends at the
		// instance metadata service, which cannot be dialled off EC2, and
		// that means "no credentials", not "AWS is down".
		return ErrNoCredentials
	}

	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if s, ok := codeSentinels[apiErr.ErrorCode()]; ok {
			return s
		}
	}
	if isUnreachable(err) {
		return ErrUnreachable
	}
	return nil
}

// isUnreachable reports network failures: DNS, refused or reset connections,
// dial and I/O timeouts.
func isUnreachable(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// errorCode returns the AWS error code in err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// isNotFound reports the "it is not there" family of IAM and S3 errors that
// the Remover methods treat as success.
func isNotFound(err error) bool {
	var noEntity *iamtypes.NoSuchEntityException
	var noBucket *s3types.NoSuchBucket
	if errors.As(err, &noEntity) || errors.As(err, &noBucket) {
		return true
	}
	switch errorCode(err) {
	case "NoSuchEntity", "NoSuchBucket", "NotFound":
		return true
	}
	return false
}

// profileError says plainly that a named profile does not exist; the SDK's
// own message ("failed to get shared config profile, x") does not say where
// it looked.
type profileError struct {
	profile                     string
	configFile, credentialsFile string // where the SDK looked
	err                         error
}

func (e *profileError) Error() string {
	cfg, creds := e.configFile, e.credentialsFile
	if cfg == "" {
		cfg = "~/.aws/config"
	}
	if creds == "" {
		creds = "~/.aws/credentials"
	}
	return fmt.Sprintf("profile %q is not in %s or %s", e.profile, cfg, creds)
}

// MissingProfile returns the profile name and the two files it is not in
// when err says a named profile does not exist.
func MissingProfile(err error) (profile, configFile, credentialsFile string, ok bool) {
	var pe *profileError
	if !errors.As(err, &pe) {
		return "", "", "", false
	}
	return pe.profile, pe.configFile, pe.credentialsFile, true
}

func (e *profileError) Unwrap() []error { return []error{ErrNoProfile, ErrNoCredentials, e.err} }
