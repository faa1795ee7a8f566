package journal

import (
	"slices"
	"time"
)

// Intent is a create call setup announced in the record before making it.
// If s3link dies while the call is in flight, AWS may have created the
// resource without s3link hearing of it; the intent says where to look.
// Whether what is found there is s3link's is never guessed from times: it
// is s3link's exactly when it carries the record's setup id (see
// awsops.SetupTagKey).
type Intent struct {
	// Kind is the setup action (setup.ActionKind) that was in flight.
	Kind string `json:"kind"`
	// Name is the bucket, policy or user the call creates; for an access
	// key, the user it belongs to.
	Name string `json:"name"`
	// At is when the call was about to go out (local clock, UTC); for a key
	// of a user s3link did not create, teardown names the keys made since.
	At time.Time `json:"at"`
}

// Begin notes in the record that the call in is about to go out.
func (r *Record) Begin(in Intent) {
	r.Pending = append(r.Pending, in)
}

// Settle drops the pending intent in (the call's answer arrived, or it
// never went out).
func (r *Record) Settle(in Intent) {
	if i := slices.IndexFunc(r.Pending, func(p Intent) bool { return p.Kind == in.Kind && p.Name == in.Name && p.At.Equal(in.At) }); i >= 0 {
		r.Pending = slices.Delete(r.Pending, i, i+1)
	}
	if len(r.Pending) == 0 {
		r.Pending = nil
	}
}
