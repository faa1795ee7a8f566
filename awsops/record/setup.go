package record

import (
	"slices"
	"time"

	"github.com/s3link/s3link/awsops"
)

// ApplySetup copies what the setup plan has produced so far into the record.
// Call it after every action, so the record always lists every resource that
// exists, and teardown can remove it even after a crash part-way.
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
	if st.Completed(awsops.ActCreateBucket) && !st.Bucket.Reused {
		r.Bucket.Created = true
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
	}
	if st.Completed(awsops.ActCreateUser) {
		created := r.User.Created && r.User.Name == spec.UserName
		attached := r.User.Attached && r.User.Name == spec.UserName
		r.User = User{Name: spec.UserName, ARN: st.User.ARN, Created: created || !st.User.Reused, Attached: attached}
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
	}
}

// ForgetAccessKey drops an access key that no longer exists from the record.
func (r *Record) ForgetAccessKey(id string) {
	r.AccessKeys = slices.DeleteFunc(r.AccessKeys, func(k Key) bool { return k.ID == id })
}
