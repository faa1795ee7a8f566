package setup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// RotatePlan is what a rotation will do for one record's user. Nothing
// has run yet.
type RotatePlan struct {
	Stored
	User awsops.UserFacts
	// OldKeyID is the record's key being retired, "" when the user holds
	// none of the record's keys.
	OldKeyID string
	// FreeKeyID is the key that must go first because the user already
	// holds two (IAM's limit); FreeWhy says why that one. Rotate deletes it
	// only when RotateOptions.FreeKeyID names it.
	FreeKeyID, FreeWhy string
	// Resume is the interrupted rotation this one finishes, nil for a new
	// one.
	Resume *journal.Rotation
	// Stray are keys an interrupted rotation made whose secret was never
	// saved; they are deleted first.
	Stray []string
	// Refusals say, one sentence each, why the rotation cannot run.
	Refusals []string
	// others are the other records of this account, whose keys of the
	// user a deletion must forget too.
	others []string
}

// Err is the plan's refusal as an error, nil when it can run.
func (p *RotatePlan) Err() error {
	if len(p.Refusals) == 0 {
		return nil
	}
	return &RefusedError{Sentences: p.Refusals}
}

// RotateOptions are the person's choices and the rotation's connections.
type RotateOptions struct {
	// FreeKeyID confirms the deletion of RotatePlan.FreeKeyID.
	FreeKeyID string
	// Delivery is where the new key's secret is saved (as setup does).
	Delivery Delivery
	// Probe makes a client that signs with the new key: key holds its id
	// and secret, or, when the secret lives in a profile, only its id and
	// profile names the profile.
	Probe func(ctx context.Context, key awsops.AccessKey, profile string) (awsops.Prober, error)
	// ReadKey reads a saved key back from a CSV file (a resumed rotation
	// proves the key it saved before it was interrupted).
	ReadKey func(path string) (awsops.AccessKey, error)
	// Wait sleeps between proof attempts (nil: the real clock).
	Wait func(context.Context, time.Duration) error
	// DeleteOld decides, once the old key is inactive, whether it is
	// deleted too (the person's confirmation, or --delete-old).
	DeleteOld func(keyID string) bool
	// Now is the rotation's clock.
	Now func() time.Time
	// AfterStage, when set, is told of each stage saved in the record; an
	// error stops the rotation there, as a kill would (tests).
	AfterStage func(stage string) error
	// HandOver, when set, hands the new key over instead of Delivery (the
	// key screen on a terminal).
	HandOver func(ctx context.Context, key awsops.AccessKey) (HandOff, error)
}

// HandOff is how a key given to RotateOptions.HandOver left it.
type HandOff struct {
	// Done is true when someone is known to hold the secret: saved to
	// CSVPath, or copied and confirmed, or the person said they have it.
	Done    bool
	CSVPath string
	// Deleted is true when the unsaved key was deleted again (and dropped
	// from the record).
	Deleted bool
	// How says in words how it went ("saved to CSV", ...).
	How string
}

// OnKeyScreen is the record's word for a secret handed over on the key
// screen without a file s3link can read back.
const OnKeyScreen = "the key screen"

// ErrNotHandedOver means the new key's secret was neither saved nor
// confirmed: the rotation stopped before deactivating the old key.
var ErrNotHandedOver = errors.New("the new access key's secret was neither saved nor confirmed pasted, so the old key stays active")

// RotateStep is one thing a rotation did, in plain words.
type RotateStep struct {
	Title string
	Note  string
}

// RotateResult is what a rotation did.
type RotateResult struct {
	Steps []RotateStep
	// NewKey is the new key (its secret only in memory; it is saved where
	// the Delivery said); NewKeyID is set on a resumed rotation too.
	NewKey   awsops.AccessKey
	NewKeyID string
	Saved    Delivered
	// HandOff is how RotateOptions.HandOver went, when it was used.
	HandOff HandOff
	// OldKeyID is the retired key; OldDeleted says whether it was deleted
	// or only made inactive.
	OldKeyID   string
	OldDeleted bool
}

// PlanRotation proves the record's user is s3link's to rotate and decides
// which key goes. It changes nothing. Call CheckAccount first.
func PlanRotation(ctx context.Context, ops awsops.Inspector, st Stored, recs []Stored) (*RotatePlan, error) {
	rec := st.Record
	p := &RotatePlan{Stored: st, Resume: rec.Rotation}
	u, err := ops.InspectUser(ctx, rec.User.Name)
	if err != nil {
		return nil, err
	}
	p.User = u
	for _, s := range recs {
		if s.Record.Account == rec.Account && s.Record.SetupID != rec.SetupID && s.Path != "" {
			p.others = append(p.others, s.Path)
		}
	}
	if !u.Exists {
		p.Refusals = append(p.Refusals, fmt.Sprintf("IAM user %s no longer exists, so it has no key to rotate; run s3link setup again to make the link anew.", rec.User.Name))
		return p, nil
	}
	// The user is s3link's when it carries this setup's id, or that of
	// another setup of this account on this computer (a second location
	// of the same user).
	ours := u.SetupID != "" && (u.SetupID == rec.SetupID ||
		slices.ContainsFunc(recs, func(s Stored) bool { return s.Record.Account == rec.Account && s.Record.SetupID == u.SetupID }))
	recorded := func(id string) bool {
		return rec.HasKey(id) || slices.ContainsFunc(recs, func(s Stored) bool { return s.Record.Account == rec.Account && s.Record.HasKey(id) })
	}
	if !ours && !slices.ContainsFunc(u.Keys, func(k awsops.KeyInfo) bool { return rec.HasKey(k.ID) }) {
		p.Refusals = append(p.Refusals, fmt.Sprintf("User %s does not carry this setup's tag and holds no key the record names, so s3link cannot prove its keys are s3link's and leaves them alone.", u.Name))
		return p, nil
	}
	// The record's newest key that still exists is the one in use.
	for i := len(rec.AccessKeys) - 1; i >= 0; i-- {
		id := rec.AccessKeys[i].ID
		if r := rec.Rotation; r != nil && id == r.NewKeyID {
			continue
		}
		if slices.ContainsFunc(u.Keys, func(k awsops.KeyInfo) bool { return k.ID == id }) {
			p.OldKeyID = id
			break
		}
	}
	// A second location may use the key its first location's record names.
	for _, s := range recs {
		if p.OldKeyID != "" {
			break
		}
		if s.Record.Account != rec.Account || s.Record.User.Name != rec.User.Name || s.Record.SetupID == rec.SetupID {
			continue
		}
		for _, k := range u.Keys {
			if s.Record.HasKey(k.ID) && k.Status != "Inactive" {
				p.OldKeyID = k.ID
			}
		}
	}
	if r := rec.Rotation; r != nil && r.OldKeyID != "" {
		p.OldKeyID = r.OldKeyID
	}
	keys := slices.Clone(u.Keys)
	// Keys an interrupted rotation made and never saved: their secret is
	// gone, so they go (a user that is ours holds only s3link's keys).
	if r := rec.Rotation; r != nil {
		switch {
		case r.Stage == journal.RotateCreated && r.NewKeyID != "":
			if slices.ContainsFunc(keys, func(k awsops.KeyInfo) bool { return k.ID == r.NewKeyID }) {
				p.Stray = append(p.Stray, r.NewKeyID)
			}
		case r.Stage == journal.RotateCreating:
			for _, k := range interruptedKeys(rec, u, recs) {
				if !ours {
					p.Refusals = append(p.Refusals, fmt.Sprintf("Access key %s of user %s may come from the interrupted rotation, but s3link cannot prove it (the user does not carry this setup's tag); delete it with 's3link teardown --delete-key %s' if it is not someone else's, then run rotate again.", k.ID, u.Name, k.ID))
					continue
				}
				p.Stray = append(p.Stray, k.ID)
			}
		}
	}
	keys = slices.DeleteFunc(keys, func(k awsops.KeyInfo) bool { return slices.Contains(p.Stray, k.ID) })
	needsNew := rec.Rotation == nil || rec.Rotation.Stage == journal.RotateCreating || rec.Rotation.Stage == journal.RotateCreated
	if needsNew && len(keys) >= 2 {
		// The key that goes: the oldest one the record does not use, else
		// the record's old key itself.
		var cands []awsops.KeyInfo
		for _, k := range keys {
			if k.ID != p.OldKeyID {
				cands = append(cands, k)
			}
		}
		if len(cands) == 0 {
			cands = keys
		}
		slices.SortFunc(cands, func(a, b awsops.KeyInfo) int { return a.Created.Compare(b.Created) })
		free := cands[0]
		switch {
		case free.ID == p.OldKeyID:
			p.FreeWhy = "it is the record's key in use; the platform loses access until it has the new key"
		case recorded(free.ID):
			p.FreeWhy = "an older key of s3link's that the record no longer uses"
		case ours:
			p.FreeWhy = "an older key of this s3link user that no record names"
		default:
			p.Refusals = append(p.Refusals, fmt.Sprintf("User %s already holds two access keys, and %s is not s3link's (no record names it), so s3link will not delete it to make room; delete one yourself, then run rotate again.", u.Name, free.ID))
			return p, nil
		}
		p.FreeKeyID = free.ID
	}
	return p, nil
}

// Rotate runs the rotation, saving its stage in the record before each
// call (a kill leaves a record that status explains and a re-run
// finishes): make room, create the new key, save its secret, prove it
// reads the location, deactivate the old key, and delete it when
// opt.DeleteOld says so. A cancelled ctx stops it between calls.
func Rotate(ctx context.Context, ops awsops.KeyRotator, p *RotatePlan, opt RotateOptions, report func(RotateStep)) (RotateResult, error) {
	if err := p.Err(); err != nil {
		return RotateResult{}, err
	}
	if p.FreeKeyID != "" && opt.FreeKeyID != p.FreeKeyID {
		return RotateResult{}, fmt.Errorf("user %s already holds two access keys; %s would be deleted first (%s), and that needs your confirmation", p.User.Name, p.FreeKeyID, p.FreeWhy)
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	rec := p.Record
	user := rec.User.Name
	res := RotateResult{OldKeyID: p.OldKeyID}
	run := &rotationRun{ctx: ctx, st: &p.Stored, steps: &res.Steps, report: report, after: opt.AfterStage}
	did, save, stage := run.did, run.save, run.stage
	call := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), awsops.CallTimeout)
	}

	for _, id := range p.Stray {
		c, cancel := call()
		err := ops.DeleteAccessKey(c, user, id)
		cancel()
		if err != nil {
			return res, err
		}
		if err := save(func(r *journal.Record) {
			r.ForgetAccessKey(id)
			if r.Rotation != nil {
				r.Rotation.Stage, r.Rotation.NewKeyID = journal.RotateCreating, ""
			}
		}); err != nil {
			return res, err
		}
		did("delete access key "+id, "made by the interrupted rotation; its secret was never saved")
	}

	r := p.Record.Rotation
	if r == nil || r.Stage == journal.RotateCreating {
		if p.FreeKeyID != "" {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			c, cancel := call()
			err := ops.DeleteAccessKey(c, user, p.FreeKeyID)
			cancel()
			if err != nil {
				return res, err
			}
			free := p.FreeKeyID
			if err := save(func(r *journal.Record) { r.ForgetAccessKey(free) }); err != nil {
				return res, err
			}
			forgetElsewhere(p, free, did)
			did("delete access key "+free, "to make room: "+p.FreeWhy)
			if free == p.OldKeyID {
				p.OldKeyID, res.OldKeyID = "", ""
			}
		}
		in := journal.Intent{Kind: string(ActCreateAccessKey), Name: user, At: now().UTC()}
		old := p.OldKeyID
		if err := save(func(r *journal.Record) {
			if r.Rotation == nil {
				r.Rotation = &journal.Rotation{OldKeyID: old, StartedAt: in.At}
			}
			r.Rotation.Stage = journal.RotateCreating
			r.Begin(in)
		}); err != nil {
			return res, err
		}
		if err := stage(journal.RotateCreating); err != nil {
			return res, err
		}
		c, cancel := call()
		k, err := ops.CreateAccessKey(c, user)
		cancel()
		if err != nil {
			// Nothing was made (an answer lost in a timeout shows as a
			// stray key next time; the intent stays for that).
			if !errors.Is(err, awsops.ErrKeyLimit) {
				return res, err
			}
			_ = save(func(r *journal.Record) { r.Settle(in); r.Rotation = nil })
			return res, err
		}
		created := k.Created
		if created.IsZero() {
			created = now().UTC()
		}
		if err := save(func(r *journal.Record) {
			// This answer settles earlier attempts' intents too: their
			// keys, if any, were deleted above as strays.
			r.Pending = slices.DeleteFunc(r.Pending, func(x journal.Intent) bool { return x.Kind == in.Kind && x.Name == in.Name })
			if len(r.Pending) == 0 {
				r.Pending = nil
			}
			if !r.HasKey(k.ID) {
				r.AccessKeys = append(r.AccessKeys, journal.Key{ID: k.ID, Created: created})
			}
			r.Rotation.NewKeyID, r.Rotation.Stage = k.ID, journal.RotateCreated
		}); err != nil {
			return res, err
		}
		res.NewKey, res.NewKeyID = k, k.ID
		did("create access key for user "+user, "created "+k.ID)
		if err := stage(journal.RotateCreated); err != nil {
			return res, err
		}

		where, derr := "", error(nil)
		if opt.HandOver != nil {
			h, err := opt.HandOver(ctx, k)
			res.HandOff = h
			switch {
			case err != nil:
				return res, err
			case h.Deleted:
				// The screen deleted the key: the rotation never happened.
				id := k.ID
				if err := save(func(r *journal.Record) { r.ForgetAccessKey(id); r.Rotation = nil }); err != nil {
					return res, err
				}
				res.NewKey, res.NewKeyID = awsops.AccessKey{}, ""
				did("delete access key "+id, "deleted unsaved on the key screen; the old key stays as it was")
				return res, nil
			case !h.Done:
				// The run stops at "created": status explains it, and a
				// re-run deletes the key and makes another.
				return res, ErrNotHandedOver
			}
			where = h.CSVPath
			if where == "" {
				where = OnKeyScreen
			}
			res.Saved.CSV = h.CSVPath != ""
		} else {
			j := Journal{Path: p.Path, Base: *p.Record}
			got, err := DeliverKey(ctx, ops, j, opt.Delivery, k)
			res.Saved, derr = got, err
			if !got.CSV && !got.Profile {
				// DeliverKey deleted the key again: the rotation never happened.
				_ = save(func(r *journal.Record) { r.Rotation = nil })
				return res, derr
			}
			switch {
			case got.CSV:
				where = opt.Delivery.CSVPath
			case got.Profile:
				where = "profile " + opt.Delivery.Profile
			}
		}
		if err := save(func(r *journal.Record) {
			r.Rotation.Stage, r.Rotation.Delivered = journal.RotateDelivered, where
		}); err != nil {
			return res, err
		}
		note := "saved to " + where
		if where == OnKeyScreen {
			note = "on the key screen: " + res.HandOff.How
		}
		if derr != nil {
			note += " (" + derr.Error() + ")"
		}
		did("hand over the new key", note)
		if err := stage(journal.RotateDelivered); err != nil {
			return res, err
		}
		r = p.Record.Rotation
	}
	res.NewKeyID = r.NewKeyID

	if r.Stage == journal.RotateDelivered {
		probe, err := rotationProbe(ctx, opt, r, res.NewKey)
		if err != nil {
			return res, err
		}
		b, pre := rec.Bucket.Name, rec.Prefix
		err = ProveKey(ctx, probe, b, pre, opt.Wait, func(n int, err error) {
			if n == 1 {
				did("wait for AWS to accept the new key", "not yet ("+refusalWords(err)+"); trying for up to "+PropagationWait.String())
			}
		})
		if err != nil {
			return res, fmt.Errorf("the new key %s does not read %s yet, so the old key stays active: %w", r.NewKeyID, Location(b, pre), err)
		}
		if err := save(func(r *journal.Record) { r.Rotation.Stage = journal.RotateProven }); err != nil {
			return res, err
		}
		did("prove the new key", "it lists and reads "+Location(b, pre))
		if err := stage(journal.RotateProven); err != nil {
			return res, err
		}
		r = p.Record.Rotation
	}

	if r.Stage == journal.RotateProven {
		if r.OldKeyID != "" && keyExists(p.User, r.OldKeyID) {
			c, cancel := call()
			err := ops.SetAccessKeyStatus(c, user, r.OldKeyID, false)
			cancel()
			if err != nil {
				return res, err
			}
			did("deactivate access key "+r.OldKeyID, "inactive; the platform now signs in with "+r.NewKeyID)
		}
		if err := save(func(r *journal.Record) { r.Rotation.Stage = journal.RotateDeactivated }); err != nil {
			return res, err
		}
		if err := stage(journal.RotateDeactivated); err != nil {
			return res, err
		}
		r = p.Record.Rotation
	}

	// Deactivated: delete the old key when the person says so, which
	// ends the rotation.
	old := r.OldKeyID
	if old != "" && keyExists(p.User, old) && opt.DeleteOld != nil && opt.DeleteOld(old) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		c, cancel := call()
		err := ops.DeleteAccessKey(c, user, old)
		cancel()
		if err != nil {
			return res, err
		}
		res.OldDeleted = true
		did("delete access key "+old, "deleted")
	}
	if old != "" && !res.OldDeleted && keyExists(p.User, old) {
		// The rotation waits at "deactivated": once the platform works
		// with the new key, a re-run deletes the old one.
		did("keep access key "+old, "inactive until you delete it: run s3link rotate --delete-old once the platform works with the new key")
		return res, nil
	}
	if err := save(func(r *journal.Record) {
		r.ForgetAccessKey(old)
		r.Rotation = nil
	}); err != nil {
		return res, err
	}
	forgetElsewhere(p, old, did)
	return res, nil
}

// forgetElsewhere drops a deleted key from the other records of the
// account that name it (another location of the same user).
func forgetElsewhere(p *RotatePlan, id string, did func(title, note string)) {
	for _, path := range p.others {
		if _, err := journal.Update(path, func(r *journal.Record) error {
			if r.User.Name == p.Record.User.Name && r.HasKey(id) {
				r.ForgetAccessKey(id)
			}
			return nil
		}); err != nil {
			did("update the record "+path, "it still names the deleted key "+id+": "+err.Error())
		}
	}
}

func keyExists(u awsops.UserFacts, id string) bool {
	return slices.ContainsFunc(u.Keys, func(k awsops.KeyInfo) bool { return k.ID == id })
}

// rotationProbe is a client with the new key: the one in memory, or for a
// resumed rotation the one it saved.
func rotationProbe(ctx context.Context, opt RotateOptions, r *journal.Rotation, key awsops.AccessKey) (awsops.Prober, error) {
	if opt.Probe == nil {
		return nil, errors.New("no way to reach S3 with the new key")
	}
	if !key.Secret.IsZero() {
		return opt.Probe(ctx, key, "")
	}
	if name, ok := strings.CutPrefix(r.Delivered, "profile "); ok {
		return opt.Probe(ctx, awsops.AccessKey{ID: r.NewKeyID}, name)
	}
	if r.Delivered == OnKeyScreen {
		return nil, fmt.Errorf("the new key %s was handed over on the key screen, where s3link cannot read it back; save it to a CSV file and prove it with 's3link status --csv FILE', or run rotate again after deleting it with 's3link teardown --delete-key %s'", r.NewKeyID, r.NewKeyID)
	}
	if opt.ReadKey == nil || r.Delivered == "" {
		return nil, fmt.Errorf("the new key %s was saved, but s3link cannot tell where; prove it with 's3link status --csv FILE'", r.NewKeyID)
	}
	k, err := opt.ReadKey(r.Delivered)
	if err != nil {
		return nil, fmt.Errorf("the new key %s was saved to %s, which cannot be read back now (%v); put the file back, then run rotate again", r.NewKeyID, r.Delivered, err)
	}
	if k.ID != r.NewKeyID {
		return nil, fmt.Errorf("%s now holds key %s, not the new key %s the interrupted rotation saved there; put that file back, then run rotate again", r.Delivered, k.ID, r.NewKeyID)
	}
	return opt.Probe(ctx, k, "")
}

func refusalWords(err error) string {
	if errors.Is(err, awsops.ErrInvalidCredentials) {
		return "the key is not known yet"
	}
	return "access denied"
}

// rotationRun is what a key rotation and a role rotation both keep while
// they run: the steps done so far (each also reported as it happens), the
// record as last saved, and the hook a test stops them with between stages.
type rotationRun struct {
	ctx    context.Context
	st     *Stored
	steps  *[]RotateStep
	report func(RotateStep)
	after  func(stage string) error
}

// did records a finished step.
func (r *rotationRun) did(title, note string) {
	s := RotateStep{Title: title, Note: note}
	*r.steps = append(*r.steps, s)
	if r.report != nil {
		r.report(s)
	}
}

// save applies change to the record on disk and keeps what was saved.
func (r *rotationRun) save(change func(*journal.Record)) error {
	rec, err := journal.Update(r.st.Path, func(rec *journal.Record) error { change(rec); return nil })
	if err != nil {
		return fmt.Errorf("save the setup record: %w", err)
	}
	r.st.Record = rec
	return nil
}

// stage ends a stage: the test hook may stop the run there, and so does a
// cancelled context.
func (r *rotationRun) stage(s string) error {
	if r.after != nil {
		if err := r.after(s); err != nil {
			return err
		}
	}
	return r.ctx.Err()
}
