package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/syncer"
)

// explain turns an error into one plain sentence saying what happened and
// what to do, and a detail line (the wrapped error, for the curious) that
// views show muted. profile names the profile in use, for the SSO hint.
func explain(err error, profile string) (sentence, detail string) {
	if err == nil {
		return "", ""
	}
	detail = oneLine(err.Error())
	switch {
	case errors.Is(err, context.Canceled):
		return "Cancelled.", ""
	case errors.Is(err, context.DeadlineExceeded):
		return "AWS did not answer in time: check the network, then retry.", detail
	case errors.Is(err, awsops.ErrNoCredentials):
		return "No AWS credentials were found: run `aws configure`, set AWS_PROFILE, or try `s3link --sandbox`.", detail
	case errors.Is(err, awsops.ErrExpiredCredentials):
		login := "aws sso login"
		if profile != "" {
			login += " --profile " + profile
		}
		return fmt.Sprintf("Your AWS credentials have expired: run `%s` (or refresh them), then retry.", login), detail
	case errors.Is(err, awsops.ErrInvalidCredentials):
		return "AWS did not accept these credentials: check them with `aws configure`, or pick another profile.", detail
	case errors.Is(err, awsops.ErrAccessDenied):
		return "AWS denied the request: use credentials allowed to manage S3 buckets and IAM users, or ask your AWS administrator.", detail
	case errors.Is(err, awsops.ErrBucketTaken):
		return "That bucket name belongs to another AWS account: go back and choose another name.", detail
	case errors.Is(err, awsops.ErrNoSuchBucket):
		return "The bucket does not exist (any more): go back and choose another.", detail
	case errors.Is(err, awsops.ErrBucketNotEmpty):
		return "The bucket is not empty, so it was left in place: empty it in the S3 console if it should go.", detail
	case errors.Is(err, awsops.ErrKeyLimit):
		return "The user already has 2 access keys, the most AWS allows: go back to the user step and delete the oldest, or choose another user.", detail
	case errors.Is(err, awsops.ErrPolicyVersionLimit):
		return "The policy already holds 5 versions, the most IAM keeps: choose another policy name, or delete an old version in the IAM console.", detail
	case errors.Is(err, awsops.ErrInvalidRegion):
		return "That region does not exist or is not enabled for this account: go back and choose another region.", detail
	case errors.Is(err, awsops.ErrThrottled):
		return "AWS is throttling requests: wait a moment, then retry.", detail
	case errors.Is(err, awsops.ErrUnreachable):
		return "AWS cannot be reached: check the network (and --endpoint-url), then retry.", detail
	case errors.Is(err, awsops.ErrAlreadyExists):
		return "It already exists and cannot be reused as is: go back and choose another name.", detail
	case errors.Is(err, syncer.ErrDestNotDir):
		return "The destination is a file, not a folder: choose another destination.", detail
	case errors.Is(err, awsops.ErrNotFound):
		return "It was not found in AWS, perhaps deleted meanwhile: retry.", detail
	}
	return "Something went wrong: retry, or quit and run `s3link teardown` to clean up.", detail
}

// oneLine keeps an error's text to one line of reasonable length: AWS
// messages can carry request ids and newlines.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const maxLen = 200
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}
