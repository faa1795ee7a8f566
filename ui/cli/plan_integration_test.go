//go:build e2e

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
)

// These tests check `s3link setup --plan` on a real moto_server: it creates
// nothing, and what its CloudFormation template and its AWS CLI script make
// on a fresh moto is what `s3link setup --non-interactive` makes on
// another, as the AWS CLI sees both.

// planArgs is the location every test here plans.
var planArgs = []string{"--bucket", "media-plan", "--region", "eu-west-1", "--prefix", "path/to/files", "--tag", "team=imaging"}

// awsMaybe is aws for a read that may fail (a setting that is not there):
// it reports whether the call succeeded.
func (e *env) awsMaybe(v any, args ...string) bool {
	e.t.Helper()
	out, err := execAWS(e, args...).Output()
	if err != nil {
		return false
	}
	if v != nil && len(bytes.TrimSpace(out)) > 0 {
		if err := json.Unmarshal(out, v); err != nil {
			e.t.Fatalf("aws %s: decode: %v", strings.Join(args, " "), err)
		}
	}
	return true
}

// linkView is what exists after a setup, as the AWS CLI reports it. The
// value of the setup-id tag is replaced by "<id>" (each run has its own).
type linkView struct {
	Buckets           []string
	BucketRegion      string
	PublicAccess      map[string]bool
	Encryption        string
	BucketTags        map[string]string
	Policies          []string
	PolicyDocument    any
	PolicyDescription string
	PolicyTags        map[string]string
	Users             []string
	Boundary          string
	UserTags          map[string]string
	Attached          []string
	Keys              int
}

func tagMap(tags []struct{ Key, Value string }) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
		if t.Key == awsops.SetupTagKey && t.Value != "" {
			m[t.Key] = "<id>"
		}
	}
	return m
}

func (e *env) view(bucket, policy, user string) linkView {
	e.t.Helper()
	v := linkView{Buckets: e.bucketNames(), Policies: e.localPolicies(), Users: e.userNames()}
	var loc struct{ LocationConstraint string }
	e.aws(&loc, "s3api", "get-bucket-location", "--bucket", bucket)
	v.BucketRegion = loc.LocationConstraint
	var pab struct{ PublicAccessBlockConfiguration map[string]bool }
	if e.awsMaybe(&pab, "s3api", "get-public-access-block", "--bucket", bucket) {
		v.PublicAccess = pab.PublicAccessBlockConfiguration
	}
	var enc struct {
		ServerSideEncryptionConfiguration struct {
			Rules []struct{ ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm string } }
		}
	}
	if e.awsMaybe(&enc, "s3api", "get-bucket-encryption", "--bucket", bucket) && len(enc.ServerSideEncryptionConfiguration.Rules) > 0 {
		v.Encryption = enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm
	}
	var bt struct{ TagSet []struct{ Key, Value string } }
	if e.awsMaybe(&bt, "s3api", "get-bucket-tagging", "--bucket", bucket) {
		v.BucketTags = tagMap(bt.TagSet)
	}
	arn := "arn:aws:iam::123456789012:policy/" + policy
	var pol struct {
		Policy struct {
			Description string
			Tags        []struct{ Key, Value string }
		}
	}
	e.aws(&pol, "iam", "get-policy", "--policy-arn", arn)
	v.PolicyDescription, v.PolicyTags = pol.Policy.Description, tagMap(pol.Policy.Tags)
	_, v.PolicyDocument = e.policyVersions(arn)
	var u struct {
		User struct {
			PermissionsBoundary struct{ PermissionsBoundaryArn string }
		}
	}
	e.aws(&u, "iam", "get-user", "--user-name", user)
	v.Boundary = u.User.PermissionsBoundary.PermissionsBoundaryArn
	var ut struct{ Tags []struct{ Key, Value string } }
	e.aws(&ut, "iam", "list-user-tags", "--user-name", user)
	v.UserTags = tagMap(ut.Tags)
	v.Attached = e.attachedPolicies(user)
	v.Keys = len(e.accessKeyIDs(user))
	return v
}

// setupView runs `s3link setup --non-interactive` for planArgs on a fresh
// moto and returns what it made.
func setupView(t *testing.T) linkView {
	t.Helper()
	e := newEnv(t)
	args := append([]string{"setup", "--non-interactive", "--csv", filepath.Join(e.dir, "key.csv")}, planArgs...)
	if code, out, stderr := e.run(args...); code != 0 {
		t.Fatalf("setup exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	return e.view("media-plan", defaultPolicyName, defaultUserName)
}

// waitStack polls describe-stacks until the stack is made, and returns its
// outputs.
func waitStack(e *env, region, name string) map[string]string {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var out struct {
			Stacks []struct {
				StackStatus       string
				StackStatusReason string
				Outputs           []struct{ OutputKey, OutputValue string }
			}
		}
		e.aws(&out, "cloudformation", "describe-stacks", "--region", region, "--stack-name", name)
		if len(out.Stacks) != 1 {
			e.t.Fatalf("describe-stacks: %d stacks", len(out.Stacks))
		}
		st := out.Stacks[0]
		switch {
		case st.StackStatus == "CREATE_COMPLETE":
			outputs := map[string]string{}
			for _, o := range st.Outputs {
				outputs[o.OutputKey] = o.OutputValue
			}
			return outputs
		case strings.HasSuffix(st.StackStatus, "_FAILED") || strings.Contains(st.StackStatus, "ROLLBACK"):
			e.t.Fatalf("stack %s: %s (%s)", name, st.StackStatus, st.StackStatusReason)
		case time.Now().After(deadline):
			e.t.Fatalf("stack %s still %s after 60s", name, st.StackStatus)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestPlanCreatesNothing(t *testing.T) {
	e := newEnv(t)
	plan := func(format string, extra ...string) (string, string) {
		t.Helper()
		args := append(append([]string{"setup", "--plan", "--format", format}, planArgs...), extra...)
		code, out, stderr := e.run(args...)
		if code != 0 {
			t.Fatalf("--plan --format %s exit %d\nstdout:\n%s\nstderr:\n%s", format, code, out, stderr)
		}
		return out, stderr
	}

	out, _ := plan("text")
	for _, want := range []string{"Signed in as arn:aws:sts::123456789012:", "· bucket media-plan: create", " 1. Create bucket media-plan in eu-west-1",
		" 7. Create an access key for crowdai-platform-access", "aws iam create-access-key --user-name crowdai-platform-access"} {
		if !strings.Contains(out, want) {
			t.Errorf("text plan lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "\nNothing was created (plan only).\n") {
		t.Errorf("text plan does not end saying nothing was created:\n%s", out)
	}

	out, _ = plan("json")
	var j struct {
		Version  int
		SetupID  string `json:"setupId"`
		Account  string
		Location string
		Items    []struct{ What, Name, Decision, Reason string }
		Actions  []struct{ Kind, Title, Command string }
		Warnings []string
		Refusals []string
		Complete bool
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("json plan: %v\n%s", err, out)
	}
	if j.Version != 1 || !strings.HasPrefix(j.SetupID, "s3l-") || j.Account != "123456789012" || j.Location != "s3://media-plan/path/to/files/" ||
		len(j.Items) != 5 || len(j.Actions) != 7 || j.Warnings == nil || j.Refusals == nil || !j.Complete {
		t.Errorf("json plan = %+v", j)
	}

	out, _ = plan("cloudformation")
	var tmpl struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal([]byte(out), &tmpl); err != nil || len(tmpl.Resources) != 4 {
		t.Errorf("cloudformation plan: %v, %d resources\n%s", err, len(tmpl.Resources), out)
	}
	if out, _ = plan("terraform"); !strings.Contains(out, `resource "aws_iam_access_key" "s3link"`) {
		t.Errorf("terraform plan:\n%s", out)
	}

	dir := filepath.Join(t.TempDir(), "plan")
	plan("cli", "--out", dir)
	for name, mode := range map[string]os.FileMode{".": 0o700, "policy.json": 0o600, "setup.sh": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v; want %v", name, err, fi.Mode().Perm(), mode)
		}
	}
	if doc, _ := os.ReadFile(filepath.Join(dir, "policy.json")); string(doc) != awsops.PolicyDocument("media-plan", "path/to/files") {
		t.Errorf("policy.json is not the policy document:\n%s", doc)
	}

	if b, u, p, r := e.bucketNames(), e.userNames(), e.localPolicies(), e.records(); len(b)+len(u)+len(p)+len(r) != 0 {
		t.Errorf("--plan left buckets %v, users %v, policies %v, records %v", b, u, p, r)
	}
}

func TestPlanThatRefusesExitsOne(t *testing.T) {
	e := newEnv(t)
	e.aws(nil, "iam", "create-user", "--user-name", defaultUserName)
	const refusal = "An IAM user named crowdai-platform-access already exists and s3link did not create it"
	for _, format := range []string{"text", "json", "cli", "cloudformation", "terraform"} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "plan")
			args := append([]string{"setup", "--plan", "--format", format}, planArgs...)
			if format == "cli" {
				args = append(args, "--out", dir)
			}
			code, out, stderr := e.run(args...)
			if code != 1 || !strings.Contains(stderr, refusal) {
				t.Fatalf("exit %d, stderr %q; want 1 and the refusal", code, stderr)
			}
			switch format {
			case "text":
				if strings.Contains(out, "Nothing was created") || strings.Contains(out, "1. Create") {
					t.Errorf("a refused text plan lists calls:\n%s", out)
				}
			case "json":
				var j struct {
					Complete bool
					Refusals []string
				}
				if err := json.Unmarshal([]byte(out), &j); err != nil || j.Complete || len(j.Refusals) != 1 {
					t.Errorf("refused json plan = %+v, %v", j, err)
				}
			default:
				if out != "" {
					t.Errorf("a refused %s plan printed:\n%s", format, out)
				}
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("a refused %s plan made %s", format, dir)
				}
			}
		})
	}
	if b, p := e.bucketNames(), e.localPolicies(); len(b)+len(p) != 0 {
		t.Errorf("--plan left buckets %v, policies %v", b, p)
	}
}

// The plan flags are checked before any AWS call: the endpoint here
// answers nothing, so a call would fail with exit 1, not 2.
func TestPlanFlagsAreCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("S3LINK_CONFIG_DIR", filepath.Join(dir, "s3link"))
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	taken := filepath.Join(dir, "taken")
	if err := os.Mkdir(taken, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(taken, "setup.sh"), []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"format without plan", []string{"--format", "json"}, "go with --plan"},
		{"unknown format", []string{"--plan", "--format", "yaml"}, `--format "yaml" is not a plan format`},
		{"cli without out", []string{"--plan", "--format", "cli"}, "name it with --out DIR"},
		{"out with text", []string{"--plan", "--out", dir}, "--format text prints to stdout"},
		{"no-key-output with json", []string{"--plan", "--format", "json", "--no-key-output"}, "--no-key-output is for"},
		{"json and another format", []string{"--plan", "--json", "--format", "terraform"}, "ask for two forms"},
		{"existing script", []string{"--plan", "--format", "cli", "--out", taken}, "setup.sh already exists"},
		{"out is a file", []string{"--plan", "--format", "terraform", "--out", filepath.Join(taken, "setup.sh")}, "is a file"},
		{"bad bucket", []string{"--plan", "--bucket", "Bad_Name"}, "Bad_Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"setup"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--bucket") {
				args = append(args, "--bucket", "media-plan", "--region", "eu-west-1")
			}
			var out, errb bytes.Buffer
			g := &Globals{In: strings.NewReader(""), Out: &out, Err: &errb}
			code := Execute(context.Background(), g, append(args, "--endpoint-url", "http://127.0.0.1:1"))
			if code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(taken, "setup.sh")); string(b) != "mine\n" {
		t.Errorf("an existing setup.sh was changed: %q", b)
	}
}

// The CloudFormation template, deployed to a fresh moto, makes what setup
// makes. moto 5.2.1 keeps, of the template: the bucket (name, region,
// BucketEncryption, Tags), the policy (name, document, description) and
// the access key. It ignores the bucket's PublicAccessBlockConfiguration
// and every property of AWS::IAM::User but its name (Tags,
// PermissionsBoundary, ManagedPolicyArns), so the stack's user has no tags
// and no attachment; those are pinned by the template's golden
// (awsops/setup/testdata/TestExportFreshAccount/cloudformation.golden),
// and asserted absent here so that a moto that keeps them shows up. moto
// drops every user's PermissionsBoundary, setup's too, so no boundary is
// compared. AWS::IAM::ManagedPolicy has no Tags in CloudFormation itself:
// the stack's policy carries no setup id by design (the stack owns it).
func TestPlanCloudFormationDeploysWhatSetupCreates(t *testing.T) {
	want := setupView(t)

	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "plan")
	args := append([]string{"setup", "--plan", "--format", "cloudformation", "--out", dir}, planArgs...)
	if code, out, stderr := e.run(args...); code != 0 {
		t.Fatalf("--plan exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	e.aws(nil, "cloudformation", "create-stack", "--region", "eu-west-1", "--stack-name", "s3link",
		"--template-body", "file://"+filepath.Join(dir, planTemplateFile), "--capabilities", "CAPABILITY_NAMED_IAM")
	outputs := waitStack(e, "eu-west-1", "s3link")
	got := e.view("media-plan", defaultPolicyName, defaultUserName)
	t.Logf("the stack made %+v", got)
	t.Logf("setup made %+v", want)

	if ids := e.accessKeyIDs(defaultUserName); len(ids) != 1 || outputs["AccessKeyId"] != ids[0] || outputs["SecretAccessKey"] == "" {
		t.Errorf("stack outputs: AccessKeyId %q (user's keys %v), secret given %v", outputs["AccessKeyId"], ids, outputs["SecretAccessKey"] != "")
	}
	ignored := linkView{PublicAccess: got.PublicAccess, PolicyTags: got.PolicyTags, UserTags: got.UserTags, Attached: got.Attached}
	if !reflect.DeepEqual(ignored, linkView{}) {
		t.Errorf("moto now keeps more of the template (%+v): compare it with setup's (%+v)", ignored, want)
	}
	if want.PublicAccess == nil || want.UserTags == nil || len(want.Attached) != 1 {
		t.Errorf("setup's own link is incomplete: %+v", want)
	}
	// What moto keeps is compared; what it ignores is set from setup's.
	got.PublicAccess, got.UserTags, got.Attached = want.PublicAccess, want.UserTags, want.Attached
	got.PolicyTags = want.PolicyTags
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the stack made\n%+v\nsetup made\n%+v", got, want)
	}
}

// setup.sh, run with bash against a fresh moto, makes what setup makes. The
// AWS CLI v1 here (1.45) honours AWS_ENDPOINT_URL, so the script runs as
// written with only that variable set. moto 5.2.1 drops the Tags of
// create-bucket's CreateBucketConfiguration, so the script's bucket has
// no tags (AWS keeps them; setup re-tags a bucket whose tags were dropped).
func TestPlanCLIScriptCreatesWhatSetupCreates(t *testing.T) {
	want := setupView(t)

	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "plan")
	args := append([]string{"setup", "--plan", "--format", "cli", "--out", dir}, planArgs...)
	if code, out, stderr := e.run(args...); code != 0 {
		t.Fatalf("--plan exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	script, _ := os.ReadFile(filepath.Join(dir, setup.ScriptFile))
	if !strings.HasPrefix(string(script), "#!/usr/bin/env bash\n") || !strings.Contains(string(script), "\nset -euo pipefail\n") {
		t.Errorf("setup.sh:\n%s", script)
	}
	// Run from elsewhere: the script finds policy.json beside itself.
	cmd := exec.Command("bash", filepath.Join(dir, setup.ScriptFile))
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+e.endpoint)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// stdout carries the new secret: it is never shown.
	if _, err := cmd.Output(); err != nil {
		t.Fatalf("bash setup.sh: %v\n%s", err, stderr.String())
	}
	got := e.view("media-plan", defaultPolicyName, defaultUserName)
	// The script tags the bucket again after creating it, as setup does,
	// so the tags match although moto drops create-bucket's own.
	if !reflect.DeepEqual(got, want) {
		t.Errorf("setup.sh made\n%+v\nsetup made\n%+v", got, want)
	}
	if !maps.Equal(want.UserTags, map[string]string{awsops.SetupTagKey: "<id>", "team": "imaging"}) {
		t.Errorf("setup's user tags = %v", want.UserTags)
	}
}
