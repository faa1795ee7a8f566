package record

import (
	"slices"
	"time"

	"github.com/s3link/s3link/awsops"
)

// ApplySetup copies what the setup plan has produced so far into the record.
// Call it after every action, so the record always lists every resource that
// exists, and teardown can remove it even after a crash part-way.
//
// It also settles the intents (see BeginAction) of the actions that
// completed. A resource the action reports as reused still counts as
// created by s3link when a pending intent for it claims its creation time:
// an earlier run was killed while creating it, and this run found it.
func (r *Record) ApplySetup(spec awsops.SetupSpec, st *awsops.SetupState) {
	if r.Version == 0 {
		r.Version = CurrentVersion
	}
	r.Prefix = spec.Prefix
	if spec.Region != "" {
		r.Region = spec.Region
	}
	if r.Bucket.Name != spec.Bucket {
		r.Bucket = Bucket{Name: spec.Bucket, Region: spec.Region}
	}
	if st.Completed(awsops.ActCreateBucket) {
		if !st.Bucket.Reused || r.claimed(awsops.ActCreateBucket, spec.Bucket, st.Bucket.Created) {
			r.Bucket.Created = true
		}
		r.dropIntents(awsops.ActCreateBucket, spec.Bucket)
	}
	if st.Completed(awsops.ActCreatePolicy) {
		// A policy created by an earlier run stays ours even when this run
		// reuses it.
		created := r.Policy.Created && r.Policy.ARN == st.Policy.ARN
		r.Policy = Policy{
			Name: spec.PolicyName, ARN: st.Policy.ARN, VersionID: st.Policy.VersionID,
			Created:    created || (!st.Policy.Reused && !st.Policy.NewVersion),
			NewVersion: st.Policy.NewVersion || (r.Policy.NewVersion && r.Policy.ARN == st.Policy.ARN),
		}
		if r.claimed(awsops.ActCreatePolicy, spec.PolicyName, st.Policy.Created) {
			r.Policy.Created = true
		}
		r.dropIntents(awsops.ActCreatePolicy, spec.PolicyName)
	}
	if st.Completed(awsops.ActCreateUser) {
		created := r.User.Created && r.User.Name == spec.UserName
		attached := r.User.Attached && r.User.Name == spec.UserName
		created = created || !st.User.Reused || r.claimed(awsops.ActCreateUser, spec.UserName, st.User.Created)
		r.User = User{Name: spec.UserName, ARN: st.User.ARN, Created: created, Attached: attached}
		r.dropIntents(awsops.ActCreateUser, spec.UserName)
	}
	if st.Attached {
		r.User.Attached = true
	}
	if st.DeletedKeyID != "" {
		r.ForgetAccessKey(st.DeletedKeyID)
	}
	if st.Key.ID != "" && !slices.ContainsFunc(r.AccessKeys, func(k Key) bool { return k.ID == st.Key.ID }) {
		created := st.Key.Created
		if created.IsZero() {
			created = time.Now().UTC()
		}
		r.AccessKeys = append(r.AccessKeys, Key{ID: st.Key.ID, Created: created})
		// Only this run's intent is settled: an earlier run's may stand for
		// a key that run made and never recorded, which teardown looks for.
		r.dropNewestIntent(awsops.ActCreateAccessKey, spec.UserName)
	}
}

// ForgetAccessKey drops an access key that no longer exists from the record.
func (r *Record) ForgetAccessKey(id string) {
	r.AccessKeys = slices.DeleteFunc(r.AccessKeys, func(k Key) bool { return k.ID == id })
}
