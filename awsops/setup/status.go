package setup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// Key age limits status warns at.
const (
	// KeyMaxAge is the age past which a key should be rotated.
	KeyMaxAge = 90 * 24 * time.Hour
	// KeyIdleAge is how long a key may go unused before status asks
	// whether the platform still uses it.
	KeyIdleAge = 30 * 24 * time.Hour
)

// Check is one thing status compared, with the outcome in plain words.
type Check struct {
	// What names what was checked: "bucket", "block public access", ...
	What string
	// OK is true when it is as setup left it. A Warning is OK but worth
	// knowing (an old key); a failed check is drift.
	OK      bool
	Warning bool
	Detail  string
	// Diff is a line diff of the policy document, "-" lines as s3link
	// generates it, "+" lines as AWS holds it.
	Diff []string
}

// KeyState is one access key of the record's user.
type KeyState struct {
	ID       string
	Status   string
	Created  time.Time
	LastUsed time.Time
	// Ours is true when an s3link record names the key.
	Ours     bool
	Warnings []string
}

// StatusOptions are the inputs of CheckStatus besides AWS.
type StatusOptions struct {
	// Now is the clock key ages are measured with.
	Now time.Time
	// Records are every setup record on this computer: a policy or user
	// that several setups share is theirs too.
	Records []Stored
	// Probe, when set, is a client holding the platform's key (ProbeKeyID),
	// used to prove what that key may read.
	Probe      awsops.Prober
	ProbeKeyID string
	// ProbeFrom says where the probe key came from ("key.csv").
	ProbeFrom string
}

// Status is what status found for one record. Nothing was changed.
type Status struct {
	Path   string
	Record *journal.Record
	Checks []Check
	Keys   []KeyState
	// Notes say what an interrupted run left (a rotation under way, a
	// create call whose answer was lost) and how to finish it.
	Notes []string
}

// Drift reports whether any check failed.
func (s *Status) Drift() bool {
	return slices.ContainsFunc(s.Checks, func(c Check) bool { return !c.OK })
}

// Failed returns the checks that failed.
func (s *Status) Failed() []Check {
	var out []Check
	for _, c := range s.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

func (s *Status) ok(what, detail string) {
	s.Checks = append(s.Checks, Check{What: what, OK: true, Detail: detail})
}
func (s *Status) warn(what, detail string) {
	s.Checks = append(s.Checks, Check{What: what, OK: true, Warning: true, Detail: detail})
}
func (s *Status) drift(what, detail string) {
	s.Checks = append(s.Checks, Check{What: what, Detail: detail})
}

// CheckStatus compares what AWS holds now with what the record's setup
// made, read-only: the caller's account, the bucket (existence, region,
// Block Public Access, default encryption), the policy (its default
// document against the one s3link generates, where it is attached), the
// user (its policies and boundary), its access keys (age, status, last
// use) and, with opt.Probe, what the platform's key may read.
func CheckStatus(ctx context.Context, ops awsops.Auditor, st Stored, opt StatusOptions) (*Status, error) {
	rec := st.Record
	s := &Status{Path: st.Path, Record: rec}
	var ae *AccountError
	switch err := CheckAccount(ctx, ops, st); {
	case errors.As(err, &ae):
		s.drift("account", fmt.Sprintf("The record belongs to AWS account %s, but your credentials are for account %s, so nothing of it can be checked; sign in to account %s (--profile) and run status again.", ae.Record, ae.Caller, ae.Record))
		return s, nil
	case err != nil:
		return nil, err
	}
	s.ok("account", "account "+rec.Account+", as the record says")
	recs := sameAccount(opt.Records, rec)

	if err := s.checkBucket(ctx, ops, rec); err != nil {
		return nil, err
	}
	pol, err := s.checkPolicy(ctx, ops, rec, recs)
	if err != nil {
		return nil, err
	}
	if rec.Role != nil {
		// A role link has no user and no key: its role is the rest.
		return s, s.checkRole(ctx, ops, rec, pol)
	}
	user, err := s.checkUser(ctx, ops, rec, recs, pol)
	if err != nil {
		return nil, err
	}
	s.checkKeys(rec, recs, user, opt.Now)
	s.notes(rec, user)
	if opt.Probe != nil {
		s.probe(ctx, rec, user, opt)
	}
	return s, nil
}

// sameAccount keeps the records of rec's account, rec itself included.
func sameAccount(recs []Stored, rec *journal.Record) []*journal.Record {
	out := []*journal.Record{rec}
	for _, st := range recs {
		if st.Record.Account == rec.Account && st.Record.SetupID != rec.SetupID {
			out = append(out, st.Record)
		}
	}
	return out
}

func (s *Status) checkBucket(ctx context.Context, ops awsops.Auditor, rec *journal.Record) error {
	name := rec.Bucket.Name
	b, err := ops.InspectBucket(ctx, name)
	if err != nil {
		return err
	}
	switch {
	case !b.Exists:
		s.drift("bucket", fmt.Sprintf("Bucket %s does not exist any more; the platform cannot read the location (run s3link setup again to recreate it).", name))
		return nil
	case !b.Owned && rec.Bucket.Created:
		s.drift("bucket", fmt.Sprintf("Bucket %s, which this setup created, now belongs to another account.", name))
		return nil
	case !b.Owned:
		s.ok("bucket", fmt.Sprintf("bucket %s exists in another account (used as it was); its settings cannot be read from here", name))
		return nil
	case rec.Bucket.Created && b.SetupID != rec.SetupID:
		s.drift("bucket", fmt.Sprintf("Bucket %s no longer carries this setup's tag (%s=%s); someone changed its tags.", name, awsops.SetupTagKey, rec.SetupID))
	default:
		s.ok("bucket", "bucket "+name+" exists")
	}
	if want := rec.Bucket.Region; want != "" && b.Region != "" && want != b.Region {
		s.drift("region", fmt.Sprintf("Bucket %s is in %s, but the record says %s; the platform must be given %s.", name, b.Region, want, b.Region))
	} else {
		s.ok("region", b.Region)
	}
	// Settings of a bucket setup only reused were never s3link's to set.
	// A bucket setup made had these settings on; a reused one may never
	// have had them, so the words do not claim a change.
	report := s.drift
	suffix, still, back, anyMore := "", "no longer", "back ", " any more"
	if !rec.Bucket.Created {
		report = s.warn
		suffix = " (s3link reused this bucket and leaves its settings as they were)"
		still, back, anyMore = "not", "", ""
	}
	if b.PublicAccess.AllBlocked() {
		s.ok("block public access", "all four settings on")
	} else {
		report("block public access", fmt.Sprintf("Block Public Access on bucket %s is %s fully on (off: %s)%s; turn it %son with 'aws s3api put-public-access-block --bucket %s --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true'.",
			name, still, strings.Join(offFlags(b.PublicAccess), ", "), suffix, back, name))
	}
	alg, err := ops.BucketEncryption(ctx, name, b.Region)
	if err != nil {
		return err
	}
	switch alg {
	case "AES256":
		s.ok("default encryption", "SSE-S3")
	case "":
		report("default encryption", fmt.Sprintf("Bucket %s has no default encryption%s%s; set it with 'aws s3api put-bucket-encryption --bucket %s --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]}''.", name, anyMore, suffix, name))
	default:
		s.ok("default encryption", alg+" (set by someone else; the platform's key needs that KMS key's permission to read)")
	}
	return nil
}

func offFlags(p awsops.PublicAccess) []string {
	var off []string
	for _, f := range []struct {
		on   bool
		name string
	}{{p.BlockPublicAcls, "BlockPublicAcls"}, {p.IgnorePublicAcls, "IgnorePublicAcls"}, {p.BlockPublicPolicy, "BlockPublicPolicy"}, {p.RestrictPublicBuckets, "RestrictPublicBuckets"}} {
		if !f.on {
			off = append(off, f.name)
		}
	}
	return off
}

func (s *Status) checkPolicy(ctx context.Context, ops awsops.Auditor, rec *journal.Record, recs []*journal.Record) (awsops.PolicyFacts, error) {
	want := awsops.PolicyDocument(rec.Bucket.Name, rec.Prefix)
	pol, err := ops.InspectPolicy(ctx, rec.Policy.Name, want)
	if err != nil {
		return pol, err
	}
	if !pol.Exists {
		s.drift("policy", fmt.Sprintf("IAM policy %s does not exist any more; the user cannot read the location (run s3link setup again).", rec.Policy.Name))
		return pol, nil
	}
	if rec.Policy.Created && pol.SetupID != rec.SetupID {
		s.drift("policy", fmt.Sprintf("IAM policy %s no longer carries this setup's tag; someone replaced or retagged it.", rec.Policy.Name))
	}
	if pol.SameDocument {
		s.ok("policy document", fmt.Sprintf("policy %s says exactly what s3link generates for %s", pol.Name, Location(rec.Bucket.Name, rec.Prefix)))
	} else {
		c := Check{What: "policy document", Detail: fmt.Sprintf("The default version of policy %s differs from what s3link generates for %s (edited by hand?); run s3link setup again to make the generated document the default, or check the change below.", pol.Name, Location(rec.Bucket.Name, rec.Prefix)),
			Diff: DocumentDiff(want, pol.Document)}
		s.Checks = append(s.Checks, c)
	}
	// Users s3link attached this policy to: this record's, and those of
	// other records of the same policy.
	var users []string
	for _, r := range recs {
		if r.Policy.Name == pol.Name && r.User.Name != "" {
			users = append(users, r.User.Name)
		}
	}
	var extra []string
	for _, u := range pol.Users {
		if !slices.Contains(users, u) {
			extra = append(extra, "user "+u)
		}
	}
	for _, g := range pol.Groups {
		extra = append(extra, "group "+g)
	}
	for _, r := range pol.Roles {
		if !slices.ContainsFunc(recs, func(o *journal.Record) bool { return o.Role != nil && o.Role.Name == r && o.Policy.Name == pol.Name }) {
			extra = append(extra, "role "+r)
		}
	}
	for _, b := range pol.Boundaries {
		if !slices.Contains(users, b) && !slices.ContainsFunc(recs, func(o *journal.Record) bool { return o.Role != nil && o.Role.Name == b }) {
			extra = append(extra, "the permissions boundary of "+b)
		}
	}
	switch {
	case rec.Role != nil && !slices.Contains(pol.Roles, rec.Role.Name):
		s.drift("policy attachments", fmt.Sprintf("Policy %s is no longer attached to role %s, so the platform reads nothing; attach it again with 'aws iam attach-role-policy --role-name %s --policy-arn %s'.", pol.Name, rec.Role.Name, rec.Role.Name, pol.ARN))
	case rec.Role != nil && len(extra) > 0:
		s.drift("policy attachments", fmt.Sprintf("Policy %s is also attached to %s, which s3link did not do.", pol.Name, strings.Join(extra, ", ")))
	case rec.Role != nil:
		s.ok("policy attachments", "attached to role "+rec.Role.Name+" only")
	case !slices.Contains(pol.Users, rec.User.Name):
		s.drift("policy attachments", fmt.Sprintf("Policy %s is no longer attached to user %s, so the platform's key reads nothing; attach it again with 'aws iam attach-user-policy --user-name %s --policy-arn %s'.", pol.Name, rec.User.Name, rec.User.Name, pol.ARN))
	case len(extra) > 0:
		s.drift("policy attachments", fmt.Sprintf("Policy %s is also attached to %s, which s3link did not do.", pol.Name, strings.Join(extra, ", ")))
	default:
		s.ok("policy attachments", "attached to user "+rec.User.Name+" only")
	}
	return pol, nil
}

func (s *Status) checkUser(ctx context.Context, ops awsops.Auditor, rec *journal.Record, recs []*journal.Record, pol awsops.PolicyFacts) (awsops.UserFacts, error) {
	name := rec.User.Name
	u, err := ops.InspectUser(ctx, name)
	if err != nil {
		return u, err
	}
	if !u.Exists {
		s.drift("user", fmt.Sprintf("IAM user %s does not exist any more; its access keys are gone too (run s3link setup again).", name))
		return u, nil
	}
	if rec.User.Created && u.SetupID != rec.SetupID {
		s.drift("user", fmt.Sprintf("IAM user %s no longer carries this setup's tag; someone replaced or retagged it.", name))
	} else {
		s.ok("user", "user "+name+" exists")
	}
	// The policies and boundaries s3link gave this user, across its records.
	var allowed, bounds []string
	for _, r := range recs {
		if r.User.Name != name {
			continue
		}
		if r.Policy.ARN != "" {
			allowed = append(allowed, r.Policy.ARN)
			bounds = append(bounds, r.Policy.ARN)
		}
		allowed = append(allowed, "arn:aws:iam::"+r.Account+":policy/"+r.Policy.Name)
		bounds = append(bounds, "arn:aws:iam::"+r.Account+":policy/"+r.Policy.Name)
		if r.Boundary != nil {
			bounds = append(bounds, r.Boundary.ARN)
		}
	}
	if pol.ARN != "" {
		allowed = append(allowed, pol.ARN)
		bounds = append(bounds, pol.ARN)
	}
	var extra []string
	for _, p := range u.Policies {
		if !slices.Contains(allowed, p) {
			extra = append(extra, p)
		}
	}
	if len(extra) > 0 {
		s.drift("user policies", fmt.Sprintf("User %s also holds %s, which s3link did not attach; the platform's key may read more than the location.", name, strings.Join(extra, ", ")))
	} else {
		s.ok("user policies", "only s3link's policy")
	}
	switch {
	case u.Boundary == "" && slices.Contains(pol.Boundaries, name):
		// AWS reports a boundary on both sides; an endpoint that ignores
		// boundaries (moto) lists the attachment again and the user bare.
		s.warn("permissions boundary", "not checked: this endpoint gives no consistent answer about permissions boundaries (moto ignores them)")
	case u.Boundary == "" && (rec.User.Created || rec.Boundary != nil):
		s.drift("permissions boundary", fmt.Sprintf("User %s has no permissions boundary any more; s3link set policy %s as its boundary.", name, rec.Policy.Name))
	case u.Boundary == "":
		s.ok("permissions boundary", "none (s3link reused this user as it was)")
	case slices.Contains(bounds, u.Boundary):
		s.ok("permissions boundary", u.Boundary)
	case rec.User.Created || rec.Boundary != nil:
		s.drift("permissions boundary", fmt.Sprintf("User %s has the permissions boundary %s, which s3link did not set.", name, u.Boundary))
	default:
		s.ok("permissions boundary", u.Boundary+" (set before s3link)")
	}
	return u, nil
}

func (s *Status) checkKeys(rec *journal.Record, recs []*journal.Record, u awsops.UserFacts, now time.Time) {
	if !u.Exists {
		return
	}
	for _, k := range u.Keys {
		ks := KeyState{ID: k.ID, Status: k.Status, Created: k.Created, LastUsed: k.LastUsed}
		ks.Ours = slices.ContainsFunc(recs, func(r *journal.Record) bool { return r.HasKey(k.ID) })
		if !k.Created.IsZero() && now.Sub(k.Created) > KeyMaxAge {
			ks.Warnings = append(ks.Warnings, fmt.Sprintf("%s old, past %d days; rotate it with 's3link rotate'", age(now, k.Created), int(KeyMaxAge.Hours()/24)))
		}
		idleSince := k.LastUsed
		if idleSince.IsZero() {
			idleSince = k.Created
		}
		if k.Status != "Inactive" && !idleSince.IsZero() && now.Sub(idleSince) > KeyIdleAge {
			what := "unused for " + age(now, idleSince)
			if k.LastUsed.IsZero() {
				what = "never used in " + age(now, k.Created)
			}
			ks.Warnings = append(ks.Warnings, what+"; check that the platform still has it")
		}
		switch r := rec.Rotation; {
		case ks.Ours:
		case r != nil && r.Stage == journal.RotateCreating && !k.Created.Before(r.StartedAt.Add(-time.Second)):
			ks.Warnings = append(ks.Warnings, "made while the rotation was interrupted, its secret never saved; rotate deletes it")
		default:
			ks.Warnings = append(ks.Warnings, "no s3link record names this key (made by someone else?)")
		}
		s.Keys = append(s.Keys, ks)
		detail := keyLine(ks, now)
		if len(ks.Warnings) > 0 {
			s.warn("access key "+k.ID, detail+"; "+strings.Join(ks.Warnings, "; "))
		} else {
			s.ok("access key "+k.ID, detail)
		}
	}
	rotating := rec.Rotation
	for _, k := range rec.AccessKeys {
		if slices.ContainsFunc(u.Keys, func(x awsops.KeyInfo) bool { return x.ID == k.ID }) {
			continue
		}
		if rotating != nil && rotating.OldKeyID == k.ID {
			continue // the rotation deleted it; rotate finishes the record
		}
		s.drift("access key "+k.ID, fmt.Sprintf("Access key %s, which the record names, no longer exists; the platform's key is gone (make another with 's3link rotate').", k.ID))
	}
	if !slices.ContainsFunc(u.Keys, func(k awsops.KeyInfo) bool { return k.Status != "Inactive" && rec.HasKey(k.ID) }) && len(rec.AccessKeys) > 0 {
		s.drift("active key", fmt.Sprintf("User %s has no active access key this setup made; the platform cannot sign in (make one with 's3link rotate').", u.Name))
	}
}

func keyLine(k KeyState, now time.Time) string {
	used := "never used"
	if !k.LastUsed.IsZero() {
		used = "last used " + age(now, k.LastUsed) + " ago"
	}
	status := k.Status
	if status == "" {
		status = "Active"
	}
	return fmt.Sprintf("%s, made %s ago, %s", strings.ToLower(status), age(now, k.Created), used)
}

// notes says what an interrupted run left and how to finish it.
func (s *Status) notes(rec *journal.Record, u awsops.UserFacts) {
	for _, in := range rec.Pending {
		if in.Kind == string(ActCreateAccessKey) && rec.Rotation != nil {
			continue // said below
		}
		s.Notes = append(s.Notes, fmt.Sprintf("An interrupted setup announced %s %s at %s and never heard back; run s3link setup again (or teardown) to settle it.", in.Kind, in.Name, in.At.Format(time.RFC3339)))
	}
	r := rec.Rotation
	if r == nil {
		return
	}
	old := "old key " + r.OldKeyID
	if r.OldKeyID == "" {
		old = "no old key"
	}
	if r.OldKeyID != "" {
		switch st := keyStatus(u, r.OldKeyID); st {
		case "":
			old += " already deleted"
		default:
			old += " still " + strings.ToLower(st)
		}
	}
	var what string
	switch r.Stage {
	case journal.RotateCreating:
		what = fmt.Sprintf("A key rotation was interrupted while the new key was being created (%s)", old)
	case journal.RotateCreated:
		what = fmt.Sprintf("A key rotation was interrupted: new key %s created, its secret not yet saved (%s); rotate deletes it and makes another", r.NewKeyID, old)
	case journal.RotateDelivered:
		what = fmt.Sprintf("A key rotation was interrupted: new key %s created and saved (%s), not yet proven", r.NewKeyID, old)
	case journal.RotateProven:
		what = fmt.Sprintf("A key rotation was interrupted: new key %s created and proven; %s", r.NewKeyID, old)
	case journal.RotateDeactivated:
		what = fmt.Sprintf("A key rotation is waiting: new key %s in use; %s, to be deleted", r.NewKeyID, old)
		if r.OldKeyID != "" && keyStatus(u, r.OldKeyID) == "" {
			what = fmt.Sprintf("A key rotation was interrupted: new key %s in use; %s", r.NewKeyID, old)
		}
	default:
		what = fmt.Sprintf("A key rotation is under way at stage %q (%s)", r.Stage, old)
	}
	s.Notes = append(s.Notes, what+"; run s3link rotate again to finish it.")
}

func keyStatus(u awsops.UserFacts, id string) string {
	for _, k := range u.Keys {
		if k.ID == id {
			if k.Status == "" {
				return "Active"
			}
			return k.Status
		}
	}
	return ""
}

// probeKey is the object name the probe asks for when the location holds
// none to head; it need not exist.
const probeKey = "s3link-status-probe"

func (s *Status) probe(ctx context.Context, rec *journal.Record, u awsops.UserFacts, opt StatusOptions) {
	b, p := rec.Bucket.Name, rec.Prefix
	from := ""
	if opt.ProbeFrom != "" {
		from = " (from " + opt.ProbeFrom + ")"
	}
	if u.Exists && !slices.ContainsFunc(u.Keys, func(k awsops.KeyInfo) bool { return k.ID == opt.ProbeKeyID }) {
		s.drift("probe key", fmt.Sprintf("The key %s%s is not one of user %s's keys; pass the key file of this link.", opt.ProbeKeyID, from, u.Name))
	}
	first, err := opt.Probe.ProbeList(ctx, b, p)
	if err != nil {
		s.drift("probe: list", fmt.Sprintf("The platform's key %s%s cannot list %s: %s", opt.ProbeKeyID, from, Location(b, p), causeSentence(err)))
		return
	}
	s.ok("probe: list", "the platform's key lists "+Location(b, p))
	key, exists := first, first != ""
	if !exists {
		key = joinKey(p, probeKey)
	}
	switch err := opt.Probe.ProbeHead(ctx, b, key); {
	case err == nil, !exists && errors.Is(err, awsops.ErrNotFound):
		s.ok("probe: read", "the platform's key reads s3://"+b+"/"+key)
	default:
		s.drift("probe: read", fmt.Sprintf("The platform's key cannot read s3://%s/%s: %s", b, key, causeSentence(err)))
	}
	if p == "" {
		s.ok("probe: outside", "the location is the whole bucket, so there is no outside to test")
		return
	}
	// A sibling of the location's folder: a policy that forgot the slash
	// ("P*") would let the key read it.
	outside := p + "-" + probeKey
	switch err := opt.Probe.ProbeHead(ctx, b, outside); {
	case errors.Is(err, awsops.ErrAccessDenied):
		s.ok("probe: outside", "the platform's key is refused s3://"+b+"/"+outside+", outside the location")
	case err == nil || errors.Is(err, awsops.ErrNotFound):
		s.drift("probe: outside", fmt.Sprintf("The platform's key may read s3://%s/%s, outside the location; its permissions are wider than s3link's policy (check the user's policies and the bucket policy).", b, outside))
	default:
		s.drift("probe: outside", fmt.Sprintf("Asking for s3://%s/%s with the platform's key failed: %s", b, outside, causeSentence(err)))
	}
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "/" + name
}

func causeSentence(err error) string {
	msg := err.Error()
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// DocumentDiff is a line diff of two policy documents, each laid out the
// same way (indented, keys sorted) so only real differences show: "-"
// lines are in want only, "+" lines in got only, "  " lines in both.
func DocumentDiff(want, got string) []string {
	a, b := strings.Split(layout(want), "\n"), strings.Split(layout(got), "\n")
	// Longest common subsequence; policies are a few dozen lines.
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out = append(out, "  "+a[i])
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	return withContext(out, 2)
}

// withContext keeps the changed lines of a diff and n lines around each,
// and marks what it leaves out with "  …".
func withContext(lines []string, n int) []string {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if !strings.HasPrefix(l, "  ") {
			for j := max(i-n, 0); j <= min(i+n, len(lines)-1); j++ {
				keep[j] = true
			}
		}
	}
	var out []string
	gap := false
	for i, l := range lines {
		if keep[i] {
			out = append(out, l)
			gap = false
		} else if !gap {
			out = append(out, "  …")
			gap = true
		}
	}
	return out
}

// layout indents a JSON document with sorted keys; what is not JSON is
// returned as it is.
func layout(doc string) string {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return doc
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return doc
	}
	return string(out)
}

// StatusLines renders the checks and notes one line each, for a terminal
// or a screen: "✓" as set up, "!" worth knowing, "✗" drift, with a
// policy's diff indented under its line.
func StatusLines(s *Status) []string {
	var out []string
	for _, c := range s.Checks {
		mark := "✓"
		switch {
		case !c.OK:
			mark = "✗"
		case c.Warning:
			mark = "!"
		}
		out = append(out, mark+" "+c.What+": "+c.Detail)
		for _, d := range c.Diff {
			out = append(out, "    "+d)
		}
	}
	for _, n := range s.Notes {
		out = append(out, "· "+n)
	}
	return out
}

// StatusSummary says in one line whether the link is as set up.
func StatusSummary(s *Status) string {
	failed := s.Failed()
	switch {
	case len(failed) == 1:
		return "Drift: 1 check differs from what setup made (" + failed[0].What + ")."
	case len(failed) > 1:
		names := make([]string, len(failed))
		for i, c := range failed {
			names[i] = c.What
		}
		return fmt.Sprintf("Drift: %d checks differ from what setup made (%s).", len(failed), strings.Join(names, ", "))
	case len(s.Notes) > 0:
		return "As set up, with an unfinished run noted above."
	}
	return "All as set up."
}
