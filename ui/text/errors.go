package text

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer/download"
)

// Cancelled is what a person reads when they stopped the run themselves.
const Cancelled = "Cancelled."

// Generic is the sentence for an error the table does not know; the error's
// own text goes in the detail line beside it.
const Generic = "Something went wrong: retry, or quit and run `s3link teardown` to clean up."

// Explain turns an error into one plain sentence saying what happened and
// what to do, and a detail line (the wrapped error, for the curious) that
// the wizard shows muted. profile names the profile in use, for the SSO
// hint. An error the table does not know gets Generic.
func Explain(err error, profile string) (sentence, detail string) {
	if err == nil {
		return "", ""
	}
	detail = OneLine(err.Error())
	if errors.Is(err, context.Canceled) {
		return Cancelled, ""
	}
	if s, ok := Sentence(err, profile); ok {
		return s, detail
	}
	return Generic, detail
}

// Command is the sentence a headless command prints for err: the table's
// sentence, or else the error's own text made into a sentence (Fragment).
func Command(err error) string {
	if err == nil {
		return ""
	}
	if s, ok := Sentence(err, ""); ok {
		return s
	}
	return Fragment(err.Error())
}

// Sentence says in one plain sentence what a known error means and what to
// do about it; ok is false for errors the table does not know. The wizard
// and the headless commands share it, so it never says "go back": each
// caller knows how its user picks again.
func Sentence(err error, profile string) (sentence string, ok bool) {
	if err == nil {
		return "", false
	}
	for _, r := range table {
		if r.match(err) {
			return r.say(err, profile), true
		}
	}
	return "", false
}

// rule is one row of the table: which errors it knows and what it says.
type rule struct {
	match func(error) bool
	say   func(err error, profile string) string
}

// is is a row for a sentinel whose sentence is fixed.
func is(target error, sentence string) rule {
	return rule{
		match: func(err error) bool { return errors.Is(err, target) },
		say:   func(error, string) string { return sentence },
	}
}

// as is a row for a typed error whose fields the sentence shows.
func as[E error](say func(e E, profile string) string) rule {
	return rule{
		match: func(err error) bool { var e E; return errors.As(err, &e) },
		say: func(err error, profile string) string {
			var e E
			errors.As(err, &e)
			return say(e, profile)
		},
	}
}

// table is every error sentence a person reads, first match wins: a typed
// error before the sentinel it also matches (a *KeyLimitError is also
// ErrKeyLimit), a narrow sentinel before a broad one (ErrBucketOwned before
// ErrAlreadyExists, ErrDestNotDir before ErrNotFound).
var table = []rule{
	as(func(e *awsops.CredentialError, _ string) string { return credentialSentence(e) }),
	is(context.DeadlineExceeded, "AWS did not answer in time: check the network, then retry."),
	{match: func(err error) bool { return errors.Is(err, awsops.ErrNoProfile) }, say: noProfile},
	{match: func(err error) bool { return errors.Is(err, awsops.ErrBadConfig) }, say: badConfig},
	is(awsops.ErrNoCredentials, "No AWS credentials were found: run `aws configure` (or `aws sso login`), set AWS_PROFILE or pass --profile, or try `s3link --sandbox`."),
	{match: func(err error) bool { return errors.Is(err, awsops.ErrExpiredCredentials) }, say: expired},
	is(awsops.ErrInvalidCredentials, "AWS did not accept these credentials: check them with `aws sts get-caller-identity`, or pick another profile."),
	is(awsops.ErrAccessDenied, "AWS denied the request: these credentials lack a permission s3link needs; `s3link policy --caller` prints the policy to ask your AWS administrator for."),
	is(awsops.ErrBucketOwned, "A bucket of that name already exists in this account and s3link did not create it: use it as an existing bucket, or choose another name."),
	is(awsops.ErrInUse, "The policy is still attached to a user, group or role, or bounds one, so it was left in place: detach it there first, then retry."),
	is(awsops.ErrBucketTaken, "That bucket name belongs to another AWS account: choose another name."),
	is(awsops.ErrNoSuchBucket, "The bucket does not exist (any more), or these credentials cannot see it: check the name or choose another bucket."),
	is(awsops.ErrBucketNotEmpty, "The bucket is not empty, so it was left in place: empty it first if it should go."),
	as(func(e *awsops.KeyLimitError, _ string) string {
		return e.Error() + ": delete the oldest (s3link offers to), or choose another user."
	}),
	is(awsops.ErrKeyLimit, "The user already has 2 access keys, the most AWS allows: delete the oldest (s3link offers to), or choose another user."),
	is(awsops.ErrPolicyVersionLimit, "The policy already holds 5 versions, the most IAM keeps: choose another policy name, or delete an old version in the IAM console."),
	is(awsops.ErrInvalidRegion, "That region does not exist or is not enabled for this account: choose another region."),
	is(awsops.ErrThrottled, "AWS is throttling requests: wait a moment, then retry; what already finished is skipped."),
	is(awsops.ErrUnreachable, "AWS cannot be reached: check the network (and --endpoint-url), then retry; what already finished is skipped."),
	is(awsops.ErrAlreadyExists, "It already exists and cannot be reused as is: choose another name."),
	is(download.ErrDestNotDir, "The destination is a file, not a folder: choose another destination."),
	is(awsops.ErrNotFound, "It was not found in AWS, perhaps deleted meanwhile: retry."),
}

func noProfile(err error, _ string) string {
	if name, cfg, creds, ok := awsops.MissingProfile(err); ok && cfg != "" && creds != "" {
		return fmt.Sprintf("Profile %q is not in %s or %s: check the name against the [profile NAME] sections of the first and the [NAME] sections of the second, or create it with `aws configure --profile %s`.", name, cfg, creds, name)
	}
	return OneLine(err.Error()) + ": check the name against the shared config and credentials files, or create it with `aws configure --profile NAME`."
}

func badConfig(err error, _ string) string {
	cause := err.Error()
	if _, after, ok := strings.Cut(cause, awsops.ErrBadConfig.Error()+": "); ok {
		cause = after
	}
	cfg, creds := awsops.SharedFiles()
	return "The AWS config files cannot be read (" + OneLine(cause) + "): fix " + cfg + " and " + creds + ", or point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at good ones."
}

func expired(_ error, profile string) string {
	login := "aws sso login"
	if profile != "" {
		login += " --profile " + profile
	}
	return fmt.Sprintf("Your AWS credentials have expired: run `%s` (or refresh them), then retry.", login)
}

// credentialSentence says which credential source failed and how to fix
// that source.
func credentialSentence(e *awsops.CredentialError) string {
	cause := ""
	if e.Cause != "" {
		cause = " (" + OneLine(e.Cause) + ")"
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

// Refused is the sentence for a value typed into the wizard or passed as a
// flag that s3link refuses before any AWS call (an *awsops.InvalidError,
// or a guard's refusal): the error's lower-case text made a sentence.
func Refused(err error) string {
	if err == nil {
		return ""
	}
	return Fragment(err.Error())
}

// Fragment makes an error's lower-case text a sentence: the first letter
// capitalised and a period at the end, unless it has one.
func Fragment(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = Capitalise(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// Capitalise upper-cases the first letter of s.
func Capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// DestIsFile is what the proof download's destination prompt says when
// the folder typed is a file (download.ErrDestNotDir).
const DestIsFile = "That is a file, not a folder: choose another destination."

// KeyLimitInApply is what the review screen says when creating the access
// key failed because the user already holds two (an *awsops.KeyLimitError
// met while applying, where the table's advice to delete one does not
// apply yet).
const KeyLimitInApply = "The user already holds 2 access keys, the most AWS allows: roll back or quit, then run setup again and choose to delete the oldest key."

// FolderRefused is the sentence for a local folder to upload that cannot
// be scanned: it does not exist, is a file, or cannot be read.
func FolderRefused(err error) string {
	reason := "cannot be read"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = "does not exist"
	case strings.Contains(err.Error(), "not a folder"):
		reason = "is a file, not a folder"
	}
	return "That folder " + reason + "."
}

// ProofGaveUp is the sentence when the proof download stopped retrying:
// AWS still refused the new credentials (with, such as "the new key")
// after waited, for the reason Refusal names.
func ProofGaveUp(with string, waited time.Duration, err error) string {
	return fmt.Sprintf("AWS still refuses %s after %s (%s). If the policy or user was changed by hand, check them; otherwise try again in a minute.", with, Clock(waited), Refusal(err))
}

// Refusal names, in a few words, why AWS refused a new key.
func Refusal(err error) string {
	if errors.Is(err, awsops.ErrInvalidCredentials) {
		return "the key is not known yet"
	}
	return "access denied"
}

// Clock renders a countdown as m:ss.
func Clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// OneLine keeps an error's text to one line of reasonable length: AWS
// messages can carry request ids and newlines.
func OneLine(s string) string {
	s = strings.Join(strings.Fields(Clean(s)), " ")
	const maxLen = 200
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}
