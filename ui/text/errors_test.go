package text

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer/download"
)

// row returns the index of the table row that speaks for err, or -1.
func row(err error) int {
	for i, r := range table {
		if r.match(err) {
			return i
		}
	}
	return -1
}

// TestTableSpeaksForEveryKnownError walks one representative of every
// error the table knows, bare and wrapped with %w as the domain wraps
// them, and checks each gets its sentence; every row of the table must be
// reached by some case, so a row nobody can reach fails here.
func TestTableSpeaksForEveryKnownError(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/cfg/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/cfg/credentials")
	keys := &awsops.KeyLimitError{User: "media-reader", Keys: []awsops.KeyInfo{{ID: "AKIA1"}, {ID: "AKIA2"}}}
	tests := []struct {
		name string
		err  error
		want string // the whole sentence
	}{
		{"deadline", context.DeadlineExceeded, "AWS did not answer in time: check the network, then retry."},
		{"no profile, bare", awsops.ErrNoProfile, "AWS profile not found: check the name against the shared config and credentials files, or create it with `aws configure --profile NAME`."},
		{"bad config", fmt.Errorf("%w: line 3: bad section", awsops.ErrBadConfig), "The AWS config files cannot be read (line 3: bad section): fix /cfg/config and /cfg/credentials, or point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at good ones."},
		{"no credentials", awsops.ErrNoCredentials, "No AWS credentials were found: run `aws configure` (or `aws sso login`), set AWS_PROFILE or pass --profile, or try `s3link --sandbox`."},
		{"expired", awsops.ErrExpiredCredentials, "Your AWS credentials have expired: run `aws sso login --profile work` (or refresh them), then retry."},
		{"invalid credentials", awsops.ErrInvalidCredentials, "AWS did not accept these credentials: check them with `aws sts get-caller-identity`, or pick another profile."},
		{"access denied", awsops.ErrAccessDenied, "AWS denied the request: these credentials lack a permission s3link needs; `s3link policy --caller` prints the policy to ask your AWS administrator for."},
		{"bucket owned", awsops.ErrBucketOwned, "A bucket of that name already exists in this account and s3link did not create it: use it as an existing bucket, or choose another name."},
		{"bucket owned is also already exists", fmt.Errorf("%w: %w", awsops.ErrAlreadyExists, awsops.ErrBucketOwned), "A bucket of that name already exists in this account and s3link did not create it: use it as an existing bucket, or choose another name."},
		{"in use", awsops.ErrInUse, "The policy is still attached to a user, group or role, or bounds one, so it was left in place: detach it there first, then retry."},
		{"bucket taken", awsops.ErrBucketTaken, "That bucket name belongs to another AWS account: choose another name."},
		{"no such bucket", awsops.ErrNoSuchBucket, "The bucket does not exist (any more), or these credentials cannot see it: check the name or choose another bucket."},
		{"bucket not empty", awsops.ErrBucketNotEmpty, "The bucket is not empty, so it was left in place: empty it first if it should go."},
		{"key limit, typed", keys, keys.Error() + ": delete the oldest (s3link offers to), or choose another user."},
		{"key limit, sentinel", awsops.ErrKeyLimit, "The user already has 2 access keys, the most AWS allows: delete the oldest (s3link offers to), or choose another user."},
		{"policy versions", awsops.ErrPolicyVersionLimit, "The policy already holds 5 versions, the most IAM keeps: choose another policy name, or delete an old version in the IAM console."},
		{"invalid region", awsops.ErrInvalidRegion, "That region does not exist or is not enabled for this account: choose another region."},
		{"throttled", awsops.ErrThrottled, "AWS is throttling requests: wait a moment, then retry; what already finished is skipped."},
		{"unreachable", awsops.ErrUnreachable, "AWS cannot be reached: check the network (and --endpoint-url), then retry; what already finished is skipped."},
		{"already exists", awsops.ErrAlreadyExists, "It already exists and cannot be reused as is: choose another name."},
		{"destination not a folder", fmt.Errorf("%s: %w", "/media", download.ErrDestNotDir), "The destination is a file, not a folder: choose another destination."},
		{"not found", awsops.ErrNotFound, "It was not found in AWS, perhaps deleted meanwhile: retry."},
		{"credential_process", &awsops.CredentialError{Source: awsops.SourceProcess, Profile: "work", Cause: "exit status 1"}, `The credential_process of profile "work" failed (exit status 1): run that command from /cfg/config by hand to see why, fix it, then retry.`},
		{"sso unreachable", &awsops.CredentialError{Source: awsops.SourceSSO, Profile: "work", Unreachable: true}, `The SSO portal for profile "work" cannot be reached: check the network, then retry.`},
		{"sso refused", &awsops.CredentialError{Source: awsops.SourceSSO, Profile: "work", Refused: true}, `The SSO portal refused the account or role of profile "work": check its sso_account_id and sso_role_name, and that you are assigned that role.`},
		{"sso session", &awsops.CredentialError{Source: awsops.SourceSSO, Profile: "work", SSOSession: "corp"}, `The SSO token of sso-session "corp" (profile "work") is missing or has expired: run ` + "`aws sso login --sso-session corp`" + `, then retry.`},
		{"sso token", &awsops.CredentialError{Source: awsops.SourceSSO, Profile: "work"}, `The SSO token of profile "work" is missing or has expired: run ` + "`aws sso login --profile work`" + `, then retry.`},
		{"assume role, sts unreachable", &awsops.CredentialError{Source: awsops.SourceAssumeRole, Profile: "work", RoleARN: "arn:aws:iam::111122223333:role/r", Unreachable: true}, `Profile "work" could not assume arn:aws:iam::111122223333:role/r because STS cannot be reached: check the network and any STS endpoint setting (AWS_ENDPOINT_URL_STS, endpoint_url), then retry.`},
		{"assume role", &awsops.CredentialError{Source: awsops.SourceAssumeRole, Profile: "work"}, `Profile "work" could not assume the role: check that its source profile's credentials work and that the role's trust policy lets them assume it, then retry.`},
	}
	reached := make([]bool, len(table))
	for _, tt := range tests {
		for _, form := range []struct {
			how string
			err error
		}{
			{"bare", tt.err},
			{"wrapped", fmt.Errorf("create bucket media: %w", tt.err)},
			{"wrapped twice", fmt.Errorf("apply: %w", fmt.Errorf("step 2: %w", tt.err))},
		} {
			if form.how != "bare" && strings.Contains(tt.name, "bare") {
				continue // its sentence quotes the error's own text
			}
			got, ok := Sentence(form.err, "work")
			if !ok || got != tt.want {
				t.Errorf("%s, %s: Sentence = %q, %v; want %q", tt.name, form.how, got, ok, tt.want)
			}
			if i := row(form.err); i >= 0 {
				reached[i] = true
			}
			if s, detail := Explain(form.err, "work"); s != tt.want || detail != OneLine(form.err.Error()) {
				t.Errorf("%s, %s: Explain = %q, %q", tt.name, form.how, s, detail)
			}
			if s := Command(form.err); tt.name != "expired" && s != tt.want {
				t.Errorf("%s, %s: Command = %q, want %q", tt.name, form.how, s, tt.want)
			}
		}
	}
	for i, ok := range reached {
		if !ok {
			t.Errorf("table row %d is reached by no case", i)
		}
	}
}

// TestUnknownErrorGetsOnlyTheGenericSentence checks that the table says
// nothing of its own about an error it does not know: the wizard shows the
// generic sentence with the error as the detail, a command shows the
// error's own text as a sentence.
func TestUnknownErrorGetsOnlyTheGenericSentence(t *testing.T) {
	for _, err := range []error{
		errors.New("boom"),
		fmt.Errorf("list objects: %w", errors.New("boom")),
		errors.New("the access denied page said no"), // words, not the sentinel
	} {
		if s, ok := Sentence(err, "work"); ok || s != "" {
			t.Errorf("Sentence(%q) = %q, %v; want none", err, s, ok)
		}
		if s, detail := Explain(err, "work"); s != Generic || detail != err.Error() {
			t.Errorf("Explain(%q) = %q, %q; want the generic sentence and the error", err, s, detail)
		}
		if s, want := Command(err), Capitalise(err.Error())+"."; s != want {
			t.Errorf("Command(%q) = %q, want %q", err, s, want)
		}
	}
	if s, d := Explain(nil, ""); s != "" || d != "" {
		t.Errorf("Explain(nil) = %q, %q", s, d)
	}
	if s := Command(nil); s != "" {
		t.Errorf("Command(nil) = %q", s)
	}
}

func TestCancelledSaysCancelled(t *testing.T) {
	for _, err := range []error{context.Canceled, fmt.Errorf("upload: %w", context.Canceled)} {
		if s, d := Explain(err, ""); s != Cancelled || d != "" {
			t.Errorf("Explain(%v) = %q, %q; want %q and no detail", err, s, d, Cancelled)
		}
	}
}

// TestRefusalsShowAsSentences checks that what awsops refuses before any
// AWS call (lower-case clauses) reaches a person as the sentence it was
// before the clauses were lower-cased.
func TestRefusalsShowAsSentences(t *testing.T) {
	_, prefixErr := awsops.NormalizePrefix("a/../b")
	_, tagsErr := awsops.ParseTags([]string{"team"})
	for _, tt := range []struct {
		err  error
		want string
	}{
		{awsops.ValidateBucketName(""), "Enter a bucket name: 3 to 63 lowercase letters, digits, dots or hyphens."},
		{awsops.ValidateBucketName("My_Bucket"), `Bucket names can use only lowercase letters, digits, dots and hyphens: change "My_Bucket".`},
		{awsops.ValidatePolicyName("CrowdAI Platform Access"), `Policy names cannot contain spaces: use "CrowdAI-Platform-Access" instead.`},
		{awsops.ValidateUserName(""), "Enter a user name: 1 to 64 letters, digits or + = , . @ _ -."},
		{awsops.ValidateRoleName("a b"), `Role names cannot contain spaces: use "a-b" instead.`},
		{awsops.ValidateRegion("Ireland"), `"Ireland" is a region name, not a code: use "eu-west-1".`},
		{awsops.ValidateAccountID("1111-2222-3333"), "Write the account id as 12 digits without dashes or spaces: 111122223333."},
		{prefixErr, `The path inside the bucket cannot contain "." or ".." folders: change "a/../b".`},
		{tagsErr, `Write each tag as key=value: change "team".`},
	} {
		var inv *awsops.InvalidError
		if !errors.As(tt.err, &inv) {
			t.Errorf("%v is a %T, want an *awsops.InvalidError", tt.err, tt.err)
		}
		if got := Refused(tt.err); got != tt.want {
			t.Errorf("Refused = %q, want %q", got, tt.want)
		}
		if got := Command(tt.err); got != tt.want {
			t.Errorf("Command = %q, want %q", got, tt.want)
		}
	}
}

func TestFragment(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"this is the first step":     "This is the first step.",
		"already a sentence.":        "Already a sentence.",
		"  padded  ":                 "Padded.",
		`"x" is not a region code`:   `"x" is not a region code.`,
		"élan":                       "Élan.",
		"--access is key, not \"t\"": "--access is key, not \"t\".",
	} {
		if got := Fragment(in); got != want {
			t.Errorf("Fragment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProofGaveUp(t *testing.T) {
	got := ProofGaveUp("the new key", 150e9, fmt.Errorf("get: %w", awsops.ErrInvalidCredentials))
	want := "AWS still refuses the new key after 2:30 (the key is not known yet). If the policy or user was changed by hand, check them; otherwise try again in a minute."
	if got != want {
		t.Errorf("ProofGaveUp = %q, want %q", got, want)
	}
	if got := Refusal(awsops.ErrAccessDenied); got != "access denied" {
		t.Errorf("Refusal = %q", got)
	}
}

func TestFolderRefused(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("scan /media: %w", fs.ErrNotExist), "That folder does not exist."},
		{errors.New("/media is a file, not a folder"), "That folder is a file, not a folder."},
		{fs.ErrPermission, "That folder cannot be read."},
	} {
		if got := FolderRefused(tt.err); got != tt.want {
			t.Errorf("FolderRefused(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
