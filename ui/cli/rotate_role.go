package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/transfer/download"
)

// rotateNewExternalID, when set by a test, makes the new external id.
var rotateNewExternalID func() string

// runRotateRole rotates a role link: a new external id in the role's
// trust policy, proven with --proof-dir.
func runRotateRole(ctx context.Context, g *Factory, o *rotateOptions, path string, rec *journal.Record, out io.Writer, rep *rotateReport) error {
	for _, f := range []struct {
		set  bool
		flag string
	}{
		{o.CSVPath != "", "--csv"}, {o.CSVFormat != "" && o.CSVFormat != "console", "--csv-format"},
		{o.WriteProfile != "", "--write-profile"}, {o.DeleteOld, "--delete-old"}, {o.FreeKey != "", "--free-key"},
	} {
		if f.set {
			return usageError("%s is for an access key; the record %s is a role link (role %s), whose rotation replaces its external id, so leave it out", f.flag, path, rec.Role.Name)
		}
	}
	rep.Role, rep.ProofDir = rec.Role.ARN, o.ProofDir
	cfg := recordConfig(g.Globals, rec)
	ops, st, err := recordClient(ctx, g, cfg, path, rec)
	if err != nil {
		return err
	}
	plan, err := setup.PlanRoleRotation(ctx, ops, st)
	if err != nil {
		return explained(err)
	}
	fmt.Fprintf(out, "Rotating the external id of role %s (link %s, record %s)\n", rec.Role.Name, setup.Location(rec.Bucket.Name, rec.Prefix), path)
	if err := plan.Err(); err != nil {
		return err
	}
	if r := plan.Resume; r != nil {
		fmt.Fprintf(out, "· finishing the rotation interrupted at stage %q\n", r.Stage)
	}
	opt := setup.RoleRotateOptions{NewExternalID: rotateNewExternalID, Now: g.now, AfterStage: rotateAfterStage}
	if o.ProofDir != "" {
		opt.Prove = func(ctx context.Context, arn, externalID string) (string, error) {
			pc := cfg
			pc.Region = rec.Bucket.Region
			if pc.Region == "" {
				pc.Region = cfg.Region
			}
			pc.AssumeRole = &awsops.AssumeRole{ARN: arn, ExternalID: externalID, SessionName: "s3link-proof-" + rec.SetupID}
			with := "role " + arn + " (assumed with the new external id)"
			fmt.Fprintf(out, "· Proof: downloading %s into %s with the %s\n", setup.Location(rec.Bucket.Name, rec.Prefix), o.ProofDir, with)
			p, err := runProof(ctx, g, out, pc, with, rec.Bucket.Name, rec.Prefix, o.ProofDir, download.DefaultConcurrency)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("assumed the role with it and downloaded %d files (%d unchanged) into %s", p.Downloaded, p.Skipped, o.ProofDir), nil
		}
	}
	res, err := setup.RotateRole(ctx, ops, plan, opt, func(s setup.RotateStep) {
		fmt.Fprintf(out, "✓ %s: %s\n", s.Title, s.Note)
		rep.Steps = append(rep.Steps, rotateStepJSON{Title: s.Title, Note: s.Note})
	})
	if res.RoleARN != "" {
		rep.Role = res.RoleARN
	}
	rep.ExternalID, rep.OldExternalID = res.ExternalID, res.OldExternalID
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(g.Err, "Stopped; the record %s says how far the rotation got ('s3link status' shows it), and 's3link rotate' finishes it.\n", path)
			return err
		}
		var refused *setup.RefusedError
		if errors.As(err, &refused) {
			return err
		}
		msg := "Rotation stopped: " + explain(err)
		if res.ExternalID != "" {
			msg += fmt.Sprintf(" The record %s keeps its state; run 's3link rotate' again to finish.", path)
		}
		rep.Failed = append(rep.Failed, rotateFailedKey{Step: stoppedAt(path), Reason: msg})
		rep.FailedCount = len(rep.Failed)
		return errors.New(msg)
	}
	if o.JSON {
		return nil
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Done. Give the platform the new external id (the previous one no longer works):")
	fmt.Fprintf(out, "  Role ARN:    %s\n", res.RoleARN)
	fmt.Fprintf(out, "  External ID: %s\n", res.ExternalID)
	if !res.Proven {
		fmt.Fprintln(out, "Not proven here: only the platform's account may assume the role; add --proof-dir DIR where the caller may (a local emulator).")
	}
	return nil
}
