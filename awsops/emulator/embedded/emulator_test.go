package embedded_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/embedded"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
)

var admin = embedded.Key{ID: "S3LINKTESTADMINKEY01", Secret: "admin-secret"}

// env is an emulator with s3link's real client and the raw SDK clients
// for the calls awsops.Client does not make.
type env struct {
	srv    *embedded.Server
	cfg    awsops.Config
	client *awsops.Client
	iam    *iam.Client
	s3     *s3.Client
}

func start(t *testing.T) *env {
	t.Helper()
	srv, err := embedded.Start(embedded.Options{Admin: []embedded.Key{admin}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	cfg := awsops.Config{EndpointURL: srv.URL(), Region: "us-east-1",
		Static: &awsops.StaticCredentials{AccessKeyID: admin.ID, Secret: awsops.NewSecret(admin.Secret)}}
	e := &env{srv: srv, cfg: cfg}
	e.client, e.iam, e.s3 = clients(t, cfg)
	return e
}

func clients(t *testing.T, cfg awsops.Config) (*awsops.Client, *iam.Client, *s3.Client) {
	t.Helper()
	c, err := awsops.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ac, err := awsops.LoadAWSConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, iam.NewFromConfig(ac, awsops.IAMOptions(cfg)), s3.NewFromConfig(ac, awsops.S3Options(cfg))
}

// as is cfg signed with another key.
func (e *env) as(id, secret string) awsops.Config {
	c := e.cfg
	c.Static = &awsops.StaticCredentials{AccessKeyID: id, Secret: awsops.NewSecret(secret)}
	return c
}

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

const doc1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/p/*"]}]}`

func docN(n int) string { return strings.Replace(doc1, "b/p/*", "b/p"+string(rune('0'+n))+"/*", 1) }

func TestCallerIdentity(t *testing.T) {
	e := start(t)
	id, err := e.client.WhoAmI(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != embedded.DefaultAccount || !strings.HasPrefix(id.ARN, "arn:aws:iam::123456789012:user/") || id.UserID == "" {
		t.Errorf("WhoAmI = %+v", id)
	}
}

func TestUserWithTagsAndBoundary(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	pol, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1, "s3l-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{
		UserName:            aws.String("platform"),
		PermissionsBoundary: aws.String(pol.ARN),
		Tags:                []iamtypes.Tag{{Key: aws.String("s3link:setup"), Value: aws.String("id-1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("platform")})
	if err != nil {
		t.Fatal(err)
	}
	u := got.User
	if aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/platform" || u.CreateDate == nil || u.CreateDate.IsZero() ||
		u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != pol.ARN ||
		len(u.Tags) != 1 || aws.ToString(u.Tags[0].Value) != "id-1" {
		t.Errorf("GetUser = %+v", u)
	}

	if _, err := e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("platform"), Tags: []iamtypes.Tag{
		{Key: aws.String("s3link:setup"), Value: aws.String("id-2")}, {Key: aws.String("team"), Value: aws.String("media")},
	}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("platform")})
	if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Value) != "id-2" || tags.IsTruncated {
		t.Errorf("ListUserTags = %+v, %v; want the tag replaced and one added", tags, err)
	}

	if _, err := e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("platform")}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("platform")})
	if got.User.PermissionsBoundary != nil {
		t.Errorf("boundary still set after DeleteUserPermissionsBoundary: %+v", got.User.PermissionsBoundary)
	}
	if _, err := e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{
		UserName: aws.String("platform"), PermissionsBoundary: aws.String(pol.ARN + "-missing"),
	}); code(err) != "NoSuchEntity" {
		t.Errorf("a missing boundary policy: %v, want NoSuchEntity", err)
	}

	// Duplicates and missing users map to awsops' sentinels.
	_, err = e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("platform")})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) || !errors.Is(awsops.Wrap("create user", err), awsops.ErrAlreadyExists) {
		t.Errorf("duplicate CreateUser: %v, want EntityAlreadyExists", err)
	}
	// awsops never adopts an existing user.
	if u, err := e.client.CreateUser(ctx, "platform", nil, "", "s3l-1"); !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Errorf("awsops CreateUser of an existing user = %+v, %v; want ErrAlreadyExists", u, err)
	}
	_, err = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	var missing *iamtypes.NoSuchEntityException
	if !errors.As(err, &missing) || !errors.Is(awsops.Wrap("get user", err), awsops.ErrNotFound) {
		t.Errorf("GetUser of a missing user: %v, want NoSuchEntity", err)
	}
	if f, err := e.client.InspectUser(ctx, "nobody"); f.Exists || err != nil {
		t.Errorf("InspectUser(nobody) = %+v, %v; want it missing", f, err)
	}
	if _, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("has space")}); code(err) != "ValidationError" {
		t.Errorf("a user name with a space: %v, want ValidationError", err)
	}

	// awsops' CreateUser puts the tags, the setup id and the boundary in
	// the create call; InspectUser reads them back.
	au, err := e.client.CreateUser(ctx, "analyst", map[string]string{"team": "media", awsops.SetupTagKey: "forged"}, pol.ARN, "s3l-2")
	if err != nil || au.Name != "analyst" || au.ARN != "arn:aws:iam::123456789012:user/analyst" {
		t.Fatalf("awsops CreateUser = %+v, %v", au, err)
	}
	f, err := e.client.InspectUser(ctx, "analyst")
	if err != nil || !f.Exists || f.ARN != au.ARN || f.SetupID != "s3l-2" || f.Boundary != pol.ARN || len(f.Policies) != 0 || len(f.Keys) != 0 {
		t.Errorf("InspectUser = %+v, %v; want tagged s3l-2 and bounded by %s", f, err, pol.ARN)
	}
	utags, err := e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("analyst")})
	if err != nil || len(utags.Tags) != 2 {
		t.Errorf("ListUserTags = %+v, %v; want team and the setup id", utags, err)
	}
	if err := e.client.SetUserBoundary(ctx, "analyst", ""); err != nil {
		t.Fatal(err)
	}
	if f, err := e.client.InspectUser(ctx, "analyst"); err != nil || f.Boundary != "" {
		t.Errorf("after removing the boundary: %+v, %v", f, err)
	}
	if err := e.client.SetUserBoundary(ctx, "analyst", ""); err != nil {
		t.Errorf("removing a boundary that is gone counts as done: %v", err)
	}
	if err := e.client.SetUserBoundary(ctx, "analyst", pol.ARN); err != nil {
		t.Fatal(err)
	}
	if f, err := e.client.InspectUser(ctx, "analyst"); err != nil || f.Boundary != pol.ARN {
		t.Errorf("after setting the boundary again: %+v, %v", f, err)
	}
	if _, err := e.client.CreateUser(ctx, "bounded-badly", nil, pol.ARN+"-missing", "s3l-2"); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("CreateUser with a missing boundary: %v, want ErrNotFound", err)
	}
	if f, _ := e.client.InspectUser(ctx, "bounded-badly"); f.Exists {
		t.Errorf("a refused CreateUser made the user: %+v", f)
	}
}

// TestPolicyEntities covers what InspectPolicy and DeletePolicy stand on:
// ListEntitiesForPolicy lists attachments, and with
// PolicyUsageFilter=PermissionsBoundary only the users the policy bounds;
// a policy still attached or used as a boundary cannot be deleted.
func TestPolicyEntities(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	pol, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1, "s3l-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name, boundary string
		attach         bool
	}{{"attached", "", true}, {"bounded", pol.ARN, false}, {"both", pol.ARN, true}, {"neither", "", false}} {
		if _, err := e.client.CreateUser(ctx, u.name, nil, u.boundary, "s3l-1"); err != nil {
			t.Fatal(err)
		}
		if u.attach {
			if err := e.client.AttachUserPolicy(ctx, u.name, pol.ARN); err != nil {
				t.Fatal(err)
			}
		}
	}
	users := func(usage iamtypes.PolicyUsageType) []string {
		t.Helper()
		out, err := e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(pol.ARN), PolicyUsageFilter: usage})
		if err != nil {
			t.Fatalf("ListEntitiesForPolicy(%q): %v", usage, err)
		}
		var names []string
		for _, u := range out.PolicyUsers {
			names = append(names, aws.ToString(u.UserName))
		}
		return names
	}
	if got, want := users(""), []string{"attached", "both"}; !slices.Equal(got, want) {
		t.Errorf("entities without a filter = %v, want %v", got, want)
	}
	if got, want := users(iamtypes.PolicyUsageTypePermissionsPolicy), []string{"attached", "both"}; !slices.Equal(got, want) {
		t.Errorf("entities, PermissionsPolicy = %v, want %v", got, want)
	}
	if got, want := users(iamtypes.PolicyUsageTypePermissionsBoundary), []string{"both", "bounded"}; !slices.Equal(got, want) {
		t.Errorf("entities, PermissionsBoundary = %v, want %v", got, want)
	}
	if _, err := e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(pol.ARN), PolicyUsageFilter: "Sometimes"}); code(err) != "ValidationError" {
		t.Errorf("an unknown usage filter: %v, want ValidationError", err)
	}
	got, err := e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(pol.ARN)})
	if err != nil || aws.ToInt32(got.Policy.AttachmentCount) != 2 || aws.ToInt32(got.Policy.PermissionsBoundaryUsageCount) != 2 {
		t.Errorf("GetPolicy counts = %+v, %v; want 2 attachments and 2 boundary uses", got.Policy, err)
	}

	info, err := e.client.InspectPolicy(ctx, "Platform-Access", doc1)
	if err != nil || info.SetupID != "s3l-1" || !slices.Equal(info.Users, []string{"attached", "both"}) ||
		!slices.Equal(info.Boundaries, []string{"both", "bounded"}) || len(info.Groups)+len(info.Roles) != 0 {
		t.Fatalf("InspectPolicy = %+v, %v", info, err)
	}
	if got, want := info.AttachedElsewhere("both"), []string{"user attached", "the permissions boundary of bounded"}; !slices.Equal(got, want) {
		t.Errorf("AttachedElsewhere(both) = %v, want %v", got, want)
	}

	// Attached or a boundary: IAM refuses, and awsops refuses first.
	for _, u := range []string{"attached", "both"} {
		if err := e.client.DetachUserPolicy(ctx, u, pol.ARN); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.client.DetachUserPolicy(ctx, "attached", pol.ARN); err != nil {
		t.Errorf("detaching a detached policy counts as done: %v", err)
	}
	if _, err := e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(pol.ARN)}); code(err) != "DeleteConflict" {
		t.Errorf("DeletePolicy of a boundary: %v, want DeleteConflict", err)
	}
	if err := e.client.DeletePolicy(ctx, pol.ARN); !errors.Is(err, awsops.ErrInUse) {
		t.Errorf("awsops DeletePolicy of a boundary: %v, want ErrInUse", err)
	}
	if info, err := e.client.InspectPolicy(ctx, "Platform-Access", doc1); err != nil || len(info.Users) != 0 || !slices.Equal(info.Boundaries, []string{"both", "bounded"}) {
		t.Errorf("InspectPolicy after detaching = %+v, %v; want only the boundaries", info, err)
	}
	if err := e.client.SetUserBoundary(ctx, "bounded", ""); err != nil {
		t.Fatal(err)
	}
	// Deleting the user frees its boundary too.
	if err := e.client.DeleteUser(ctx, "both"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeletePolicy(ctx, pol.ARN); err != nil {
		t.Errorf("DeletePolicy of an unused policy: %v", err)
	}
	if info, err := e.client.InspectPolicy(ctx, "Platform-Access", doc1); err != nil || info.Exists {
		t.Errorf("the policy survived: %+v, %v", info, err)
	}
}

// TestSetupEngine runs the engine `s3link setup` and `s3link teardown`
// use against the emulator: inspect, decide and apply for a fresh
// location, a re-run that finds everything its own, then a teardown that
// proves every resource by its tag and removes it.
func TestSetupEngine(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		t.Run(region, func(t *testing.T) {
			e := start(t)
			ctx := t.Context()
			// An untagged bucket of the account's, as the sandbox seeds.
			if _, err := e.client.CreateBucket(ctx, "media-seeded", region, ""); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			spec := setup.Spec{Bucket: "media-engine", Region: region, Prefix: "p/2026", PolicyName: "Platform-Access",
				UserName: "platform", Tags: map[string]string{"team": "media"}}
			base := journal.Record{EndpointURL: e.srv.URL(), Sandbox: true}

			plan := func() *setup.Plan {
				t.Helper()
				recs, errs := setup.Records(dir)
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				f, err := setup.Inspect(ctx, e.client, spec, recs, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				return setup.Decide(spec, f, setup.NewID())
			}
			p := plan()
			if err := p.Err(); err != nil {
				t.Fatalf("plan refused: %v", err)
			}
			for _, it := range p.Items() {
				if it.Decision != setup.Create {
					t.Errorf("fresh location: %s %s is %q (%s), want create", it.What, it.Name, it.Decision, it.Reason)
				}
			}
			j := setup.NewJournal(dir, p, base)
			st, err := setup.Apply(ctx, e.client, j, p, setup.State{}, func(i int, _ string, err error) {
				if err != nil {
					t.Errorf("%s: %v", p.Actions[i].Title, err)
				}
			})
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			if len(st.Done) != len(p.Actions) || st.Key.ID == "" || st.Key.Secret.IsZero() {
				t.Fatalf("state = %+v after %d actions", st, len(p.Actions))
			}

			// Every resource carries the setup's id, from its create call.
			b, err := e.client.InspectBucket(ctx, spec.Bucket)
			if err != nil || !b.Owned || b.Region != region || b.SetupID != p.SetupID || !b.PublicAccess.AllBlocked() {
				t.Errorf("bucket = %+v, %v; want it in %s, tagged %s, blocked", b, err, region, p.SetupID)
			}
			doc := awsops.PolicyDocument(spec.Bucket, spec.Prefix)
			pol, err := e.client.InspectPolicy(ctx, spec.PolicyName, doc)
			if err != nil || pol.SetupID != p.SetupID || !pol.SameDocument || !slices.Equal(pol.Users, []string{"platform"}) {
				t.Errorf("policy = %+v, %v", pol, err)
			}
			u, err := e.client.InspectUser(ctx, spec.UserName)
			if err != nil || u.SetupID != p.SetupID || u.Boundary != pol.ARN || !u.HasPolicy(pol.ARN) || len(u.Keys) != 1 || u.Keys[0].ID != st.Key.ID {
				t.Errorf("user = %+v, %v", u, err)
			}
			rec, err := j.Load()
			if err != nil || rec == nil || rec.SetupID != p.SetupID || !rec.Bucket.Created || rec.Bucket.Region != region ||
				!rec.Policy.Created || rec.Policy.ARN != pol.ARN || !rec.User.Created || !rec.User.Attached ||
				len(rec.AccessKeys) != 1 || rec.AccessKeys[0].ID != st.Key.ID || len(rec.Pending) != 0 || !rec.Sandbox {
				t.Errorf("record = %+v, %v", rec, err)
			}

			// A re-run continues the record and finds nothing to do.
			again := plan()
			if err := again.Err(); err != nil || !again.Continues || again.SetupID != p.SetupID || len(again.Actions) != 0 || again.ExistingKeyID != st.Key.ID {
				t.Errorf("re-run plan = %+v, %v; want to continue %s with nothing to do", again, err, p.SetupID)
			}
			// The seeded bucket is the account's but not s3link's: a new
			// bucket of that name is refused, never adopted.
			seeded := spec
			seeded.Bucket, seeded.UserName = "media-seeded", "other"
			f, err := setup.Inspect(ctx, e.client, seeded, nil, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if sp := setup.Decide(seeded, f, setup.NewID()); sp.Bucket.Decision != setup.Refuse {
				t.Errorf("a new bucket over the seeded one: %q (%s), want refuse", sp.Bucket.Decision, sp.Bucket.Reason)
			}

			// Teardown, with the bucket (empty, ours).
			recs, _ := setup.Records(dir)
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			if err := setup.CheckAccount(ctx, e.client, recs[0]); err != nil {
				t.Fatal(err)
			}
			undo, err := setup.PlanUndo(ctx, e.client, recs[0], setup.UndoOptions{DeleteBucket: true, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, r := range undo.Removals {
				titles = append(titles, r.Title)
			}
			want := []string{
				"delete IAM user platform with its access keys " + st.Key.ID,
				"delete IAM policy Platform-Access",
				"delete bucket media-engine (only if empty)",
			}
			if !slices.Equal(titles, want) || len(undo.Kept) != 0 {
				t.Errorf("teardown plan = %q, kept %v; want %q", titles, undo.Kept, want)
			}
			res, err := undo.Run(ctx, e.client, nil)
			if err != nil || len(res.Failed) != 0 || !res.RecordRemoved {
				t.Fatalf("teardown = %+v, %v", res, err)
			}
			if got := undo.Summary(res); got != "Everything this setup created is gone." {
				t.Errorf("summary = %q", got)
			}
			if u, err := e.client.InspectUser(ctx, spec.UserName); err != nil || u.Exists {
				t.Errorf("user after teardown = %+v, %v", u, err)
			}
			if pol, err := e.client.InspectPolicy(ctx, spec.PolicyName, doc); err != nil || pol.Exists {
				t.Errorf("policy after teardown = %+v, %v", pol, err)
			}
			if b, err := e.client.InspectBucket(ctx, spec.Bucket); err != nil || b.Exists {
				t.Errorf("bucket after teardown = %+v, %v", b, err)
			}
			if b, err := e.client.InspectBucket(ctx, "media-seeded"); err != nil || !b.Owned {
				t.Errorf("the seeded bucket after teardown = %+v, %v; want it untouched", b, err)
			}
			if recs, _ := setup.Records(dir); len(recs) != 0 {
				t.Errorf("records after teardown: %d", len(recs))
			}
		})
	}
}

func TestPolicyVersions(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	out, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("Platform-Access"), PolicyDocument: aws.String(doc1),
		Description: aws.String("read access"),
		Tags:        []iamtypes.Tag{{Key: aws.String(awsops.SetupTagKey), Value: aws.String("s3l-1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Policy.Arn)
	if arn != "arn:aws:iam::123456789012:policy/Platform-Access" || aws.ToString(out.Policy.DefaultVersionId) != "v1" {
		t.Fatalf("CreatePolicy = %+v", out.Policy)
	}
	got, err := e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(got.Policy.Description) != "read access" || len(got.Policy.Tags) != 1 {
		t.Errorf("GetPolicy = %+v, %v; want the description and tag", got, err)
	}
	if _, err := e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	ptags, err := e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(ptags.Tags) != 2 {
		t.Errorf("ListPolicyTags = %+v, %v", ptags, err)
	}
	local, err := e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil || len(local.Policies) != 1 || aws.ToString(local.Policies[0].Arn) != arn || local.IsTruncated {
		t.Errorf("ListPolicies(Local) = %+v, %v", local, err)
	}

	// s3link's own logic on top: a policy of that name is never adopted,
	// even with the same document; AddPolicyVersion adds a default
	// version, and at IAM's limit of 5 the oldest non-default one goes.
	if p, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1, "s3l-1"); !errors.Is(err, awsops.ErrAlreadyExists) {
		t.Errorf("creating an existing policy = %+v, %v; want ErrAlreadyExists", p, err)
	}
	info, err := e.client.InspectPolicy(ctx, "Platform-Access", doc1)
	if err != nil || !info.Exists || info.ARN != arn || info.SetupID != "s3l-1" || !info.SameDocument || info.Versions != 1 {
		t.Errorf("InspectPolicy = %+v, %v; want v1 tagged s3l-1 with doc1", info, err)
	}
	for n := 2; n <= 5; n++ {
		p, err := e.client.AddPolicyVersion(ctx, arn, docN(n))
		if err != nil || p.VersionID != "v"+string(rune('0'+n)) || p.DeletedVersionID != "" || p.ARN != arn || p.Name != "Platform-Access" {
			t.Fatalf("version %d: %+v, %v", n, p, err)
		}
	}
	if _, err := e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(docN(6))}); code(err) != "LimitExceeded" {
		t.Errorf("a sixth version: %v, want LimitExceeded", err)
	}
	p, err := e.client.AddPolicyVersion(ctx, arn, docN(6))
	if err != nil || p.VersionID != "v6" || p.DeletedVersionID != "v1" {
		t.Errorf("at the limit: %+v, %v; want v6 with v1 deleted", p, err)
	}
	info, err = e.client.InspectPolicy(ctx, "Platform-Access", docN(6))
	if err != nil || !info.SameDocument || info.Versions != 5 || info.SetupID != "s3l-1" {
		t.Errorf("InspectPolicy = %+v, %v; want the new default among 5 versions", info, err)
	}
	if info, err := e.client.InspectPolicy(ctx, "Platform-Access", doc1); err != nil || info.SameDocument || !strings.Contains(info.Document, "b/p6/*") {
		t.Errorf("InspectPolicy against the old document = %+v, %v; want a different document", info, err)
	}
	if info, err := e.client.InspectPolicy(ctx, "Nobody-Policy", doc1); err != nil || info.Exists {
		t.Errorf("InspectPolicy of a missing policy = %+v, %v", info, err)
	}
	vers, _ := e.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	defaults := 0
	for _, v := range vers.Versions {
		if v.IsDefaultVersion {
			defaults++
			if aws.ToString(v.VersionId) != "v6" {
				t.Errorf("default version = %s, want v6", aws.ToString(v.VersionId))
			}
		}
	}
	if defaults != 1 {
		t.Errorf("%d default versions", defaults)
	}
	if _, err := e.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v6")}); code(err) != "DeleteConflict" {
		t.Errorf("deleting the default version: %v, want DeleteConflict", err)
	}
	if _, err := e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}); code(err) != "NoSuchEntity" {
		t.Errorf("a deleted version: %v, want NoSuchEntity", err)
	}
	if _, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), PolicyDocument: aws.String("{not json")}); code(err) != "MalformedPolicyDocument" {
		t.Errorf("a malformed document: %v, want MalformedPolicyDocument", err)
	}
}

func TestAccessKeys(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	if _, err := e.client.CreateUser(ctx, "platform", map[string]string{"k": "v"}, "", "s3l-1"); err != nil {
		t.Fatal(err)
	}
	k1, err := e.client.CreateAccessKey(ctx, "platform")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "platform"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "platform"); !errors.Is(err, awsops.ErrKeyLimit) {
		t.Errorf("a third key through awsops: %v, want ErrKeyLimit", err)
	}
	if _, err := e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("platform")}); code(err) != "LimitExceeded" {
		t.Errorf("a third key: %v, want LimitExceeded", err)
	}

	// The new key signs requests as the user, and only with its secret.
	keyClient, _, keyS3 := clients(t, e.as(k1.ID, k1.Secret.Reveal()))
	who, err := keyClient.WhoAmI(ctx)
	if err != nil || who.ARN != "arn:aws:iam::123456789012:user/platform" {
		t.Errorf("the new key is %+v, %v; want user platform", who, err)
	}
	if _, err := keyS3.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("S3 with the new key: %v", err)
	}
	bad, _, badS3 := clients(t, e.as(k1.ID, "not-the-secret"))
	if _, err := bad.WhoAmI(ctx); !errors.Is(err, awsops.ErrInvalidCredentials) || code(err) != "SignatureDoesNotMatch" {
		t.Errorf("a wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	if _, err := badS3.ListBuckets(ctx, &s3.ListBucketsInput{}); code(err) != "SignatureDoesNotMatch" {
		t.Errorf("a wrong secret on S3: %v, want SignatureDoesNotMatch", err)
	}
	keys, err := e.client.ListAccessKeys(ctx, "platform")
	if err != nil || len(keys) != 2 {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}
	for _, k := range keys {
		if used := !k.LastUsed.IsZero(); used != (k.ID == k1.ID) {
			t.Errorf("key %s last used %v; only %s was used", k.ID, k.LastUsed, k1.ID)
		}
	}
	if f, err := e.client.InspectUser(ctx, "platform"); err != nil || len(f.Keys) != 2 || f.Keys[0].ID != k1.ID || f.Keys[0].LastUsed.IsZero() {
		t.Errorf("InspectUser keys = %+v, %v; want both, %s used", f.Keys, err, k1.ID)
	}

	if _, err := e.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("platform"), AccessKeyId: aws.String(k1.ID), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := keyClient.WhoAmI(ctx); code(err) != "InvalidClientTokenId" || !errors.Is(err, awsops.ErrInvalidCredentials) {
		t.Errorf("an inactive key: %v, want InvalidClientTokenId", err)
	}
	if err := e.client.DeleteAccessKey(ctx, "platform", k1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("platform"), AccessKeyId: aws.String(k1.ID)}); code(err) != "NoSuchEntity" {
		t.Errorf("deleting a deleted key: %v, want NoSuchEntity", err)
	}
	if _, err := e.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody")}); !errors.Is(awsops.Wrap("list", err), awsops.ErrNotFound) {
		t.Errorf("keys of a missing user: %v, want NoSuchEntity", err)
	}
}

func TestDeleteConflicts(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	pol, err := e.client.CreatePolicy(ctx, "Platform-Access", doc1, "s3l-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.AddPolicyVersion(ctx, pol.ARN, docN(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateUser(ctx, "platform", nil, "", "s3l-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.AttachUserPolicy(ctx, "platform", pol.ARN); err != nil {
		t.Fatal(err)
	}
	if err := e.client.AttachUserPolicy(ctx, "platform", pol.ARN); err != nil {
		t.Errorf("attaching again: %v", err)
	}
	if err := e.client.AttachUserPolicy(ctx, "platform", pol.ARN+"-missing"); !errors.Is(err, awsops.ErrNotFound) {
		t.Errorf("attaching a missing policy: %v, want ErrNotFound", err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "platform"); err != nil {
		t.Fatal(err)
	}

	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("platform")})
	var conflict *iamtypes.DeleteConflictException
	if !errors.As(err, &conflict) || !strings.Contains(err.Error(), "access keys") {
		t.Errorf("DeleteUser with a key: %v, want DeleteConflict about keys", err)
	}
	if _, err := e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(pol.ARN)}); !errors.As(err, &conflict) {
		t.Errorf("DeletePolicy while attached: %v, want DeleteConflict", err)
	}
	ents, err := e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(pol.ARN)})
	if err != nil || len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "platform" {
		t.Errorf("ListEntitiesForPolicy = %+v, %v", ents, err)
	}
	got, _ := e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(pol.ARN)})
	if aws.ToInt32(got.Policy.AttachmentCount) != 1 {
		t.Errorf("AttachmentCount = %d, want 1", aws.ToInt32(got.Policy.AttachmentCount))
	}
	// awsops refuses by itself, before touching any version.
	if err := e.client.DeletePolicy(ctx, pol.ARN); !errors.Is(err, awsops.ErrInUse) {
		t.Errorf("awsops DeletePolicy while attached: %v, want ErrInUse", err)
	}
	if info, err := e.client.InspectPolicy(ctx, "Platform-Access", docN(2)); err != nil || info.Versions != 2 {
		t.Errorf("after a refused DeletePolicy = %+v, %v; want both versions kept", info, err)
	}

	// Teardown's order: the user with its keys and attachments, then the
	// policy with its versions.
	if err := e.client.DeleteUser(ctx, "platform"); err != nil {
		t.Fatalf("awsops DeleteUser: %v", err)
	}
	if err := e.client.DeletePolicy(ctx, pol.ARN); err != nil {
		t.Fatalf("awsops DeletePolicy: %v", err)
	}
	if info, err := e.client.InspectPolicy(ctx, "Platform-Access", doc1); info.Exists || err != nil {
		t.Errorf("the policy survived teardown: %+v, %v", info, err)
	}
	if err := e.client.DeletePolicy(ctx, pol.ARN); err != nil {
		t.Errorf("deleting a deleted policy counts as done: %v", err)
	}
	if err := e.client.DeleteUser(ctx, "platform"); err != nil {
		t.Errorf("deleting a deleted user counts as done: %v", err)
	}
}

func TestBuckets(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	b, err := e.client.CreateBucket(ctx, "media-east", "us-east-1", "s3l-east")
	if err != nil || b.Name != "media-east" || b.Region != "us-east-1" {
		t.Fatalf("CreateBucket = %+v, %v", b, err)
	}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-east")}); err != nil {
		t.Errorf("re-creating an owned bucket in us-east-1 answers 200 on AWS: %v", err)
	}
	// awsops never adopts a bucket the account owns, in us-east-1 (where
	// S3 answers 200) or elsewhere.
	if b, err := e.client.CreateBucket(ctx, "media-east", "us-east-1", "s3l-other"); !errors.Is(err, awsops.ErrBucketOwned) {
		t.Errorf("CreateBucket of an owned bucket in us-east-1 = %+v, %v; want ErrBucketOwned", b, err)
	}
	if b, err := e.client.CreateBucket(ctx, "media-eu", "eu-west-1", "s3l-eu"); err != nil || b.Region != "eu-west-1" {
		t.Fatalf("CreateBucket(eu-west-1) = %+v, %v", b, err)
	}
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-eu"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}},
		func(o *s3.Options) { o.Region = "eu-west-1" })
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Errorf("re-creating an owned bucket outside us-east-1: %v, want BucketAlreadyOwnedByYou", err)
	}
	if b, err := e.client.CreateBucket(ctx, "media-eu", "eu-west-1", "s3l-other"); !errors.Is(err, awsops.ErrBucketOwned) {
		t.Errorf("CreateBucket of an owned bucket in eu-west-1 = %+v, %v; want ErrBucketOwned", b, err)
	}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-x"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}}); code(err) != "InvalidLocationConstraint" {
		t.Errorf("an explicit us-east-1 constraint: %v, want InvalidLocationConstraint", err)
	}
	if r, err := e.client.BucketRegion(ctx, "media-eu"); err != nil || r != "eu-west-1" {
		t.Errorf("BucketRegion = %q, %v", r, err)
	}
	loc, err := e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("media-eu")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation = %+v, %v", loc, err)
	}

	// Tags in the create call itself: a configuration with Tags and no
	// LocationConstraint (us-east-1), and one with both.
	tag := func(v string) []s3types.Tag {
		return []s3types.Tag{{Key: aws.String(awsops.SetupTagKey), Value: aws.String(v)}}
	}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-tagged"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{Tags: tag("s3l-raw")}}); err != nil {
		t.Fatalf("CreateBucket with Tags and no LocationConstraint: %v", err)
	}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-tagged-eu"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1", Tags: tag("s3l-raw-eu")}},
		func(o *s3.Options) { o.Region = "eu-west-1" }); err != nil {
		t.Fatalf("CreateBucket with Tags and a LocationConstraint: %v", err)
	}
	for bucket, want := range map[string]string{"media-tagged": "s3l-raw", "media-tagged-eu": "s3l-raw-eu"} {
		tags, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
		if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != awsops.SetupTagKey || aws.ToString(tags.TagSet[0].Value) != want {
			t.Errorf("tags of %s, given at creation = %+v, %v; want %s", bucket, tags, err, want)
		}
	}
	dup := append(tag("a"), tag("b")...)
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-dup"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{Tags: dup}}); code(err) != "InvalidTag" {
		t.Errorf("CreateBucket with a tag key twice: %v, want InvalidTag", err)
	}
	if _, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("media-tagged"),
		Tagging: &s3types.Tagging{TagSet: dup}}); code(err) != "InvalidTag" {
		t.Errorf("PutBucketTagging with a tag key twice: %v, want InvalidTag", err)
	}
	if f, err := e.client.InspectBucket(ctx, "media-dup"); f.Exists || err != nil {
		t.Errorf("a refused create made the bucket: %+v, %v", f, err)
	}

	// An untagged bucket, as the sandbox seeds its demo bucket.
	if _, err := e.client.CreateBucket(ctx, "media-plain", "us-east-1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("media-plain")}); code(err) != "NoSuchTagSet" {
		t.Errorf("tags of an untagged bucket: %v, want NoSuchTagSet", err)
	}

	// InspectBucket sees the tags and the region of each.
	for _, want := range []awsops.BucketFacts{
		{Name: "media-east", Exists: true, Owned: true, Region: "us-east-1", SetupID: "s3l-east"},
		{Name: "media-eu", Exists: true, Owned: true, Region: "eu-west-1", SetupID: "s3l-eu"},
		{Name: "media-tagged", Exists: true, Owned: true, Region: "us-east-1", SetupID: "s3l-raw"},
		{Name: "media-plain", Exists: true, Owned: true, Region: "us-east-1"},
		{Name: "media-missing"},
		// ListBuckets' Prefix must not make a longer name count.
		{Name: "media"},
	} {
		if got, err := e.client.InspectBucket(ctx, want.Name); err != nil || got != want {
			t.Errorf("InspectBucket(%s) = %+v, %v; want %+v", want.Name, got, err, want)
		}
	}

	list, err := e.client.ListBuckets(ctx)
	names := make([]string, len(list))
	for i, b := range list {
		names[i] = b.Name + "@" + b.Region
	}
	if want := []string{"media-east@us-east-1", "media-eu@eu-west-1", "media-plain@us-east-1", "media-tagged@us-east-1", "media-tagged-eu@eu-west-1"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("ListBuckets = %v, %v; want %v", names, err, want)
	}

	// Settings: none, then what was put.
	if pa, err := e.client.BucketPublicAccess(ctx, "media-east"); err != nil || pa.BlockPublicAcls {
		t.Errorf("fresh bucket public access = %+v, %v", pa, err)
	}
	if err := e.client.BlockPublicAccess(ctx, "media-east"); err != nil {
		t.Fatal(err)
	}
	if pa, err := e.client.BucketPublicAccess(ctx, "media-east"); err != nil || !pa.AllBlocked() {
		t.Errorf("public access after blocking = %+v, %v", pa, err)
	}
	if f, err := e.client.InspectBucket(ctx, "media-east"); err != nil || !f.PublicAccess.AllBlocked() {
		t.Errorf("InspectBucket public access after blocking = %+v, %v", f, err)
	}
	if err := e.client.EnableDefaultEncryption(ctx, "media-east"); err != nil {
		t.Fatal(err)
	}
	enc, err := e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("media-east")})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("GetBucketEncryption = %+v, %v", enc, err)
	}
	if _, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("media-plain"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("media")}}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("media-plain")})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != "media" {
		t.Errorf("GetBucketTagging = %+v, %v", tags, err)
	}
	if f, err := e.client.InspectBucket(ctx, "media-plain"); err != nil || f.SetupID != "" {
		t.Errorf("a bucket with other tags = %+v, %v; want no setup id", f, err)
	}
	if _, err := e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("missing")}); !errors.Is(awsops.Wrap("x", err), awsops.ErrNoSuchBucket) {
		t.Errorf("settings of a missing bucket: %v, want NoSuchBucket", err)
	}

	if err := e.client.DeleteBucket(ctx, "media-east"); err != nil {
		t.Fatal(err)
	}
	if f, err := e.client.InspectBucket(ctx, "media-east"); f.Exists || err != nil {
		t.Errorf("the deleted bucket still exists: %+v, %v", f, err)
	}
	// A bucket made again under the name starts without the old tags.
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media-east")}); err != nil {
		t.Fatal(err)
	}
	if f, err := e.client.InspectBucket(ctx, "media-east"); err != nil || f.SetupID != "" || f.PublicAccess.AllBlocked() {
		t.Errorf("a bucket re-made under the name = %+v, %v; want none of the old settings", f, err)
	}
}

// TestDownloadWithNewKey is the proof download's path: objects put with
// the administrator's key, listed and read with a key IAM just made.
func TestDownloadWithNewKey(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	if _, err := e.client.CreateBucket(ctx, "media", "us-east-1", ""); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("jpeg"), 5000)
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("p/a b+c.jpg"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CreateUser(ctx, "platform", nil, "", ""); err != nil {
		t.Fatal(err)
	}
	k, err := e.client.CreateAccessKey(ctx, "platform")
	if err != nil {
		t.Fatal(err)
	}
	keyClient, _, keyS3 := clients(t, e.as(k.ID, k.Secret.Reveal()))
	sum, err := keyClient.SummarizePrefix(ctx, "media", "p")
	if err != nil || sum.Objects != 1 || sum.Bytes != int64(len(body)) {
		t.Errorf("SummarizePrefix with the new key = %+v, %v", sum, err)
	}
	got, err := keyS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("media"), Key: aws.String("p/a b+c.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, body) {
		t.Errorf("downloaded %d bytes, want %d", len(b), len(body))
	}
}

func TestUnsignedAndUnknown(t *testing.T) {
	e := start(t)
	resp, err := http.Post(e.srv.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an unsigned request answered %s, want 403", resp.Status)
	}
	stranger, _, _ := clients(t, e.as("S3LINKUNKNOWNKEY0001", "x"))
	if _, err := stranger.WhoAmI(t.Context()); code(err) != "InvalidClientTokenId" {
		t.Errorf("an unknown key: %v, want InvalidClientTokenId", err)
	}
	_, err = e.iam.ListRoles(t.Context(), &iam.ListRolesInput{})
	if code(err) != "InvalidAction" {
		t.Errorf("an action the emulator lacks: %v, want InvalidAction", err)
	}
}
