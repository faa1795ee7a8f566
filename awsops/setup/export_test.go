package setup

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
)

// exportSpec is the fixed location every export golden is made from.
func exportSpec() Spec {
	s := spec()
	s.Tags = map[string]string{"team": "imaging"}
	return s
}

// exportGoldens pins every form of one plan; refresh them with
// go test ./awsops/setup -run TestExport -update.
func exportGoldens(t *testing.T, p *Plan) {
	t.Helper()
	t.Run("text", func(t *testing.T) {
		var b bytes.Buffer
		if err := ExportText(&b, p); err != nil {
			t.Fatal(err)
		}
		golden.RequireEqual(t, b.Bytes())
	})
	t.Run("json", func(t *testing.T) {
		out, err := marshalPlan(NewPlanExport(p))
		if err != nil {
			t.Fatal(err)
		}
		golden.RequireEqual(t, append(out, '\n'))
	})
	for _, o := range []struct {
		name string
		opts ExportOptions
	}{{"", ExportOptions{}}, {"-no-key-output", ExportOptions{NoKeyOutput: true}}} {
		t.Run("cloudformation"+o.name, func(t *testing.T) {
			out, err := ExportCloudFormation(p, o.opts)
			if err != nil {
				t.Fatal(err)
			}
			// StackSets deploy one template to many accounts.
			if strings.Contains(string(out), p.Account) {
				t.Errorf("the template names the account %s", p.Account)
			}
			var v map[string]any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("the template is not JSON: %v", err)
			}
			golden.RequireEqual(t, out)
		})
		t.Run("terraform"+o.name, func(t *testing.T) {
			out, err := ExportTerraform(p, o.opts)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), p.Account) {
				t.Errorf("the configuration names the account %s", p.Account)
			}
			golden.RequireEqual(t, out)
		})
	}
}

func TestExportFreshAccount(t *testing.T) {
	p := plan(t, awsopstest.New(t), exportSpec(), nil)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	exportGoldens(t, p)
}

// An existing bucket is not the template's: it is left out, and the policy
// names it only in its document.
func TestExportExistingBucket(t *testing.T) {
	f := awsopstest.New(t)
	f.AddBucket("acme-media", "us-east-1", awsops.PublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
	s := exportSpec()
	s.ExistingBucket = true
	p := plan(t, f, s, nil)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	exportGoldens(t, p)
}

// An existing policy with the same document is referred to, in whichever
// account the stack runs, never by this account's id.
func TestExportExistingPolicy(t *testing.T) {
	f := awsopstest.New(t)
	f.AddPolicy("Platform", awsops.PolicyDocument("acme-media", "imports"))
	p := plan(t, f, exportSpec(), nil)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	exportGoldens(t, p)
}

func TestExportRefusedPlan(t *testing.T) {
	f := awsopstest.New(t)
	f.AddUser("platform")
	p := plan(t, f, exportSpec(), nil)
	if p.Err() == nil {
		t.Fatal("the plan does not refuse a user s3link did not create")
	}
	exportGoldens := func(t *testing.T) {
		t.Run("text", func(t *testing.T) {
			var b bytes.Buffer
			if err := ExportText(&b, p); err != nil {
				t.Fatal(err)
			}
			golden.RequireEqual(t, b.Bytes())
		})
		t.Run("json", func(t *testing.T) {
			out, _ := marshalPlan(NewPlanExport(p))
			golden.RequireEqual(t, append(out, '\n'))
		})
	}
	exportGoldens(t)
	if e := NewPlanExport(p); e.Complete || len(e.Actions) != 0 || len(e.Refusals) != 1 {
		t.Errorf("export = complete %v, %d actions, %d refusals; want incomplete, no actions, the refusal", e.Complete, len(e.Actions), len(e.Refusals))
	}
	for name, export := range map[string]func(*Plan, ExportOptions) ([]byte, error){"cloudformation": ExportCloudFormation, "terraform": ExportTerraform} {
		if out, err := export(p, ExportOptions{}); !errors.Is(err, ErrRefused) || out != nil {
			t.Errorf("%s: %d bytes, %v; want the refusal and nothing", name, len(out), err)
		}
	}
}

// A template owns what it makes: a plan that changes what it did not make
// is not written as one.
func TestExportTemplateRefusesChanges(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*awsopstest.Fake)
		spec    func(*Spec)
		formats []string
		want    string
	}{
		{"block public access on an existing bucket", func(f *awsopstest.Fake) { f.AddBucket("acme-media", "eu-west-1", awsops.PublicAccess{}) },
			func(s *Spec) { s.ExistingBucket, s.ProtectBucket = true, true }, []string{"cloudformation", "terraform"},
			"template cannot turn on Block Public Access"},
		{"existing policy to an existing user", func(f *awsopstest.Fake) {
			f.AddPolicy("Platform", awsops.PolicyDocument("acme-media", "imports"))
			f.AddUser("platform")
		}, func(s *Spec) { s.ExistingUser = true }, []string{"cloudformation"},
			"cannot attach the existing policy Platform to the existing user platform"},
		{"old key deleted", func(f *awsopstest.Fake) {
			f.AddUser("platform", awsops.KeyInfo{ID: "AKIA1", Status: "Active"}, awsops.KeyInfo{ID: "AKIA2", Status: "Active"})
		}, func(s *Spec) { s.ExistingUser, s.RotateOldest = true, true }, []string{"cloudformation", "terraform"},
			"template cannot delete the old access key"},
	}
	exports := map[string]func(*Plan, ExportOptions) ([]byte, error){"cloudformation": ExportCloudFormation, "terraform": ExportTerraform}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := awsopstest.New(t)
			tt.setup(f)
			s := exportSpec()
			tt.spec(&s)
			p := plan(t, f, s, nil)
			if err := p.Err(); err != nil {
				t.Fatal(err)
			}
			for _, format := range tt.formats {
				out, err := exports[format](p, ExportOptions{})
				if err == nil || !strings.Contains(err.Error(), tt.want) || out != nil {
					t.Errorf("%s: %d bytes, %v; want an error saying %q", format, len(out), err, tt.want)
				}
			}
		})
	}
}

// Terraform would interpolate "${" in a heredoc: the policy's own escapes
// for a prefix with wildcards must reach IAM as they are.
func TestExportTerraformKeepsPolicyEscapes(t *testing.T) {
	s := exportSpec()
	s.Prefix = "a*b$c"
	p := plan(t, awsopstest.New(t), s, nil)
	out, err := ExportTerraform(p, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	doc := awsops.PolicyDocument(s.Bucket, s.Prefix)
	if !strings.Contains(doc, "${*}") {
		t.Fatalf("the document has no escape to test: %s", doc)
	}
	if !strings.Contains(string(out), strings.ReplaceAll(doc, "${", "$${")) {
		t.Errorf("the heredoc is not the document with ${ escaped:\n%s", out)
	}
	if got := hclString(`a${b}%{c}"d\`); got != `"a$${b}%%{c}\"d\\"` {
		t.Errorf("hclString = %s", got)
	}
}

// marshalPlan encodes as the --json output does: indented, && kept as typed.
func marshalPlan(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}
