package steps

import (
	"errors"
	"slices"
	"testing"
)

// answer is one earlier call to Next, setting up the machine's state.
type answer struct {
	from Step
	r    Result
}

func TestNext(t *testing.T) {
	emptyLoc := answer{Location, Result{LocationEmpty: true}}
	chosen := answer{Upload, Result{UploadChosen: true}}
	usable := Result{KeySecured: true, KeyUsable: true}
	tests := []struct {
		name    string
		skip    []Step
		prior   []answer
		from    Step
		result  Result
		want    Step
		wantErr error
	}{
		{name: "identity to bucket", from: Identity, want: Bucket},
		{name: "bucket to location", from: Bucket, want: Location},
		{name: "location with objects to policy", from: Location, want: Policy},
		{name: "empty location offers an upload", from: Location, result: Result{LocationEmpty: true}, want: Upload},
		{name: "upload to policy", prior: []answer{emptyLoc}, from: Upload, want: Policy},
		{name: "policy to the access choice", from: Policy, want: Access},
		{name: "an access key goes on to the user", from: Access, want: User},
		{name: "a role has no user", from: Access, result: Result{Role: true}, want: Review},
		{name: "a role has no key: applied leads to sync", prior: []answer{{Access, Result{Role: true}}}, from: Apply, result: Result{Applied: true}, want: Sync},
		{name: "a role's chosen upload runs after apply", prior: []answer{emptyLoc, chosen, {Access, Result{Role: true}}}, from: Apply, result: Result{Applied: true}, want: Uploading},
		{name: "back to an access key brings the user and key back", prior: []answer{{Access, Result{Role: true}}, {Access, Result{}}}, from: Apply, result: Result{Applied: true}, want: Key},
		{name: "user to review", from: User, want: Review},
		{name: "review needs confirmation", from: Review, want: Review, wantErr: ErrNotConfirmed},
		{name: "confirmed review applies", from: Review, result: Result{Confirmed: true}, want: Apply},
		{name: "apply needs every action done", from: Apply, result: Result{Confirmed: true}, want: Apply, wantErr: ErrNotApplied},
		{name: "applied leads to key", from: Apply, result: Result{Applied: true}, want: Key},
		{name: "key needs the secret secured", from: Key, want: Key, wantErr: ErrKeyUnsecured},
		{name: "secured key leads to sync", from: Key, result: usable, want: Sync},
		{name: "deleted key skips sync", from: Key, result: Result{KeySecured: true}, want: Done},
		{name: "chosen upload runs after the key", prior: []answer{emptyLoc, chosen}, from: Key, result: usable, want: Uploading},
		{name: "skipped upload does not run", prior: []answer{emptyLoc, {Upload, Result{}}}, from: Key, result: usable, want: Sync},
		{name: "upload runs even when the key is deleted", prior: []answer{emptyLoc, chosen}, from: Key, result: Result{KeySecured: true}, want: Uploading},
		{name: "uploading leads to sync", prior: []answer{emptyLoc, chosen, {Key, usable}}, from: Uploading, want: Sync},
		{name: "uploading without a key leads to done", prior: []answer{emptyLoc, chosen, {Key, Result{KeySecured: true}}}, from: Uploading, want: Done},
		{name: "a location that filled up drops the chosen upload", prior: []answer{emptyLoc, chosen, {Location, Result{}}}, from: Key, result: usable, want: Sync},
		{name: "sync leads to done", from: Sync, want: Done},
		{name: "done is last", from: Done, want: Done, wantErr: ErrLast},
		{name: "unknown step", from: Step(99), want: Step(99), wantErr: ErrUnknownStep},
		{name: "preset location is skipped", skip: []Step{Location}, from: Bucket, want: Policy},
		{name: "preset bucket and location", skip: []Step{Bucket, Location}, from: Identity, want: Policy},
		{name: "review is never skipped", skip: []Step{Access, User, Review}, from: Policy, want: Review},
		{name: "key is never skipped", skip: []Step{Key}, from: Apply, result: Result{Applied: true}, want: Key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{Skip: tt.skip})
			for _, p := range tt.prior {
				if _, err := m.Next(p.from, p.r); err != nil {
					t.Fatalf("prior Next(%v): %v", p.from, err)
				}
			}
			got, err := m.Next(tt.from, tt.result)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Next(%v) error = %v, want %v", tt.from, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Next(%v) = %v, want %v", tt.from, got, tt.want)
			}
		})
	}
}

func TestBack(t *testing.T) {
	tests := []struct {
		name     string
		skip     []Step
		prior    []answer
		applying bool
		from     Step
		want     Step
		wantErr  error
	}{
		{name: "identity is first", from: Identity, want: Identity, wantErr: ErrFirst},
		{name: "bucket to identity", from: Bucket, want: Identity},
		{name: "location to bucket", from: Location, want: Bucket},
		{name: "policy to location", from: Policy, want: Location},
		{name: "policy to the upload offered", prior: []answer{{Location, Result{LocationEmpty: true}}}, from: Policy, want: Upload},
		{name: "upload to location", prior: []answer{{Location, Result{LocationEmpty: true}}}, from: Upload, want: Location},
		{name: "uploading cannot go back", applying: true, from: Uploading, want: Uploading, wantErr: ErrKeyShown},
		{name: "sync cannot go back", applying: true, from: Sync, want: Sync, wantErr: ErrKeyShown},
		{name: "user to the access choice", from: User, want: Access},
		{name: "access to policy", from: Access, want: Policy},
		{name: "review of a role to the access choice", prior: []answer{{Access, Result{Role: true}}}, from: Review, want: Access},
		{name: "review to user", from: Review, want: User},
		{name: "review once applying", applying: true, from: Review, want: Review, wantErr: ErrApplying},
		{name: "apply cannot go back", applying: true, from: Apply, want: Apply, wantErr: ErrApplying},
		{name: "key cannot go back", applying: true, from: Key, want: Key, wantErr: ErrKeyShown},
		{name: "done cannot go back", applying: true, from: Done, want: Done, wantErr: ErrKeyShown},
		{name: "a role's proof cannot go back", prior: []answer{{Access, Result{Role: true}}}, applying: true, from: Sync, want: Sync, wantErr: ErrCreated},
		{name: "skipped user passed over", skip: []Step{Access, User}, from: Review, want: Policy},
		{name: "identity never skipped", skip: []Step{Identity, Bucket}, from: Location, want: Identity},
		{name: "unknown step", from: Step(42), want: Step(42), wantErr: ErrUnknownStep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{Skip: tt.skip})
			for _, p := range tt.prior {
				if _, err := m.Next(p.from, p.r); err != nil {
					t.Fatalf("prior Next(%v): %v", p.from, err)
				}
			}
			if tt.applying {
				if _, err := m.Next(Review, Result{Confirmed: true}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := m.Back(tt.from)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Back(%v) error = %v, want %v", tt.from, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Back(%v) = %v, want %v", tt.from, got, tt.want)
			}
		})
	}
}

func TestApplyingStartsOnlyWithConfirmation(t *testing.T) {
	m := New(Options{})
	if _, err := m.Next(Review, Result{}); err == nil {
		t.Fatal("unconfirmed review moved on")
	}
	if m.Applying() {
		t.Fatal("applying after an unconfirmed review")
	}
	if _, err := m.Back(Review); err != nil {
		t.Fatalf("back from an unconfirmed review: %v", err)
	}
	if _, err := m.Next(Review, Result{Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	if !m.Applying() {
		t.Fatal("not applying after a confirmed review")
	}
}

func TestInvalidates(t *testing.T) {
	tests := []struct {
		name    string
		skip    []Step
		changed Step
		want    []Step
	}{
		{name: "profile changes everything", changed: Identity, want: []Step{Bucket, Location, Upload, Policy, Access, User, Review}},
		{name: "the access choice changes the plan", changed: Access, want: []Step{Review}},
		{name: "bucket changes prefix summary, upload and policy", changed: Bucket, want: []Step{Location, Upload, Policy, Review}},
		{name: "prefix changes the upload and the policy document", changed: Location, want: []Step{Upload, Policy, Review}},
		{name: "upload folder changes the plan", changed: Upload, want: []Step{Review}},
		{name: "policy name changes the plan", changed: Policy, want: []Step{Review}},
		{name: "user changes the plan", changed: User, want: []Step{Review}},
		{name: "review changes nothing", changed: Review, want: nil},
		{name: "skipped steps are left out", skip: []Step{Location}, changed: Bucket, want: []Step{Upload, Policy, Review}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New(Options{Skip: tt.skip}).Invalidates(tt.changed)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Invalidates(%v) = %v, want %v", tt.changed, got, tt.want)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	emptyLoc := answer{Location, Result{LocationEmpty: true}}
	tests := []struct {
		name        string
		skip        []Step
		prior       []answer
		step        Step
		want, outOf int
	}{
		{name: "identity first", step: Identity, want: 1, outOf: 9},
		{name: "apply shares review's place", step: Apply, want: 6, outOf: 9},
		{name: "sync before done", step: Sync, want: 8, outOf: 9},
		{name: "done last", step: Done, want: 9, outOf: 9},
		{name: "the access choice shares the user's place", step: Access, want: 5, outOf: 9},
		{name: "a role keeps the count", prior: []answer{{Access, Result{Role: true}}}, step: Sync, want: 8, outOf: 9},
		{name: "skips shrink the count", skip: []Step{Location}, step: Policy, want: 3, outOf: 8},
		{name: "skipped step has no place", skip: []Step{Location}, step: Location, want: 0, outOf: 8},
		{name: "an offered upload shares the location's place", prior: []answer{emptyLoc}, step: Upload, want: 3, outOf: 9},
		{name: "the count stays after an offered upload", prior: []answer{emptyLoc}, step: Policy, want: 4, outOf: 9},
		{name: "a chosen upload shares the proof's place", prior: []answer{emptyLoc, {Upload, Result{UploadChosen: true}}}, step: Uploading, want: 8, outOf: 9},
		{name: "a deleted key keeps done last", prior: []answer{{Key, Result{KeySecured: true}}}, step: Done, want: 9, outOf: 9},
		{name: "a skipped location takes the upload's place with it", skip: []Step{Location}, prior: []answer{emptyLoc}, step: Upload, want: 0, outOf: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{Skip: tt.skip})
			for _, p := range tt.prior {
				if _, err := m.Next(p.from, p.r); err != nil {
					t.Fatalf("prior Next(%v): %v", p.from, err)
				}
			}
			got, outOf := m.Position(tt.step)
			if got != tt.want || outOf != tt.outOf {
				t.Errorf("Position(%v) = %d of %d, want %d of %d", tt.step, got, outOf, tt.want, tt.outOf)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		step Step
		want string
	}{
		{Identity, "Identity"}, {Bucket, "Bucket"}, {Location, "Location"}, {Policy, "Policy"},
		{User, "User"}, {Review, "Review"}, {Apply, "Apply"}, {Key, "Key"}, {Done, "Done"},
		{Upload, "Upload"}, {Uploading, "Uploading"}, {Sync, "Sync"}, {Access, "Access"},
		{Step(77), "Step(77)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.step.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOwnerAndScreens(t *testing.T) {
	m := New(Options{})
	if got := m.Owner(Apply); got != Review {
		t.Errorf("Owner(Apply) = %v, want Review", got)
	}
	for _, s := range []Step{Identity, Bucket, Location, Upload, Policy, Access, User, Review, Key, Uploading, Sync, Done} {
		if got := m.Owner(s); got != s {
			t.Errorf("Owner(%v) = %v, want itself", s, got)
		}
	}
	want := []Step{Identity, Bucket, Location, Upload, Policy, Access, User, Review, Key, Uploading, Sync, Done}
	if got := m.Screens(); !slices.Equal(got, want) {
		t.Errorf("Screens() = %v, want %v", got, want)
	}
	// Skipped steps keep their screens: a broadcast still reaches them.
	if got := New(Options{Skip: []Step{Location, User}}).Screens(); !slices.Equal(got, want) {
		t.Errorf("Screens() with skips = %v, want %v", got, want)
	}
	for _, s := range m.Screens() {
		if int(s) >= Count {
			t.Errorf("%v is beyond Count %d", s, Count)
		}
	}
}

func TestSets(t *testing.T) {
	m := New(Options{})
	all := []Step{Identity, Bucket, Location, Upload, Policy, Access, User, Review, Apply, Key, Uploading, Sync, Done}
	sets := []struct {
		name string
		f    func(Step) bool
		want []Step
	}{
		{"Waits", m.Waits, []Step{Identity, Bucket, Policy, User}},
		{"Guards", m.Guards, []Step{Apply, Key, Uploading, Sync}},
		{"Finished", m.Finished, []Step{Key, Uploading, Sync, Done}},
		{"Discards", m.Discards, []Step{Identity}},
	}
	for _, set := range sets {
		var got []Step
		for _, s := range all {
			if set.f(s) {
				got = append(got, s)
			}
		}
		if !slices.Equal(got, set.want) {
			t.Errorf("%s = %v, want %v", set.name, got, set.want)
		}
	}
}

func TestInvalidatesDiscards(t *testing.T) {
	m := New(Options{})
	// Another identity discards every screen after it but not the later
	// ones that only run after Review.
	want := []Step{Bucket, Location, Upload, Policy, Access, User, Review}
	if got := m.Invalidates(Identity); !slices.Equal(got, want) {
		t.Errorf("Invalidates(Identity) = %v, want %v", got, want)
	}
	for _, s := range []Step{Bucket, Location, Upload, Policy, Access, User} {
		if m.Discards(s) {
			t.Errorf("Discards(%v) = true, want false: its later screens are only rechecked", s)
		}
	}
}
