package setup

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
)

// linked sets up spec() on a Fake and returns it with its record.
func linked(t *testing.T) (*awsopstest.Fake, Stored) {
	t.Helper()
	f := awsopstest.New(t)
	dir := t.TempDir()
	apply(t, f, plan(t, f, spec(), nil), dir)
	recs := records(t, dir)
	if len(recs) != 1 {
		t.Fatalf("records = %d, want 1", len(recs))
	}
	return f, recs[0]
}

func status(t *testing.T, f *awsopstest.Fake, st Stored, opt StatusOptions) *Status {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = awsopstest.Epoch
	}
	s, err := CheckStatus(context.Background(), f, st, opt)
	if err != nil {
		t.Fatalf("CheckStatus: %v", err)
	}
	return s
}

func check(t *testing.T, s *Status, what string) Check {
	t.Helper()
	for _, c := range s.Checks {
		if c.What == what {
			return c
		}
	}
	t.Fatalf("no check %q in %v", what, StatusLines(s))
	return Check{}
}

func TestStatusOfAFreshLinkIsClean(t *testing.T) {
	f, st := linked(t)
	n := len(f.Calls())
	s := status(t, f, st, StatusOptions{})
	if s.Drift() {
		t.Fatalf("fresh link drifts:\n%s", strings.Join(StatusLines(s), "\n"))
	}
	if got := StatusSummary(s); got != "All as set up." {
		t.Errorf("summary = %q", got)
	}
	if c := check(t, s, "permissions boundary"); !c.OK || c.Warning || c.Detail != "arn:aws:iam::123456789012:policy/Platform" {
		t.Errorf("boundary check = %+v", c)
	}
	if len(s.Keys) != 1 || !s.Keys[0].Ours || len(s.Keys[0].Warnings) != 0 {
		t.Errorf("keys = %+v", s.Keys)
	}
	// Read-only: every call status made is a read.
	for _, c := range f.Calls()[n:] {
		switch c.Method {
		case "WhoAmI", "InspectBucket", "BucketEncryption", "InspectPolicy", "InspectUser":
		default:
			t.Errorf("status made call %s", c)
		}
	}
}

func TestStatusDrift(t *testing.T) {
	policyARN := "arn:aws:iam::123456789012:policy/Platform"
	for _, tt := range []struct {
		name   string
		change func(f *awsopstest.Fake)
		what   string
		detail string
	}{
		{"encryption off", func(f *awsopstest.Fake) { f.SetEncrypted("acme-media", false) }, "default encryption", "has no default encryption any more"},
		{"public access off", func(f *awsopstest.Fake) {
			f.SetPublicAccess("acme-media", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true})
		}, "block public access", "(off: BlockPublicPolicy, RestrictPublicBuckets)"},
		{"bucket gone", func(f *awsopstest.Fake) { _ = f.DeleteBucket(context.Background(), "acme-media") }, "bucket", "does not exist any more"},
		{"policy edited", func(f *awsopstest.Fake) {
			_, _ = f.AddPolicyVersion(context.Background(), policyARN, `{"Version":"2012-10-17","Statement":[]}`)
		}, "policy document", "differs from what s3link generates"},
		{"policy on a group", func(f *awsopstest.Fake) { f.AttachToGroup("Platform", "analysts") }, "policy attachments", "also attached to group analysts"},
		{"policy detached", func(f *awsopstest.Fake) { _ = f.DetachUserPolicy(context.Background(), "platform", policyARN) }, "policy attachments", "no longer attached to user platform"},
		{"extra user policy", func(f *awsopstest.Fake) {
			arn := f.AddPolicy("Admin", `{"Version":"2012-10-17","Statement":[]}`)
			_ = f.AttachUserPolicy(context.Background(), "platform", arn)
		}, "user policies", "also holds arn:aws:iam::123456789012:policy/Admin"},
		{"boundary removed", func(f *awsopstest.Fake) { f.SetBoundary("platform", "") }, "permissions boundary", "has no permissions boundary any more"},
		{"boundary replaced", func(f *awsopstest.Fake) { f.SetBoundary("platform", "arn:aws:iam::aws:policy/AdministratorAccess") }, "permissions boundary", "AdministratorAccess, which s3link did not set"},
		{"user retagged", func(f *awsopstest.Fake) { f.TagUser("platform", "someone") }, "user", "no longer carries this setup's tag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, st := linked(t)
			tt.change(f)
			s := status(t, f, st, StatusOptions{})
			c := check(t, s, tt.what)
			if c.OK || !strings.Contains(c.Detail, tt.detail) {
				t.Fatalf("%s check = %+v, want drift saying %q", tt.what, c, tt.detail)
			}
			if !s.Drift() || !strings.HasPrefix(StatusSummary(s), "Drift:") {
				t.Errorf("summary = %q", StatusSummary(s))
			}
		})
	}
}

func TestStatusPolicyDiff(t *testing.T) {
	f, st := linked(t)
	doc := strings.Replace(awsops.PolicyDocument("acme-media", "imports"), "acme-media/imports/*", "acme-media/*", 1)
	_, _ = f.AddPolicyVersion(context.Background(), "arn:aws:iam::123456789012:policy/Platform", doc)
	c := check(t, status(t, f, st, StatusOptions{}), "policy document")
	want := []string{"-         \"arn:aws:s3:::acme-media/imports/*\"", "+         \"arn:aws:s3:::acme-media/*\""}
	var changed []string
	for _, l := range c.Diff {
		if !strings.HasPrefix(l, "  ") {
			changed = append(changed, l)
		}
	}
	if strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff changes:\n%s\nwant:\n%s\nfull diff:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"), strings.Join(c.Diff, "\n"))
	}
	if c.Diff[0] != "  …" || c.Diff[len(c.Diff)-1] != "  …" {
		t.Errorf("diff keeps far context:\n%s", strings.Join(c.Diff, "\n"))
	}
}

func TestStatusKeyAges(t *testing.T) {
	f, st := linked(t)
	id := st.Record.AccessKeys[0].ID
	for _, tt := range []struct {
		name     string
		now      time.Time
		used     time.Time
		warnings []string
	}{
		{"fresh", awsopstest.Epoch.Add(24 * time.Hour), time.Time{}, nil},
		{"unused for a month", awsopstest.Epoch.Add(31 * 24 * time.Hour), time.Time{}, []string{"never used in 31 days; check that the platform still has it"}},
		{"used lately", awsopstest.Epoch.Add(31 * 24 * time.Hour), awsopstest.Epoch.Add(30 * 24 * time.Hour), nil},
		{"idle since", awsopstest.Epoch.Add(62 * 24 * time.Hour), awsopstest.Epoch.Add(24 * time.Hour), []string{"unused for 61 days; check that the platform still has it"}},
		{"old and used", awsopstest.Epoch.Add(91 * 24 * time.Hour), awsopstest.Epoch.Add(90 * 24 * time.Hour), []string{"91 days old, past 90 days; rotate it with 's3link rotate'"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.UseKey("platform", id, tt.used)
			s := status(t, f, st, StatusOptions{Now: tt.now})
			if len(s.Keys) != 1 || strings.Join(s.Keys[0].Warnings, "|") != strings.Join(tt.warnings, "|") {
				t.Fatalf("key warnings = %q, want %q", s.Keys[0].Warnings, tt.warnings)
			}
			c := check(t, s, "access key "+id)
			if !c.OK || c.Warning != (len(tt.warnings) > 0) || s.Drift() {
				t.Errorf("key check = %+v; drift %v", c, s.Drift())
			}
		})
	}
}

func TestStatusKeyGone(t *testing.T) {
	f, st := linked(t)
	id := st.Record.AccessKeys[0].ID
	_ = f.DeleteAccessKey(context.Background(), "platform", id)
	s := status(t, f, st, StatusOptions{})
	if c := check(t, s, "access key "+id); c.OK || !strings.Contains(c.Detail, "no longer exists") {
		t.Errorf("gone key check = %+v", c)
	}
	if c := check(t, s, "active key"); c.OK {
		t.Errorf("active key check = %+v", c)
	}
}

func TestStatusInAnotherAccountChecksNothingElse(t *testing.T) {
	f, st := linked(t)
	f.Identity.Account = "210987654321"
	n := len(f.Calls())
	s := status(t, f, st, StatusOptions{})
	if c := check(t, s, "account"); c.OK || !strings.Contains(c.Detail, "belongs to AWS account 123456789012, but your credentials are for account 210987654321") {
		t.Errorf("account check = %+v", c)
	}
	if len(s.Checks) != 1 {
		t.Errorf("checks = %v, want only the account", StatusLines(s))
	}
	if calls := f.Calls()[n:]; len(calls) != 1 || calls[0].Method != "WhoAmI" {
		t.Errorf("calls = %v, want WhoAmI only", calls)
	}
}

func TestStatusProbe(t *testing.T) {
	denyOutside := func(bucket, key string) error {
		if strings.HasPrefix(key, "imports/") {
			return nil
		}
		return fmt.Errorf("head %s: %w", key, awsops.ErrAccessDenied)
	}
	for _, tt := range []struct {
		name   string
		probe  func(bucket, key string) error
		first  string
		listOK bool
		failed []string
	}{
		{"least privilege", denyOutside, "imports/a.jpg", true, nil},
		{"empty location", func(b, k string) error {
			if strings.HasPrefix(k, "imports/") {
				return fmt.Errorf("head %s: %w", k, awsops.ErrNotFound)
			}
			return fmt.Errorf("head %s: %w", k, awsops.ErrAccessDenied)
		}, "", true, nil},
		{"too wide", nil, "imports/a.jpg", true, []string{"probe: outside"}},
		{"reads nothing", func(b, k string) error { return fmt.Errorf("head %s: %w", k, awsops.ErrAccessDenied) }, "imports/a.jpg", true, []string{"probe: read"}},
		{"cannot list", denyOutside, "", false, []string{"probe: list"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, st := linked(t)
			f.Probe = tt.probe
			f.ProbeFirst["acme-media/imports"] = tt.first
			if !tt.listOK {
				f.Fail("ProbeList", fmt.Errorf("list: %w", awsops.ErrAccessDenied))
			}
			s := status(t, f, st, StatusOptions{Probe: f, ProbeKeyID: st.Record.AccessKeys[0].ID, ProbeFrom: "key.csv"})
			var failed []string
			for _, c := range s.Failed() {
				failed = append(failed, c.What)
			}
			if strings.Join(failed, ",") != strings.Join(tt.failed, ",") {
				t.Fatalf("failed checks = %v, want %v\n%s", failed, tt.failed, strings.Join(StatusLines(s), "\n"))
			}
		})
	}
}

func TestStatusExplainsAnInterruptedRotation(t *testing.T) {
	f, st := linked(t)
	old := st.Record.AccessKeys[0].ID
	k, err := f.CreateAccessKey(context.Background(), "platform")
	if err != nil {
		t.Fatal(err)
	}
	st.Record.Rotation = &journal.Rotation{OldKeyID: old, NewKeyID: k.ID, Stage: journal.RotateDelivered, StartedAt: awsopstest.Epoch}
	st.Record.AccessKeys = append(st.Record.AccessKeys, journal.Key{ID: k.ID, Created: k.Created})
	s := status(t, f, st, StatusOptions{})
	want := fmt.Sprintf("A key rotation was interrupted: new key %s created and saved (old key %s still active), not yet proven; run s3link rotate again to finish it.", k.ID, old)
	if len(s.Notes) != 1 || s.Notes[0] != want {
		t.Errorf("notes = %q, want %q", s.Notes, want)
	}
	if got := StatusSummary(s); got != "As set up, with an unfinished run noted above." {
		t.Errorf("summary = %q", got)
	}
}

// TestStatusOfTwoLocationsOfOneUser: each link's status knows the other
// link's policy and the widened boundary as s3link's.
func TestStatusOfTwoLocationsOfOneUser(t *testing.T) {
	f := awsopstest.New(t)
	dir := t.TempDir()
	apply(t, f, plan(t, f, spec(), nil), dir)
	s2 := Spec{Bucket: "acme-other", Region: "eu-west-1", Prefix: "two", PolicyName: "Platform", UserName: "platform"}
	facts, err := Inspect(context.Background(), f, s2, records(t, dir), awsopstest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, f, Decide(s2, facts, "s3l-second"), dir)
	recs := records(t, dir)
	if len(recs) != 2 {
		t.Fatalf("records = %d", len(recs))
	}
	for _, st := range recs {
		s := status(t, f, st, StatusOptions{Records: recs})
		if s.Drift() {
			t.Errorf("status of %s drifts:\n%s", st.Record.SetupID, strings.Join(StatusLines(s), "\n"))
		}
		// Without the other record, the other policy is someone else's.
		alone := status(t, f, st, StatusOptions{})
		if c := check(t, alone, "user policies"); c.OK {
			t.Errorf("status of %s without the other record accepts its policy: %+v", st.Record.SetupID, c)
		}
	}
}
