package awsops

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors that AWS error codes are mapped to. Callers match them
// with errors.Is; the original AWS error stays wrapped for its code.
var (
	ErrNoCredentials      = errors.New("no AWS credentials found")
	ErrExpiredCredentials = errors.New("AWS credentials have expired")
	ErrInvalidCredentials = errors.New("AWS credentials are not valid")
	ErrAccessDenied       = errors.New("access denied")
	ErrBucketTaken        = errors.New("bucket name is taken by another account")
	ErrNoSuchBucket       = errors.New("bucket does not exist")
	ErrBucketNotEmpty     = errors.New("bucket is not empty")
	ErrAlreadyExists      = errors.New("already exists")
	ErrBucketOwned        = errors.New("bucket already exists in this account")
	ErrInUse              = errors.New("still attached")
	ErrNotFound           = errors.New("not found")
	ErrKeyLimit           = errors.New("user already has the maximum of 2 access keys")
	ErrPolicyVersionLimit = errors.New("policy already has the maximum of 5 versions")
	ErrInvalidRegion      = errors.New("region does not exist")
	ErrThrottled          = errors.New("AWS is throttling requests")
	ErrUnreachable        = errors.New("AWS endpoint cannot be reached")
	ErrBadConfig          = errors.New("the AWS config files cannot be read")
)

// InvalidError is a value s3link refuses before any AWS call: a bucket,
// user, policy or role name, a region, a path inside the bucket, tags, an
// account id or a policy too large for IAM. Reason is one lower-case
// clause that says what is wrong and what to change, quoting the input;
// ui/text shows it as a sentence (first letter capitalised, a period at
// the end).
type InvalidError struct {
	Reason string
}

// Error implements error.
func (e *InvalidError) Error() string { return e.Reason }

// invalidf returns an *InvalidError whose Reason is formatted as by
// fmt.Sprintf.
func invalidf(format string, a ...any) error {
	return &InvalidError{Reason: fmt.Sprintf(format, a...)}
}

// KeyLimitError is returned by CreateAccessKey when the user already holds
// two access keys. It lists them so the caller can offer to delete one.
type KeyLimitError struct {
	User string
	Keys []KeyInfo
}

// Error implements error.
func (e *KeyLimitError) Error() string {
	ids := make([]string, 0, len(e.Keys))
	for _, k := range e.Keys {
		age := "unknown age"
		if !k.Created.IsZero() {
			age = time.Since(k.Created).Round(time.Hour).String() + " old"
		}
		ids = append(ids, fmt.Sprintf("%s (%s)", k.ID, age))
	}
	return fmt.Sprintf("user %q already has 2 access keys: %s", e.User, strings.Join(ids, ", "))
}

// Is makes errors.Is(err, ErrKeyLimit) true.
func (e *KeyLimitError) Is(target error) bool { return target == ErrKeyLimit }

// Oldest returns the oldest key, the one to offer for rotation.
func (e *KeyLimitError) Oldest() (KeyInfo, bool) {
	if len(e.Keys) == 0 {
		return KeyInfo{}, false
	}
	o := e.Keys[0]
	for _, k := range e.Keys[1:] {
		if k.Created.Before(o.Created) {
			o = k
		}
	}
	return o, true
}
