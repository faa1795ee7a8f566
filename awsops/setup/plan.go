package setup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// Decision is what the plan does with one resource.
type Decision string

// The decisions a plan makes per resource.
const (
	// Create makes the resource; it will carry the setup's id.
	Create Decision = "create"
	// Reuse uses what is there as it is.
	Reuse Decision = "reuse"
	// Change updates a resource this setup created earlier.
	Change Decision = "change"
	// Refuse stops the plan: the resource is not s3link's and using it
	// would change it.
	Refuse Decision = "refuse"
	// None means the plan needs nothing here.
	None Decision = ""
)

// Item is the plan's decision about one resource, with the reason in plain
// words.
type Item struct {
	// What names the kind of resource: "bucket", "policy", "user", ...
	What     string
	Name     string
	Decision Decision
	Reason   string
	// Ours is true when the resource carries this setup's id (or, for a
	// key, this setup's record names it).
	Ours bool
	// ARN is the policy's or boundary's ARN, when known.
	ARN string
}

// Facts is what Inspect read before planning: the real state of every
// resource the setup touches.
type Facts struct {
	Identity awsops.Identity
	Bucket   awsops.BucketFacts
	// Objects summarises the first page under the prefix of an owned
	// bucket; ObjectsErr says why it could not be counted (the count is
	// for the person's information only, so it never stops a plan).
	Objects    awsops.PrefixSummary
	ObjectsErr error
	Policy     awsops.PolicyFacts
	// Derived is the policy of the derived name (DerivedPolicyName), read
	// when the chosen default name is s3link's policy for another location.
	Derived *awsops.PolicyFacts
	User    awsops.UserFacts
	// Role is the role of a role link's name (Spec.Role()).
	Role awsops.RoleFacts
	// UserBoundary is the user's current permissions boundary policy, when
	// the user exists and has one.
	UserBoundary *awsops.PolicyFacts
	// BoundaryPolicy is the widened boundary's policy, read when one may be
	// needed.
	BoundaryPolicy *awsops.PolicyFacts
	// Records are the setup records of this account, newest first.
	Records []Stored
	// Now is when the facts were read.
	Now time.Time
}

// Stored is a setup record and where it lives.
type Stored struct {
	Path   string
	Record *journal.Record
}

// Plan is what setup will do: per resource, create, reuse, change or
// refuse with the reason, and the AWS calls in order. Nothing runs until
// Apply.
type Plan struct {
	Spec    Spec
	SetupID string
	// RecordPath is the record this setup writes; Continues is true when
	// it is an earlier run's record for the same user and location.
	RecordPath string
	Continues  bool
	Account    string
	Bucket     Item
	Policy     Item
	Boundary   Item
	User       Item
	Attach     Item
	Key        Item
	// Role and RoleAttach are a role link's role and its policy
	// attachment (Spec.Role()); User, Attach and Key are then None.
	Role       Item
	RoleAttach Item
	// ExternalID is the role's external id and TrustDocument its trust
	// policy (role links only).
	ExternalID    string
	TrustDocument string
	// ExistingKeyID is the earlier run's active key kept instead of a new
	// one; DeleteKeyID the key deleted at the 2-key limit.
	ExistingKeyID string
	DeleteKeyID   string
	// BoundaryDocument is the widened boundary's document, when one is made,
	// and PreviousBoundary the boundary it replaces.
	BoundaryDocument string
	PreviousBoundary string
	Actions          []Action
	// bucketBlocked is true when the bucket already blocks all public access.
	bucketBlocked bool
	// Warnings are things the person should know that do not stop the plan.
	Warnings []string
	// Refusals say, one sentence each, why the plan cannot run as asked.
	Refusals []string
}

// Items lists the plan's decisions in the order review shows them.
func (p *Plan) Items() []Item {
	var out []Item
	for _, it := range []Item{p.Bucket, p.Policy, p.Boundary, p.User, p.Role, p.Attach, p.RoleAttach, p.Key} {
		if it.Decision != None {
			out = append(out, it)
		}
	}
	return out
}

// Err is the plan's first refusal as an error, nil when it can run.
func (p *Plan) Err() error {
	if len(p.Refusals) == 0 {
		return nil
	}
	return &RefusedError{Sentences: p.Refusals}
}

// RefusedError says why a plan cannot run; each sentence names what is in
// the way and what to do.
type RefusedError struct{ Sentences []string }

func (e *RefusedError) Error() string { return strings.Join(e.Sentences, " ") }

// ErrRefused matches every RefusedError.
var ErrRefused = errors.New("setup refused")

// Is makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func (p *Plan) policyARN() string {
	if p.Policy.ARN != "" {
		return p.Policy.ARN
	}
	return "arn:aws:iam::" + p.Account + ":policy/" + p.Spec.PolicyName
}

// NewID returns a fresh random setup id.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "s3l-" + hex.EncodeToString(b)
}

// DerivedPolicyName is the default policy name for a second location of
// the same user: the default name plus the bucket and prefix, within IAM's
// 128 characters (a hash keeps shortened names apart).
func DerivedPolicyName(base, bucket, prefix string) string {
	loc := bucket
	if prefix != "" {
		loc += "-" + prefix
	}
	name := awsops.SuggestPolicyName(base + "-" + strings.ReplaceAll(loc, "/", "-"))
	if len(name) <= awsops.MaxPolicyNameLen-9 && name == base+"-"+strings.ReplaceAll(loc, "/", "-") {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(bucket + "/" + prefix))
	suffix := fmt.Sprintf("-%08x", h.Sum32())
	if len(name) > awsops.MaxPolicyNameLen-len(suffix) {
		name = strings.TrimRight(name[:awsops.MaxPolicyNameLen-len(suffix)], "-_.")
	}
	return name + suffix
}

// boundaryName is the name of the widened boundary for a user's policy.
func boundaryName(policyName string) string {
	const suffix = "-Boundary"
	if len(policyName) > awsops.MaxPolicyNameLen-len(suffix) {
		policyName = policyName[:awsops.MaxPolicyNameLen-len(suffix)]
	}
	return policyName + suffix
}

// continued finds the record of an earlier run for the same account, user
// and location: setup then continues it, with its id.
func continued(recs []Stored, account string, s Spec) (Stored, bool) {
	for _, st := range recs {
		r := st.Record
		if r.Account == account && r.User.Name == s.UserName && recordRole(r) == s.RoleName && r.Bucket.Name == s.Bucket && r.Prefix == s.Prefix {
			return st, true
		}
	}
	return Stored{}, false
}

// recordRole is the name of the record's role, "" for a key link.
func recordRole(r *journal.Record) string {
	if r.Role == nil {
		return ""
	}
	return r.Role.Name
}

// Inspect reads the real state of every resource spec touches, changing
// nothing. recs are the setup records on this machine (Records(dir)).
func Inspect(ctx context.Context, ops awsops.Inspector, spec Spec, recs []Stored, now time.Time) (Facts, error) {
	f := Facts{Now: now}
	var err error
	if f.Identity, err = ops.WhoAmI(ctx); err != nil {
		return f, err
	}
	for _, st := range recs {
		if st.Record.Account == f.Identity.Account {
			f.Records = append(f.Records, st)
		}
	}
	if f.Bucket, err = ops.InspectBucket(ctx, spec.Bucket); err != nil {
		return f, err
	}
	if f.Bucket.Owned {
		f.Objects, f.ObjectsErr = ops.SummarizePrefix(ctx, spec.Bucket, spec.Prefix)
	}
	doc := awsops.PolicyDocument(spec.Bucket, spec.Prefix)
	if f.Policy, err = ops.InspectPolicy(ctx, spec.PolicyName, doc); err != nil {
		return f, err
	}
	own, _ := continued(f.Records, f.Identity.Account, spec)
	ownID := ""
	if own.Record != nil {
		ownID = own.Record.SetupID
	}
	if f.Policy.Exists && !f.Policy.SameDocument && f.Policy.SetupID != "" && f.Policy.SetupID != ownID && !spec.PolicyNameChosen {
		d, err := ops.InspectPolicy(ctx, DerivedPolicyName(spec.PolicyName, spec.Bucket, spec.Prefix), doc)
		if err != nil {
			return f, err
		}
		f.Derived = &d
	}
	if spec.Role() {
		f.Role, err = ops.InspectRole(ctx, spec.RoleName)
		return f, err
	}
	if f.User, err = ops.InspectUser(ctx, spec.UserName); err != nil {
		return f, err
	}
	if f.User.Exists && f.User.Boundary != "" {
		name := f.User.Boundary[strings.LastIndex(f.User.Boundary, "/")+1:]
		b, err := ops.InspectPolicy(ctx, name, doc)
		if err != nil {
			return f, err
		}
		f.UserBoundary = &b
		bp, err := ops.InspectPolicy(ctx, boundaryName(chosenPolicyName(spec, f)), doc)
		if err != nil {
			return f, err
		}
		f.BoundaryPolicy = &bp
	}
	return f, nil
}

// chosenPolicyName is the policy name the plan will use.
func chosenPolicyName(spec Spec, f Facts) string {
	if f.Derived != nil {
		return f.Derived.Name
	}
	return spec.PolicyName
}

// Decide makes the plan from the answers and the facts. It is pure: the
// same inputs give the same plan, and nothing is called.
func Decide(spec Spec, f Facts, newID string) *Plan {
	p := &Plan{Spec: spec, Account: f.Identity.Account}
	if st, ok := continued(f.Records, f.Identity.Account, spec); ok {
		p.SetupID, p.RecordPath, p.Continues = st.Record.SetupID, st.Path, true
	} else {
		p.SetupID = newID
	}
	var rec *journal.Record
	if p.Continues {
		st, _ := continued(f.Records, f.Identity.Account, spec)
		rec = st.Record
	}
	p.decideBucket(f, rec)
	p.decidePolicy(f, rec)
	if spec.Role() {
		p.decideRole(f, rec)
		p.decideRoleAttach(f)
	} else {
		p.decideUser(f, rec)
		p.decideBoundary(f)
		p.decideAttach(f)
		p.decideKey(f)
	}
	if len(p.Refusals) == 0 {
		p.Actions = actions(p)
	}
	return p
}

func (p *Plan) refuse(it *Item, sentence string) {
	it.Decision = Refuse
	it.Reason = sentence
	p.Refusals = append(p.Refusals, sentence)
}

func (p *Plan) decideBucket(f Facts, rec *journal.Record) {
	s := &p.Spec
	b := f.Bucket
	p.bucketBlocked = b.PublicAccess.AllBlocked()
	it := Item{What: "bucket", Name: s.Bucket}
	// The tag is the proof: it is set in the create call itself, so even a
	// run killed during CreateBucket left a bucket that says it is ours.
	ours := b.Owned && b.SetupID != "" && b.SetupID == p.SetupID
	switch {
	case s.ExistingBucket && !b.Exists:
		p.refuse(&it, fmt.Sprintf("Bucket %s does not exist; leave out --existing-bucket (or choose \"create a new bucket\") to create it.", s.Bucket))
	case s.ExistingBucket:
		it.Decision, it.Ours = Reuse, ours
		s.Region = b.Region
		if !b.Owned {
			it.Reason = "exists in another account: used as it is; its own bucket policy must also let this user read it"
			if s.ProtectBucket {
				p.refuse(&it, fmt.Sprintf("Bucket %s belongs to another account, so s3link cannot turn on its Block Public Access; leave that choice out.", s.Bucket))
			}
			break
		}
		it.Reason = fmt.Sprintf("exists in this account (%s, %s): used as it is; its settings are not changed", b.Region, objectCount(f))
		if !b.PublicAccess.AllBlocked() && !s.ProtectBucket {
			p.Warnings = append(p.Warnings, fmt.Sprintf("Bucket %s does not block all public access; s3link leaves existing buckets as they are unless asked to turn it on (--block-public-access; b on the wizard's bucket screen).", s.Bucket))
		}
	case ours:
		it.Decision, it.Ours, it.Reason = Reuse, true, "created by this setup earlier"
		s.Region = b.Region
	case b.Owned && b.SetupID == "" && rec != nil && pendingCreate(rec, ActCreateBucket, s.Bucket):
		p.refuse(&it, fmt.Sprintf("A bucket named %s exists (in %s, %s) and the interrupted run's CreateBucket may have made it, but it carries no s3link tag (the endpoint dropped the tags of the create call), so s3link cannot prove it is its own; use it as an existing bucket (--existing-bucket), or delete it yourself if it is yours and empty.", s.Bucket, b.Region, objectCount(f)))
	case b.Owned:
		p.refuse(&it, fmt.Sprintf("You already own a bucket named %s (in %s, %s), and s3link did not create it, so it will not treat it as new or change its settings; use it as an existing bucket (--existing-bucket) or choose another name.", s.Bucket, b.Region, objectCount(f)))
	case b.Exists:
		p.refuse(&it, fmt.Sprintf("The bucket name %s belongs to another AWS account (bucket names are global); choose another name.", s.Bucket))
	case s.Region == "":
		p.refuse(&it, "No region is set for the new bucket; pass --region (or set one in your profile: aws configure set region REGION).")
	default:
		it.Decision, it.Ours, it.Reason = Create, true, "new, in "+s.Region+", with Block Public Access and SSE-S3"
	}
	p.Bucket = it
}

func objectCount(f Facts) string {
	s := f.Objects
	switch {
	case f.ObjectsErr != nil:
		return "its objects could not be counted"
	case s.Truncated:
		return fmt.Sprintf("at least %d objects under the location", s.Objects)
	case s.Objects == 1:
		return "1 object under the location"
	}
	return fmt.Sprintf("%d objects under the location", s.Objects)
}

func (p *Plan) decidePolicy(f Facts, rec *journal.Record) {
	s := &p.Spec
	pf := f.Policy
	if f.Derived != nil {
		s.PolicyName = f.Derived.Name
		pf = *f.Derived
		p.Warnings = append(p.Warnings, fmt.Sprintf("Policy %s serves another location of s3link's; this location gets its own policy, %s, attached beside it.", f.Policy.Name, s.PolicyName))
	}
	it := Item{What: "policy", Name: s.PolicyName, ARN: pf.ARN}
	ours := pf.Exists && pf.SetupID != "" && pf.SetupID == p.SetupID
	switch {
	case !pf.Exists:
		it.Decision, it.Ours, it.Reason = Create, true, "new, read-only on "+Location(s.Bucket, s.Prefix)
	case ours && pf.SameDocument:
		it.Decision, it.Ours, it.Reason = Reuse, true, "created by this setup earlier, same document"
	case ours:
		it.Decision, it.Ours, it.Reason = Change, true, "created by this setup earlier; its document differs, so it gets the current one as a new default version"
	case pf.SameDocument:
		it.Decision, it.Reason = Reuse, "exists with the same document: attached as it is, never changed or deleted by s3link"
	default:
		owner := "s3link did not create it"
		if pf.SetupID != "" {
			owner = "it belongs to another s3link setup"
		}
		p.refuse(&it, fmt.Sprintf("An IAM policy named %s already exists with another document and %s, so s3link will not change it; choose another name, such as %s.", s.PolicyName, owner, DerivedPolicyName(s.PolicyName, s.Bucket, s.Prefix)))
	}
	_ = rec
	p.Policy = it
}

func (p *Plan) decideUser(f Facts, rec *journal.Record) {
	s := p.Spec
	u := f.User
	it := Item{What: "user", Name: s.UserName}
	switch {
	case !u.Exists:
		it.Decision, it.Ours, it.Reason = Create, true, "new, with policy "+s.PolicyName+" as its permissions boundary"
	case u.SetupID != "" && u.SetupID == p.SetupID:
		it.Decision, it.Ours, it.Reason = Reuse, true, "created by this setup earlier"
	case u.SetupID != "" && setupKnown(f.Records, u.SetupID):
		it.Decision, it.Reason = Reuse, "created by another s3link setup on this computer: gets this location's policy beside its others"
	case s.ExistingUser:
		it.Decision, it.Reason = Reuse, "exists and s3link did not create it: used as you asked; teardown removes only the policy attachment and key s3link adds"
	default:
		p.refuse(&it, fmt.Sprintf("An IAM user named %s already exists and s3link did not create it; choose another user name, or use it knowingly with --existing-user (teardown then removes only what s3link adds to it).", s.UserName))
	}
	_ = rec
	p.User = it
}

// pendingCreate reports whether rec announced a create call of kind for
// name that never reported back.
func pendingCreate(rec *journal.Record, kind ActionKind, name string) bool {
	return slices.ContainsFunc(rec.Pending, func(in journal.Intent) bool { return in.Kind == string(kind) && in.Name == name })
}

// setupKnown reports whether a record of this account has the setup id.
func setupKnown(recs []Stored, id string) bool {
	return slices.ContainsFunc(recs, func(st Stored) bool { return st.Record.SetupID == id })
}

// decideBoundary widens an existing user's permissions boundary when it
// would hide this location: the boundary is an s3link policy for another
// location, so this setup makes one covering both.
func (p *Plan) decideBoundary(f Facts) {
	u := f.User
	if p.User.Decision != Reuse || u.Boundary == "" || f.UserBoundary == nil || p.Policy.Decision == Refuse {
		return
	}
	if u.Boundary == p.Policy.ARN || f.UserBoundary.SameDocument {
		return // the boundary already is this location's policy
	}
	bp := f.BoundaryPolicy
	it := Item{What: "permissions boundary", Name: boundaryName(p.Spec.PolicyName)}
	if bp != nil && bp.Exists && bp.SetupID != "" && bp.SetupID == p.SetupID {
		it.ARN, it.Ours = bp.ARN, true
		if u.Boundary == bp.ARN {
			it.Decision, it.Reason = Reuse, "made by this setup earlier to cover this location too"
		} else {
			it.Decision, it.Reason = Change, "made by this setup earlier; set as the user's boundary again"
			p.PreviousBoundary = u.Boundary
		}
		p.Boundary = it
		return
	}
	bid := f.UserBoundary.SetupID
	if bid == "" || bid != p.SetupID && !setupKnown(f.Records, bid) {
		p.refuse(&it, fmt.Sprintf("User %s has the permissions boundary %s, which s3link did not make and which would deny this location; remove or widen it yourself, or choose another user.", p.Spec.UserName, u.Boundary))
		p.Boundary = it
		return
	}
	doc, err := awsops.MergePolicies(f.UserBoundary.Document, awsops.PolicyDocument(p.Spec.Bucket, p.Spec.Prefix))
	if err != nil {
		cause := err.Error()
		var inv *awsops.InvalidError
		if errors.As(err, &inv) && cause != "" {
			// A refusal is a lower-case clause; this reason quotes it as
			// the sentence ui/text shows for it.
			cause = strings.ToUpper(cause[:1]) + cause[1:] + "."
		}
		p.refuse(&it, fmt.Sprintf("The permissions boundary %s of user %s cannot be widened to this location (%s); choose another user.", u.Boundary, p.Spec.UserName, cause))
		p.Boundary = it
		return
	}
	switch {
	case bp != nil && bp.Exists:
		p.refuse(&it, fmt.Sprintf("An IAM policy named %s already exists and s3link's setup did not make it; choose another policy name.", it.Name))
	default:
		it.Decision, it.Ours = Create, true
		it.ARN = "arn:aws:iam::" + p.Account + ":policy/" + it.Name
		it.Reason = "the user's boundary " + u.Boundary + " covers only its other location; this one covers both, and teardown puts the old one back"
		p.BoundaryDocument = doc
		p.PreviousBoundary = u.Boundary
	}
	p.Boundary = it
}

func (p *Plan) decideAttach(f Facts) {
	it := Item{What: "attachment", Name: p.Spec.PolicyName + " → " + p.Spec.UserName}
	switch {
	case p.User.Decision == Refuse || p.Policy.Decision == Refuse:
		return
	case f.User.Exists && p.Policy.ARN != "" && f.User.HasPolicy(p.Policy.ARN):
		it.Decision, it.Reason = Reuse, "already attached"
	default:
		it.Decision, it.Ours, it.Reason = Create, true, "attach the policy to the user"
	}
	p.Attach = it
}

func (p *Plan) decideKey(f Facts) {
	s := p.Spec
	it := Item{What: "access key", Name: s.UserName}
	if p.User.Decision == Refuse {
		return
	}
	// An active key an s3link record of this user holds is kept.
	if !s.NewKey {
		for _, st := range f.Records {
			r := st.Record
			if r.User.Name != s.UserName {
				continue
			}
			for i := len(r.AccessKeys) - 1; i >= 0; i-- {
				for _, k := range f.User.Keys {
					if k.ID == r.AccessKeys[i].ID && k.Status != "Inactive" {
						p.ExistingKeyID = k.ID
						it.Decision, it.Name, it.Ours = Reuse, k.ID, r.SetupID == p.SetupID
						it.Reason = "made by an earlier s3link run and still active: kept (ask for a new key to replace it)"
						if r.SetupID != p.SetupID {
							it.Reason = "made by s3link's setup for " + Location(r.Bucket.Name, r.Prefix) + " and still active: it reads this location too once the policy is attached"
						}
						p.Key = it
						return
					}
				}
			}
		}
	}
	p.noteUnrecordedKeys(f)
	it.Decision, it.Ours, it.Reason = Create, true, "new; its secret is shown once"
	if len(f.User.Keys) >= 2 {
		switch {
		case s.DeleteKeyID != "":
			p.DeleteKeyID = s.DeleteKeyID
		case s.RotateOldest:
			oldest, _ := (&awsops.KeyLimitError{Keys: f.User.Keys}).Oldest()
			p.DeleteKeyID = oldest.ID
		default:
			lim := &awsops.KeyLimitError{User: s.UserName, Keys: f.User.Keys}
			p.refuse(&it, fmt.Sprintf("%s; delete one, or ask s3link to delete the oldest (--rotate-oldest-key).", strings.TrimSuffix(lim.Error(), ".")))
		}
		if p.DeleteKeyID != "" {
			it.Reason += "; the old key " + p.DeleteKeyID + " is deleted first and cannot be restored"
		}
	}
	if s.NewKey && p.Key.Decision == None {
		for _, st := range f.Records {
			for _, k := range st.Record.AccessKeys {
				if st.Record.User.Name == s.UserName && slices.ContainsFunc(f.User.Keys, func(u awsops.KeyInfo) bool { return u.ID == k.ID }) && k.ID != p.DeleteKeyID {
					p.Warnings = append(p.Warnings, fmt.Sprintf("The earlier key %s stays active beside the new one; teardown removes both.", k.ID))
				}
			}
		}
	}
	p.Key = it
}

// noteUnrecordedKeys warns about keys of a user s3link did not create that
// no record names but that an interrupted run of this setup may have made.
func (p *Plan) noteUnrecordedKeys(f Facts) {
	st, ok := continued(f.Records, f.Identity.Account, p.Spec)
	if !ok {
		return
	}
	for _, k := range interruptedKeys(st.Record, f.User, f.Records) {
		p.Warnings = append(p.Warnings, fmt.Sprintf("Access key %s of %s (made %s ago) may come from an interrupted s3link run; it is left alone (remove it with s3link teardown --delete-key %s if it is not someone else's).", k.ID, f.User.Name, age(f.Now, k.Created), k.ID))
	}
}

// interruptedKeys lists keys of the user that no record names but that a
// pending create-access-key call of rec may have made (made after it).
func interruptedKeys(rec *journal.Record, u awsops.UserFacts, recs []Stored) []awsops.KeyInfo {
	var since time.Time
	for _, in := range rec.Pending {
		if in.Kind == string(ActCreateAccessKey) && in.Name == u.Name && (since.IsZero() || in.At.Before(since)) {
			since = in.At
		}
	}
	if since.IsZero() {
		return nil
	}
	var out []awsops.KeyInfo
	for _, k := range u.Keys {
		known := slices.ContainsFunc(recs, func(st Stored) bool { return st.Record.HasKey(k.ID) }) || rec.HasKey(k.ID)
		// AWS dates keys to the second; a key a second older than the call
		// cannot be its.
		if !known && !k.Created.Before(since.Add(-time.Second)) {
			out = append(out, k)
		}
	}
	return out
}

func age(now, t time.Time) string {
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return d.String()
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
