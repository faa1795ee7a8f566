package ui

import (
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/steps"
)

// toAccess walks a new bucket's flow to the access choice.
func toAccess(t *testing.T, d *driver) {
	t.Helper()
	toLocationNew(t, d, "acme-media", "eu-west-1")
	toPolicy(t, d, "imports/2026")
	d.press("enter")
	d.wantStep(steps.Access)
}

func TestAccessView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toAccess(t, d)
	d.wantView("> An access key, as the manual procedure does (the default)", "An IAM role the platform assumes: no secret to copy", "step 5 of 9")
	requireFrame(t, d)
}

func TestAccessRoleView(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toAccess(t, d)
	d.press("down", "enter")
	d.typeText("1111-2222-3333")
	d.press("enter")
	d.wantStep(steps.Access)
	d.wantView("without dashes or spaces: 111122223333.")
	d.press("ctrl+u")
	d.typeText("111122223333")
	d.wantView("Platform account  111122223333", "may assume, and only with a random external id")
	requireFrame(t, d)
}

func TestFlowRole(t *testing.T) {
	f := awsopstest.New(t)
	deps := testDeps(t, f)
	deps.RecordDir = "" // its path is random
	d := newDriver(t, deps)
	toAccess(t, d)
	d.press("down", "enter")
	d.typeText("111122223333")
	// The wizard makes a random external id once; a fixed one keeps the
	// golden the same on every run.
	d.app.w.spec.ExternalID = "GoldenExternalId0123456789abcdef"
	d.press("enter")
	// No user to name: straight to review, which plans the role.
	d.wantStep(steps.Review)
	d.wantView("Create IAM role crowdai-platform-access, assumed by account 111122223333")
	if strings.Contains(d.view(), "IAM user") || strings.Contains(d.view(), "access key for") {
		t.Errorf("a role link's review plans a user or key:\n%s", d.view())
	}
	ext := d.app.w.spec.ExternalID
	if ext != "GoldenExternalId0123456789abcdef" {
		t.Fatalf("external id %q, want the one made before", ext)
	}
	// Back and forth keeps the same external id.
	d.press("esc")
	d.wantStep(steps.Access)
	d.press("enter")
	d.wantStep(steps.Review)
	if d.app.w.spec.ExternalID != ext {
		t.Errorf("external id changed from %q to %q", ext, d.app.w.spec.ExternalID)
	}
	// No key screen: after the plan ran, the proof download with the role.
	d.press("enter")
	d.wantStep(steps.Sync)
	d.wantView("Prove that the role works", "with the role, assumed with its external id")
	if c := d.app.syncScr().cfg; c.AssumeRole == nil || c.AssumeRole.ExternalID != ext || c.AssumeRole.ARN != "arn:aws:iam::123456789012:role/crowdai-platform-access" || c.Static != nil && c.Static.AccessKeyID == "" {
		t.Errorf("proof config = %+v", c)
	}
	d.press("esc")
	d.wantStep(steps.Done)
	d.wantView("Role ARN", "arn:aws:iam::123456789012:role/crowdai-platform-access", ext)
	requireFrame(t, d)
	if _, ok := f.RoleTrust("crowdai-platform-access"); !ok {
		t.Error("the role was not created")
	}
	if u, _ := f.UserKeys(DefaultUserName); len(u) != 0 {
		t.Errorf("a role link made keys: %v", u)
	}
	d.press("enter")
	sum := d.app.Summary()
	for _, want := range []string{"Role ARN", ext, "No secret: only account 111122223333 may assume the role"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if f.Count("CreateUser")+f.Count("CreateAccessKey") != 0 {
		t.Errorf("calls = %v", f.Methods())
	}
}

func TestAccessMakesOneExternalID(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	toAccess(t, d)
	d.press("down", "enter")
	d.typeText("111122223333")
	d.press("enter")
	d.wantStep(steps.Review)
	ext := d.app.w.spec.ExternalID
	if len(ext) != awsops.ExternalIDLen {
		t.Fatalf("external id %q, want %d characters", ext, awsops.ExternalIDLen)
	}
	// Back to an access key: the role's answers go, the user comes back.
	d.press("esc")
	d.wantStep(steps.Access)
	d.press("esc", "up", "enter")
	d.wantStep(steps.User)
	if d.app.w.spec.Role() || d.app.w.spec.ExternalID != "" {
		t.Errorf("spec after choosing a key again = %+v", d.app.w.spec)
	}
}
