package record

import (
	"testing"

	"github.com/s3link/s3link/awsops"
)

func TestApplySetupTracksWhatWasCreated(t *testing.T) {
	spec := awsops.SetupSpec{Bucket: "media-b", Region: "eu-west-1", Prefix: "p", PolicyName: "Pol", UserName: "u"}
	st := &awsops.SetupState{}
	r := &Record{}

	st.Bucket = awsops.BucketResult{Bucket: awsops.Bucket{Name: "media-b"}}
	st.Done = append(st.Done, awsops.ActCreateBucket)
	r.ApplySetup(spec, st)
	if !r.Bucket.Created || r.Bucket.Name != "media-b" || r.Region != "eu-west-1" || r.Version != CurrentVersion {
		t.Fatalf("after bucket: %+v", r)
	}
	if r.Policy.ARN != "" || r.User.Name != "" {
		t.Fatalf("steps that did not run are recorded: %+v", r)
	}

	st.Policy = awsops.Policy{ARN: "arn:aws:iam::1:policy/Pol", VersionID: "v1"}
	st.User = awsops.User{Name: "u", ARN: "arn:aws:iam::1:user/u", Reused: true}
	st.Attached = true
	st.Key = awsops.AccessKey{User: "u", ID: "AKIANEW", Secret: awsops.NewSecret("s")}
	st.Done = append(st.Done, awsops.ActCreatePolicy, awsops.ActCreateUser, awsops.ActAttachPolicy, awsops.ActCreateAccessKey)
	r.ApplySetup(spec, st)
	if !r.Policy.Created || r.Policy.ARN != st.Policy.ARN {
		t.Errorf("policy: %+v", r.Policy)
	}
	if r.User.Created || !r.User.Attached {
		t.Errorf("a reused user must not count as created, but the attachment must: %+v", r.User)
	}
	if len(r.AccessKeys) != 1 || r.AccessKeys[0].ID != "AKIANEW" || r.AccessKeys[0].Created.IsZero() {
		t.Errorf("keys: %+v", r.AccessKeys)
	}
	r.ApplySetup(spec, st)
	if len(r.AccessKeys) != 1 {
		t.Errorf("applying twice duplicated the key: %+v", r.AccessKeys)
	}
}

func TestApplySetupKeepsOwnershipAcrossReruns(t *testing.T) {
	spec := awsops.SetupSpec{Bucket: "media-b", Region: "us-east-1", PolicyName: "Pol", UserName: "u", DeleteKeyID: "AKIAOLD"}
	r := &Record{
		Bucket:     Bucket{Name: "media-b", Created: true},
		Policy:     Policy{Name: "Pol", ARN: "arn:p", Created: true},
		User:       User{Name: "u", ARN: "arn:u", Created: true, Attached: true},
		AccessKeys: []Key{{ID: "AKIAOLD"}},
	}
	st := &awsops.SetupState{
		Bucket:       awsops.BucketResult{Reused: true},
		Policy:       awsops.Policy{ARN: "arn:p", Reused: true},
		User:         awsops.User{ARN: "arn:u", Reused: true},
		DeletedKeyID: "AKIAOLD",
		Done:         []awsops.ActionKind{awsops.ActCreateBucket, awsops.ActCreatePolicy, awsops.ActCreateUser, awsops.ActDeleteOldKey},
	}
	r.ApplySetup(spec, st)
	if !r.Bucket.Created || !r.Policy.Created || !r.User.Created || !r.User.Attached {
		t.Errorf("a rerun that reuses our own resources must keep them ours: %+v", r)
	}
	if len(r.AccessKeys) != 0 {
		t.Errorf("the rotated-out key is still recorded: %+v", r.AccessKeys)
	}
}
