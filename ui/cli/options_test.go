package cli

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops/transfer"
)

// parse runs cmd with args; its runF has caught the options, and nothing
// ran (the Factory has no AWS constructor to call).
func parse(t *testing.T, cmd *cobra.Command, args ...string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name(), args, err)
	}
}

func noAWS() *Factory {
	return &Factory{Globals: &Globals{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}}
}

func TestSetupFlagsFillTheOptions(t *testing.T) {
	var got *setupOptions
	cmd := newCmdSetup(noAWS(), func(o *setupOptions) error { got = o; return nil })
	parse(t, cmd, "--non-interactive", "--bucket", "media", "--prefix", "a/b", "--tag", "team=x", "--tag", "env=y",
		"--existing-bucket", "--policy-name", "P", "--csv", "k.csv", "--csv-format", "aws-import", "--json", "--access", "role", "--trusted-account", "111122223333")
	if got == nil {
		t.Fatal("runF was not called")
	}
	want := setupOptions{NonInteractive: true, Bucket: "media", Prefix: "a/b", Tags: []string{"team=x", "env=y"}, ExistingBucket: true,
		PolicyName: "P", UserName: defaultUserName, CSVPath: "k.csv", CSVFormat: "aws-import", JSON: true, Access: "role",
		TrustedAccount: "111122223333", RoleName: defaultUserName, policyNameSet: true}
	got.plan = planOptions{}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("options =\n%+v\nwant\n%+v", *got, want)
	}

	got = nil
	parse(t, newCmdSetup(noAWS(), func(o *setupOptions) error { got = o; return nil }), "--bucket", "media")
	if got.policyNameSet || got.PolicyName != defaultPolicyName || got.CSVFormat != "console" || got.Access != "key" {
		t.Errorf("defaults = %+v", *got)
	}
}

func TestTeardownFlagsFillTheOptions(t *testing.T) {
	var got *teardownOptions
	parse(t, newCmdTeardown(noAWS(), func(o *teardownOptions) error { got = o; return nil }),
		"--record", "r.json", "-y", "--delete-bucket", "--delete-key", "AKIA1", "--delete-key", "AKIA2", "--json")
	want := teardownOptions{Record: "r.json", Yes: true, DeleteBucket: true, DeleteKeys: []string{"AKIA1", "AKIA2"}, JSON: true}
	if got == nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("options = %+v, want %+v", got, want)
	}
}

func TestStatusFlagsFillTheOptions(t *testing.T) {
	var got *statusOptions
	parse(t, newCmdStatus(noAWS(), func(o *statusOptions) error { got = o; return nil }), "--all", "--json", "--key-profile", "platform")
	want := statusOptions{All: true, JSON: true, KeyProfile: "platform"}
	if got == nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("options = %+v, want %+v", got, want)
	}
}

func TestRotateFlagsFillTheOptions(t *testing.T) {
	var got *rotateOptions
	parse(t, newCmdRotate(noAWS(), func(o *rotateOptions) error { got = o; return nil }),
		"--record", "r.json", "--csv", "new.csv", "--delete-old", "--free-key", "AKIA1", "--non-interactive")
	want := rotateOptions{Record: "r.json", CSVPath: "new.csv", CSVFormat: "console", DeleteOld: true, FreeKey: "AKIA1", NonInteractive: true}
	if got == nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("options = %+v, want %+v", got, want)
	}
}

func TestSyncFlagsFillTheOptions(t *testing.T) {
	var got *syncOptions
	parse(t, newCmdSync(noAWS(), func(o *syncOptions) error { got = o; return nil }),
		"s3://media/photos", "./out", "--include", "*.jpg", "--exclude", "raw/**", "--delete", "--max-delete", "5", "--csv", "k.csv", "-q")
	if got == nil {
		t.Fatal("runF was not called")
	}
	if got.Src != "s3://media/photos" || got.Dest != "./out" || !got.Delete || got.MaxDelete != 5 || got.CSV != "k.csv" || !got.Quiet {
		t.Errorf("options = %+v", *got)
	}
	wantRules := []transfer.Rule{{Include: true, Pattern: "*.jpg"}, {Include: false, Pattern: "raw/**"}}
	if !reflect.DeepEqual(got.Rules, wantRules) {
		t.Errorf("rules = %+v, want %+v (in the order given)", got.Rules, wantRules)
	}
}

func TestUploadFlagsFillTheOptions(t *testing.T) {
	var got *uploadOptions
	parse(t, newCmdUpload(noAWS(), func(o *uploadOptions) error { got = o; return nil }),
		"./shoot", "s3://media/raw", "--all", "--dry-run", "--part-size", "16MiB", "--concurrency", "8")
	if got == nil {
		t.Fatal("runF was not called")
	}
	if got.Dir != "./shoot" || got.Dest != "s3://media/raw" || !got.All || !got.DryRun || got.PartSize != "16MiB" || got.Concurrency != 8 {
		t.Errorf("options = %+v", *got)
	}
}

func TestPolicyAndVersionFlagsFillTheOptions(t *testing.T) {
	var pol *policyOptions
	parse(t, newCmdPolicy(noAWS(), func(o *policyOptions) error { pol = o; return nil }), "--caller", "--bucket", "media", "--account", "111122223333")
	want := policyOptions{Caller: true, Bucket: "media", Account: "111122223333", User: defaultUserName, PolicyName: defaultPolicyName}
	if pol == nil || !reflect.DeepEqual(*pol, want) {
		t.Errorf("policy options = %+v, want %+v", pol, want)
	}
	var ver *versionOptions
	parse(t, newCmdVersion(noAWS(), func(o *versionOptions) error { ver = o; return nil }), "--json")
	if ver == nil || !ver.JSON {
		t.Errorf("version options = %+v", ver)
	}
}
