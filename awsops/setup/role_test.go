package setup

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/awsops/setup/journal"
)

func roleSpec() Spec {
	return Spec{Bucket: "acme-media", Region: "eu-west-1", Prefix: "imports", PolicyName: "Platform",
		Access: AccessRole, TrustedAccount: "111122223333", RoleName: "platform-reader", ExternalID: "ext-id-for-tests-0123456789abcdef"}
}

func TestDecideRoleFreshAccount(t *testing.T) {
	f := awsopstest.New(t)
	p := plan(t, f, roleSpec(), nil)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	want := []ActionKind{ActCreateBucket, ActBlockPublic, ActEncryption, ActCreatePolicy, ActCreateRole, ActAttachRolePolicy}
	if got := kinds(p); !slices.Equal(got, want) {
		t.Fatalf("actions = %v, want %v", got, want)
	}
	if p.User.Decision != None || p.Key.Decision != None || p.Attach.Decision != None {
		t.Errorf("a role link plans a user (%q), key (%q) or user attachment (%q)", p.User.Decision, p.Key.Decision, p.Attach.Decision)
	}
	if f.Count("InspectUser") != 0 {
		t.Errorf("a role link inspected a user: %v", f.Methods())
	}
	dir := t.TempDir()
	st, j := apply(t, f, p, dir)
	trust, ok := f.RoleTrust("platform-reader")
	if !ok || trust != awsops.TrustPolicyDocument("111122223333", "ext-id-for-tests-0123456789abcdef") {
		t.Errorf("role trust = %q (exists %v)", trust, ok)
	}
	if !f.RoleAttached("platform-reader", "arn:aws:iam::123456789012:policy/Platform") {
		t.Error("policy not attached to the role")
	}
	rf, _ := f.InspectRole(context.Background(), "platform-reader")
	if rf.Boundary != "arn:aws:iam::123456789012:policy/Platform" || rf.SetupID != p.SetupID {
		t.Errorf("role boundary %q, tag %q; want the policy and %q", rf.Boundary, rf.SetupID, p.SetupID)
	}
	if st.Role.ARN != "arn:aws:iam::123456789012:role/platform-reader" || p.RoleARN(st) != st.Role.ARN {
		t.Errorf("state role = %+v", st.Role)
	}
	rec, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	want2 := journal.Role{Name: "platform-reader", ARN: st.Role.ARN, ExternalID: "ext-id-for-tests-0123456789abcdef", TrustedAccount: "111122223333", Created: true, Attached: true}
	if rec.Role == nil || *rec.Role != want2 {
		t.Errorf("record role = %+v, want %+v", rec.Role, want2)
	}
	if rec.User.Name != "" || len(rec.AccessKeys) != 0 {
		t.Errorf("record of a role link names a user or keys: %+v", rec)
	}

	// A re-run continues the record, keeps its external id (the spec asks
	// for none) and creates nothing.
	s := roleSpec()
	s.ExternalID = ""
	again := plan(t, f, s, records(t, dir))
	if err := again.Err(); err != nil {
		t.Fatal(err)
	}
	if !again.Continues || again.ExternalID != "ext-id-for-tests-0123456789abcdef" || len(again.Actions) > 1 {
		t.Errorf("re-run: continues %v, external id %q, actions %v", again.Continues, again.ExternalID, kinds(again))
	}
	if again.Role.Decision != Reuse || !again.Role.Ours || again.RoleAttach.Decision != Reuse {
		t.Errorf("re-run role %+v, attach %+v", again.Role, again.RoleAttach)
	}
}

func TestDecideRoleRefusesARoleNotOurs(t *testing.T) {
	f := awsopstest.New(t)
	f.AddRole("platform-reader", `{"Version":"2012-10-17","Statement":[]}`)
	p := plan(t, f, roleSpec(), nil)
	if !errors.Is(p.Err(), ErrRefused) || p.Role.Decision != Refuse {
		t.Fatalf("plan err %v, role %+v", p.Err(), p.Role)
	}
	if !strings.Contains(p.Role.Reason, "s3link did not create it") || !strings.Contains(p.Role.Reason, "--role-name") {
		t.Errorf("reason = %q", p.Role.Reason)
	}
	if len(p.Actions) != 0 {
		t.Errorf("refused plan has actions %v", kinds(p))
	}
}

func TestDecideRoleNewExternalIDWhenNoneGiven(t *testing.T) {
	s := roleSpec()
	s.ExternalID = ""
	a := plan(t, awsopstest.New(t), s, nil)
	b := plan(t, awsopstest.New(t), s, nil)
	if len(a.ExternalID) != awsops.ExternalIDLen || a.ExternalID == b.ExternalID {
		t.Errorf("external ids %q and %q: want two random %d-character ids", a.ExternalID, b.ExternalID, awsops.ExternalIDLen)
	}
	if !strings.Contains(a.TrustDocument, a.ExternalID) {
		t.Errorf("trust document lacks the external id: %s", a.TrustDocument)
	}
}

func TestTeardownRemovesOurRoleAndKeepsAnUntaggedOne(t *testing.T) {
	f := awsopstest.New(t)
	p := plan(t, f, roleSpec(), nil)
	dir := t.TempDir()
	apply(t, f, p, dir)
	st := records(t, dir)[0]
	u, err := PlanUndo(context.Background(), f, st, UndoOptions{DeleteBucket: true})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range u.Removals {
		titles = append(titles, r.Title)
	}
	want := []string{"delete IAM role platform-reader (its policy detached first)", "delete IAM policy Platform", "delete bucket acme-media (only if empty)"}
	if !slices.Equal(titles, want) {
		t.Fatalf("removals = %q, want %q", titles, want)
	}
	res, err := u.Run(context.Background(), f, nil)
	if err != nil || len(res.Failed) > 0 || !res.RecordRemoved {
		t.Fatalf("run: %v, %+v", err, res)
	}
	if _, ok := f.RoleTrust("platform-reader"); ok {
		t.Error("role still there")
	}

	// Same name, not ours: the record claims it, AWS shows no tag.
	p = plan(t, f, roleSpec(), nil)
	apply(t, f, p, dir)
	if err := f.DeleteRole(context.Background(), "platform-reader"); err != nil {
		t.Fatal(err)
	}
	f.AddRole("platform-reader", `{"Version":"2012-10-17","Statement":[]}`)
	u, err = PlanUndo(context.Background(), f, records(t, dir)[0], UndoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range u.Removals {
		if strings.Contains(r.Title, "role") {
			t.Errorf("teardown removes a role it cannot prove ours: %s", r.Title)
		}
	}
	if !slices.ContainsFunc(u.Kept, func(k Kept) bool {
		return k.What == "IAM role platform-reader" && strings.Contains(k.Why, "does not carry s3link's tag")
	}) {
		t.Errorf("kept = %v, want the untagged role named", u.Kept)
	}
	if _, err := u.Run(context.Background(), f, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.RoleTrust("platform-reader"); !ok {
		t.Error("teardown deleted a role that is not s3link's")
	}
}

func TestRollbackRemovesTheRole(t *testing.T) {
	f := awsopstest.New(t)
	f.FailOnce("AttachRolePolicy", errors.New("throttled"))
	p := plan(t, f, roleSpec(), nil)
	dir := t.TempDir()
	j := NewJournal(dir, p, journal.Record{})
	st, err := Apply(context.Background(), f, j, p, State{}, nil)
	if err == nil || !st.Completed(ActCreateRole) {
		t.Fatalf("apply: %v, done %v", err, st.Done)
	}
	if _, err := Rollback(context.Background(), f, j, p, st, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.RoleTrust("platform-reader"); ok {
		t.Error("rollback left the role")
	}
	if _, err := os.Stat(j.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("record after a full rollback: %v", err)
	}
}

func TestRolePlanExports(t *testing.T) {
	p := plan(t, awsopstest.New(t), roleSpec(), nil)
	var text strings.Builder
	if err := ExportText(&text, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"· role platform-reader: create, new, assumed by account 111122223333", "aws iam create-role --role-name platform-reader", "file://trust.json", "aws iam attach-role-policy --role-name platform-reader"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text plan lacks %q:\n%s", want, text.String())
		}
	}
	e := NewPlanExport(p)
	if !slices.ContainsFunc(e.Items, func(it ExportItem) bool {
		return it.What == "role" && it.Name == "platform-reader" && it.Decision == Create
	}) {
		t.Errorf("json plan items = %+v", e.Items)
	}
	cfn, err := ExportCloudFormation(p, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]json.RawMessage
		}
		Outputs map[string]struct{ Value any }
	}
	if err := json.Unmarshal(cfn, &tpl); err != nil {
		t.Fatal(err)
	}
	role := tpl.Resources["Role"]
	if role.Type != "AWS::IAM::Role" || !reflect.DeepEqual(jsonOf(t, string(role.Properties["PermissionsBoundary"])), jsonOf(t, `{"Ref":"Policy"}`)) {
		t.Errorf("role resource %s, boundary %s", role.Type, role.Properties["PermissionsBoundary"])
	}
	var trust any
	if err := json.Unmarshal(role.Properties["AssumeRolePolicyDocument"], &trust); err != nil || !reflect.DeepEqual(trust, jsonOf(t, p.TrustDocument)) {
		t.Errorf("template trust = %s", role.Properties["AssumeRolePolicyDocument"])
	}
	if tpl.Outputs["ExternalId"].Value != p.ExternalID {
		t.Errorf("outputs = %+v", tpl.Outputs)
	}
	if _, ok := tpl.Resources["User"]; ok {
		t.Error("a role template makes a user")
	}
	tf, err := ExportTerraform(p, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "aws_iam_role" "s3link"`, `name                 = "platform-reader"`, `"sts:ExternalId": "` + p.ExternalID, `resource "aws_iam_role_policy_attachment" "s3link"`, `output "external_id"`} {
		if !strings.Contains(string(tf), want) {
			t.Errorf("terraform lacks %q:\n%s", want, tf)
		}
	}
	if strings.Contains(string(tf), "aws_iam_user") {
		t.Error("a role configuration makes a user")
	}
	files := CommandFiles(p)
	if !slices.ContainsFunc(files, func(f File) bool { return f.Name == TrustFile && string(f.Data) == p.TrustDocument }) {
		t.Errorf("command files lack %s", TrustFile)
	}
}

func jsonOf(t *testing.T, doc string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStatusOfARoleLink(t *testing.T) {
	f := awsopstest.New(t)
	p := plan(t, f, roleSpec(), nil)
	dir := t.TempDir()
	apply(t, f, p, dir)
	recs := records(t, dir)
	s, err := CheckStatus(context.Background(), f, recs[0], StatusOptions{Now: awsopstest.Epoch, Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	if s.Drift() {
		t.Fatalf("a fresh role link drifts: %v", StatusLines(s))
	}
	for _, what := range []string{"role", "role trust", "permissions boundary", "policy attachments"} {
		if !slices.ContainsFunc(s.Checks, func(c Check) bool { return c.What == what && c.OK }) {
			t.Errorf("no passing %q check: %v", what, StatusLines(s))
		}
	}
	if f.Count("InspectUser") != 0 {
		t.Errorf("status of a role link looked up a user: %v", f.Methods())
	}
	// Someone widens who may assume it.
	if err := f.DeleteRole(context.Background(), "platform-reader"); err != nil {
		t.Fatal(err)
	}
	f.AddRole("platform-reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)
	s, err = CheckStatus(context.Background(), f, recs[0], StatusOptions{Now: awsopstest.Epoch, Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, c := range s.Failed() {
		failed = append(failed, c.What)
	}
	if !slices.Contains(failed, "role") || !slices.Contains(failed, "role trust") || !slices.Contains(failed, "policy attachments") {
		t.Errorf("failed checks = %v, want the tag, the trust and the attachment", failed)
	}
}
