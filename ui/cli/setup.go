package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/record"
)

// Defaults offered by setup; the manual procedure's policy name has spaces,
// which IAM refuses, so the default is its hyphenated form.
const (
	defaultPolicyName = "CrowdAI-Platform-Access"
	defaultUserName   = "crowdai-platform-access"
)

// setupOptions are the answers setup takes from flags.
type setupOptions struct {
	NonInteractive bool
	Bucket         string
	Prefix         string
	PolicyName     string
	UserName       string
	Tags           []string
	ExistingBucket bool
	CSVPath        string
	JSON           bool
	PrintSecret    bool
	RotateOldest   bool
	NewKey         bool
}

func newSetupCmd(g *Globals) *cobra.Command {
	o := &setupOptions{}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Create the bucket, policy, user and access key (the wizard on a terminal)",
		Long: `Create everything the platform needs to read an S3 location: the bucket (or use
an existing one), a least-privilege IAM policy, an IAM user with that policy,
and an access key for it.

On a terminal this opens the wizard. With --non-interactive (or without a
terminal) every answer comes from flags, progress is printed one line per
step, and the secret access key is written only to the --csv file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSetup(cmd.Context(), g, o)
		},
	}
	addSetupFlags(cmd, o)
	return cmd
}

func addSetupFlags(cmd *cobra.Command, o *setupOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.NonInteractive, "non-interactive", false, "take every answer from flags and print plain progress")
	f.StringVar(&o.Bucket, "bucket", "", "bucket to create (or use, with --existing-bucket)")
	f.BoolVar(&o.ExistingBucket, "existing-bucket", false, "use a bucket that already exists instead of creating it")
	f.StringVar(&o.Prefix, "prefix", "", "path inside the bucket, e.g. path/to/files (empty for the whole bucket)")
	f.StringVar(&o.PolicyName, "policy-name", defaultPolicyName, "name of the IAM policy")
	f.StringVar(&o.UserName, "user", defaultUserName, "name of the IAM user")
	f.StringArrayVar(&o.Tags, "tag", nil, "tag for the IAM user as key=value (repeatable)")
	f.StringVar(&o.CSVPath, "csv", "", "save the new access key here, in the AWS console's CSV layout (required with --non-interactive)")
	f.BoolVar(&o.JSON, "json", false, "print a machine-readable summary on stdout")
	f.BoolVar(&o.PrintSecret, "print-secret", false, "include the secret access key in the --json summary")
	f.BoolVar(&o.RotateOldest, "rotate-oldest-key", false, "when the user already has 2 access keys, delete the oldest one")
	f.BoolVar(&o.NewKey, "new-key", false, "create a new access key even if an earlier run's key still exists")
}

func runSetup(ctx context.Context, g *Globals, o *setupOptions) error {
	if !o.NonInteractive && !o.JSON && g.IsTerminal {
		return runWizard(ctx, g, wizardInputs{Bucket: o.Bucket, Prefix: o.Prefix, PolicyName: o.PolicyName, UserName: o.UserName, Tags: o.Tags, ExistingBucket: o.ExistingBucket})
	}
	if !o.NonInteractive && !o.JSON {
		return usageError("there is no terminal to draw the wizard on; run 's3link setup --non-interactive' with --bucket and --csv (see 's3link setup --help')")
	}
	return runHeadlessSetup(ctx, g, o)
}

// headless prints one plain line per step: to stdout, or to stderr when
// stdout carries the JSON summary.
type headless struct {
	out  io.Writer
	json bool
}

func (h headless) linef(format string, a ...any) { fmt.Fprintf(h.out, format+"\n", a...) }

func runHeadlessSetup(ctx context.Context, g *Globals, o *setupOptions) error {
	spec, err := validateSetup(o)
	if err != nil {
		return err
	}
	h := headless{out: g.Out, json: o.JSON}
	if o.JSON {
		h.out = g.Err
	}

	ops, err := awsops.New(ctx, g.AWSConfig())
	if err != nil {
		return errors.New(explain(err))
	}
	id, err := ops.WhoAmI(ctx)
	if err != nil {
		return errors.New(explain(err))
	}
	h.linef("Signed in as %s (account %s)", id.ARN, id.Account)
	spec.Account = id.Account

	if spec.ExistingBucket {
		region, err := ops.BucketRegion(ctx, spec.Bucket)
		if err != nil {
			return errors.New(explain(err))
		}
		spec.Region = region
		pa, err := ops.BucketPublicAccess(ctx, spec.Bucket)
		if err != nil {
			return errors.New(explain(err))
		}
		if !pa.AllBlocked() {
			h.linef("Warning: bucket %s does not block all public access; s3link leaves existing buckets as they are.", spec.Bucket)
		}
	} else {
		spec.Region = g.Region
		if spec.Region == "" {
			spec.Region = id.Region
		}
		if err := awsops.ValidateRegion(spec.Region); err != nil {
			return usageError("%v", err)
		}
	}

	dir, err := record.Dir()
	if err != nil {
		return err
	}
	recPath := record.PathFor(dir, id.Account, spec.UserName)
	rec, err := loadOrNewRecord(recPath, g, id)
	if err != nil {
		return err
	}

	// Decide about the access key before anything is created, so a refusal
	// (an existing CSV path, the 2-key limit) leaves AWS untouched.
	keys, err := ops.ListAccessKeys(ctx, spec.UserName)
	if err != nil && !errors.Is(err, awsops.ErrNotFound) {
		return errors.New(explain(err))
	}
	if !o.NewKey {
		spec.ExistingKeyID = deliveredKey(rec, keys)
	}
	if spec.ExistingKeyID == "" {
		if o.CSVPath == "" {
			return usageError("--csv is required: the new secret access key is saved only to that file (it is shown once and never again)")
		}
		if err := checkNewFile(o.CSVPath); err != nil {
			return usageError("%v", err)
		}
		if len(keys) >= 2 {
			if !o.RotateOldest {
				lim := &awsops.KeyLimitError{User: spec.UserName, Keys: keys}
				return fmt.Errorf("%v. Delete one, or run again with --rotate-oldest-key to delete the oldest", lim)
			}
			oldest, _ := (&awsops.KeyLimitError{Keys: keys}).Oldest()
			spec.DeleteKeyID = oldest.ID
		}
	}

	st := &awsops.SetupState{}
	var done []actionReport
	for _, a := range awsops.Plan(spec) {
		// The intent goes to disk before the call goes out: if s3link is
		// killed while AWS creates the resource, it is the only trace.
		intent, begun := rec.BeginAction(spec, a, time.Now())
		if begun && ctx.Err() == nil {
			if err := rec.Save(recPath); err != nil {
				return fmt.Errorf("save the record before %q: %w", a.Title, err)
			}
		}
		note, err := awsops.RunAction(ctx, ops, spec, a, st)
		if err != nil {
			h.linef("✗ %s", a.Title)
			if errors.Is(err, context.Canceled) {
				// RunAction stops only before a call goes out.
				rec.DropIntent(intent)
			}
			rec.ApplySetup(spec, st)
			saveErr := rec.Save(recPath)
			if errors.Is(err, context.Canceled) {
				if len(st.Done) > 0 && saveErr == nil {
					fmt.Fprintf(g.Err, "Stopped before %q; what was created so far is recorded in %s for 's3link teardown', or run setup again to continue.\n", a.Title, recPath)
				}
				return err
			}
			msg := fmt.Sprintf("%s failed: %s", a.Title, explain(err))
			if saveErr == nil && len(st.Done) > 0 {
				msg += fmt.Sprintf(" What was created so far is recorded in %s; run 's3link teardown' to remove it, or run setup again to continue.", recPath)
			}
			return errors.New(msg)
		}
		h.linef("✓ %s: %s", a.Title, note)
		done = append(done, actionReport{Kind: string(a.Kind), Title: a.Title, Note: note})
		rec.ApplySetup(spec, st)
		if err := rec.Save(recPath); err != nil {
			return fmt.Errorf("save the record of what was created: %w", err)
		}
		if a.Kind == awsops.ActCreateAccessKey {
			if err := deliverKey(ctx, ops, o.CSVPath, st.Key); err != nil {
				rec.ApplySetup(spec, st)
				rec.ForgetAccessKey(st.Key.ID)
				_ = rec.Save(recPath)
				return err
			}
			h.linef("✓ Saved the access key to %s (mode 0600)", o.CSVPath)
		}
	}
	if spec.ExistingKeyID != "" {
		h.linef("✓ Access key %s from an earlier run is still active; no new key created (use --new-key for another)", spec.ExistingKeyID)
	}

	sum := newSetupSummary(id, spec, st, rec, recPath, o, done)
	if o.JSON {
		return writeJSON(g.Out, sum)
	}
	printSetupSummary(g.Out, sum)
	return nil
}

// validateSetup checks every flag before any AWS call.
func validateSetup(o *setupOptions) (awsops.SetupSpec, error) {
	if o.Bucket == "" {
		return awsops.SetupSpec{}, usageError("--bucket is required: name the bucket to create (or an existing one with --existing-bucket)")
	}
	if err := awsops.ValidateBucketName(o.Bucket); err != nil {
		return awsops.SetupSpec{}, usageError("%v", err)
	}
	prefix, err := awsops.NormalizePrefix(o.Prefix)
	if err != nil {
		return awsops.SetupSpec{}, usageError("%v", err)
	}
	if err := awsops.ValidatePolicyName(o.PolicyName); err != nil {
		return awsops.SetupSpec{}, usageError("%v", err)
	}
	if err := awsops.ValidateUserName(o.UserName); err != nil {
		return awsops.SetupSpec{}, usageError("%v", err)
	}
	tags, err := awsops.ParseTags(o.Tags)
	if err != nil {
		return awsops.SetupSpec{}, usageError("%v", err)
	}
	if o.PrintSecret && !o.JSON {
		return awsops.SetupSpec{}, usageError("--print-secret only adds the secret to the --json summary; add --json, or leave it out")
	}
	return awsops.SetupSpec{
		Bucket: o.Bucket, ExistingBucket: o.ExistingBucket, Prefix: prefix,
		PolicyName: o.PolicyName, UserName: o.UserName, Tags: tags,
	}, nil
}

// checkNewFile refuses a path that exists or whose folder does not, before
// anything is created in AWS.
func checkNewFile(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%q already exists; choose another path (s3link never overwrites a credentials file)", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("folder %q does not exist; create it or choose another --csv path", dir)
	}
	return nil
}

// deliveredKey returns the id of an access key an earlier run created and
// delivered, if the user still holds it.
func deliveredKey(rec *record.Record, keys []awsops.KeyInfo) string {
	for i := len(rec.AccessKeys) - 1; i >= 0; i-- {
		for _, k := range keys {
			if k.ID == rec.AccessKeys[i].ID && k.Status != "Inactive" {
				return k.ID
			}
		}
	}
	return ""
}

// deliverKey saves the new key to the CSV. When that fails the secret is
// lost for good, so the key is deleted rather than left behind unusable.
func deliverKey(ctx context.Context, ops awsops.Provisioner, path string, key awsops.AccessKey) error {
	err := record.WriteCredentialsCSV(path, key)
	if err == nil {
		return nil
	}
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsops.CallTimeout)
	defer cancel()
	if derr := ops.DeleteAccessKey(delCtx, key.User, key.ID); derr != nil {
		return fmt.Errorf("%s. The new access key %s could not be saved and could not be deleted either (%s); delete it with 'aws iam delete-access-key --user-name %s --access-key-id %s'",
			strings.TrimSuffix(err.Error(), "."), key.ID, explain(derr), key.User, key.ID)
	}
	return fmt.Errorf("%s. The new access key %s was deleted again because its secret could not be saved; run setup again", strings.TrimSuffix(err.Error(), "."), key.ID)
}

// loadOrNewRecord continues the record of an earlier run for the same
// account and user. A record that exists but cannot be read is an error, not
// something to overwrite: it may be the only list of what to tear down.
func loadOrNewRecord(path string, g *Globals, id awsops.Identity) (*record.Record, error) {
	rec, err := record.Load(path)
	if err != nil {
		if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
			return nil, err
		}
		rec = &record.Record{CreatedAt: time.Now().UTC()}
	}
	rec.Account = id.Account
	rec.CallerARN = id.ARN
	rec.Profile = g.Profile
	rec.EndpointURL = g.EndpointURL
	rec.Sandbox = g.Sandbox
	return rec, nil
}
