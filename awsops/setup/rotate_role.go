package setup

import (
	"context"
	"fmt"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// RoleRotatePlan is what a role link's rotation will do: give the role's
// trust policy a new external id. Nothing has run yet.
type RoleRotatePlan struct {
	Stored
	Role awsops.RoleFacts
	// Resume is the interrupted rotation this one finishes, nil for a new
	// one.
	Resume *journal.Rotation
	// Refusals say, one sentence each, why the rotation cannot run.
	Refusals []string
}

// Err is the plan's refusal as an error, nil when it can run.
func (p *RoleRotatePlan) Err() error {
	if len(p.Refusals) == 0 {
		return nil
	}
	return &RefusedError{Sentences: p.Refusals}
}

// RoleRotateOptions are a role rotation's choices and connections.
type RoleRotateOptions struct {
	// NewExternalID makes the new external id (nil: awsops.NewExternalID).
	NewExternalID func() string
	// Prove, when set, assumes the role with the new external id and
	// reads the location; it returns what it proved, in plain words.
	Prove func(ctx context.Context, roleARN, externalID string) (string, error)
	// Now is the rotation's clock.
	Now func() time.Time
	// AfterStage, when set, is told of each stage saved in the record; an
	// error stops the rotation there, as a kill would (tests).
	AfterStage func(stage string) error
}

// RoleRotateResult is what a role rotation did.
type RoleRotateResult struct {
	Steps []RotateStep
	// RoleARN is the role; ExternalID the new external id the platform
	// needs, OldExternalID the one it replaced.
	RoleARN, ExternalID, OldExternalID string
	// Proven is true when Prove assumed the role with the new id.
	Proven bool
}

// PlanRoleRotation proves the record's role is s3link's (it exists,
// carries this setup's tag, the record says this setup made it, and its
// trust policy is the one s3link wrote) and plans the new external id.
// It changes nothing. Call CheckAccount first.
func PlanRoleRotation(ctx context.Context, ops awsops.Inspector, st Stored) (*RoleRotatePlan, error) {
	rec := st.Record
	p := &RoleRotatePlan{Stored: st, Resume: rec.Rotation}
	if rec.Role == nil || rec.Role.Name == "" {
		return nil, fmt.Errorf("the setup record %s is not a role link", st.Path)
	}
	name := rec.Role.Name
	f, err := ops.InspectRole(ctx, name)
	if err != nil {
		return nil, err
	}
	p.Role = f
	switch {
	case !f.Exists:
		p.Refusals = append(p.Refusals, fmt.Sprintf("IAM role %s no longer exists, so there is no external id to rotate; run s3link setup again to make the link anew.", name))
		return p, nil
	case !rec.Role.Created || f.SetupID == "" || f.SetupID != rec.SetupID:
		p.Refusals = append(p.Refusals, fmt.Sprintf("IAM role %s does not carry this setup's tag, or the record does not say this setup made it, so s3link cannot prove it is s3link's and leaves its trust policy alone.", name))
		return p, nil
	case rec.Role.ARN != "" && f.ARN != rec.Role.ARN:
		p.Refusals = append(p.Refusals, fmt.Sprintf("IAM role %s is %s, not %s as the record says, so s3link leaves its trust policy alone.", name, f.ARN, rec.Role.ARN))
		return p, nil
	}
	// The trust policy must be s3link's: with the recorded external id,
	// or the new one of an interrupted rotation.
	part := partitionOf(f.ARN)
	known := []string{rec.Role.ExternalID}
	if r := rec.Rotation; r != nil {
		known = append(known, r.OldExternalID, r.NewExternalID)
	}
	for _, id := range known {
		if id != "" && f.SameTrust(awsops.TrustPolicyDocumentIn(part, rec.Role.TrustedAccount, id)) {
			return p, nil
		}
	}
	p.Refusals = append(p.Refusals, fmt.Sprintf("The trust policy of role %s differs from what s3link made (only account %s, with the recorded external id), so s3link will not overwrite someone's change; 's3link status' shows the difference.", name, rec.Role.TrustedAccount))
	return p, nil
}

// RotateRole gives the role's trust policy a new external id, saving its
// stage in the record before each call (a kill leaves a record that
// status explains and a re-run finishes): the new id is saved as an
// intent, the trust policy updated, the record's role given the new id,
// and the role assumed with it when opt.Prove is set. The previous id
// stays in the record's rotation until the rotation ends.
func RotateRole(ctx context.Context, ops awsops.RoleRotator, p *RoleRotatePlan, opt RoleRotateOptions, report func(RotateStep)) (RoleRotateResult, error) {
	if err := p.Err(); err != nil {
		return RoleRotateResult{}, err
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	newID := opt.NewExternalID
	if newID == nil {
		newID = awsops.NewExternalID
	}
	rec := p.Record
	name := rec.Role.Name
	res := RoleRotateResult{RoleARN: p.Role.ARN}
	run := &rotationRun{ctx: ctx, st: &p.Stored, steps: &res.Steps, report: report, after: opt.AfterStage}
	did, save, stage := run.did, run.save, run.stage

	r := rec.Rotation
	if r == nil || r.NewExternalID == "" {
		// A new rotation: the intent, with both ids, goes first.
		old, id, at := rec.Role.ExternalID, newID(), now().UTC()
		if err := save(func(r *journal.Record) {
			r.Rotation = &journal.Rotation{Stage: journal.RotateTrustUpdating, OldExternalID: old, NewExternalID: id, StartedAt: at}
		}); err != nil {
			return res, err
		}
		r = p.Record.Rotation
	}
	res.OldExternalID, res.ExternalID = r.OldExternalID, r.NewExternalID
	if err := stage(r.Stage); err != nil {
		return res, err
	}

	if r.Stage == journal.RotateTrustUpdating {
		doc := awsops.TrustPolicyDocumentIn(partitionOf(p.Role.ARN), rec.Role.TrustedAccount, r.NewExternalID)
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsops.CallTimeout)
		err := ops.UpdateAssumeRolePolicy(c, name, doc)
		cancel()
		if err != nil {
			return res, err
		}
		id := r.NewExternalID
		if err := save(func(r *journal.Record) {
			r.Role.ExternalID = id
			r.Rotation.Stage = journal.RotateTrustUpdated
		}); err != nil {
			return res, err
		}
		did("update the trust policy of role "+name, "only account "+rec.Role.TrustedAccount+" may assume it, with the new external id")
		if err := stage(journal.RotateTrustUpdated); err != nil {
			return res, err
		}
		r = p.Record.Rotation
	}

	if r.Stage == journal.RotateTrustUpdated {
		if opt.Prove != nil {
			what, err := opt.Prove(ctx, p.Role.ARN, r.NewExternalID)
			if err != nil {
				return res, fmt.Errorf("role %s could not be assumed with the new external id yet: %w", name, err)
			}
			res.Proven = true
			did("prove the new external id", what)
		}
		if err := save(func(r *journal.Record) { r.Rotation = nil }); err != nil {
			return res, err
		}
	}
	return res, nil
}
