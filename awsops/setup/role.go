package setup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// Access is how the platform reads the location.
type Access string

// The two kinds of link.
const (
	// AccessKey is an IAM user with an access key, as the manual
	// procedure does (the default: the platform's form asks for a key).
	AccessKey Access = "key"
	// AccessRole is an IAM role the platform's account assumes with an
	// external id: no long-lived secret to hand over.
	AccessRole Access = "role"
)

// ParseAccess reads --access.
func ParseAccess(s string) (Access, error) {
	switch Access(s) {
	case AccessKey, "":
		return AccessKey, nil
	case AccessRole:
		return AccessRole, nil
	}
	return "", fmt.Errorf("--access is key (an IAM user with an access key) or role (an IAM role the platform assumes), not %q", s)
}

// Role reports whether the spec asks for a role link.
func (s Spec) Role() bool { return s.Access == AccessRole }

// TrustFile is the name the CLI equivalents give the role's trust policy.
const TrustFile = "trust.json"

// partitionOf is the partition of an ARN ("aws" when it cannot tell).
func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// decideRole plans the role of a role link: a new one, trusted by the
// platform's account only and with the external id, or this setup's own
// from an earlier run. A role s3link did not make is never used.
func (p *Plan) decideRole(f Facts, rec *journal.Record) {
	s := p.Spec
	p.ExternalID = s.ExternalID
	if rec != nil && rec.Role != nil && rec.Role.ExternalID != "" && rec.Role.TrustedAccount == s.TrustedAccount {
		p.ExternalID = rec.Role.ExternalID
	}
	if p.ExternalID == "" {
		p.ExternalID = awsops.NewExternalID()
	}
	p.TrustDocument = awsops.TrustPolicyDocumentIn(partitionOf(f.Identity.ARN), s.TrustedAccount, p.ExternalID)
	r := f.Role
	it := Item{What: "role", Name: s.RoleName, ARN: r.ARN}
	ours := r.Exists && r.SetupID != "" && r.SetupID == p.SetupID
	switch {
	case !r.Exists:
		it.Decision, it.Ours = Create, true
		it.Reason = fmt.Sprintf("new, assumed by account %s with an external id, with policy %s as its permissions boundary", s.TrustedAccount, s.PolicyName)
		it.ARN = "arn:" + partitionOf(f.Identity.ARN) + ":iam::" + p.Account + ":role/" + s.RoleName
	case ours && r.SameTrust(p.TrustDocument):
		it.Decision, it.Ours, it.Reason = Reuse, true, "created by this setup earlier, same trust policy"
	case ours:
		p.refuse(&it, fmt.Sprintf("IAM role %s was made by this setup with another trust policy (another account or external id); remove it with 's3link teardown' first, or choose another role name (--role-name).", s.RoleName))
	default:
		p.refuse(&it, fmt.Sprintf("An IAM role named %s already exists and s3link did not create it, so it will not change its trust or permissions; choose another role name (--role-name).", s.RoleName))
	}
	p.Role = it
}

func (p *Plan) decideRoleAttach(f Facts) {
	if p.Role.Decision == Refuse || p.Policy.Decision == Refuse {
		return
	}
	it := Item{What: "attachment", Name: p.Spec.PolicyName + " → role " + p.Spec.RoleName}
	if f.Role.Exists && p.Policy.ARN != "" && f.Role.HasPolicy(p.Policy.ARN) {
		it.Decision, it.Reason = Reuse, "already attached"
	} else {
		it.Decision, it.Ours, it.Reason = Create, true, "attach the policy to the role"
	}
	p.RoleAttach = it
}

// roleActions lists the role link's calls after the policy's.
func roleActions(p *Plan, tag string) []Action {
	s := p.Spec
	var acts []Action
	if p.Role.Decision == Create {
		acts = append(acts, Action{ActCreateRole, fmt.Sprintf("Create IAM role %s, assumed by account %s with an external id, bounded by policy %s", s.RoleName, s.TrustedAccount, s.PolicyName),
			fmt.Sprintf("aws iam create-role --role-name %s --description %s --assume-role-policy-document file://%s --permissions-boundary %s --tags %s",
				s.RoleName, shellQuote(awsops.PolicyDescription), TrustFile, p.policyARN(), tag)})
	}
	if p.RoleAttach.Decision == Create {
		acts = append(acts, Action{ActAttachRolePolicy, fmt.Sprintf("Attach policy %s to role %s", s.PolicyName, s.RoleName),
			fmt.Sprintf("aws iam attach-role-policy --role-name %s --policy-arn %s", s.RoleName, p.policyARN())})
	}
	return acts
}

// callRole makes a role action's AWS call and says how the record changes.
func callRole(ctx context.Context, ops Ops, p *Plan, a Action, st *State) (string, func(*journal.Record), error) {
	s := p.Spec
	switch a.Kind {
	case ActCreateRole:
		r, err := ops.CreateRole(ctx, s.RoleName, p.TrustDocument, p.policyARN(), p.SetupID)
		if err != nil {
			if errors.Is(err, awsops.ErrAlreadyExists) {
				err = changedSincePlan("role "+s.RoleName, err)
			}
			return "", nil, err
		}
		st.Role = r
		return "created", func(rec *journal.Record) {
			rr := roleOf(rec, p)
			rr.ARN, rr.Created = r.ARN, true
		}, nil
	case ActAttachRolePolicy:
		if err := ops.AttachRolePolicy(ctx, s.RoleName, p.policyARN()); err != nil {
			return "", nil, err
		}
		st.RoleAttached = true
		return "attached", func(rec *journal.Record) { roleOf(rec, p).Attached = true }, nil
	}
	return "", nil, fmt.Errorf("unknown setup action %q", a.Kind)
}

// roleOf is the record's role section for p, made when missing.
func roleOf(r *journal.Record, p *Plan) *journal.Role {
	if r.Role == nil || r.Role.Name != p.Spec.RoleName {
		r.Role = &journal.Role{Name: p.Spec.RoleName}
	}
	r.Role.ExternalID, r.Role.TrustedAccount = p.ExternalID, p.Spec.TrustedAccount
	if r.Role.ARN == "" && p.Role.Ours && p.Role.ARN != "" && p.Role.Decision == Reuse {
		r.Role.ARN = p.Role.ARN
	}
	return r.Role
}

// adoptRole writes the role section before any call goes out, so the
// external id a role is made with is never lost, and marks a role this
// setup made earlier as its own.
func adoptRole(r *journal.Record, p *Plan) {
	if !p.Spec.Role() {
		return
	}
	rr := roleOf(r, p)
	if p.Role.Ours && p.Role.Decision == Reuse {
		rr.Created, rr.ARN = true, p.Role.ARN
	}
}

// RoleARN is the ARN of the plan's role, as made or found.
func (p *Plan) RoleARN(st State) string {
	if st.Role.ARN != "" {
		return st.Role.ARN
	}
	return p.Role.ARN
}

// planRoleUndo proves the record's role is s3link's and plans its removal
// (its attachments go with it); a role of that name that is not ours is
// kept and named.
func (u *Undo) planRoleUndo(ctx context.Context, ops awsops.Inspector, rec *journal.Record, pending func(ActionKind, string) bool, drop func(ActionKind, string) func(*journal.Record)) error {
	if rec.Role == nil || rec.Role.Name == "" {
		return nil
	}
	name := rec.Role.Name
	claims := rec.Role.Created || rec.Role.Attached || pending(ActCreateRole, name)
	if !claims {
		u.forget = append(u.forget, func(r *journal.Record) { r.Role = nil })
		return nil
	}
	role, err := ops.InspectRole(ctx, name)
	if err != nil {
		return err
	}
	switch {
	case !role.Exists:
		u.forget = append(u.forget, func(r *journal.Record) { r.Role = nil }, drop(ActCreateRole, name))
	case role.SetupID == rec.SetupID:
		u.Removals = append(u.Removals, Removal{
			Title: fmt.Sprintf("delete IAM role %s (its policy detached first)", name),
			run:   func(ctx context.Context, r awsops.Remover) error { return r.DeleteRole(ctx, name) },
			forget: func(r *journal.Record) {
				r.Role = nil
				drop(ActCreateRole, name)(r)
			},
		})
	default:
		u.Kept = append(u.Kept, Kept{What: "IAM role " + name, Why: notOurs(role.SetupID, rec.SetupID)})
		u.forget = append(u.forget, func(r *journal.Record) { r.Role = nil }, drop(ActCreateRole, name))
	}
	return nil
}

// removesRole reports whether the undo deletes the role called name.
func (u *Undo) removesRole(name string) bool {
	return u.Record != nil && u.Record.Role != nil && u.Record.Role.Name == name &&
		slices.ContainsFunc(u.Removals, func(r Removal) bool { return strings.HasPrefix(r.Title, "delete IAM role "+name+" ") })
}

// checkRole is status for a role link: the role exists, carries this
// setup's tag, trusts only the recorded account with the recorded external
// id, and has the platform policy as its permissions boundary.
func (s *Status) checkRole(ctx context.Context, ops awsops.Auditor, rec *journal.Record, pol awsops.PolicyFacts) error {
	r := rec.Role
	f, err := ops.InspectRole(ctx, r.Name)
	if err != nil {
		return err
	}
	if !f.Exists {
		s.drift("role", fmt.Sprintf("IAM role %s does not exist any more; the platform cannot read the location (run s3link setup again).", r.Name))
		return nil
	}
	if r.Created && f.SetupID != rec.SetupID {
		s.drift("role", fmt.Sprintf("IAM role %s no longer carries this setup's tag; someone replaced or retagged it.", r.Name))
	} else {
		s.ok("role", "role "+r.Name+" exists")
	}
	rot := rec.Rotation
	if rot != nil && rot.NewExternalID != "" {
		switch {
		case rot.Stage == journal.RotateTrustUpdating && f.SameTrust(awsops.TrustPolicyDocumentIn(partitionOf(f.ARN), r.TrustedAccount, rot.NewExternalID)):
			s.Notes = append(s.Notes, "A rotation of the external id was interrupted after the trust policy took the new id, before the record did; run s3link rotate again to finish it.")
		case rot.Stage == journal.RotateTrustUpdating:
			s.Notes = append(s.Notes, "A rotation of the external id was interrupted before the trust policy was updated; the previous id still works; run s3link rotate again to finish it.")
		default:
			s.Notes = append(s.Notes, "A rotation of the external id was interrupted after the trust policy and the record took the new id; run s3link rotate again to finish it (and give the platform the new id).")
		}
	}
	want := awsops.TrustPolicyDocumentIn(partitionOf(f.ARN), r.TrustedAccount, r.ExternalID)
	switch {
	case f.SameTrust(want):
		s.ok("role trust", "only account "+r.TrustedAccount+" may assume it, with the recorded external id")
	case rot != nil && rot.Stage == journal.RotateTrustUpdating && f.SameTrust(awsops.TrustPolicyDocumentIn(partitionOf(f.ARN), r.TrustedAccount, rot.NewExternalID)):
		s.warn("role trust", "only account "+r.TrustedAccount+" may assume it, with the new external id of the interrupted rotation")
	default:
		s.Checks = append(s.Checks, Check{What: "role trust",
			Detail: fmt.Sprintf("The trust policy of role %s differs from what s3link made (only account %s, with the external id); someone changed who may assume it.", r.Name, r.TrustedAccount),
			Diff:   DocumentDiff(want, f.TrustDocument)})
	}
	switch {
	case pol.ARN != "" && f.Boundary == pol.ARN:
		s.ok("permissions boundary", "the role is bounded by policy "+pol.Name)
	default:
		s.drift("permissions boundary", fmt.Sprintf("Role %s is not bounded by policy %s any more, so a policy attached to it later could widen what the platform may do.", r.Name, rec.Policy.Name))
	}
	return nil
}
