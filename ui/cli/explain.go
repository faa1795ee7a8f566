package cli

import (
	"errors"
	"strings"

	"github.com/s3link/s3link/awsops"
)

// explain turns an error into one plain sentence that says what happened and
// what to do next. AWS's own message follows in brackets where it helps.
func explain(err error) string {
	var lim *awsops.KeyLimitError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &lim):
		return sentence(lim.Error()) + " Delete one, or let s3link rotate the oldest."
	case errors.Is(err, awsops.ErrNoProfile):
		return sentence(err.Error()) + " Check the name with 'aws configure list-profiles', or create it with 'aws configure --profile NAME'."
	case errors.Is(err, awsops.ErrNoCredentials):
		return "No AWS credentials were found. Run 'aws configure' (or 'aws sso login'), set AWS_PROFILE or pass --profile, or try s3link without an account: 's3link --sandbox'."
	case errors.Is(err, awsops.ErrExpiredCredentials):
		return "Your AWS credentials have expired. Sign in again ('aws sso login' for SSO profiles) and rerun."
	case errors.Is(err, awsops.ErrInvalidCredentials):
		return "AWS does not accept these credentials. Check the access key with 'aws sts get-caller-identity', or pick another --profile."
	case errors.Is(err, awsops.ErrAccessDenied):
		return "AWS denied the request: your credentials lack a permission s3link needs. 's3link policy --caller' prints the policy to ask your administrator for. [" + detail(err) + "]"
	case errors.Is(err, awsops.ErrBucketTaken):
		return "That bucket name is taken by another AWS account. Choose another name."
	case errors.Is(err, awsops.ErrNoSuchBucket):
		return "That bucket does not exist, or not in a place these credentials can see. Check the name, or create it without --existing-bucket."
	case errors.Is(err, awsops.ErrBucketNotEmpty):
		return "The bucket still holds objects, so s3link left it in place. Empty it first if you really want it gone."
	case errors.Is(err, awsops.ErrPolicyVersionLimit):
		return "The policy already has 5 versions, the most IAM keeps. Delete an old version or choose another policy name."
	case errors.Is(err, awsops.ErrInvalidRegion):
		return "AWS does not know that region. Pick one from 'aws ec2 describe-regions' or the region list, e.g. us-east-1."
	case errors.Is(err, awsops.ErrThrottled):
		return "AWS is throttling requests right now. Wait a minute and rerun; finished steps are skipped."
	case errors.Is(err, awsops.ErrUnreachable):
		return "AWS could not be reached. Check your network (or --endpoint-url) and rerun; finished steps are skipped."
	}
	return sentence(err.Error())
}

// detail is the innermost message, for the bracketed AWS detail.
func detail(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
