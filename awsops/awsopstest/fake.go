// Package awsopstest provides Fake, an in-memory stand-in for AWS that
// implements awsops.Provisioner and awsops.Remover, for UI and flow tests
// that must not touch the network.
package awsopstest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
)

// Epoch is the Fake's default clock: fixed, so views that show ages and
// dates are the same on every run.
var Epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Call is one recorded call: the method name and its arguments after the
// context. Secrets never appear here: no Provisioner call takes one.
type Call struct {
	Method string
	Args   []any
}

// String renders the call for failure messages.
func (c Call) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = fmt.Sprintf("%v", a)
	}
	return c.Method + "(" + strings.Join(parts, ", ") + ")"
}

type expectation struct {
	method string
	args   []any
	met    bool
}

type failure struct {
	err  error
	once bool
}

type fakePolicy struct {
	name     string
	arn      string
	versions []string // documents, oldest first; the last is the default
	ids      []int
	next     int
	created  time.Time
	setupID  string
	groups   []string
}

type fakeUser struct {
	arn      string
	tags     map[string]string
	keys     []awsops.KeyInfo
	pols     map[string]bool
	created  time.Time
	boundary string
}

type fakeBucket struct {
	awsops.Bucket
	pab       awsops.PublicAccess
	encrypted bool
	objects   int
	setupID   string
}

// Fake is an in-memory AWS account. It behaves like the real Client where
// the wizard can tell (re-creating what is ours counts as reuse, a user
// holds at most two keys, a policy at most five versions), returns canned
// errors on request, records every call, and checks expectations.
//
// Fake is safe for concurrent use: Cmds run on their own goroutines.
type Fake struct {
	mu sync.Mutex

	// Identity is what WhoAmI returns.
	Identity awsops.Identity
	// Now stamps created buckets and keys.
	Now func() time.Time
	// Summaries are what SummarizePrefix returns, keyed "bucket/prefix";
	// a missing entry counts as empty.
	Summaries map[string]awsops.PrefixSummary
	// Folders are the folder paths in each bucket, keyed by bucket, each
	// with a trailing slash ("photos/2026/"); ListFolders returns those
	// directly under the prefix asked for. A folder's parents count too.
	Folders map[string][]string

	// Probe answers the platform key's HeadObject calls (ProbeHead): nil
	// reads everything.
	Probe func(bucket, key string) error
	// ProbeFirst is the first object ProbeList finds, keyed
	// "bucket/prefix"; a missing entry is an empty location.
	ProbeFirst map[string]string

	holds map[string]chan struct{}

	buckets  map[string]*fakeBucket
	taken    map[string]bool
	policies map[string]*fakePolicy
	users    map[string]*fakeUser
	roles    map[string]*fakeRole
	keyN     int

	calls   []Call
	fails   map[string][]failure
	expects []*expectation
}

// New returns an empty account 123456789012 in us-east-1. It verifies its
// expectations when t's test ends (t.Cleanup calls Verify), so a test that
// sets an expectation no call meets fails without asking.
func New(t testing.TB) *Fake {
	t.Helper()
	f := newFake()
	t.Cleanup(func() { f.Verify(t) })
	return f
}

func newFake() *Fake {
	return &Fake{
		Identity: awsops.Identity{
			Account: "123456789012",
			ARN:     "arn:aws:iam::123456789012:user/admin",
			UserID:  "AIDAFAKEADMIN",
			Region:  "us-east-1",
		},
		Now:        func() time.Time { return Epoch },
		Summaries:  map[string]awsops.PrefixSummary{},
		Folders:    map[string][]string{},
		ProbeFirst: map[string]string{},
		holds:      map[string]chan struct{}{},
		buckets:    map[string]*fakeBucket{},
		taken:      map[string]bool{},
		policies:   map[string]*fakePolicy{},
		users:      map[string]*fakeUser{},
		fails:      map[string][]failure{},
	}
}

var (
	_ awsops.Provisioner = (*Fake)(nil)
	_ awsops.Remover     = (*Fake)(nil)
	_ awsops.Inspector   = (*Fake)(nil)
	_ awsops.Auditor     = (*Fake)(nil)
	_ awsops.KeyRotator  = (*Fake)(nil)
	_ awsops.Prober      = (*Fake)(nil)
)

// AddBucket puts a bucket of ours in the account, with the given Block
// Public Access state.
func (f *Fake) AddBucket(name, region string, pab awsops.PublicAccess) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buckets[name] = &fakeBucket{Bucket: awsops.Bucket{Name: name, Region: region, Created: f.Now().Add(-24 * time.Hour)}, pab: pab}
}

// TakeBucketName makes name belong to another account, so creating it
// fails with ErrBucketTaken.
func (f *Fake) TakeBucketName(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taken[name] = true
}

// AddPolicy puts a customer-managed policy with document in the account and
// returns its ARN. Like AddBucket and AddUser it dates the policy a day
// before Now: it was there before s3link.
func (f *Fake) AddPolicy(name, document string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.addPolicy(name, document)
	p.created = p.created.Add(-24 * time.Hour)
	return p.arn
}

func (f *Fake) addPolicy(name, document string) *fakePolicy {
	p := &fakePolicy{name: name, arn: fmt.Sprintf("arn:aws:iam::%s:policy/%s", f.Identity.Account, name), created: f.Now()}
	p.add(document)
	f.policies[name] = p
	return p
}

func (p *fakePolicy) add(doc string) string {
	p.next++
	p.versions = append(p.versions, doc)
	p.ids = append(p.ids, p.next)
	return fmt.Sprintf("v%d", p.next)
}

// TagBucket, TagPolicy and TagUser set the SetupTagKey tag of an existing
// resource, as if a setup with that id had created it.
func (f *Fake) TagBucket(name, setupID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.buckets[name]; ok {
		b.setupID = setupID
	}
}

// TagPolicy sets the policy's SetupTagKey tag.
func (f *Fake) TagPolicy(name, setupID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.policies[name]; ok {
		p.setupID = setupID
	}
}

// TagUser sets the user's SetupTagKey tag.
func (f *Fake) TagUser(name, setupID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[name]; ok {
		u.tags[awsops.SetupTagKey] = setupID
	}
}

// AttachToGroup attaches the policy to a group, as another admin might.
func (f *Fake) AttachToGroup(policy, group string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.policies[policy]; ok {
		p.groups = append(p.groups, group)
	}
}

// Boundary returns the user's permissions boundary ARN.
func (f *Fake) Boundary(user string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[user]; ok {
		return u.boundary
	}
	return ""
}

// SetBoundary sets a user's permissions boundary directly.
func (f *Fake) SetBoundary(user, arn string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[user]; ok {
		u.boundary = arn
	}
}

// AddUser puts a user in the account holding the given keys, dated a day
// before Now.
func (f *Fake) AddUser(name string, keys ...awsops.KeyInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[name] = &fakeUser{
		arn:     fmt.Sprintf("arn:aws:iam::%s:user/%s", f.Identity.Account, name),
		keys:    append([]awsops.KeyInfo(nil), keys...),
		pols:    map[string]bool{},
		tags:    map[string]string{},
		created: f.Now().Add(-24 * time.Hour),
	}
}

// Fail makes every call to method return err until Clear.
func (f *Fake) Fail(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails[method] = append(f.fails[method], failure{err: err})
}

// FailOnce makes the next call to method return err.
func (f *Fake) FailOnce(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails[method] = append(f.fails[method], failure{err: err, once: true})
}

// Clear drops the canned errors of method.
func (f *Fake) Clear(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.fails, method)
}

// Expect registers a call that must happen before Verify: method, with
// arguments (after the context) starting with args.
func (f *Fake) Expect(method string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &expectation{method: method, args: args}
	for _, c := range f.calls {
		e.match(c)
	}
	f.expects = append(f.expects, e)
}

func (e *expectation) match(c Call) {
	if e.met || c.Method != e.method || len(c.Args) < len(e.args) {
		return
	}
	for i, a := range e.args {
		if !reflect.DeepEqual(a, c.Args[i]) {
			return
		}
	}
	e.met = true
}

// Verify fails t for every expectation no call met, as cli/cli's
// httpmock.Registry.Verify does for stubs no request used. New registers
// it on t.Cleanup; calling it earlier checks at that point.
func (f *Fake) Verify(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.expects {
		if !e.met {
			c := Call{Method: e.method, Args: e.args}
			t.Errorf("expected call %s was not made; calls: %v", c, f.calls)
		}
	}
}

// Calls returns every call so far, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Methods returns the method names of every call so far, in order.
func (f *Fake) Methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.Method
	}
	return out
}

// Count returns how many times method was called.
func (f *Fake) Count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// HasBucket reports whether the bucket exists, with its Block Public Access
// state and whether default encryption is on.
func (f *Fake) HasBucket(name string) (awsops.PublicAccess, bool, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.buckets[name]
	if !ok {
		return awsops.PublicAccess{}, false, false
	}
	return b.pab, b.encrypted, true
}

// PolicyDocument returns the default version's document of the named
// policy and how many versions it holds.
func (f *Fake) PolicyDocument(name string) (string, int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.policies[name]
	if !ok {
		return "", 0, false
	}
	return p.versions[len(p.versions)-1], len(p.versions), true
}

// UserKeys returns the ids of the user's access keys, and whether the user
// exists.
func (f *Fake) UserKeys(user string) ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[user]
	if !ok {
		return nil, false
	}
	ids := make([]string, len(u.keys))
	for i, k := range u.keys {
		ids[i] = k.ID
	}
	return ids, true
}

// Attached reports whether the policy ARN is attached to user.
func (f *Fake) Attached(user, policyARN string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[user]
	return ok && u.pols[policyARN]
}

// call records a call and returns the canned error for it, if any. The
// caller holds f.mu.
func (f *Fake) call(ctx context.Context, method string, args ...any) error {
	c := Call{Method: method, Args: args}
	f.calls = append(f.calls, c)
	for _, e := range f.expects {
		e.match(c)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fs := f.fails[method]
	if len(fs) == 0 {
		return nil
	}
	if fs[0].once {
		f.fails[method] = fs[1:]
	}
	return fs[0].err
}

// Region is the Fake's region, Identity.Region, as the region of a
// profile that names one.
func (f *Fake) Region() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Identity.Region
}

// RegionConfigured reports whether Identity.Region is set, as a
// profile's region would be.
func (f *Fake) RegionConfigured() bool { return f.Region() != "" }

// WhoAmI implements awsops.Inspector.
func (f *Fake) WhoAmI(ctx context.Context) (awsops.Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "WhoAmI"); err != nil {
		return awsops.Identity{}, err
	}
	return f.Identity, nil
}

// ListBuckets implements awsops.Inspector.
func (f *Fake) ListBuckets(ctx context.Context) ([]awsops.Bucket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ListBuckets"); err != nil {
		return nil, err
	}
	out := make([]awsops.Bucket, 0, len(f.buckets))
	for _, b := range f.buckets {
		out = append(out, b.Bucket)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Hold makes calls of method (InspectBucket or ListFolders) wait until
// release is called, so a test can act while a lookup is in flight.
// release is safe to call more than once, and t.Cleanup calls it.
func (f *Fake) Hold(t testing.TB, method string) (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.holds[method] = ch
	f.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	return release
}

// wait blocks while method is held, or until ctx ends.
func (f *Fake) wait(ctx context.Context, method string) {
	f.mu.Lock()
	ch := f.holds[method]
	f.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// ListFolders lists the folders directly under prefix, from Folders.
func (f *Fake) ListFolders(ctx context.Context, bucket, prefix string) ([]string, error) {
	f.wait(ctx, "ListFolders")
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ListFolders", bucket, prefix); err != nil {
		return nil, err
	}
	if _, ok := f.buckets[bucket]; !ok {
		return nil, fmt.Errorf("list folders of %q: %w", bucket, awsops.ErrNoSuchBucket)
	}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		prefix += "/"
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range f.Folders[bucket] {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		rest += "/"
		child := prefix + rest[:strings.Index(rest, "/")+1]
		if !seen[child] {
			seen[child] = true
			out = append(out, child)
		}
	}
	sort.Strings(out)
	return out, nil
}

// InspectBucket implements awsops.Inspector.
func (f *Fake) InspectBucket(ctx context.Context, bucket string) (awsops.BucketFacts, error) {
	f.wait(ctx, "InspectBucket")
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "InspectBucket", bucket); err != nil {
		return awsops.BucketFacts{Name: bucket}, err
	}
	b, ok := f.buckets[bucket]
	if !ok {
		return awsops.BucketFacts{Name: bucket, Exists: f.taken[bucket]}, nil
	}
	return awsops.BucketFacts{Name: bucket, Exists: true, Owned: true, Region: b.Region, SetupID: b.setupID, PublicAccess: b.pab}, nil
}

// SummarizePrefix implements awsops.Inspector.
func (f *Fake) SummarizePrefix(ctx context.Context, bucket, prefix string) (awsops.PrefixSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "SummarizePrefix", bucket, prefix); err != nil {
		return awsops.PrefixSummary{}, err
	}
	if _, ok := f.buckets[bucket]; !ok {
		return awsops.PrefixSummary{}, fmt.Errorf("summarize %q: %w", bucket, awsops.ErrNoSuchBucket)
	}
	return f.Summaries[bucket+"/"+prefix], nil
}

// CreateBucket implements awsops.Provisioner.
func (f *Fake) CreateBucket(ctx context.Context, name, region, setupID string) (awsops.Bucket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CreateBucket", name, region); err != nil {
		return awsops.Bucket{}, err
	}
	if f.taken[name] {
		return awsops.Bucket{}, fmt.Errorf("create bucket %q: %w", name, awsops.ErrBucketTaken)
	}
	if _, ok := f.buckets[name]; ok {
		return awsops.Bucket{}, fmt.Errorf("create bucket %q: %w", name, awsops.ErrBucketOwned)
	}
	b := &fakeBucket{Bucket: awsops.Bucket{Name: name, Region: region, Created: f.Now()}, setupID: setupID}
	f.buckets[name] = b
	return b.Bucket, nil
}

// BlockPublicAccess implements awsops.Provisioner.
func (f *Fake) BlockPublicAccess(ctx context.Context, bucket string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "BlockPublicAccess", bucket); err != nil {
		return err
	}
	b, ok := f.buckets[bucket]
	if !ok {
		return fmt.Errorf("block public access %q: %w", bucket, awsops.ErrNoSuchBucket)
	}
	b.pab = awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	return nil
}

// EnableDefaultEncryption implements awsops.Provisioner.
func (f *Fake) EnableDefaultEncryption(ctx context.Context, bucket string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "EnableDefaultEncryption", bucket); err != nil {
		return err
	}
	b, ok := f.buckets[bucket]
	if !ok {
		return fmt.Errorf("encrypt %q: %w", bucket, awsops.ErrNoSuchBucket)
	}
	b.encrypted = true
	return nil
}

func (f *Fake) policyByARN(arn string) *fakePolicy {
	for _, p := range f.policies {
		if p.arn == arn {
			return p
		}
	}
	return nil
}

func (f *Fake) policyFacts(p *fakePolicy, document string) awsops.PolicyFacts {
	def := p.versions[len(p.versions)-1]
	pf := awsops.PolicyFacts{
		Name: p.name, Exists: true, ARN: p.arn, SetupID: p.setupID,
		SameDocument: sameJSON(def, document), Document: def, Versions: len(p.versions),
		Groups: append([]string(nil), p.groups...),
	}
	names := make([]string, 0, len(f.users))
	for n := range f.users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		u := f.users[n]
		if u.pols[p.arn] {
			pf.Users = append(pf.Users, n)
		}
		if u.boundary == p.arn {
			pf.Boundaries = append(pf.Boundaries, n)
		}
	}
	f.roleEntities(p.arn, &pf)
	return pf
}

// InspectPolicy implements awsops.Inspector.
func (f *Fake) InspectPolicy(ctx context.Context, name, document string) (awsops.PolicyFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "InspectPolicy", name); err != nil {
		return awsops.PolicyFacts{Name: name}, err
	}
	p, ok := f.policies[name]
	if !ok {
		return awsops.PolicyFacts{Name: name, ARN: fmt.Sprintf("arn:aws:iam::%s:policy/%s", f.Identity.Account, name)}, nil
	}
	return f.policyFacts(p, document), nil
}

// CreatePolicy implements awsops.Provisioner.
func (f *Fake) CreatePolicy(ctx context.Context, name, document, setupID string) (awsops.Policy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CreatePolicy", name); err != nil {
		return awsops.Policy{}, err
	}
	if _, ok := f.policies[name]; ok {
		return awsops.Policy{}, fmt.Errorf("create policy %q: %w", name, awsops.ErrAlreadyExists)
	}
	p := f.addPolicy(name, document)
	p.setupID = setupID
	return awsops.Policy{Name: name, ARN: p.arn, VersionID: "v1"}, nil
}

// AddPolicyVersion implements awsops.Provisioner.
func (f *Fake) AddPolicyVersion(ctx context.Context, arn, document string) (awsops.Policy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "AddPolicyVersion", arn); err != nil {
		return awsops.Policy{}, err
	}
	p := f.policyByARN(arn)
	if p == nil {
		return awsops.Policy{}, fmt.Errorf("add version to %s: %w", arn, awsops.ErrNotFound)
	}
	res := awsops.Policy{Name: p.name, ARN: arn}
	if len(p.versions) >= 5 {
		res.DeletedVersionID = fmt.Sprintf("v%d", p.ids[0])
		p.versions, p.ids = p.versions[1:], p.ids[1:]
	}
	res.VersionID = p.add(document)
	return res, nil
}

// CreateUser implements awsops.Provisioner.
func (f *Fake) CreateUser(ctx context.Context, name string, tags map[string]string, boundaryARN, setupID string) (awsops.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CreateUser", name, boundaryARN); err != nil {
		return awsops.User{}, err
	}
	if _, ok := f.users[name]; ok {
		return awsops.User{}, fmt.Errorf("create user %q: %w", name, awsops.ErrAlreadyExists)
	}
	t := map[string]string{}
	for k, v := range tags {
		// As the real client: only the setup id sets the ownership tag.
		if k != awsops.SetupTagKey {
			t[k] = v
		}
	}
	if setupID != "" {
		t[awsops.SetupTagKey] = setupID
	}
	u := &fakeUser{arn: fmt.Sprintf("arn:aws:iam::%s:user/%s", f.Identity.Account, name), tags: t, pols: map[string]bool{}, created: f.Now(), boundary: boundaryARN}
	f.users[name] = u
	return awsops.User{Name: name, ARN: u.arn}, nil
}

// InspectUser implements awsops.Inspector.
func (f *Fake) InspectUser(ctx context.Context, name string) (awsops.UserFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "InspectUser", name); err != nil {
		return awsops.UserFacts{Name: name}, err
	}
	u, ok := f.users[name]
	if !ok {
		return awsops.UserFacts{Name: name}, nil
	}
	uf := awsops.UserFacts{Name: name, Exists: true, ARN: u.arn, SetupID: u.tags[awsops.SetupTagKey], Boundary: u.boundary,
		Keys: append([]awsops.KeyInfo(nil), u.keys...)}
	for arn := range u.pols {
		uf.Policies = append(uf.Policies, arn)
	}
	sort.Strings(uf.Policies)
	return uf, nil
}

// SetUserBoundary implements awsops.Provisioner and awsops.Remover.
func (f *Fake) SetUserBoundary(ctx context.Context, user, boundaryARN string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "SetUserBoundary", user, boundaryARN); err != nil {
		return err
	}
	u, ok := f.users[user]
	if !ok {
		return fmt.Errorf("set boundary of %q: %w", user, awsops.ErrNotFound)
	}
	u.boundary = boundaryARN
	return nil
}

// AttachUserPolicy implements awsops.Provisioner.
func (f *Fake) AttachUserPolicy(ctx context.Context, user, policyARN string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "AttachUserPolicy", user, policyARN); err != nil {
		return err
	}
	u, ok := f.users[user]
	if !ok {
		return fmt.Errorf("attach to %q: %w", user, awsops.ErrNotFound)
	}
	if f.policyByARN(policyARN) == nil {
		return fmt.Errorf("attach %s: %w", policyARN, awsops.ErrNotFound)
	}
	u.pols[policyARN] = true
	return nil
}

// ListAccessKeys implements awsops.Provisioner.
func (f *Fake) ListAccessKeys(ctx context.Context, user string) ([]awsops.KeyInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ListAccessKeys", user); err != nil {
		return nil, err
	}
	u, ok := f.users[user]
	if !ok {
		return nil, fmt.Errorf("list keys of %q: %w", user, awsops.ErrNotFound)
	}
	return append([]awsops.KeyInfo(nil), u.keys...), nil
}

// CreateAccessKey implements awsops.Provisioner.
func (f *Fake) CreateAccessKey(ctx context.Context, user string) (awsops.AccessKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CreateAccessKey", user); err != nil {
		return awsops.AccessKey{}, err
	}
	u, ok := f.users[user]
	if !ok {
		return awsops.AccessKey{}, fmt.Errorf("create key for %q: %w", user, awsops.ErrNotFound)
	}
	if len(u.keys) >= 2 {
		return awsops.AccessKey{}, &awsops.KeyLimitError{User: user, Keys: append([]awsops.KeyInfo(nil), u.keys...)}
	}
	f.keyN++
	id := fmt.Sprintf("AKIAFAKE%012d", f.keyN)
	k := awsops.AccessKey{User: user, ID: id, Secret: awsops.NewSecret(fmt.Sprintf("fake-secret-%d-do-not-use", f.keyN)), Created: f.Now()}
	u.keys = append(u.keys, awsops.KeyInfo{ID: id, Status: "Active", Created: k.Created})
	return k, nil
}

// DeleteAccessKey implements awsops.Provisioner and awsops.Remover.
func (f *Fake) DeleteAccessKey(ctx context.Context, user, keyID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DeleteAccessKey", user, keyID); err != nil {
		return err
	}
	u, ok := f.users[user]
	if !ok {
		return nil
	}
	for i, k := range u.keys {
		if k.ID == keyID {
			u.keys = append(u.keys[:i], u.keys[i+1:]...)
			break
		}
	}
	return nil
}

// DetachUserPolicy implements awsops.Remover.
func (f *Fake) DetachUserPolicy(ctx context.Context, user, policyARN string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DetachUserPolicy", user, policyARN); err != nil {
		return err
	}
	if u, ok := f.users[user]; ok {
		delete(u.pols, policyARN)
	}
	return nil
}

// DeleteUser implements awsops.Remover.
func (f *Fake) DeleteUser(ctx context.Context, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DeleteUser", user); err != nil {
		return err
	}
	delete(f.users, user)
	return nil
}

// DeletePolicy implements awsops.Remover.
func (f *Fake) DeletePolicy(ctx context.Context, policyARN string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DeletePolicy", policyARN); err != nil {
		return err
	}
	p := f.policyByARN(policyARN)
	if p == nil {
		return nil
	}
	if pf := f.policyFacts(p, ""); len(pf.Users)+len(pf.Groups)+len(pf.Roles)+len(pf.Boundaries) > 0 {
		return fmt.Errorf("delete policy %s: %w", policyARN, awsops.ErrInUse)
	}
	delete(f.policies, p.name)
	return nil
}

// DeleteBucket implements awsops.Remover.
func (f *Fake) DeleteBucket(ctx context.Context, bucket string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DeleteBucket", bucket); err != nil {
		return err
	}
	if b, ok := f.buckets[bucket]; ok && b.objects > 0 {
		return fmt.Errorf("delete bucket %q: %w", bucket, awsops.ErrBucketNotEmpty)
	}
	delete(f.buckets, bucket)
	return nil
}

// PutObjects marks the bucket as holding n objects, so DeleteBucket
// refuses it.
func (f *Fake) PutObjects(bucket string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.buckets[bucket]; ok {
		b.objects = n
	}
}

// sameJSON compares two documents as JSON values.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// SetPublicAccess sets a bucket's Block Public Access state, as a person
// in the console might.
func (f *Fake) SetPublicAccess(bucket string, pab awsops.PublicAccess) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.buckets[bucket]; ok {
		b.pab = pab
	}
}

// SetEncrypted turns a bucket's default encryption on or off.
func (f *Fake) SetEncrypted(bucket string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.buckets[bucket]; ok {
		b.encrypted = on
	}
}

// UseKey records that the access key was last used at t.
func (f *Fake) UseKey(user, keyID string, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[user]; ok {
		for i := range u.keys {
			if u.keys[i].ID == keyID {
				u.keys[i].LastUsed = t
			}
		}
	}
}

// KeyStatus returns the status of one of user's keys, "" when it has none
// of that id.
func (f *Fake) KeyStatus(user, keyID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[user]; ok {
		for _, k := range u.keys {
			if k.ID == keyID {
				return k.Status
			}
		}
	}
	return ""
}

// BucketEncryption implements awsops.Auditor.
func (f *Fake) BucketEncryption(ctx context.Context, bucket, region string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "BucketEncryption", bucket); err != nil {
		return "", err
	}
	b, ok := f.buckets[bucket]
	if !ok {
		return "", fmt.Errorf("get encryption of %q: %w", bucket, awsops.ErrNoSuchBucket)
	}
	if b.encrypted {
		return "AES256", nil
	}
	return "", nil
}

// SetAccessKeyStatus implements awsops.KeyRotator.
func (f *Fake) SetAccessKeyStatus(ctx context.Context, user, keyID string, active bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "SetAccessKeyStatus", user, keyID, active); err != nil {
		return err
	}
	u, ok := f.users[user]
	if !ok {
		return fmt.Errorf("update key of %q: %w", user, awsops.ErrNotFound)
	}
	for i := range u.keys {
		if u.keys[i].ID == keyID {
			u.keys[i].Status = "Inactive"
			if active {
				u.keys[i].Status = "Active"
			}
			return nil
		}
	}
	return fmt.Errorf("update key %s of %q: %w", keyID, user, awsops.ErrNotFound)
}

// ProbeList implements awsops.Prober.
func (f *Fake) ProbeList(ctx context.Context, bucket, prefix string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ProbeList", bucket, prefix); err != nil {
		return "", err
	}
	return f.ProbeFirst[bucket+"/"+prefix], nil
}

// ProbeHead implements awsops.Prober.
func (f *Fake) ProbeHead(ctx context.Context, bucket, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "ProbeHead", bucket, key); err != nil {
		return err
	}
	if f.Probe != nil {
		return f.Probe(bucket, key)
	}
	return nil
}
