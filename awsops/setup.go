package awsops

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// SetupSpec is every answer setup needs. It is the same for the wizard and
// for the headless `s3link setup --non-interactive`.
type SetupSpec struct {
	Bucket string
	Region string
	// ExistingBucket uses a bucket that is already there: setup neither
	// creates nor reconfigures it.
	ExistingBucket bool
	// Prefix is already normalised ("" = the bucket root).
	Prefix     string
	PolicyName string
	UserName   string
	Tags       map[string]string
	// DeleteKeyID, when set, is an existing access key of the user to delete
	// before creating the new one (rotation at the 2-key limit).
	DeleteKeyID string
	// ExistingKeyID, when set, is an access key an earlier run created and
	// delivered; the plan then creates no new key.
	ExistingKeyID string
	// Account, when known, fills the policy ARN in the CLI equivalents.
	Account string
}

// ActionKind names one AWS call of the setup plan.
type ActionKind string

// The setup plan's actions, in the order they run.
const (
	ActCreateBucket    ActionKind = "create-bucket"
	ActBlockPublic     ActionKind = "block-public-access"
	ActEncryption      ActionKind = "default-encryption"
	ActCreatePolicy    ActionKind = "create-policy"
	ActCreateUser      ActionKind = "create-user"
	ActAttachPolicy    ActionKind = "attach-policy"
	ActDeleteOldKey    ActionKind = "delete-old-key"
	ActCreateAccessKey ActionKind = "create-access-key"
	policyDocumentFile            = "policy.json"
)

// Action is one step of the setup plan: what it does in plain words and the
// equivalent AWS CLI command, for the review screen and the record.
type Action struct {
	Kind    ActionKind
	Title   string
	Command string
}

// Plan lists every AWS call setup will make for spec, in order. Nothing is
// created before the caller runs the actions.
func Plan(spec SetupSpec) []Action {
	var acts []Action
	if !spec.ExistingBucket {
		loc := ""
		if spec.Region != "us-east-1" {
			loc = " --create-bucket-configuration LocationConstraint=" + spec.Region
		}
		acts = append(acts,
			Action{ActCreateBucket, fmt.Sprintf("Create bucket %s in %s", spec.Bucket, spec.Region),
				fmt.Sprintf("aws s3api create-bucket --bucket %s --region %s%s", spec.Bucket, spec.Region, loc)},
			Action{ActBlockPublic, "Block all public access to the bucket (all four settings)",
				fmt.Sprintf("aws s3api put-public-access-block --bucket %s --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true", spec.Bucket)},
			Action{ActEncryption, "Turn on default encryption (SSE-S3)",
				fmt.Sprintf(`aws s3api put-bucket-encryption --bucket %s --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`, spec.Bucket)},
		)
	}
	acts = append(acts,
		Action{ActCreatePolicy, fmt.Sprintf("Create IAM policy %s (read-only on %s)", spec.PolicyName, Location(spec.Bucket, spec.Prefix)),
			fmt.Sprintf("aws iam create-policy --policy-name %s --policy-document file://%s", spec.PolicyName, policyDocumentFile)},
		Action{ActCreateUser, fmt.Sprintf("Create IAM user %s", spec.UserName),
			fmt.Sprintf("aws iam create-user --user-name %s%s", spec.UserName, tagsFlag(spec.Tags))},
		Action{ActAttachPolicy, fmt.Sprintf("Attach policy %s to user %s", spec.PolicyName, spec.UserName),
			fmt.Sprintf("aws iam attach-user-policy --user-name %s --policy-arn arn:aws:iam::%s:policy/%s", spec.UserName, pick(spec.Account != "", spec.Account, "ACCOUNT_ID"), spec.PolicyName)},
	)
	if spec.DeleteKeyID != "" {
		acts = append(acts, Action{ActDeleteOldKey, fmt.Sprintf("Delete the old access key %s of %s", spec.DeleteKeyID, spec.UserName),
			fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id %s", spec.UserName, spec.DeleteKeyID)})
	}
	if spec.ExistingKeyID != "" {
		return acts
	}
	acts = append(acts, Action{ActCreateAccessKey, fmt.Sprintf("Create an access key for %s", spec.UserName),
		fmt.Sprintf("aws iam create-access-key --user-name %s", spec.UserName)})
	return acts
}

// Location renders a bucket and prefix as an s3:// URL.
func Location(bucket, prefix string) string {
	if prefix == "" {
		return "s3://" + bucket + "/"
	}
	return "s3://" + bucket + "/" + prefix + "/"
}

func tagsFlag(tags map[string]string) string {
	if len(tags) == 0 {
		return ""
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("Key=%s,Value=%s", shellQuote(k), shellQuote(tags[k])))
	}
	return " --tags " + strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/=+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SetupState is what the actions run so far produced.
type SetupState struct {
	Bucket       BucketResult
	Policy       Policy
	User         User
	Attached     bool
	DeletedKeyID string
	Key          AccessKey
	// Done lists the actions that completed, in order.
	Done []ActionKind
}

// Completed reports whether action kind k already ran.
func (st *SetupState) Completed(k ActionKind) bool {
	for _, d := range st.Done {
		if d == k {
			return true
		}
	}
	return false
}

// RunAction performs one action of the plan and records its result in st.
// It returns a short plain note on what happened ("created", "already yours,
// reused", ...). Running an action that already completed is a no-op, so a
// retry after a failure picks up where the plan stopped.
//
// A cancelled ctx stops the plan before an action starts, never during one:
// once a create call is on its way AWS may already have made the resource,
// and only the answer lets the caller record it for teardown. Each call
// keeps its own CallTimeout, so an interrupt waits at most that long.
func RunAction(ctx context.Context, p Provisioner, spec SetupSpec, a Action, st *SetupState) (string, error) {
	if st.Completed(a.Kind) {
		return "done earlier", nil
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ctx = context.WithoutCancel(ctx)
	var note string
	switch a.Kind {
	case ActCreateBucket:
		b, err := p.CreateBucket(ctx, spec.Bucket, spec.Region)
		if err != nil {
			return "", err
		}
		st.Bucket = b
		note = pick(b.Reused, "already yours, reused", "created")
	case ActBlockPublic:
		if err := p.BlockPublicAccess(ctx, spec.Bucket); err != nil {
			return "", err
		}
		note = "all four settings on"
	case ActEncryption:
		if err := p.EnableDefaultEncryption(ctx, spec.Bucket); err != nil {
			return "", err
		}
		note = "SSE-S3"
	case ActCreatePolicy:
		pol, err := p.CreatePolicy(ctx, spec.PolicyName, PolicyDocument(spec.Bucket, spec.Prefix))
		if err != nil {
			return "", err
		}
		st.Policy = pol
		switch {
		case pol.Reused:
			note = "exists with the same document, reused"
		case pol.NewVersion && pol.DeletedVersionID != "":
			note = fmt.Sprintf("new default version %s (deleted old version %s)", pol.VersionID, pol.DeletedVersionID)
		case pol.NewVersion:
			note = "new default version " + pol.VersionID
		default:
			note = "created"
		}
	case ActCreateUser:
		u, err := p.CreateUser(ctx, spec.UserName, spec.Tags)
		if err != nil {
			return "", err
		}
		st.User = u
		note = pick(u.Reused, "exists, reused", "created")
	case ActAttachPolicy:
		if st.Policy.ARN == "" {
			return "", fmt.Errorf("attach policy %q: the policy step has not run", spec.PolicyName)
		}
		if err := p.AttachUserPolicy(ctx, spec.UserName, st.Policy.ARN); err != nil {
			return "", err
		}
		st.Attached = true
		note = "attached"
	case ActDeleteOldKey:
		if err := p.DeleteAccessKey(ctx, spec.UserName, spec.DeleteKeyID); err != nil {
			return "", err
		}
		st.DeletedKeyID = spec.DeleteKeyID
		note = "deleted " + spec.DeleteKeyID
	case ActCreateAccessKey:
		k, err := p.CreateAccessKey(ctx, spec.UserName)
		if err != nil {
			return "", err
		}
		st.Key = k
		note = "created " + k.ID
	default:
		return "", fmt.Errorf("unknown setup action %q", a.Kind)
	}
	st.Done = append(st.Done, a.Kind)
	return note, nil
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
