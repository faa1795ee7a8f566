package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/ui/text"
)

// explain turns an error into one plain sentence saying what happened and
// what to do, and a detail line (the wrapped error, for the curious) that
// views show muted. profile names the profile in use, for the SSO hint.
func explain(err error, profile string) (sentence, detail string) {
	if err == nil {
		return "", ""
	}
	detail = oneLine(err.Error())
	if errors.Is(err, context.Canceled) {
		return "Cancelled.", ""
	}
	if s, ok := Sentence(err, profile); ok {
		return s, detail
	}
	return "Something went wrong: retry, or quit and run `s3link teardown` to clean up.", detail
}

// Sentence says in one plain sentence what a known error means and what to
// do about it; ok is false for errors it does not know. The wizard and the
// headless commands share it, so it never says "go back": each caller
// knows how its user picks again.
func Sentence(err error, profile string) (sentence string, ok bool) {
	var lim *awsops.KeyLimitError
	var cred *awsops.CredentialError
	switch {
	case errors.As(err, &cred):
		return credentialSentence(cred), true
	case errors.Is(err, context.DeadlineExceeded):
		return "AWS did not answer in time: check the network, then retry.", true
	case errors.Is(err, awsops.ErrNoProfile):
		if name, cfg, creds, ok := awsops.MissingProfile(err); ok && cfg != "" && creds != "" {
			return fmt.Sprintf("Profile %q is not in %s or %s: check the name against the [profile NAME] sections of the first and the [NAME] sections of the second, or create it with `aws configure --profile %s`.", name, cfg, creds, name), true
		}
		return oneLine(err.Error()) + ": check the name against the shared config and credentials files, or create it with `aws configure --profile NAME`.", true
	case errors.Is(err, awsops.ErrBadConfig):
		cause := err.Error()
		if _, after, ok := strings.Cut(cause, awsops.ErrBadConfig.Error()+": "); ok {
			cause = after
		}
		cfg, creds := awsops.SharedFiles()
		return "The AWS config files cannot be read (" + oneLine(cause) + "): fix " + cfg + " and " + creds + ", or point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at good ones.", true
	case errors.Is(err, awsops.ErrNoCredentials):
		return "No AWS credentials were found: run `aws configure` (or `aws sso login`), set AWS_PROFILE or pass --profile, or try `s3link --sandbox`.", true
	case errors.Is(err, awsops.ErrExpiredCredentials):
		login := "aws sso login"
		if profile != "" {
			login += " --profile " + profile
		}
		return fmt.Sprintf("Your AWS credentials have expired: run `%s` (or refresh them), then retry.", login), true
	case errors.Is(err, awsops.ErrInvalidCredentials):
		return "AWS did not accept these credentials: check them with `aws sts get-caller-identity`, or pick another profile.", true
	case errors.Is(err, awsops.ErrAccessDenied):
		return "AWS denied the request: these credentials lack a permission s3link needs; `s3link policy --caller` prints the policy to ask your AWS administrator for.", true
	case errors.Is(err, awsops.ErrBucketOwned):
		return "A bucket of that name already exists in this account and s3link did not create it: use it as an existing bucket, or choose another name.", true
	case errors.Is(err, awsops.ErrInUse):
		return "The policy is still attached to a user, group or role, or bounds one, so it was left in place: detach it there first, then retry.", true
	case errors.Is(err, awsops.ErrBucketTaken):
		return "That bucket name belongs to another AWS account: choose another name.", true
	case errors.Is(err, awsops.ErrNoSuchBucket):
		return "The bucket does not exist (any more), or these credentials cannot see it: check the name or choose another bucket.", true
	case errors.Is(err, awsops.ErrBucketNotEmpty):
		return "The bucket is not empty, so it was left in place: empty it first if it should go.", true
	case errors.As(err, &lim):
		return lim.Error() + ": delete the oldest (s3link offers to), or choose another user.", true
	case errors.Is(err, awsops.ErrKeyLimit):
		return "The user already has 2 access keys, the most AWS allows: delete the oldest (s3link offers to), or choose another user.", true
	case errors.Is(err, awsops.ErrPolicyVersionLimit):
		return "The policy already holds 5 versions, the most IAM keeps: choose another policy name, or delete an old version in the IAM console.", true
	case errors.Is(err, awsops.ErrInvalidRegion):
		return "That region does not exist or is not enabled for this account: choose another region.", true
	case errors.Is(err, awsops.ErrThrottled):
		return "AWS is throttling requests: wait a moment, then retry; what already finished is skipped.", true
	case errors.Is(err, awsops.ErrUnreachable):
		return "AWS cannot be reached: check the network (and --endpoint-url), then retry; what already finished is skipped.", true
	case errors.Is(err, awsops.ErrAlreadyExists):
		return "It already exists and cannot be reused as is: choose another name.", true
	case errors.Is(err, download.ErrDestNotDir):
		return "The destination is a file, not a folder: choose another destination.", true
	case errors.Is(err, awsops.ErrNotFound):
		return "It was not found in AWS, perhaps deleted meanwhile: retry.", true
	}
	return "", false
}

// credentialSentence says which credential source failed and how to fix
// that source.
func credentialSentence(e *awsops.CredentialError) string {
	cause := ""
	if e.Cause != "" {
		cause = " (" + oneLine(e.Cause) + ")"
	}
	switch e.Source {
	case awsops.SourceProcess:
		cfg, _ := awsops.SharedFiles()
		return fmt.Sprintf("The credential_process of profile %q failed%s: run that command from %s by hand to see why, fix it, then retry.", e.Profile, cause, cfg)
	case awsops.SourceSSO:
		if e.Unreachable {
			return fmt.Sprintf("The SSO portal for profile %q cannot be reached%s: check the network, then retry.", e.Profile, cause)
		}
		if e.Refused {
			return fmt.Sprintf("The SSO portal refused the account or role of profile %q%s: check its sso_account_id and sso_role_name, and that you are assigned that role.", e.Profile, cause)
		}
		if e.SSOSession != "" {
			return fmt.Sprintf("The SSO token of sso-session %q (profile %q) is missing or has expired: run `aws sso login --sso-session %s`, then retry.", e.SSOSession, e.Profile, e.SSOSession)
		}
		return fmt.Sprintf("The SSO token of profile %q is missing or has expired: run `aws sso login --profile %s`, then retry.", e.Profile, e.Profile)
	}
	role := "the role"
	if e.RoleARN != "" {
		role = e.RoleARN
	}
	if e.Unreachable {
		return fmt.Sprintf("Profile %q could not assume %s because STS cannot be reached%s: check the network and any STS endpoint setting (AWS_ENDPOINT_URL_STS, endpoint_url), then retry.", e.Profile, role, cause)
	}
	return fmt.Sprintf("Profile %q could not assume %s%s: check that its source profile's credentials work and that the role's trust policy lets them assume it, then retry.", e.Profile, role, cause)
}

// oneLine keeps an error's text to one line of reasonable length: AWS
// messages can carry request ids and newlines.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(text.Clean(s)), " ")
	const maxLen = 200
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}
