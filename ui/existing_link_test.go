package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/steps"
)

// TestReviewShowsTheUsersExistingLink: the chosen user already has a link
// of s3link's, whose bucket someone opened to the public since; review says
// so, with the status lines that differ, before anything is created.
func TestReviewShowsTheUsersExistingLink(t *testing.T) {
	f := awsopstest.New(t)
	deps := testDeps(t, f)
	spec := setup.Spec{Bucket: "old-media", Region: "eu-west-1", Prefix: "archive", PolicyName: "CrowdAI-Platform-Access-old", UserName: DefaultUserName}
	facts, err := setup.Inspect(context.Background(), f, spec, nil, f.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := setup.Decide(spec, facts, "s3l-earlier")
	if _, err := setup.Apply(context.Background(), f, setup.NewJournal(deps.RecordDir, p, journal.Record{}), p, setup.State{}, nil); err != nil {
		t.Fatal(err)
	}
	f.SetPublicAccess("old-media", awsops.PublicAccess{BlockPublicAcls: true})

	d := newDriver(t, deps)
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports/2026")
	d.press("enter")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.User)
	d.press("enter")
	d.wantView("exists (it holds 1 access key)")
	d.press("enter")
	d.wantStep(steps.Review)
	d.wantView("This user already has a link: s3://old-media/archive/ (setup s3l-earlier).",
		"✗ block public access: Block Public Access on bucket old-media is no longer",
		"Drift: 1 check differs from what setup made (block public access)")
	requireFrame(t, d)
	// Reading the link's status changed nothing.
	if pab, _, _ := f.HasBucket("old-media"); pab.AllBlocked() || f.Count("BlockPublicAccess") != 1 {
		t.Errorf("review changed the earlier link's bucket: %+v, calls %v", pab, f.Methods())
	}
	d.press("esc")
	d.wantStep(steps.User)
}

// TestReviewOfANewUserShowsNoLink: a user without a record gets no status.
func TestReviewOfANewUserShowsNoLink(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toReviewNew(t, d)
	if strings.Contains(d.view(), "already has a link") {
		t.Errorf("review of a new user mentions a link:\n%s", d.view())
	}
}
