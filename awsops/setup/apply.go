package setup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	fage "filippo.io/age"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// Ops is every AWS call the engine makes. *awsops.Client implements it.
type Ops interface {
	awsops.Provisioner
	awsops.Remover
}

// Journal is where a setup's record lives and what every new record
// starts from (who ran it, against which endpoint). An empty Path keeps no
// record (tests that do not look at it).
type Journal struct {
	Path string
	Base journal.Record
}

// NewJournal places the plan's record in dir: the record it continues, or
// a new one named by its setup id.
func NewJournal(dir string, p *Plan, base journal.Record) Journal {
	path := p.RecordPath
	if path == "" && dir != "" {
		path = journal.Path(dir, p.SetupID)
	}
	base.Version = journal.CurrentVersion
	base.SetupID = p.SetupID
	base.Account = p.Account
	base.Bucket = journal.Bucket{Name: p.Spec.Bucket, Region: p.Spec.Region}
	base.Prefix = p.Spec.Prefix
	base.Policy = journal.Policy{Name: p.Spec.PolicyName, ARN: p.Policy.ARN}
	base.User = journal.User{Name: p.Spec.UserName}
	if p.Spec.Role() {
		base.Role = &journal.Role{Name: p.Spec.RoleName, ExternalID: p.ExternalID, TrustedAccount: p.Spec.TrustedAccount}
	}
	base.Region = p.Spec.Region
	return Journal{Path: path, Base: base}
}

// update applies change to the record under its lock, creating the
// record (exclusively) the first time.
func (j Journal) update(change func(*journal.Record)) error {
	if j.Path == "" {
		return nil
	}
	if _, err := os.Lstat(j.Path); errors.Is(err, fs.ErrNotExist) {
		rec := j.Base
		rec.CreatedAt = time.Now().UTC()
		if err := rec.Create(j.Path); err != nil && !errors.Is(err, journal.ErrExists) {
			return err
		}
	}
	_, err := journal.Update(j.Path, func(r *journal.Record) error {
		// Keep who ran it last (a re-run may use another profile).
		r.CallerARN, r.Profile, r.EndpointURL, r.Sandbox = j.Base.CallerARN, j.Base.Profile, j.Base.EndpointURL, j.Base.Sandbox
		change(r)
		return nil
	})
	return err
}

// Load reads the journal's record; a missing one is (nil, nil).
func (j Journal) Load() (*journal.Record, error) {
	if j.Path == "" {
		return nil, nil
	}
	r, err := journal.Load(j.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return r, err
}

// State is what the actions run so far produced. It is a value: the
// wizard hands a copy to each step.
type State struct {
	Bucket       awsops.Bucket
	Policy       awsops.Policy
	Boundary     awsops.Policy
	User         awsops.User
	Attached     bool
	DeletedKeyID string
	Key          awsops.AccessKey
	// Role is a role link's role once made; RoleAttached is true once
	// the policy is attached to it.
	Role         awsops.Role
	RoleAttached bool
	// Done lists the actions that completed, in order.
	Done []ActionKind
	// Adopted is true once the run's record lists what the plan proved
	// ours from an earlier, interrupted run.
	Adopted bool
}

// Completed reports whether action kind k already ran.
func (st State) Completed(k ActionKind) bool { return slices.Contains(st.Done, k) }

// Clone copies st so two goroutines never share its slices.
func (st State) Clone() State {
	st.Done = slices.Clone(st.Done)
	return st
}

// Apply runs every action of the plan not done yet, in order, and tells
// report about each. It stops at the first failure; a retry with the
// returned state picks up there.
func Apply(ctx context.Context, ops Ops, j Journal, p *Plan, st State, report func(i int, note string, err error)) (State, error) {
	for i := range p.Actions {
		var (
			note string
			err  error
		)
		st, note, err = Step(ctx, ops, j, p, i, st)
		if report != nil {
			report(i, note, err)
		}
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// Step runs action i of the plan: it writes the intent to the record
// before a create call goes out (a kill during the call still leaves its
// trace), makes the call, and writes the result. It returns a short plain
// note on what happened. Running an action that already completed is a
// no-op.
//
// A cancelled ctx stops the plan before an action starts, never during
// one: once a create call is on its way AWS may already have made the
// resource, and only the answer lets the record say so. Each call keeps
// its own awsops.CallTimeout, so an interrupt waits at most that long.
func Step(ctx context.Context, ops Ops, j Journal, p *Plan, i int, st State) (State, string, error) {
	st = st.Clone()
	if err := p.Err(); err != nil {
		return st, "", err
	}
	a := p.Actions[i]
	if st.Completed(a.Kind) {
		return st, "done earlier", nil
	}
	if err := ctx.Err(); err != nil {
		return st, "", err
	}
	if !st.Adopted {
		if err := j.update(func(r *journal.Record) { adopt(r, p) }); err != nil {
			return st, "", fmt.Errorf("save the setup record: %w", err)
		}
		st.Adopted = true
	}
	in := journal.Intent{Kind: string(a.Kind), Name: intentName(p, a), At: time.Now().UTC()}
	if a.Creates() {
		if err := j.update(func(r *journal.Record) { r.Begin(in) }); err != nil {
			return st, "", fmt.Errorf("save the setup record before %q: %w", a.Title, err)
		}
	}
	ctx = context.WithoutCancel(ctx)
	note, change, err := call(ctx, ops, p, a, &st)
	if jerr := j.update(func(r *journal.Record) {
		if change != nil {
			change(r)
		}
		// A failed create may still have made its resource (a timeout, a
		// lost answer): its intent stays until a lookup of the tag settles
		// it (a rollback, a re-run, a teardown).
		if a.Creates() && (err == nil || change != nil) {
			r.Settle(in)
		}
	}); jerr != nil && err == nil {
		err = fmt.Errorf("save the setup record: %w", jerr)
	}
	if err != nil {
		return st, "", err
	}
	st.Done = append(st.Done, a.Kind)
	return st, note, nil
}

func intentName(p *Plan, a Action) string {
	switch a.Kind {
	case ActCreateBucket:
		return p.Spec.Bucket
	case ActCreatePolicy:
		return p.Spec.PolicyName
	case ActCreateBoundary:
		return p.Boundary.Name
	case ActCreateRole:
		return p.Spec.RoleName
	}
	return p.Spec.UserName
}

// adopt writes into the record what the plan proved this setup's from an
// earlier run (a resource carrying its id), and the names of what it
// reuses.
func adopt(r *journal.Record, p *Plan) {
	r.Bucket.Name, r.Prefix = p.Spec.Bucket, p.Spec.Prefix
	if p.Spec.Region != "" {
		r.Bucket.Region, r.Region = p.Spec.Region, p.Spec.Region
	}
	if p.Bucket.Ours && p.Bucket.Decision == Reuse {
		r.Bucket.Created = true
	}
	r.Policy.Name = p.Spec.PolicyName
	if p.Policy.ARN != "" {
		r.Policy.ARN = p.Policy.ARN
	}
	if p.Policy.Ours && p.Policy.Decision != Create {
		r.Policy.Created = true
	}
	adoptRole(r, p)
	r.User.Name = p.Spec.UserName
	if p.User.Ours && p.User.Decision == Reuse {
		r.User.Created = true
	}
	if p.Boundary.Ours && p.Boundary.Decision != Create && r.Boundary == nil {
		r.Boundary = &journal.Boundary{Name: p.Boundary.Name, ARN: p.Boundary.ARN, Created: true, Previous: p.PreviousBoundary}
	}
	// Intents the plan has settled: what they announced exists and is
	// ours (adopted above), or does not exist.
	r.Pending = slices.DeleteFunc(r.Pending, func(in journal.Intent) bool {
		switch ActionKind(in.Kind) {
		case ActCreateBucket:
			return in.Name == p.Spec.Bucket && (p.Bucket.Ours || p.Bucket.Decision == Create)
		case ActCreatePolicy:
			return in.Name == p.Spec.PolicyName && (p.Policy.Ours || p.Policy.Decision == Create)
		case ActCreateUser:
			return in.Name == p.Spec.UserName && (p.User.Ours || p.User.Decision == Create)
		case ActCreateRole:
			return in.Name == p.Spec.RoleName && (p.Role.Ours || p.Role.Decision == Create)
		case ActCreateAccessKey:
			// Keys of a user that is ours go with the user.
			return in.Name == p.Spec.UserName && p.User.Ours
		}
		return false
	})
	if len(r.Pending) == 0 {
		r.Pending = nil
	}
}

// call makes action a's AWS call and says how the record changes.
func call(ctx context.Context, ops Ops, p *Plan, a Action, st *State) (string, func(*journal.Record), error) {
	s := p.Spec
	switch a.Kind {
	case ActCreateBucket:
		b, err := ops.CreateBucket(ctx, s.Bucket, s.Region, p.SetupID)
		if b.Name != "" {
			// Our CreateBucket made it, even if tagging it then failed.
			st.Bucket = b
			return "created", func(r *journal.Record) {
				r.Bucket = journal.Bucket{Name: b.Name, Region: b.Region, Created: true}
			}, err
		}
		if errors.Is(err, awsops.ErrBucketOwned) {
			err = changedSincePlan("bucket "+s.Bucket, err)
		}
		return "", nil, err
	case ActBlockPublic:
		return "all four settings on", nil, ops.BlockPublicAccess(ctx, s.Bucket)
	case ActEncryption:
		return "SSE-S3", nil, ops.EnableDefaultEncryption(ctx, s.Bucket)
	case ActCreatePolicy:
		pol, err := ops.CreatePolicy(ctx, s.PolicyName, awsops.PolicyDocument(s.Bucket, s.Prefix), p.SetupID)
		if err != nil {
			if errors.Is(err, awsops.ErrAlreadyExists) {
				err = changedSincePlan("policy "+s.PolicyName, err)
			}
			return "", nil, err
		}
		st.Policy = pol
		return "created", func(r *journal.Record) {
			r.Policy = journal.Policy{Name: pol.Name, ARN: pol.ARN, Created: true}
		}, nil
	case ActPolicyVersion:
		pol, err := ops.AddPolicyVersion(ctx, p.policyARN(), awsops.PolicyDocument(s.Bucket, s.Prefix))
		if err != nil {
			return "", nil, err
		}
		st.Policy = pol
		note := "new default version " + pol.VersionID
		if pol.DeletedVersionID != "" {
			note += " (deleted old version " + pol.DeletedVersionID + ")"
		}
		return note, nil, nil
	case ActCreateBoundary:
		pol, err := ops.CreatePolicy(ctx, p.Boundary.Name, p.BoundaryDocument, p.SetupID)
		if err != nil {
			if errors.Is(err, awsops.ErrAlreadyExists) {
				err = changedSincePlan("policy "+p.Boundary.Name, err)
			}
			return "", nil, err
		}
		st.Boundary = pol
		return "created", func(r *journal.Record) {
			r.Boundary = &journal.Boundary{Name: pol.Name, ARN: pol.ARN, Created: true, Previous: p.PreviousBoundary}
		}, nil
	case ActCreateUser:
		u, err := ops.CreateUser(ctx, s.UserName, s.Tags, p.policyARN(), p.SetupID)
		if err != nil {
			if errors.Is(err, awsops.ErrAlreadyExists) {
				err = changedSincePlan("user "+s.UserName, err)
			}
			return "", nil, err
		}
		st.User = u
		return "created", func(r *journal.Record) {
			r.User.Name, r.User.ARN, r.User.Created = u.Name, u.ARN, true
		}, nil
	case ActSetBoundary:
		arn := p.Boundary.ARN
		if st.Boundary.ARN != "" {
			arn = st.Boundary.ARN
		}
		if err := ops.SetUserBoundary(ctx, s.UserName, arn); err != nil {
			return "", nil, err
		}
		return "set", func(r *journal.Record) {
			if r.Boundary != nil {
				r.Boundary.Set = true
			}
		}, nil
	case ActAttachPolicy:
		if err := ops.AttachUserPolicy(ctx, s.UserName, p.policyARN()); err != nil {
			return "", nil, err
		}
		st.Attached = true
		return "attached", func(r *journal.Record) { r.User.Attached = true }, nil
	case ActDeleteOldKey:
		if err := ops.DeleteAccessKey(ctx, s.UserName, p.DeleteKeyID); err != nil {
			return "", nil, err
		}
		st.DeletedKeyID = p.DeleteKeyID
		return "deleted " + p.DeleteKeyID, func(r *journal.Record) { r.ForgetAccessKey(p.DeleteKeyID) }, nil
	case ActCreateAccessKey:
		k, err := ops.CreateAccessKey(ctx, s.UserName)
		if err != nil {
			return "", nil, err
		}
		st.Key = k
		created := k.Created
		if created.IsZero() {
			created = time.Now().UTC()
		}
		return "created " + k.ID, func(r *journal.Record) {
			if !r.HasKey(k.ID) {
				r.AccessKeys = append(r.AccessKeys, journal.Key{ID: k.ID, Created: created})
			}
		}, nil
	case ActCreateRole, ActAttachRolePolicy:
		return callRole(ctx, ops, p, a, st)
	}
	return "", nil, fmt.Errorf("unknown setup action %q", a.Kind)
}

// ErrChangedSincePlan marks a create call that found its name taken
// between the plan and the call (another run, another person).
var ErrChangedSincePlan = errors.New("changed since the plan was made")

func changedSincePlan(what string, err error) error {
	return fmt.Errorf("%s was created by someone else (or another s3link run) after the plan was made; nothing of it was changed, so run setup again to plan with it: %w", what, errors.Join(ErrChangedSincePlan, err))
}

// ForgetKey drops a key from the record (it was deleted again).
func (j Journal) ForgetKey(id string) error {
	return j.update(func(r *journal.Record) { r.ForgetAccessKey(id) })
}

// Delivery is where a new key is saved: a CSV file (CSVPath, in
// CSVLayout), a profile in the shared credentials file (Profile in
// CredentialsFile), or both.
type Delivery struct {
	CSVPath         string
	CSVLayout       keyfile.CSVLayout
	CredentialsFile string
	Profile         string
	// Recipients, when set, encrypt the CSV file for them (age, armored):
	// no plain-text copy of the secret is written.
	Recipients []fage.Recipient
}

// KeyDeleter is the one call DeliverKey may need: deleting a key whose
// secret could be saved nowhere.
type KeyDeleter interface {
	DeleteAccessKey(ctx context.Context, user, keyID string) error
}

// Delivered says where DeliverKey saved the key.
type Delivered struct {
	CSV, Profile bool
}

// DeliverKey saves the new key wherever d says. When it could be saved
// nowhere the secret is lost for good, so the key is deleted again rather
// than left behind unusable, and dropped from the record. When one of two
// places failed the key is kept (it is saved in the other) and the error
// says so.
func DeliverKey(ctx context.Context, ops KeyDeleter, j Journal, d Delivery, key awsops.AccessKey) (Delivered, error) {
	var got Delivered
	var errs []string
	if d.CSVPath != "" {
		write := func() error { return keyfile.WriteKeyCSV(d.CSVPath, key, d.CSVLayout) }
		if len(d.Recipients) > 0 {
			write = func() error { return keyfile.WriteEncryptedKeyCSV(d.CSVPath, key, d.CSVLayout, d.Recipients) }
		}
		if err := write(); err != nil {
			errs = append(errs, strings.TrimSuffix(err.Error(), "."))
		} else {
			got.CSV = true
		}
	}
	if d.Profile != "" {
		if err := keyfile.WriteCredentialsProfile(d.CredentialsFile, d.Profile, key); err != nil {
			errs = append(errs, strings.TrimSuffix(err.Error(), "."))
		} else {
			got.Profile = true
		}
	}
	if len(errs) == 0 {
		return got, nil
	}
	msg := strings.Join(errs, ". ")
	switch {
	case got.CSV:
		return got, fmt.Errorf("%s. The new access key %s was kept: it is saved in %s", msg, key.ID, d.CSVPath)
	case got.Profile:
		return got, fmt.Errorf("%s. The new access key %s was kept: it is saved as profile %s in %s", msg, key.ID, d.Profile, d.CredentialsFile)
	}
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsops.CallTimeout)
	defer cancel()
	if derr := ops.DeleteAccessKey(delCtx, key.User, key.ID); derr != nil {
		return got, fmt.Errorf("%s. The new access key %s could not be saved and could not be deleted either (%v); delete it with 'aws iam delete-access-key --user-name %s --access-key-id %s'",
			msg, key.ID, derr, key.User, key.ID)
	}
	_ = j.ForgetKey(key.ID)
	return got, fmt.Errorf("%s. The new access key %s was deleted again because its secret could not be saved; run setup again", msg, key.ID)
}

// Records loads every setup record in dir, newest first. Records that
// cannot be read are returned as errors beside the rest: teardown names
// them, setup must not plan over them silently.
func Records(dir string) ([]Stored, []error) {
	paths, err := journal.List(dir)
	if err != nil {
		return nil, []error{err}
	}
	var out []Stored
	var errs []error
	for _, path := range paths {
		r, err := journal.Load(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, Stored{Path: path, Record: r})
	}
	return out, errs
}
