package awsops

import (
	"strings"
	"testing"
)

func kinds(acts []Action) []ActionKind {
	out := make([]ActionKind, len(acts))
	for i, a := range acts {
		out[i] = a.Kind
	}
	return out
}

func TestPlan(t *testing.T) {
	base := SetupSpec{Bucket: "media-b", Region: "eu-west-1", Prefix: "p/q", PolicyName: "Pol", UserName: "u"}
	tests := []struct {
		name   string
		mutate func(*SetupSpec)
		want   []ActionKind
	}{
		{"new bucket", func(*SetupSpec) {}, []ActionKind{ActCreateBucket, ActBlockPublic, ActEncryption, ActCreatePolicy, ActCreateUser, ActAttachPolicy, ActCreateAccessKey}},
		{"existing bucket is left alone", func(s *SetupSpec) { s.ExistingBucket = true }, []ActionKind{ActCreatePolicy, ActCreateUser, ActAttachPolicy, ActCreateAccessKey}},
		{"rotation deletes before creating", func(s *SetupSpec) { s.DeleteKeyID = "AKIAOLD" }, []ActionKind{ActCreateBucket, ActBlockPublic, ActEncryption, ActCreatePolicy, ActCreateUser, ActAttachPolicy, ActDeleteOldKey, ActCreateAccessKey}},
		{"delivered key means no new key", func(s *SetupSpec) { s.ExistingKeyID = "AKIAKEPT"; s.ExistingBucket = true }, []ActionKind{ActCreatePolicy, ActCreateUser, ActAttachPolicy}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := base
			tt.mutate(&spec)
			got := kinds(Plan(spec))
			if strings.Join(asStrings(got), ",") != strings.Join(asStrings(tt.want), ",") {
				t.Fatalf("Plan kinds = %v, want %v", got, tt.want)
			}
		})
	}
}

func asStrings(k []ActionKind) []string {
	s := make([]string, len(k))
	for i := range k {
		s[i] = string(k[i])
	}
	return s
}

func TestPlanCreateBucketCommandMindsUSEast1(t *testing.T) {
	east := Plan(SetupSpec{Bucket: "b-east", Region: "us-east-1", PolicyName: "P", UserName: "u"})[0].Command
	if strings.Contains(east, "LocationConstraint") {
		t.Errorf("us-east-1 create-bucket must not carry a LocationConstraint: %s", east)
	}
	west := Plan(SetupSpec{Bucket: "b-west", Region: "eu-west-1", PolicyName: "P", UserName: "u"})[0].Command
	if !strings.Contains(west, "LocationConstraint=eu-west-1") {
		t.Errorf("eu-west-1 create-bucket needs LocationConstraint=eu-west-1: %s", west)
	}
}

func TestPlanTagsAreShellQuoted(t *testing.T) {
	acts := Plan(SetupSpec{Bucket: "b", Region: "us-east-1", PolicyName: "P", UserName: "u",
		Tags: map[string]string{"team": "imaging", "note": "it's here"}})
	var cmd string
	for _, a := range acts {
		if a.Kind == ActCreateUser {
			cmd = a.Command
		}
	}
	want := `--tags Key=note,Value='it'\''s here' Key=team,Value=imaging`
	if !strings.HasSuffix(cmd, want) {
		t.Errorf("create-user command = %q, want suffix %q", cmd, want)
	}
}

func TestLocation(t *testing.T) {
	if got := Location("b", ""); got != "s3://b/" {
		t.Errorf("root location = %q", got)
	}
	if got := Location("b", "p/q"); got != "s3://b/p/q/" {
		t.Errorf("prefix location = %q", got)
	}
}
