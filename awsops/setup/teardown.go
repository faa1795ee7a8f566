package setup

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// Removal is one step of a teardown or rollback, proven before it is
// planned: what it removes carries the record's setup id, or is an access
// key the record (or the person) names.
type Removal struct {
	Title string
	run   func(context.Context, awsops.Remover) error
	// forget drops the resource from the record once it is gone.
	forget func(*journal.Record)
}

// Kept is something teardown leaves where it is, with the reason.
type Kept struct {
	What string
	Why  string
	// Ours is true when it is s3link's and stays by choice or because it is
	// still in use; the record then keeps it for a later teardown.
	Ours bool
}

// String renders the kept item as one line.
func (k Kept) String() string { return k.What + ": " + k.Why }

// Undo is what a teardown or rollback will do. Nothing has run yet.
type Undo struct {
	Path     string
	Record   *journal.Record
	Removals []Removal
	Kept     []Kept
	// forget drops from the record what teardown found is not s3link's or
	// no longer exists.
	forget []func(*journal.Record)
}

// UndoOptions are the person's choices for a teardown.
type UndoOptions struct {
	// DeleteBucket removes the bucket too, when it is ours and empty.
	DeleteBucket bool
	// DeleteKeys are access keys of the record's user that the person
	// names for deletion (keys an interrupted run may have made).
	DeleteKeys []string
	// Now is the clock for key ages.
	Now time.Time
}

// AccountError is teardown's refusal to work in another account than the
// record's.
type AccountError struct{ Record, Caller, Path string }

func (e *AccountError) Error() string {
	return fmt.Sprintf("The setup record %s belongs to AWS account %s, but your credentials are for account %s; nothing was removed. Sign in to account %s (--profile) and run teardown again.", e.Path, e.Record, e.Caller, e.Record)
}

// CheckAccount asks STS who the caller is and refuses another account
// than the record's.
func CheckAccount(ctx context.Context, ops awsops.Inspector, st Stored) error {
	id, err := ops.WhoAmI(ctx)
	if err != nil {
		return err
	}
	if id.Account != st.Record.Account {
		return &AccountError{Record: st.Record.Account, Caller: id.Account, Path: st.Path}
	}
	return nil
}

// PlanUndo proves, resource by resource, what of the record is s3link's
// and plans its removal in an order AWS accepts: keys, the attachment, the
// boundary put back, the user, the policies, the bucket. Everything else is
// kept and named with why. It changes nothing. Call CheckAccount first.
func PlanUndo(ctx context.Context, ops awsops.Inspector, st Stored, opt UndoOptions) (*Undo, error) {
	rec := st.Record
	u := &Undo{Path: st.Path, Record: rec}
	id := rec.SetupID
	pending := func(kind ActionKind, name string) bool {
		return slices.ContainsFunc(rec.Pending, func(in journal.Intent) bool { return in.Kind == string(kind) && in.Name == name })
	}
	drop := func(kind ActionKind, name string) func(*journal.Record) {
		return func(r *journal.Record) {
			r.Pending = slices.DeleteFunc(r.Pending, func(in journal.Intent) bool { return in.Kind == string(kind) && in.Name == name })
			if len(r.Pending) == 0 {
				r.Pending = nil
			}
		}
	}

	// The user, and what hangs on it.
	var user awsops.UserFacts
	userOurs := false
	name := rec.User.Name
	if name != "" {
		var err error
		if user, err = ops.InspectUser(ctx, name); err != nil {
			return nil, err
		}
		userOurs = user.Exists && user.SetupID == id
	}
	claimsUser := rec.User.Created || pending(ActCreateUser, name)
	switch {
	case name == "":
	case !user.Exists:
		u.forget = append(u.forget, func(r *journal.Record) { r.User = journal.User{}; r.AccessKeys = nil; r.Rotation = nil }, drop(ActCreateUser, name), drop(ActCreateAccessKey, name))
	case userOurs:
		// Its keys go with it, recorded or not: a user that is ours holds
		// only keys s3link made.
		u.Removals = append(u.Removals, Removal{
			Title: fmt.Sprintf("delete IAM user %s%s", name, keysNote(user.Keys)),
			run:   func(ctx context.Context, r awsops.Remover) error { return r.DeleteUser(ctx, name) },
			forget: func(r *journal.Record) {
				r.User = journal.User{}
				r.AccessKeys = nil
				r.Rotation = nil
				drop(ActCreateUser, name)(r)
				drop(ActCreateAccessKey, name)(r)
			},
		})
	default:
		if claimsUser {
			u.Kept = append(u.Kept, Kept{What: "IAM user " + name, Why: notOurs(user.SetupID, id)})
			u.forget = append(u.forget, func(r *journal.Record) { r.User.Created = false }, drop(ActCreateUser, name))
		}
		for _, k := range rec.AccessKeys {
			kid := k.ID
			if !slices.ContainsFunc(user.Keys, func(x awsops.KeyInfo) bool { return x.ID == kid }) {
				u.forget = append(u.forget, func(r *journal.Record) { r.ForgetAccessKey(kid) })
				continue
			}
			u.Removals = append(u.Removals, Removal{
				Title:  fmt.Sprintf("delete access key %s of user %s (made by this setup)", kid, name),
				run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteAccessKey(ctx, name, kid) },
				forget: func(r *journal.Record) { r.ForgetAccessKey(kid) },
			})
		}
		for _, kid := range opt.DeleteKeys {
			if rec.HasKey(kid) {
				continue
			}
			if !slices.ContainsFunc(user.Keys, func(x awsops.KeyInfo) bool { return x.ID == kid }) {
				u.Kept = append(u.Kept, Kept{What: "access key " + kid, Why: "user " + name + " holds no such key"})
				continue
			}
			u.Removals = append(u.Removals, Removal{
				Title:  fmt.Sprintf("delete access key %s of user %s (named by you)", kid, name),
				run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteAccessKey(ctx, name, kid) },
				forget: drop(ActCreateAccessKey, name),
			})
		}
		for _, k := range interruptedKeys(rec, user, nil) {
			if slices.Contains(opt.DeleteKeys, k.ID) {
				continue
			}
			u.Kept = append(u.Kept, Kept{What: "access key " + k.ID + " of user " + name,
				Why: fmt.Sprintf("made %s ago, possibly by an interrupted run of this setup, but no record names it; add --delete-key %s to remove it", age(opt.Now, k.Created), k.ID)})
		}
	}

	// A role link's role, removed before its policy.
	if err := u.planRoleUndo(ctx, ops, rec, pending, drop); err != nil {
		return nil, err
	}

	// The policy.
	var pol awsops.PolicyFacts
	polOurs := false
	if rec.Policy.Name != "" && (rec.Policy.Created || pending(ActCreatePolicy, rec.Policy.Name) || rec.User.Attached) {
		var err error
		if pol, err = ops.InspectPolicy(ctx, rec.Policy.Name, awsops.PolicyDocument(rec.Bucket.Name, rec.Prefix)); err != nil {
			return nil, err
		}
		polOurs = pol.Exists && pol.SetupID == id
	}
	if rec.User.Attached && user.Exists && !userOurs && pol.Exists && user.HasPolicy(pol.ARN) {
		if polOurs {
			arn := pol.ARN
			u.Removals = append(u.Removals, Removal{
				Title:  fmt.Sprintf("detach policy %s from user %s", pol.Name, name),
				run:    func(ctx context.Context, r awsops.Remover) error { return r.DetachUserPolicy(ctx, name, arn) },
				forget: func(r *journal.Record) { r.User.Attached = false },
			})
		} else {
			u.Kept = append(u.Kept, Kept{What: fmt.Sprintf("the attachment of policy %s to user %s", pol.Name, name),
				Why: "neither the user nor the policy carries this setup's id, so s3link cannot prove it made the attachment"})
			u.forget = append(u.forget, func(r *journal.Record) { r.User.Attached = false })
		}
	} else if rec.User.Attached && !userOurs {
		u.forget = append(u.forget, func(r *journal.Record) { r.User.Attached = false })
	}

	// A boundary this setup widened on a user it did not create: put the
	// previous one back while the user still carries ours.
	var bound awsops.PolicyFacts
	boundOurs := false
	if b := rec.Boundary; b != nil {
		var err error
		if bound, err = ops.InspectPolicy(ctx, b.Name, ""); err != nil {
			return nil, err
		}
		boundOurs = bound.Exists && bound.SetupID == id
		if user.Exists && !userOurs && user.Boundary == b.ARN && boundOurs {
			prev := b.Previous
			title := fmt.Sprintf("put back the permissions boundary %s on user %s", prev, name)
			if prev == "" {
				title = fmt.Sprintf("remove the permissions boundary %s that this setup set on user %s", b.Name, name)
			}
			u.Removals = append(u.Removals, Removal{
				Title:  title,
				run:    func(ctx context.Context, r awsops.Remover) error { return restoreBoundary(ctx, r, ops, name, prev) },
				forget: func(r *journal.Record) { r.Boundary.Set = false },
			})
		}
	}

	if rec.Policy.Created || pending(ActCreatePolicy, rec.Policy.Name) {
		switch {
		case !pol.Exists:
			u.forget = append(u.forget, func(r *journal.Record) { r.Policy.Created = false }, drop(ActCreatePolicy, rec.Policy.Name))
		case !polOurs:
			u.Kept = append(u.Kept, Kept{What: "IAM policy " + rec.Policy.Name, Why: notOurs(pol.SetupID, id)})
			u.forget = append(u.forget, func(r *journal.Record) { r.Policy.Created = false }, drop(ActCreatePolicy, rec.Policy.Name))
		default:
			u.addPolicyRemoval(pol, name, "policy", func(r *journal.Record) {
				r.Policy = journal.Policy{}
				drop(ActCreatePolicy, rec.Policy.Name)(r)
			})
		}
	}
	if b := rec.Boundary; b != nil {
		switch {
		case !bound.Exists:
			u.forget = append(u.forget, func(r *journal.Record) { r.Boundary = nil }, drop(ActCreateBoundary, b.Name))
		case !boundOurs:
			u.Kept = append(u.Kept, Kept{What: "IAM policy " + b.Name, Why: notOurs(bound.SetupID, id)})
			u.forget = append(u.forget, func(r *journal.Record) { r.Boundary = nil }, drop(ActCreateBoundary, b.Name))
		default:
			u.addPolicyRemoval(bound, name, "boundary", func(r *journal.Record) {
				r.Boundary = nil
				drop(ActCreateBoundary, b.Name)(r)
			})
		}
	}

	// The bucket.
	bname := rec.Bucket.Name
	if bname != "" && (rec.Bucket.Created || pending(ActCreateBucket, bname)) {
		b, err := ops.InspectBucket(ctx, bname)
		if err != nil {
			return nil, err
		}
		switch {
		case !b.Owned:
			u.forget = append(u.forget, func(r *journal.Record) { r.Bucket.Created = false }, drop(ActCreateBucket, bname))
		case b.SetupID == "" && !rec.Bucket.Created:
			u.Kept = append(u.Kept, Kept{What: "bucket " + bname, Why: "the interrupted run's CreateBucket may have made it, but it carries no s3link tag (the endpoint dropped the tags of the create call), so s3link cannot prove it is its own; left as it was: delete it yourself if it is yours"})
			u.forget = append(u.forget, drop(ActCreateBucket, bname))
		case b.SetupID != id:
			u.Kept = append(u.Kept, Kept{What: "bucket " + bname, Why: notOurs(b.SetupID, id)})
			u.forget = append(u.forget, func(r *journal.Record) { r.Bucket.Created = false }, drop(ActCreateBucket, bname))
		case !opt.DeleteBucket:
			u.Kept = append(u.Kept, Kept{What: "bucket " + bname, Why: "made by this setup; it stays with its objects (add --delete-bucket to remove it when empty)", Ours: true})
		default:
			u.Removals = append(u.Removals, Removal{
				Title: fmt.Sprintf("delete bucket %s (only if empty)", bname),
				run:   func(ctx context.Context, r awsops.Remover) error { return r.DeleteBucket(ctx, bname) },
				forget: func(r *journal.Record) {
					r.Bucket.Created = false
					drop(ActCreateBucket, bname)(r)
				},
			})
		}
	}
	return u, nil
}

// addPolicyRemoval removes a policy of ours unless someone else attached
// it elsewhere since; then it stays, named with where.
func (u *Undo) addPolicyRemoval(pol awsops.PolicyFacts, user, what string, forget func(*journal.Record)) {
	elsewhere := slices.DeleteFunc(pol.AttachedElsewhere(user), func(e string) bool {
		return u.removesRole(strings.TrimPrefix(strings.TrimPrefix(e, "the permissions boundary of "), "role "))
	})
	if len(elsewhere) > 0 {
		u.Kept = append(u.Kept, Kept{What: "IAM policy " + pol.Name,
			Why:  "made by this setup, but now also used by " + strings.Join(elsewhere, ", ") + ", which s3link did not do; detach it there, then run teardown again",
			Ours: true})
		return
	}
	arn := pol.ARN
	u.Removals = append(u.Removals, Removal{
		Title:  "delete IAM policy " + pol.Name,
		run:    func(ctx context.Context, r awsops.Remover) error { return r.DeletePolicy(ctx, arn) },
		forget: forget,
	})
	_ = what
}

// restoreBoundary puts prev back as the user's boundary; a previous
// boundary that no longer exists leaves the user without one.
func restoreBoundary(ctx context.Context, r awsops.Remover, ins awsops.Inspector, user, prev string) error {
	if prev != "" {
		name := prev[strings.LastIndex(prev, "/")+1:]
		if f, err := ins.InspectPolicy(ctx, name, ""); err == nil && !f.Exists {
			prev = ""
		}
	}
	return r.SetUserBoundary(ctx, user, prev)
}

func keysNote(keys []awsops.KeyInfo) string {
	if len(keys) == 0 {
		return ""
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return " with its access keys " + strings.Join(ids, ", ")
}

func notOurs(found, id string) string {
	if found == "" {
		return "it does not carry s3link's tag, so s3link did not create it; left as it was"
	}
	return fmt.Sprintf("it carries another setup's id (%s, not %s), so this setup did not create it; left as it was", found, id)
}

// UndoResult is what running an Undo did.
type UndoResult struct {
	Failed  []error
	Removed []string
	// RecordRemoved is true when nothing of the record was left, so the
	// record file itself was deleted.
	RecordRemoved bool
}

// Run carries out the removals in order, dropping each resource from the
// record as it goes; report hears about each. A failure does not stop the
// rest: what failed stays in the record for the next teardown.
func (u *Undo) Run(ctx context.Context, ops awsops.Remover, report func(title string, err error)) (UndoResult, error) {
	var res UndoResult
	update := func(change func(*journal.Record)) error {
		if u.Path == "" {
			change(u.Record)
			return nil
		}
		r, err := journal.Update(u.Path, func(r *journal.Record) error { change(r); return nil })
		if err == nil {
			u.Record = r
		}
		return err
	}
	if len(u.forget) > 0 {
		if err := update(func(r *journal.Record) {
			for _, f := range u.forget {
				f(r)
			}
		}); err != nil {
			return res, err
		}
	}
	for _, s := range u.Removals {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsops.CallTimeout)
		err := s.run(c, ops)
		cancel()
		if report != nil {
			report(s.Title, err)
		}
		if err != nil {
			res.Failed = append(res.Failed, fmt.Errorf("%s: %w", s.Title, err))
			continue
		}
		res.Removed = append(res.Removed, s.Title)
		if err := update(s.forget); err != nil {
			return res, err
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	if len(res.Failed) == 0 && u.Record.Empty() && u.Path != "" {
		if err := journal.Remove(u.Path); err != nil {
			return res, err
		}
		res.RecordRemoved = true
	}
	return res, nil
}

// Rollback undoes what this run created (st), newest first, proving each
// removal like teardown does; what existed before the run stays. The
// record keeps whatever could not be removed.
func Rollback(ctx context.Context, ops Ops, j Journal, p *Plan, st State, report func(string, error)) (UndoResult, error) {
	mine := journal.Record{SetupID: p.SetupID, Account: p.Account}
	mine.Bucket = journal.Bucket{Name: p.Spec.Bucket, Created: st.Completed(ActCreateBucket)}
	mine.Prefix = p.Spec.Prefix
	mine.Policy = journal.Policy{Name: p.Spec.PolicyName, ARN: st.Policy.ARN, Created: st.Completed(ActCreatePolicy)}
	mine.User = journal.User{Name: p.Spec.UserName, Created: st.Completed(ActCreateUser), Attached: st.Attached}
	if st.Key.ID != "" {
		mine.AccessKeys = []journal.Key{{ID: st.Key.ID}}
	}
	if p.Spec.Role() {
		mine.Role = &journal.Role{Name: p.Spec.RoleName, Created: st.Completed(ActCreateRole), Attached: st.RoleAttached}
	}
	if st.Completed(ActCreateBoundary) {
		mine.Boundary = &journal.Boundary{Name: p.Boundary.Name, ARN: st.Boundary.ARN, Created: true, Set: st.Completed(ActSetBoundary), Previous: p.PreviousBoundary}
	}
	if rec, err := j.Load(); err == nil && rec != nil {
		// Calls that failed may still have made their resource; the
		// record's intents say where to look.
		mine.Pending = rec.Pending
	}
	view := mine // PlanUndo's removals edit the view; mine keeps what was
	view.AccessKeys = slices.Clone(mine.AccessKeys)
	if mine.Boundary != nil {
		b := *mine.Boundary
		view.Boundary = &b
	}
	undo, err := PlanUndo(ctx, ops, Stored{Record: &view}, UndoOptions{DeleteBucket: true, Now: time.Now()})
	if err != nil {
		return UndoResult{}, err
	}
	res, err := undo.Run(ctx, ops, report)
	if err != nil {
		return res, err
	}
	// The real record loses what the rollback removed or found gone.
	left := undo.Record
	jerr := j.update(func(r *journal.Record) {
		if !left.Bucket.Created && mine.Bucket.Created {
			r.Bucket.Created = false
		}
		if !left.Policy.Created && mine.Policy.Created {
			r.Policy.Created = false
		}
		if !left.User.Created && mine.User.Created {
			r.User.Created = false
			r.AccessKeys = nil
		}
		if !left.User.Attached && mine.User.Attached {
			r.User.Attached = false
		}
		if mine.Boundary != nil && left.Boundary == nil {
			r.Boundary = nil
		}
		if mine.Role != nil && left.Role == nil && r.Role != nil {
			r.Role.Created, r.Role.Attached = false, false
		}
		for _, k := range mine.AccessKeys {
			if !left.HasKey(k.ID) {
				r.ForgetAccessKey(k.ID)
			}
		}
		r.Pending = left.Pending
	})
	if jerr != nil {
		return res, jerr
	}
	if rec, err := j.Load(); err == nil && rec != nil && rec.Empty() {
		if err := journal.Remove(j.Path); err == nil {
			res.RecordRemoved = true
		}
	}
	return res, nil
}

// Summary says in one line what a teardown left.
func (u *Undo) Summary(res UndoResult) string {
	var stays []string
	for _, k := range u.Kept {
		stays = append(stays, k.What)
	}
	switch {
	case len(res.Failed) > 0:
		return fmt.Sprintf("%d of %d removals failed; the record %s keeps them, so run teardown again when the cause is fixed.", len(res.Failed), len(u.Removals), u.Path)
	case len(stays) == 0:
		return "Everything this setup created is gone."
	case len(res.Removed) == 0:
		return "Nothing was removed; left in place: " + strings.Join(stays, ", ") + "."
	}
	return "Everything else this setup created is gone; left in place: " + strings.Join(stays, ", ") + "."
}
