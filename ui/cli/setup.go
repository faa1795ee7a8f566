package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
	"github.com/s3link/s3link/awsops/transfer/download"
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
	ExistingUser   bool
	ProtectBucket  bool
	CSVPath        string
	CSVFormat      string
	WriteProfile   string
	JSON           bool
	PrintSecret    bool
	RotateOldest   bool
	NewKey         bool
	// Access is "key" (the default) or "role"; TrustedAccount and
	// RoleName are the role link's.
	Access         string
	TrustedAccount string
	RoleName       string
	// EncryptTo is an age recipient (or a file of them) the key file is
	// encrypted for.
	EncryptTo string
	// ProofDir, when set, is where the proof download lands.
	ProofDir string
	// policyNameSet is true when --policy-name was given.
	policyNameSet bool
	// plan holds --plan and its flags (plan.go).
	plan planOptions
}

// newCmdSetup is `s3link setup`; runF, when not nil, gets the parsed
// options instead of setup running.
func newCmdSetup(f *Factory, runF func(*setupOptions) error) *cobra.Command {
	o := &setupOptions{}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Create the bucket, policy, user and access key (the wizard on a terminal)",
		Long: `Create everything the platform needs to read an S3 location: the bucket (or use
an existing one), a least-privilege IAM policy, an IAM user with that policy,
and an access key for it.

On a terminal this opens the wizard. With --non-interactive every answer comes
from flags, the plan (create, reuse or refuse, with the reason) and then one
line per step are printed, and the secret access key is written only to the
--csv file. Without a terminal, --non-interactive (or --json) is required.`,
		Example: `  s3link setup                                  # the wizard
  s3link setup --non-interactive --bucket crowdai-imagery --region eu-west-1 \
    --prefix path/to/files --csv ./crowdai-platform-access_accessKeys.csv
  s3link setup --plan --format cloudformation --bucket crowdai-imagery --region eu-west-1 \
    --prefix path/to/files > template.json           # what setup would do, as a template
  s3link setup --non-interactive --existing-bucket --bucket media --user reader --existing-user --csv key.csv --json
  s3link setup --non-interactive --bucket crowdai-imagery --region eu-west-1 \
    --access role --trusted-account 111122223333 --proof-dir ./proof   # a role, no secret
  s3link setup --non-interactive --bucket crowdai-imagery --region eu-west-1 \
    --csv ./key.csv.age --encrypt-to age1...                            # the key file encrypted`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.policyNameSet = cmd.Flags().Changed("policy-name")
			if runF != nil {
				return runF(o)
			}
			return runSetup(cmd.Context(), f, o)
		},
	}
	addSetupFlags(cmd, o)
	return cmd
}

func addSetupFlags(cmd *cobra.Command, o *setupOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.NonInteractive, "non-interactive", false, "take every answer from flags and print plain progress")
	f.StringVar(&o.Bucket, "bucket", "", "bucket to create (or use, with --existing-bucket)")
	f.BoolVar(&o.ExistingBucket, "existing-bucket", false, "use a bucket that already exists instead of creating it (its settings are left as they are)")
	f.BoolVar(&o.ProtectBucket, "block-public-access", false, "with --existing-bucket, turn on all four Block Public Access settings of that bucket")
	f.BoolVar(&o.ExistingUser, "existing-user", false, "give an IAM user that s3link did not create this access (teardown removes only what s3link adds to it)")
	f.StringVar(&o.Prefix, "prefix", "", "path inside the bucket, e.g. path/to/files (empty for the whole bucket)")
	f.StringVar(&o.PolicyName, "policy-name", defaultPolicyName, "name of the IAM policy")
	f.StringVar(&o.UserName, "user", defaultUserName, "name of the IAM user")
	f.StringArrayVar(&o.Tags, "tag", nil, "tag for the IAM user as key=value (repeatable)")
	f.StringVar(&o.CSVPath, "csv", "", "save the new access key to this CSV file (--non-interactive needs it or --write-profile)")
	f.StringVar(&o.CSVFormat, "csv-format", "console", "layout of the --csv file: console (the AWS console's download) or aws-import (for 'aws configure import --csv')")
	f.StringVar(&o.WriteProfile, "write-profile", "", "add the new access key as this profile to the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)")
	f.BoolVar(&o.JSON, "json", false, "print a machine-readable summary on stdout")
	f.BoolVar(&o.PrintSecret, "print-secret", false, "include the secret access key in the --json summary")
	f.BoolVar(&o.RotateOldest, "rotate-oldest-key", false, "when the user already has 2 access keys, delete the oldest one")
	f.BoolVar(&o.NewKey, "new-key", false, "create a new access key even if an earlier run's key still exists")
	f.StringVar(&o.Access, "access", "key", "how the platform reads: key (an IAM user and access key, as the manual procedure does) or role (an IAM role the platform assumes; no secret)")
	f.StringVar(&o.TrustedAccount, "trusted-account", "", "with --access role: the platform's 12-digit AWS account id, the only one that may assume the role")
	f.StringVar(&o.RoleName, "role-name", defaultUserName, "with --access role: name of the IAM role")
	f.StringVar(&o.EncryptTo, "encrypt-to", "", "encrypt the --csv key file for this age recipient (age1...) or recipients file; no plain-text copy is written")
	f.StringVar(&o.ProofDir, "proof-dir", "", "after setup, prove the link: download the location into this folder with the platform's credentials (the new key, or the assumed role)")
	addPlanFlags(cmd, &o.plan)
}

// runSetup runs setup: the wizard on a terminal, else headless. g is the
// factory: the global flags and the AWS clients.
func runSetup(ctx context.Context, g *Factory, o *setupOptions) (err error) {
	defer func() { err = asCancelled(ctx, err) }()
	if o.plan.given() {
		return runPlan(ctx, g, o)
	}
	if !o.NonInteractive && !o.JSON && g.IsTerminal {
		in := wizardInputs{Bucket: o.Bucket, Prefix: o.Prefix, PolicyName: o.PolicyName, UserName: o.UserName, Tags: o.Tags, ExistingBucket: o.ExistingBucket, RoleName: o.RoleName}
		if o.Access == string(setup.AccessRole) {
			in.TrustedAccount = o.TrustedAccount
		}
		return runWizard(ctx, g, in)
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

func runHeadlessSetup(ctx context.Context, g *Factory, o *setupOptions) (err error) {
	spec, err := validateSetup(o)
	if err != nil {
		return err
	}
	h := headless{out: g.Out, json: o.JSON}
	// sum is what --json prints; until the run completes it holds what is
	// known so far: the spec, then the plan, then the steps done.
	sum := partialSetupSummary(spec)
	var done []actionReport
	if o.JSON {
		h.out = g.Err
		defer func() {
			if err != nil {
				sum.Actions = append(sum.Actions, done...)
			}
			err = printReport(ctx, g.Out, &sum, err)
		}()
	}
	// The key file is checked before any AWS call. A path that exists is
	// refused only once the plan shows a new key is needed: an identical
	// re-run keeps the earlier key and writes nothing.
	csvExists := false
	if o.CSVPath != "" {
		if _, err := os.Lstat(o.CSVPath); err == nil {
			csvExists = true
		} else if err := setup.CheckCSVPath(o.CSVPath); err != nil {
			return usageError("%v", err)
		}
	}
	dest := setup.Delivery{CSVPath: o.CSVPath, Profile: o.WriteProfile}
	if o.EncryptTo != "" {
		if o.CSVPath == "" {
			return usageError("--encrypt-to encrypts the --csv key file; add --csv PATH (for example key.csv.age)")
		}
		if dest.Recipients, err = keyfile.ParseRecipients(o.EncryptTo); err != nil {
			return usageError("%v", err)
		}
	}
	dest.CSVLayout, _ = keyfile.ParseCSVLayout(o.CSVFormat) // checked in validateSetup
	var profileErr error
	if o.WriteProfile != "" {
		if dest.CredentialsFile, err = keyfile.SharedCredentialsFile(); err != nil {
			return usageError("%v", err)
		}
		// Like the CSV path, a profile that exists is refused only once
		// the plan shows a new key is needed.
		if profileErr = setup.CheckProfile(dest.CredentialsFile, o.WriteProfile); profileErr != nil && !errors.Is(profileErr, keyfile.ErrProfileExists) {
			return usageError("%v", profileErr)
		}
	}
	ops, dir, facts, plan, err := decideSetup(ctx, g, spec)
	if err != nil {
		return err
	}
	id := facts.Identity
	sum.Account, sum.CallerARN, sum.Region = id.Account, id.ARN, plan.Spec.Region
	sum.Bucket.Region = plan.Spec.Region
	h.linef("Signed in as %s (account %s)", id.ARN, id.Account)
	for _, it := range plan.Items() {
		if it.Decision != setup.Refuse {
			h.linef("· %s %s: %s, %s", it.What, it.Name, it.Decision, it.Reason)
		}
	}
	for _, w := range plan.Warnings {
		h.linef("Warning: %s", w)
	}
	if err := plan.Err(); err != nil {
		return err
	}
	if plan.Key.Decision == setup.Create {
		if o.CSVPath == "" && o.WriteProfile == "" {
			return usageError("--csv or --write-profile is required: the new secret access key is saved only there (it is shown once and never again)")
		}
		if csvExists {
			return usageError("%v", setup.CheckCSVPath(o.CSVPath))
		}
		if profileErr != nil {
			return usageError("%v", profileErr)
		}
	}

	j := setup.NewJournal(dir, plan, journal.Record{CallerARN: id.ARN, Profile: g.Profile, EndpointURL: g.EndpointURL, Sandbox: g.Sandbox})
	st, err := setup.Apply(ctx, ops, j, plan, setup.State{}, func(i int, note string, err error) {
		a := plan.Actions[i]
		if err != nil {
			h.linef("✗ %s", a.Title)
			return
		}
		h.linef("✓ %s: %s", a.Title, note)
		done = append(done, actionReport{Kind: string(a.Kind), Title: a.Title, Note: note})
	})
	if err != nil {
		if len(st.Done) > 0 {
			sum.Record = j.Path
		}
		if errors.Is(err, context.Canceled) {
			if len(st.Done) > 0 {
				fmt.Fprintf(g.Err, "Stopped; what was created so far is recorded in %s for 's3link teardown', or run setup again to continue.\n", j.Path)
			}
			return err
		}
		msg := "Setup failed: " + explain(err)
		if len(st.Done) > 0 {
			msg += fmt.Sprintf(" What was created so far is recorded in %s; run 's3link teardown' to remove it, or run setup again to continue.", j.Path)
		}
		return errors.New(msg)
	}
	if st.Key.ID != "" {
		got, err := setup.DeliverKey(ctx, ops, j, dest, st.Key)
		if got.CSV && len(dest.Recipients) > 0 {
			h.linef("✓ Saved the access key to %s, encrypted with age for %s (mode 0600, %s layout inside; no plain-text copy was written)", o.CSVPath, recipientsNote(o.EncryptTo, len(dest.Recipients)), dest.CSVLayout)
		} else if got.CSV {
			h.linef("✓ Saved the access key to %s (mode 0600, %s layout)", o.CSVPath, dest.CSVLayout)
		}
		if got.Profile {
			h.linef("✓ Added the access key as profile %s to %s; use it with 's3link sync --profile %s'", o.WriteProfile, dest.CredentialsFile, o.WriteProfile)
		}
		if err != nil {
			return err
		}
	}
	if plan.Spec.Role() {
		h.linef("✓ Role %s is ready for account %s; external id %s", plan.RoleARN(st), plan.Spec.TrustedAccount, plan.ExternalID)
	}
	if plan.ExistingKeyID != "" {
		h.linef("✓ Access key %s from an earlier run is still active; no new key created (use --new-key for another)", plan.ExistingKeyID)
	}
	rec, _ := j.Load()
	if rec == nil {
		rec = &j.Base
	}
	sum = newSetupSummary(id, plan, st, rec, j.Path, o, done)
	if plan.Spec.Role() {
		sum.Role = &roleSummary{Name: plan.Spec.RoleName, ARN: plan.RoleARN(st), ExternalID: plan.ExternalID, TrustedAccount: plan.Spec.TrustedAccount}
		sum.AccessKey.HandOver = "role, no secret"
	}
	var proofErr error
	if o.ProofDir != "" && (plan.Spec.Role() || st.Key.ID != "") {
		cfg, with := proofConfig(g.Globals, plan.Spec.Region, plan, st)
		h.linef("· Proof: downloading %s into %s with the %s", setup.Location(plan.Spec.Bucket, plan.Spec.Prefix), o.ProofDir, with)
		p, err := runProof(ctx, g, h.out, cfg, with, plan.Spec.Bucket, plan.Spec.Prefix, o.ProofDir, download.DefaultConcurrency)
		sum.Proof = &p
		if err != nil {
			proofErr = &explainedError{msg: "Setup is done, but the proof download failed: " + explain(err), err: err}
			if plan.Spec.Role() && errors.Is(err, awsops.ErrAccessDenied) && plan.Spec.TrustedAccount != id.Account {
				proofErr = &explainedError{msg: fmt.Sprintf("Setup is done, but this account (%s) may not assume the role: its trust policy admits only account %s, so the platform proves it from there (%s)", id.Account, plan.Spec.TrustedAccount, explain(err)), err: err}
			}
		} else {
			h.linef("✓ Proof: downloaded %d files (%d unchanged) into %s with the %s", p.Downloaded, p.Skipped, o.ProofDir, with)
		}
	} else if o.ProofDir != "" {
		h.linef("· No proof download: no new key was made (the earlier key is kept)")
	}
	if !o.JSON {
		printSetupSummary(g.Out, sum)
	}
	return proofErr
}

// decideSetup is what setup and setup --plan share: the region (flag or
// profile, never a silent default), the client, the records of this
// computer, the real state of everything spec touches, and the engine's
// decision. It only reads.
func decideSetup(ctx context.Context, g *Factory, spec setup.Spec) (Client, string, setup.Facts, *setup.Plan, error) {
	fail := func(err error) (Client, string, setup.Facts, *setup.Plan, error) {
		return nil, "", setup.Facts{}, nil, err
	}
	if !spec.ExistingBucket {
		spec.Region = g.Region
	}
	ops, err := g.AWS(ctx, g.AWSConfig())
	if err != nil {
		return fail(explained(err))
	}
	if !spec.ExistingBucket && spec.Region == "" && ops.RegionConfigured() {
		spec.Region = ops.Region()
	}
	if !spec.ExistingBucket {
		if err := setup.CheckRegion(spec.Region); err != nil {
			return fail(usageError("%v", err))
		}
	}
	dir, err := journal.Dir()
	if err != nil {
		return fail(err)
	}
	recs, bad := setup.Records(dir)
	if len(bad) > 0 {
		// A record that cannot be read may be the only list of what a
		// setup made; planning past it could duplicate or orphan things.
		return fail(bad[0])
	}
	facts, err := setup.Inspect(ctx, ops, spec, recs, time.Now())
	if err != nil {
		return fail(explained(err))
	}
	return ops, dir, facts, setup.Decide(spec, facts, setup.NewID()), nil
}

// validateSetup checks every flag before any AWS call.
func validateSetup(o *setupOptions) (setup.Spec, error) {
	if o.Bucket == "" {
		return setup.Spec{}, usageError("--bucket is required: name the bucket to create (or an existing one with --existing-bucket)")
	}
	if err := awsops.ValidateBucketName(o.Bucket); err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	prefix, err := awsops.NormalizePrefix(o.Prefix)
	if err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	if err := awsops.ValidatePolicyName(o.PolicyName); err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	if err := awsops.ValidateUserName(o.UserName); err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	tags, err := awsops.ParseTags(o.Tags)
	if err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	layout, err := keyfile.ParseCSVLayout(o.CSVFormat)
	if err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	if layout != keyfile.LayoutConsole && o.CSVPath == "" {
		return setup.Spec{}, usageError("--csv-format %s sets the layout of the --csv file; add --csv PATH", layout)
	}
	if layout == keyfile.LayoutAWSImport && strings.ContainsAny(o.UserName, ",\"") {
		return setup.Spec{}, usageError("'aws configure import' cannot read the user name %q (it splits at every comma); use --csv-format console or --write-profile", o.UserName)
	}
	if o.PrintSecret && !o.JSON {
		return setup.Spec{}, usageError("--print-secret only adds the secret to the --json summary; add --json, or leave it out")
	}
	if o.ProtectBucket && !o.ExistingBucket {
		return setup.Spec{}, usageError("--block-public-access is for an existing bucket; a new bucket always gets all four settings")
	}
	if err := awsops.CheckPolicySize(awsops.PolicyDocument(o.Bucket, prefix)); err != nil {
		return setup.Spec{}, usageError("%v", err)
	}
	spec := setup.Spec{
		Bucket: o.Bucket, ExistingBucket: o.ExistingBucket, ProtectBucket: o.ProtectBucket, Prefix: prefix,
		PolicyName: o.PolicyName, PolicyNameChosen: o.policyNameSet, UserName: o.UserName, ExistingUser: o.ExistingUser,
		Tags: tags, NewKey: o.NewKey, RotateOldest: o.RotateOldest,
	}
	if err := validateAccess(o, &spec); err != nil {
		return setup.Spec{}, err
	}
	return spec, nil
}
