//go:build e2e

package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/mototest"
	"github.com/s3link/s3link/awsops/setup"
)

// links is what one setup made, read back with the AWS CLI, with the
// setup's random id replaced so two setups compare equal.
type links struct {
	Buckets         []string
	PublicAccess    any
	Encryption      any
	BucketTags      any
	PolicyDoc       any
	PolicyDesc      string
	PolicyTags      any
	UserTags        any
	UserBoundary    string
	UserAttached    []string
	AccessKeyCount  int
	PolicyNameFound string
}

var setupIDs = regexp.MustCompile(`s3l-[0-9a-f]{16}`)

func normaliseIDs(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsonValue(t, setupIDs.ReplaceAllString(string(b), "SETUP-ID"))
}

func readLinks(e *env, bucket, policy, user string) links {
	t := e.t
	t.Helper()
	var l links
	l.Buckets = e.bucketNames()
	var pab, enc, btags any
	e.aws(&pab, "s3api", "get-public-access-block", "--bucket", bucket)
	e.aws(&enc, "s3api", "get-bucket-encryption", "--bucket", bucket)
	// moto 5.2.1 keeps no tags from CreateBucket's configuration; both
	// sides then read "no tag set", which still compares.
	if out, err := execAWS(e, "s3api", "get-bucket-tagging", "--bucket", bucket).Output(); err == nil {
		btags = jsonValue(t, string(out))
	} else {
		btags = "no tag set"
	}
	l.PublicAccess, l.Encryption, l.BucketTags = pab, enc, normaliseIDs(t, btags)
	arn := "arn:aws:iam::123456789012:policy/" + policy
	var pol struct {
		Policy struct {
			PolicyName  string
			Description string
			Tags        any
		}
	}
	e.aws(&pol, "iam", "get-policy", "--policy-arn", arn)
	l.PolicyNameFound, l.PolicyDesc = pol.Policy.PolicyName, pol.Policy.Description
	var ptags any
	e.aws(&ptags, "iam", "list-policy-tags", "--policy-arn", arn)
	l.PolicyTags = normaliseIDs(t, ptags)
	_, l.PolicyDoc = e.policyVersions(arn)
	var u struct {
		User struct {
			Tags                []struct{ Key, Value string }
			PermissionsBoundary struct{ PermissionsBoundaryArn string }
		}
	}
	e.aws(&u, "iam", "get-user", "--user-name", user)
	slices.SortFunc(u.User.Tags, func(a, b struct{ Key, Value string }) int { return strings.Compare(a.Key, b.Key) })
	l.UserTags = normaliseIDs(t, u.User.Tags)
	l.UserBoundary = u.User.PermissionsBoundary.PermissionsBoundaryArn
	l.UserAttached = e.attachedPolicies(user)
	l.AccessKeyCount = len(e.accessKeyIDs(user))
	return l
}

// The AWS CLI commands the done screen writes, run with bash against an
// empty emulator, make the same bucket, policy (document and description),
// user (tags, boundary, attachment) and key as s3link setup does on
// another empty emulator.
func TestWrittenCommandsReproduceSetup(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	const bucket, prefix, region = "media-replay", "imports/2026", "eu-west-1"
	const policy, user = defaultPolicyName, defaultUserName

	made := newEnv(t)
	csv := filepath.Join(made.dir, "key.csv")
	code, out, stderr := made.run("setup", "--non-interactive", "--region", region, "--bucket", bucket, "--prefix", prefix, "--tag", "team=imaging", "--csv", csv)
	if code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}

	// A second, empty emulator; only the AWS CLI touches it.
	replay := &env{t: t, endpoint: mototest.Start(t).URL(), dir: t.TempDir()}
	ops, err := awsops.New(context.Background(), awsops.Config{Region: region, EndpointURL: replay.endpoint})
	if err != nil {
		t.Fatal(err)
	}
	spec := setup.Spec{Bucket: bucket, Region: region, Prefix: prefix, PolicyName: policy, UserName: user, Tags: map[string]string{"team": "imaging"}}
	facts, err := setup.Inspect(context.Background(), ops, spec, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	plan := setup.Decide(spec, facts, setup.NewID())
	if err := plan.Err(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(replay.dir, setup.CommandsDir(bucket))
	if err := setup.WriteCommands(dir, plan); err != nil {
		t.Fatal(err)
	}
	sh := exec.Command("bash", filepath.Join(dir, setup.ScriptFile))
	sh.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+replay.endpoint, "AWS_DEFAULT_REGION="+region)
	shOut, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("bash %s: %v\n%s", setup.ScriptFile, err, setupIDs.ReplaceAllString(redactSecret(string(shOut)), "SETUP-ID"))
	}
	t.Logf("bash %s: ran %d commands", filepath.Join(setup.CommandsDir(bucket), setup.ScriptFile), len(plan.Actions))

	want := readLinks(made, bucket, policy, user)
	got := readLinks(replay, bucket, policy, user)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the commands made something else than setup:\n got %+v\nwant %+v", got, want)
	}
	if want.PolicyDesc != awsops.PolicyDescription {
		t.Errorf("policy description = %q, want %q", want.PolicyDesc, awsops.PolicyDescription)
	}
	if !reflect.DeepEqual(got.PolicyDoc, jsonValue(t, awsops.PolicyDocument(bucket, prefix))) {
		t.Errorf("replayed policy document = %v", got.PolicyDoc)
	}
	if !strings.Contains(strings.Join(got.UserAttached, " "), policy) || got.AccessKeyCount != 1 {
		t.Errorf("replayed user: attached %v, %d keys", got.UserAttached, got.AccessKeyCount)
	}
}

// redactSecret keeps create-access-key's secret out of a failure message.
func redactSecret(s string) string {
	return regexp.MustCompile(`("SecretAccessKey":\s*")[^"]*`).ReplaceAllString(s, "${1}REDACTED")
}
