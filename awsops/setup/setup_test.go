package setup

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
)

func spec() Spec {
	return Spec{Bucket: "acme-media", Region: "eu-west-1", Prefix: "imports", PolicyName: "Platform", UserName: "platform"}
}

// plan inspects f and decides, as the commands do.
func plan(t *testing.T, f *awsopstest.Fake, s Spec, recs []Stored) *Plan {
	t.Helper()
	facts, err := Inspect(context.Background(), f, s, recs, awsopstest.Epoch)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return Decide(s, facts, "s3l-test-new")
}

func kinds(p *Plan) []ActionKind {
	var out []ActionKind
	for _, a := range p.Actions {
		out = append(out, a.Kind)
	}
	return out
}

// apply runs the plan into a record in dir and returns it.
func apply(t *testing.T, f *awsopstest.Fake, p *Plan, dir string) (State, Journal) {
	t.Helper()
	j := NewJournal(dir, p, journal.Record{})
	st, err := Apply(context.Background(), f, j, p, State{}, nil)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return st, j
}

func records(t *testing.T, dir string) []Stored {
	t.Helper()
	recs, bad := Records(dir)
	if len(bad) > 0 {
		t.Fatal(bad[0])
	}
	return recs
}

func TestDecideFreshAccount(t *testing.T) {
	f := awsopstest.New(t)
	p := plan(t, f, spec(), nil)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := []ActionKind{ActCreateBucket, ActBlockPublic, ActEncryption, ActCreatePolicy, ActCreateUser, ActAttachPolicy, ActCreateAccessKey}
	if got := kinds(p); !slices.Equal(got, want) {
		t.Fatalf("actions = %v, want %v", got, want)
	}
	for _, it := range p.Items() {
		if it.Decision != Create {
			t.Errorf("%s %s: %s, want create", it.What, it.Name, it.Decision)
		}
	}
	// The user's permissions boundary is the platform policy, set in the
	// create call.
	dir := t.TempDir()
	apply(t, f, p, dir)
	if got := f.Boundary("platform"); got != "arn:aws:iam::123456789012:policy/Platform" {
		t.Errorf("boundary = %q, want the platform policy", got)
	}
}

func TestDecideRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*awsopstest.Fake)
		spec  func(*Spec)
		want  string
	}{
		{"owned bucket as new", func(f *awsopstest.Fake) { f.AddBucket("acme-media", "ap-southeast-2", awsops.PublicAccess{}) }, nil,
			"You already own a bucket named acme-media (in ap-southeast-2"},
		{"someone else's bucket", func(f *awsopstest.Fake) { f.TakeBucketName("acme-media") }, nil,
			"belongs to another AWS account"},
		{"existing bucket that is missing", nil, func(s *Spec) { s.ExistingBucket = true },
			"Bucket acme-media does not exist"},
		{"foreign policy, another document", func(f *awsopstest.Fake) { f.AddPolicy("Platform", `{"Version":"2012-10-17","Statement":[]}`) }, nil,
			"An IAM policy named Platform already exists with another document and s3link did not create it"},
		{"foreign user", func(f *awsopstest.Fake) { f.AddUser("platform") }, nil,
			"An IAM user named platform already exists and s3link did not create it"},
		{"no region", nil, func(s *Spec) { s.Region = "" }, "No region is set"},
		{"two keys", func(f *awsopstest.Fake) {
			f.AddUser("platform", awsops.KeyInfo{ID: "AKIA1", Status: "Active"}, awsops.KeyInfo{ID: "AKIA2", Status: "Active"})
		}, func(s *Spec) { s.ExistingUser = true }, "--rotate-oldest-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := awsopstest.New(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			s := spec()
			if tt.spec != nil {
				tt.spec(&s)
			}
			p := plan(t, f, s, nil)
			err := p.Err()
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("plan error = %v, want a refusal saying %q", err, tt.want)
			}
			if len(p.Actions) != 0 {
				t.Errorf("a refused plan has actions %v", kinds(p))
			}
			if _, _, err := Step(context.Background(), f, Journal{}, p, 0, State{}); !errors.Is(err, ErrRefused) {
				t.Errorf("Step of a refused plan: %v", err)
			}
		})
	}
}

func TestExistingBucketIsLeftAsItIs(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-media", "ap-southeast-2", awsops.PublicAccess{})
	s := spec()
	s.ExistingBucket = true
	p := plan(t, f, s, nil)
	if p.Spec.Region != "ap-southeast-2" {
		t.Errorf("region = %q, want the bucket's own", p.Spec.Region)
	}
	if slices.ContainsFunc(p.Actions, func(a Action) bool { return a.Kind == ActBlockPublic || a.Kind == ActEncryption }) {
		t.Fatalf("actions %v change an existing bucket", kinds(p))
	}
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], "does not block all public access") {
		t.Errorf("warnings = %v", p.Warnings)
	}
	// Turning Block Public Access on is an explicit choice, in the plan.
	s.ProtectBucket = true
	p = plan(t, f, s, nil)
	if !slices.Contains(kinds(p), ActBlockPublic) || slices.Contains(kinds(p), ActEncryption) {
		t.Fatalf("actions = %v, want Block Public Access only", kinds(p))
	}
	apply(t, f, p, t.TempDir())
	if pab, _, _ := f.HasBucket("acme-media"); !pab.AllBlocked() {
		t.Error("the chosen Block Public Access was not turned on")
	}
}

func TestRerunCreatesNothingAndKeepsTheKey(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	st, _ := apply(t, f, plan(t, f, spec(), nil), dir)
	p := plan(t, f, spec(), records(t, dir))
	if !p.Continues || p.SetupID != "s3l-test-new" {
		t.Fatalf("re-run plan: continues %v, id %s", p.Continues, p.SetupID)
	}
	if len(p.Actions) != 0 {
		t.Fatalf("re-run actions = %v, want none", kinds(p))
	}
	if p.Key.Decision != Reuse || p.ExistingKeyID != st.Key.ID {
		t.Fatalf("key = %+v, want the earlier key %s kept", p.Key, st.Key.ID)
	}
	for _, it := range p.Items() {
		if it.Decision != Reuse || (it.What != "attachment" && !it.Ours) {
			t.Errorf("%s: %s (ours %v), want reuse of our own", it.What, it.Decision, it.Ours)
		}
	}
	// Asked for a new key, the plan says what happens to the old one.
	s := spec()
	s.NewKey = true
	p = plan(t, f, s, records(t, dir))
	if !slices.Equal(kinds(p), []ActionKind{ActCreateAccessKey}) || len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], st.Key.ID) {
		t.Fatalf("new key plan: %v, warnings %v", kinds(p), p.Warnings)
	}
}

func TestSecondLocationGetsItsOwnPolicyAndWidenedBoundary(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	apply(t, f, plan(t, f, spec(), nil), dir)
	s2 := Spec{Bucket: "acme-other", Region: "eu-west-1", Prefix: "two", PolicyName: "Platform", UserName: "platform"}
	facts, err := Inspect(context.Background(), f, s2, records(t, dir), awsopstest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	p := Decide(s2, facts, "s3l-second")
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if p.Spec.PolicyName != "Platform-acme-other-two" || p.Policy.Decision != Create {
		t.Fatalf("second policy = %s (%s), want its own", p.Spec.PolicyName, p.Policy.Decision)
	}
	if p.Boundary.Decision != Create || p.Boundary.Name != "Platform-acme-other-two-Boundary" {
		t.Fatalf("boundary = %+v, want a widened one", p.Boundary)
	}
	apply(t, f, p, dir)
	first := "arn:aws:iam::123456789012:policy/Platform"
	second := "arn:aws:iam::123456789012:policy/Platform-acme-other-two"
	if !f.Attached("platform", first) || !f.Attached("platform", second) {
		t.Fatal("both policies must be attached")
	}
	if doc, _, _ := f.PolicyDocument("Platform"); doc != awsops.PolicyDocument("acme-media", "imports") {
		t.Error("the first location's policy was re-pointed")
	}
	bound, _, _ := f.PolicyDocument("Platform-acme-other-two-Boundary")
	if !strings.Contains(bound, "arn:aws:s3:::acme-media/imports/*") || !strings.Contains(bound, "arn:aws:s3:::acme-other/two/*") {
		t.Errorf("widened boundary does not cover both locations:\n%s", bound)
	}

	// Tearing the second down puts the first boundary back and leaves the
	// first location whole.
	recs := records(t, dir)
	var second2 Stored
	for _, st := range recs {
		if st.Record.SetupID == "s3l-second" {
			second2 = st
		}
	}
	u, err := PlanUndo(context.Background(), f, second2, UndoOptions{DeleteBucket: true, Now: awsopstest.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Run(context.Background(), f, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Boundary("platform"); got != first {
		t.Errorf("boundary after teardown = %q, want %q back", got, first)
	}
	if f.Attached("platform", second) || !f.Attached("platform", first) {
		t.Error("teardown of the second location touched the first")
	}
	if _, _, ok := f.PolicyDocument("Platform-acme-other-two-Boundary"); ok {
		t.Error("the widened boundary survived")
	}
}

func TestKilledCreateIsOursOnlyWithOurTag(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	p := plan(t, f, spec(), nil)
	j := NewJournal(dir, p, journal.Record{})
	// The run dies after CreateUser went out: the user exists with our tag
	// but the answer never reached the record.
	_, err := Apply(context.Background(), f, j, &Plan{Spec: p.Spec, SetupID: p.SetupID, Account: p.Account,
		Bucket: p.Bucket, Policy: p.Policy, Actions: p.Actions[:4]}, State{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.update(func(r *journal.Record) {
		r.Begin(journal.Intent{Kind: string(ActCreateUser), Name: "platform", At: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateUser(context.Background(), "platform", nil, p.policyARN(), p.SetupID); err != nil {
		t.Fatal(err)
	}
	// A same-named user of someone else's would carry no tag: compare.
	f.AddUser("someone")
	rec, _ := j.Load()
	u, err := PlanUndo(context.Background(), f, Stored{Path: j.Path, Record: rec}, UndoOptions{Now: awsopstest.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range u.Removals {
		titles = append(titles, r.Title)
	}
	if !slices.Contains(titles, "delete IAM user platform") {
		t.Fatalf("removals = %v, want the tagged user from the killed call", titles)
	}
	// The same record pointing at an untagged user leaves it.
	rec.User.Name = "someone"
	rec.Pending = []journal.Intent{{Kind: string(ActCreateUser), Name: "someone", At: time.Now()}}
	u, err = PlanUndo(context.Background(), f, Stored{Record: rec}, UndoOptions{Now: awsopstest.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range u.Removals {
		if strings.Contains(r.Title, "someone") {
			t.Fatalf("removal %q of an untagged user", r.Title)
		}
	}
	if len(u.Kept) == 0 || !strings.Contains(u.Kept[0].String(), "IAM user someone: it does not carry s3link's tag") {
		t.Errorf("kept = %v", u.Kept)
	}
}

func TestTeardownLeavesPolicyUsedElsewhere(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	apply(t, f, plan(t, f, spec(), nil), dir)
	f.AttachToGroup("Platform", "analysts")
	recs := records(t, dir)
	if err := CheckAccount(context.Background(), f, recs[0]); err != nil {
		t.Fatal(err)
	}
	u, err := PlanUndo(context.Background(), f, recs[0], UndoOptions{Now: awsopstest.Epoch})
	if err != nil {
		t.Fatal(err)
	}
	res, err := u.Run(context.Background(), f, nil)
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if _, _, ok := f.PolicyDocument("Platform"); !ok {
		t.Fatal("a policy someone attached to a group was deleted")
	}
	if res.RecordRemoved {
		t.Error("the record went although the policy (and bucket) stay")
	}
	if !strings.Contains(u.Summary(res), "left in place: IAM policy Platform, bucket acme-media") {
		t.Errorf("summary = %q", u.Summary(res))
	}
}

func TestCheckAccountRefusesAnotherAccount(t *testing.T) {
	f := awsopstest.New(t)
	f.Identity.Account = "222233334444"
	err := CheckAccount(context.Background(), f, Stored{Path: "r.json", Record: &journal.Record{Account: "123456789012"}})
	var ae *AccountError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "123456789012") || !strings.Contains(err.Error(), "222233334444") {
		t.Fatalf("CheckAccount = %v", err)
	}
}

func TestRollbackRemovesOnlyThisRun(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-media", "eu-west-1", awsops.PublicAccess{})
	s := spec()
	s.ExistingBucket = true
	f.FailOnce("CreateAccessKey", awsops.ErrAccessDenied)
	p := plan(t, f, s, nil)
	dir := t.TempDir()
	j := NewJournal(dir, p, journal.Record{})
	st, err := Apply(context.Background(), f, j, p, State{}, nil)
	if !errors.Is(err, awsops.ErrAccessDenied) {
		t.Fatalf("Apply = %v, want the key failure", err)
	}
	res, err := Rollback(context.Background(), f, j, p, st, nil)
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("Rollback = %+v, %v", res, err)
	}
	if _, _, ok := f.HasBucket("acme-media"); !ok {
		t.Error("the existing bucket was deleted by a rollback")
	}
	if _, ok := f.UserKeys("platform"); ok {
		t.Error("the user this run created survived the rollback")
	}
	if !res.RecordRemoved {
		t.Error("the record outlived a full rollback")
	}
	if paths, _ := filepath.Glob(filepath.Join(dir, "setups", "*.json")); len(paths) != 0 {
		t.Errorf("records left: %v", paths)
	}
}

func TestDerivedPolicyName(t *testing.T) {
	tests := []struct{ base, bucket, prefix, want string }{
		{"CrowdAI-Platform-Access", "media", "a/b", "CrowdAI-Platform-Access-media-a-b"},
		{"P", "media", "", "P-media"},
	}
	for _, tt := range tests {
		if got := DerivedPolicyName(tt.base, tt.bucket, tt.prefix); got != tt.want {
			t.Errorf("DerivedPolicyName(%q, %q, %q) = %q, want %q", tt.base, tt.bucket, tt.prefix, got, tt.want)
		}
	}
	long := DerivedPolicyName("CrowdAI-Platform-Access", "media", strings.Repeat("deep/", 40))
	if len(long) > awsops.MaxPolicyNameLen || awsops.ValidatePolicyName(long) != nil {
		t.Errorf("long derived name %q (%d) is not a valid IAM name", long, len(long))
	}
	if DerivedPolicyName("P", "media", strings.Repeat("a/", 70)) == DerivedPolicyName("P", "media", strings.Repeat("a/", 71)) {
		t.Error("two shortened names collide")
	}
}

// A run killed during CreateAccessKey for a user s3link did not create:
// the key it may have made is named with its id and age and left alone,
// unless the person names it.
func TestInterruptedKeyOfAReusedUser(t *testing.T) {
	f := awsopstest.New(t)
	f.AddUser("platform", awsops.KeyInfo{ID: "AKIATHEIRSOLDKEY0001", Status: "Active", Created: awsopstest.Epoch.Add(-72 * time.Hour)})
	at := awsopstest.Epoch
	f.Now = func() time.Time { return at.Add(2 * time.Second) }
	k, err := f.CreateAccessKey(context.Background(), "platform") // the answer never reached the record
	if err != nil {
		t.Fatal(err)
	}
	rec := &journal.Record{Version: journal.CurrentVersion, SetupID: "s3l-x", Account: "123456789012",
		User:    journal.User{Name: "platform"},
		Pending: []journal.Intent{{Kind: string(ActCreateAccessKey), Name: "platform", At: at}}}
	now := at.Add(10 * time.Minute)
	u, err := PlanUndo(context.Background(), f, Stored{Record: rec}, UndoOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Removals) != 0 {
		t.Fatalf("removals %v of a key no record names", u.Removals)
	}
	if len(u.Kept) != 1 || !strings.Contains(u.Kept[0].String(), k.ID) || !strings.Contains(u.Kept[0].String(), "made 9 min ago") ||
		!strings.Contains(u.Kept[0].String(), "--delete-key "+k.ID) || strings.Contains(u.Kept[0].String(), "AKIATHEIRSOLDKEY0001") {
		t.Fatalf("kept = %v, want the interrupted run's key named with its age", u.Kept)
	}
	u, err = PlanUndo(context.Background(), f, Stored{Record: rec}, UndoOptions{Now: now, DeleteKeys: []string{k.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Run(context.Background(), f, nil); err != nil {
		t.Fatal(err)
	}
	if ids, _ := f.UserKeys("platform"); !slices.Equal(ids, []string{"AKIATHEIRSOLDKEY0001"}) {
		t.Errorf("keys = %v, want only the user's own key left", ids)
	}
}

// TestBoundaryTooLargeToWidenQuotesTheRefusal pins the plan's reason when
// two long locations do not fit one boundary: it quotes the size refusal
// as the sentence a person reads.
func TestBoundaryTooLargeToWidenQuotesTheRefusal(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	s1 := spec()
	s1.Prefix = strings.Repeat("a", awsops.MaxPrefixLen)
	apply(t, f, plan(t, f, s1, nil), dir)
	s2 := Spec{Bucket: "acme-other", Region: "eu-west-1", Prefix: strings.Repeat("b", awsops.MaxPrefixLen), PolicyName: "Platform", UserName: "platform"}
	facts, err := Inspect(context.Background(), f, s2, records(t, dir), awsopstest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	p := Decide(s2, facts, "s3l-second")
	want := regexp.MustCompile(`^The permissions boundary \S+ of user platform cannot be widened to this location \(The policy would be \d+ characters, over IAM's limit of 6144: choose a shorter path inside the bucket\.\); choose another user\.$`)
	if p.Boundary.Decision != Refuse || !want.MatchString(p.Boundary.Reason) {
		t.Fatalf("boundary = %s %q, want a refusal matching %s", p.Boundary.Decision, p.Boundary.Reason, want)
	}
}
