package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

type rotateOptions struct {
	Record         string
	CSVPath        string
	CSVFormat      string
	WriteProfile   string
	DeleteOld      bool
	FreeKey        string
	NonInteractive bool
	JSON           bool
	ProofDir       string
}

// rotateAfterStage, when set by a test, stops a rotation after a stage as
// a kill would.
var rotateAfterStage func(stage string) error

// newCmdRotate is `s3link rotate`; runF, when not nil, gets the parsed
// options instead of rotate running.
func newCmdRotate(f *Factory, runF func(*rotateOptions) error) *cobra.Command {
	o := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Replace the link's access key (a new key handed over and proven, then the old one retired) or a role link's external id",
		Long: `Replace the access key of a link's IAM user, in this order: create the new key,
save its secret (--csv or --write-profile, with setup's guards), prove that it
lists and reads the location (waiting out IAM propagation, as setup's proof
does), deactivate the old key, and delete it once you confirm (--delete-old
without a terminal). Each step is saved in the setup record before it runs,
so a rotation that is interrupted shows in 's3link status' and finishes when
you run rotate again.

Only keys of a user the record proves is s3link's are touched. When the user
already holds two keys (IAM's limit), rotate names the one that would have to
go first and asks; without a terminal, confirm it with --free-key ID.

On a terminal without --csv or --write-profile, the new key is handed over on
the wizard's key screen, with its guards; leaving it without the secret saved
or confirmed stops the rotation before the old key is touched (exit 3).

For a role link, rotate gives the role's trust policy a new external id
(only for a role the record proves is this setup's), prints it to paste into
the platform, and with --proof-dir proves it by assuming the role.`,
		Example: `  s3link rotate --csv ./crowdai-platform-access_accessKeys-new.csv
  s3link rotate --record ~/.config/s3link/setups/s3l-1a2b3c4d5e6f7a8b.json --write-profile platform --delete-old --non-interactive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runRotate(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Record, "record", "", "record file of the link whose key to rotate")
	fl.StringVar(&o.CSVPath, "csv", "", "save the new access key to this CSV file (created new, mode 0600)")
	fl.StringVar(&o.CSVFormat, "csv-format", "console", "layout of the --csv file: console or aws-import")
	fl.StringVar(&o.WriteProfile, "write-profile", "", "add the new access key as this profile to the shared credentials file")
	fl.BoolVar(&o.DeleteOld, "delete-old", false, "delete the old key once the new one is proven (otherwise it is only made inactive, unless you confirm on a terminal)")
	fl.StringVar(&o.FreeKey, "free-key", "", "when the user already holds two keys, confirm that this one (the one rotate names) is deleted first")
	fl.BoolVar(&o.NonInteractive, "non-interactive", false, "ask nothing: every choice comes from flags")
	fl.BoolVar(&o.JSON, "json", false, "print a machine-readable summary on stdout")
	fl.StringVar(&o.ProofDir, "proof-dir", "", "role link: prove the new external id by assuming the role with it and downloading the location into this empty folder")
	return cmd
}

// rotateReport is the --json output of rotate (jsonschema/rotate.json):
// the new and the old key, the steps done, and the step that failed.
type rotateReport struct {
	report
	Record   string `json:"record"`
	User     string `json:"user"`
	NewKeyID string `json:"newKeyId"`
	OldKeyID string `json:"oldKeyId"`
	OldKey   string `json:"oldKey"`
	CSV      string `json:"csv,omitempty"`
	// Role, ExternalID and OldExternalID are a role link's: the role and
	// its new and previous external ids (no secrets).
	Role          string            `json:"role,omitempty"`
	ExternalID    string            `json:"externalId,omitempty"`
	OldExternalID string            `json:"oldExternalId,omitempty"`
	ProofDir      string            `json:"proofDir,omitempty"`
	Profile       string            `json:"profile,omitempty"`
	Steps         []rotateStepJSON  `json:"steps"`
	Failed        []rotateFailedKey `json:"failed"`
	FailedCount   int               `json:"failedCount"`
}

type rotateStepJSON struct {
	Title string `json:"title"`
	Note  string `json:"note"`
}

type rotateFailedKey struct {
	Step   string `json:"step"`
	Reason string `json:"reason"`
}

// runRotate rotates the key (or a role link's external id) of the record o
// names. g is the factory: the global flags and the AWS clients.
func runRotate(ctx context.Context, g *Factory, o *rotateOptions) (err error) {
	interactive := g.IsTerminal && !o.NonInteractive && !o.JSON
	out := g.Out
	defer func() { err = asCancelled(ctx, err) }()
	rep := rotateReport{report: newReport("rotate"), Record: o.Record, OldKey: "none", Steps: []rotateStepJSON{}, Failed: []rotateFailedKey{}}
	if o.JSON {
		// stdout carries the JSON; what is said along the way goes to stderr.
		out = g.Err
		defer func() { err = printReport(ctx, g.Out, &rep, err) }()
	}
	layout, err := keyfile.ParseCSVLayout(o.CSVFormat)
	if err != nil {
		return usageError("%v", err)
	}
	if layout != keyfile.LayoutConsole && o.CSVPath == "" {
		return usageError("--csv-format %s sets the layout of the --csv file; add --csv PATH", layout)
	}
	path, err := rotateRecord(o)
	if err != nil {
		return err
	}
	rep.Record = path
	rec, err := journal.Load(path)
	if err != nil {
		return err
	}
	rep.User = rec.User.Name
	if rec.Role != nil {
		return runRotateRole(ctx, g, o, path, rec, out, &rep)
	}
	if o.ProofDir != "" {
		return usageError("--proof-dir is for a role link; a key link's new key is proven by listing and reading the location")
	}
	// The key file is checked before any AWS call, unless an interrupted
	// rotation already saved its key and only has to finish.
	dest := setup.Delivery{CSVPath: o.CSVPath, CSVLayout: layout, Profile: o.WriteProfile}
	saved := rec.Rotation != nil && rec.Rotation.Stage != journal.RotateCreating && rec.Rotation.Stage != journal.RotateCreated
	// On a terminal without --csv or --write-profile, the new key is
	// handed over on the wizard's key screen.
	onScreen := interactive && o.CSVPath == "" && o.WriteProfile == "" && g.Screens.RotateKey != nil
	if !saved && !onScreen {
		if o.CSVPath == "" && o.WriteProfile == "" {
			return usageError("--csv or --write-profile is required: the new secret access key is saved only there (it is shown once and never again)")
		}
		if o.CSVPath != "" {
			if err := setup.CheckCSVPath(o.CSVPath); err != nil {
				return usageError("%v", err)
			}
		}
		if o.WriteProfile != "" {
			if dest.CredentialsFile, err = keyfile.SharedCredentialsFile(); err != nil {
				return usageError("%v", err)
			}
			if err := setup.CheckProfile(dest.CredentialsFile, o.WriteProfile); err != nil {
				return usageError("%v", err)
			}
		}
	}
	cfg := recordConfig(g.Globals, rec)
	ops, st, err := recordClient(ctx, g, cfg, path, rec)
	if err != nil {
		return err
	}
	var all []setup.Stored
	if dir, err := journal.Dir(); err == nil {
		all, _ = setup.Records(dir)
	}
	plan, err := setup.PlanRotation(ctx, ops, st, all)
	if err != nil {
		return explained(err)
	}
	fmt.Fprintf(out, "Rotating the access key of user %s (link %s, record %s)\n", rec.User.Name, setup.Location(rec.Bucket.Name, rec.Prefix), path)
	if err := plan.Err(); err != nil {
		return err
	}
	if r := plan.Resume; r != nil {
		fmt.Fprintf(out, "· finishing the rotation interrupted at stage %q (new key %s)\n", r.Stage, orNone(r.NewKeyID))
	}
	if plan.OldKeyID != "" {
		fmt.Fprintf(out, "· old key %s: deactivated once the new key is proven\n", plan.OldKeyID)
	}
	for _, id := range plan.Stray {
		fmt.Fprintf(out, "· key %s: made by the interrupted rotation, its secret never saved; deleted first\n", id)
	}
	opt := setup.RotateOptions{
		Delivery: dest,
		ReadKey:  keyfile.ReadCredentialsCSV,
		Now:      g.now,
		Probe: func(ctx context.Context, key awsops.AccessKey, profile string) (awsops.Prober, error) {
			pc := awsops.Config{EndpointURL: cfg.EndpointURL, Region: rec.Bucket.Region, Debug: cfg.Debug}
			if pc.Region == "" {
				pc.Region = cfg.Region
			}
			if profile != "" {
				pc.Profile = profile
			} else {
				pc.Static = &awsops.StaticCredentials{AccessKeyID: key.ID, Secret: key.Secret}
			}
			return g.AWS(ctx, pc)
		},
		AfterStage: rotateAfterStage,
	}
	if onScreen {
		opt.HandOver = func(ctx context.Context, k awsops.AccessKey) (setup.HandOff, error) {
			fmt.Fprintf(out, "· new key %s: hand it over on the key screen\n", k.ID)
			return g.Screens.RotateKey(ctx, g.Globals, st, ops, k)
		}
	}
	if plan.FreeKeyID != "" {
		fmt.Fprintf(out, "User %s already holds two access keys (IAM's limit), so one must go before a new one can be made: %s, %s. It cannot be restored.\n", rec.User.Name, plan.FreeKeyID, plan.FreeWhy)
		switch {
		case o.FreeKey == plan.FreeKeyID:
		case o.FreeKey != "":
			return usageError("--free-key %s names another key than the one rotate would delete (%s); check 's3link status'", o.FreeKey, plan.FreeKeyID)
		case !interactive:
			return usageError("confirm the deletion of %s with --free-key %s, or delete a key yourself", plan.FreeKeyID, plan.FreeKeyID)
		case !confirm(g.lines(), out, fmt.Sprintf("Delete %s first? [y/N] ", plan.FreeKeyID)):
			fmt.Fprintln(out, "Nothing changed.")
			rep.declined = true
			return nil
		}
		opt.FreeKeyID = plan.FreeKeyID
	}
	opt.DeleteOld = func(id string) bool {
		if o.DeleteOld {
			return true
		}
		if !interactive {
			return false
		}
		return confirm(g.lines(), out, fmt.Sprintf("The new key works and %s is inactive. Delete %s now? It cannot be restored. [y/N] ", id, id))
	}
	res, err := setup.Rotate(ctx, ops, plan, opt, func(s setup.RotateStep) {
		fmt.Fprintf(out, "✓ %s: %s\n", s.Title, s.Note)
		rep.Steps = append(rep.Steps, rotateStepJSON{Title: s.Title, Note: s.Note})
	})
	rep.NewKeyID, rep.OldKeyID = res.NewKeyID, res.OldKeyID
	switch {
	case res.OldDeleted:
		rep.OldKey = "deleted"
	case res.OldKeyID != "":
		rep.OldKey = "inactive"
	default:
		rep.OldKey = "none"
	}
	if res.Saved.CSV {
		rep.CSV = o.CSVPath
		if res.HandOff.CSVPath != "" {
			rep.CSV = res.HandOff.CSVPath
		}
	}
	if res.Saved.Profile {
		rep.Profile = o.WriteProfile
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(g.Err, "Stopped; the record %s says how far the rotation got ('s3link status' shows it), and 's3link rotate' finishes it.\n", path)
			return err
		}
		if errors.Is(err, setup.ErrNotHandedOver) {
			msg := fmt.Sprintf("Rotation stopped before the old key was touched: the secret of the new key %s was neither saved nor confirmed pasted. The record %s keeps the state ('s3link status' explains it); run 's3link rotate' again to delete that key and make another.", res.NewKeyID, path)
			rep.Failed = append(rep.Failed, rotateFailedKey{Step: stoppedAt(path), Reason: msg})
			rep.FailedCount = len(rep.Failed)
			return &ExitError{Code: ExitSecretNotHandedOver, Err: errors.New(msg)}
		}
		msg := "Rotation stopped: " + explain(err)
		if res.NewKeyID != "" {
			msg += fmt.Sprintf(" The record %s keeps its state; run 's3link rotate' again to finish.", path)
		}
		rep.Failed = append(rep.Failed, rotateFailedKey{Step: stoppedAt(path), Reason: msg})
		rep.FailedCount = len(rep.Failed)
		return errors.New(msg)
	}
	if res.HandOff.Deleted {
		fmt.Fprintf(out, "The new key was deleted unsaved; the old key %s stays as it was. Nothing else changed.\n", orNone(res.OldKeyID))
		rep.declined = true
		return nil
	}
	if o.JSON {
		return nil
	}
	printRotateSummary(out, res, rep)
	return nil
}

func printRotateSummary(w io.Writer, res setup.RotateResult, rep rotateReport) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Done. Give the platform the new key:")
	fmt.Fprintf(w, "  Access key ID: %s\n", res.NewKeyID)
	switch {
	case rep.CSV != "":
		fmt.Fprintf(w, "  Secret key:    in %s (delete that file once the platform has it)\n", rep.CSV)
	case rep.Profile != "":
		fmt.Fprintf(w, "  Secret key:    in profile %s of the shared credentials file\n", rep.Profile)
	case res.HandOff.How != "":
		fmt.Fprintf(w, "  Secret key:    handed over on the key screen (%s)\n", res.HandOff.How)
	default:
		fmt.Fprintln(w, "  Secret key:    where the interrupted rotation saved it")
	}
	switch rep.OldKey {
	case "deleted":
		fmt.Fprintf(w, "The old key %s is deleted.\n", res.OldKeyID)
	case "inactive":
		fmt.Fprintf(w, "The old key %s is inactive; delete it with 'aws iam delete-access-key --user-name %s --access-key-id %s' once the platform works with the new one (or 's3link teardown' removes both later).\n", res.OldKeyID, rep.User, res.OldKeyID)
	}
}

// stoppedAt names where a rotation that failed stopped: the stage its
// record holds, or "start" when it saved none.
func stoppedAt(path string) string {
	if r, err := journal.Load(path); err == nil && r.Rotation != nil {
		return r.Rotation.Stage
	}
	return "start"
}

func orNone(s string) string {
	if s == "" {
		return "not made yet"
	}
	return s
}

// rotateRecord picks the record: the one named, or the only one.
func rotateRecord(o *rotateOptions) (string, error) {
	if o.Record != "" {
		return o.Record, nil
	}
	dir, err := journal.Dir()
	if err != nil {
		return "", err
	}
	paths, err := journal.List(dir)
	if err != nil {
		return "", err
	}
	switch len(paths) {
	case 0:
		return "", fmt.Errorf("no setup record found in %s; there is no link whose key to rotate (run s3link setup first)", dir)
	case 1:
		return paths[0], nil
	}
	return "", usageError("there are %d setup records (%s); choose one with --record PATH", len(paths), strings.Join(paths, ", "))
}

// recordClient is the client for cfg (the record's profile and region),
// once the credentials are proven to be for that
// account: rotate changes nothing in another one.
func recordClient(ctx context.Context, g *Factory, cfg awsops.Config, path string, rec *journal.Record) (Client, setup.Stored, error) {
	st := setup.Stored{Path: path, Record: rec}
	ops, err := g.AWS(ctx, cfg)
	if err != nil {
		return nil, st, explained(err)
	}
	if err := setup.CheckAccount(ctx, ops, st); err != nil {
		var ae *setup.AccountError
		if errors.As(err, &ae) {
			return nil, st, fmt.Errorf("the setup record %s belongs to AWS account %s, but your credentials are for account %s; nothing was changed. Sign in to account %s (--profile) and run rotate again", ae.Path, ae.Record, ae.Caller, ae.Record)
		}
		return nil, st, explained(err)
	}
	return ops, st, nil
}
