package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// recordFiles lists every name in dir, hidden temporary and lock files
// included.
func recordFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestCreateRefusesExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	path := Path(dir, sampleSetupID)
	first := sampleRecord()
	if err := first.Create(path); err != nil {
		t.Fatalf("first Create: %v", err)
	}
	if first.Version != CurrentVersion || first.UpdatedAt.IsZero() {
		t.Errorf("Create did not stamp the record: version %d, updated %v", first.Version, first.UpdatedAt)
	}
	original, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		rec  func() *Record
	}{
		{"same record", sampleRecord},
		{"another setup's record", func() *Record {
			r := sampleRecord()
			r.SetupID = "0000000000000000"
			r.Bucket.Name = "someone-elses"
			r.AccessKeys = nil
			return r
		}},
		{"an empty record", func() *Record { return &Record{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rec()
			err := r.Create(path)
			if !errors.Is(err, ErrExists) {
				t.Fatalf("Create over an existing record: err = %v, want ErrExists", err)
			}
			checkSentence(t, err, path, "already exists; s3link never replaces one")
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if !bytes.Equal(got, original) {
				t.Fatalf("the existing record was changed:\n%s\nwant\n%s", got, original)
			}
			// A refused Create leaves the caller's record as it was.
			if r.Version != tt.rec().Version || !r.UpdatedAt.IsZero() {
				t.Errorf("refused Create changed the record: version %d, updated %v", r.Version, r.UpdatedAt)
			}
			if names := recordFiles(t, filepath.Dir(path)); !slices.Equal(names, []string{filepath.Base(path)}) {
				t.Errorf("folder holds %v, want only the record", names)
			}
		})
	}

	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.SetupID != sampleSetupID || loaded.Bucket.Name != first.Bucket.Name {
		t.Errorf("record after refused Creates = %+v, want the first one", loaded)
	}
}

// TestCreateRace: of many setups creating the same record at once,
// exactly one wins and the file is the winner's, whole.
func TestCreateRace(t *testing.T) {
	path := Path(t.TempDir(), "race")
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := sampleRecord()
			r.SetupID = fmt.Sprintf("setup-%02d", i)
			errs[i] = r.Create(path)
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("Create #%d and #%d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, ErrExists):
			t.Errorf("Create #%d: err = %v, want ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no Create succeeded")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("setup-%02d", winner); got.SetupID != want {
		t.Errorf("record holds setup id %q, want the winner's %q", got.SetupID, want)
	}
	if names := recordFiles(t, filepath.Dir(path)); len(names) != 1 {
		t.Errorf("folder holds %v, want only the record", names)
	}
}

func TestUpdate(t *testing.T) {
	newRecord := func(t *testing.T) (string, []byte) {
		t.Helper()
		path := Path(t.TempDir(), sampleSetupID)
		r := sampleRecord()
		r.User.Attached = false
		if err := r.Create(path); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return path, data
	}

	t.Run("change is saved", func(t *testing.T) {
		path, _ := newRecord(t)
		before, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // UpdatedAt must move
		got, err := Update(path, func(r *Record) error {
			if r.SetupID != sampleSetupID {
				t.Errorf("change got setup id %q, want the saved record's", r.SetupID)
			}
			r.User.Attached = true
			r.Begin(Intent{Kind: "create-access-key", Name: r.User.Name, At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		if !got.User.Attached || len(got.Pending) != 1 {
			t.Errorf("Update returned %+v, want the changed record", got)
		}
		loaded, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if !loaded.User.Attached || len(loaded.Pending) != 1 || loaded.Pending[0].Kind != "create-access-key" {
			t.Errorf("saved record = %+v, want the change", loaded)
		}
		if !loaded.CreatedAt.Equal(before.CreatedAt) {
			t.Errorf("CreatedAt changed from %v to %v", before.CreatedAt, loaded.CreatedAt)
		}
		if !loaded.UpdatedAt.After(before.UpdatedAt) {
			t.Errorf("UpdatedAt %v is not after %v", loaded.UpdatedAt, before.UpdatedAt)
		}
		if paths, err := List(filepath.Dir(filepath.Dir(path))); err != nil || !slices.Equal(paths, []string{path}) {
			t.Errorf("List = %v, %v; want only the record (no lock or temporary file)", paths, err)
		}
	})

	t.Run("failed change is not saved", func(t *testing.T) {
		path, original := newRecord(t)
		boom := errors.New("boom")
		_, err := Update(path, func(r *Record) error {
			r.Bucket.Name = "changed"
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update: err = %v, want the change's error", err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, original) {
			t.Errorf("a failed change was saved:\n%s", got)
		}
	})

	refused := []struct {
		name    string
		content []byte // nil: no record
		want    string
		is      error
	}{
		{"missing record", nil, "There is no setup record at", fs.ErrNotExist},
		{"version 1 record", []byte(`{"version":1,"user":{"name":"u"},"policy":{"name":"p"}}`), "older s3link", ErrVersion},
		{"record without setup id", []byte(`{"version":2}`), "has no setup id", ErrCorrupt},
	}
	// A path whose folder does not exist has no record either; it is not
	// "locked by another s3link".
	t.Run("missing folder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "folder", "rec.json")
		_, err := Update(path, func(*Record) error { t.Error("change ran without a record"); return nil })
		checkSentence(t, err, path, "There is no setup record at")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error does not match fs.ErrNotExist: %v", err)
		}
		if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
			t.Error("Update created the folder of a missing record")
		}
	})
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.json")
			if tt.content != nil {
				if err := os.WriteFile(path, tt.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			called := false
			r, err := Update(path, func(*Record) error { called = true; return nil })
			if err == nil {
				t.Fatalf("Update succeeded: %+v", r)
			}
			checkSentence(t, err, path, tt.want)
			if !errors.Is(err, tt.is) {
				t.Errorf("error does not match %v", tt.is)
			}
			if called {
				t.Error("change ran on a record Load refuses")
			}
			if tt.content != nil {
				if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.content) {
					t.Errorf("refused record was rewritten: %s", got)
				}
			} else if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Error("Update of a missing record created it")
			}
		})
	}
}

// TestUpdateConcurrent: every Update reads the newest record under the
// lock, so none of 20 concurrent ones loses another's access key.
func TestUpdateConcurrent(t *testing.T) {
	path := Path(t.TempDir(), sampleSetupID)
	r := sampleRecord()
	r.AccessKeys = nil
	if err := r.Create(path); err != nil {
		t.Fatal(err)
	}
	const n = 20
	want := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		want[i] = fmt.Sprintf("AKIACONCURRENT%06d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Update(path, func(r *Record) error {
				r.AccessKeys = append(r.AccessKeys, Key{ID: want[i], Created: time.Now().UTC()})
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Update #%d: %v", i, err)
		}
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(got.AccessKeys))
	for _, k := range got.AccessKeys {
		ids = append(ids, k.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Fatalf("record holds %d keys %v, want all %d: %v", len(ids), ids, n, want)
	}
	for _, id := range want {
		if !got.HasKey(id) {
			t.Errorf("HasKey(%s) = false", id)
		}
	}
	if paths, err := List(filepath.Dir(filepath.Dir(path))); err != nil || !slices.Equal(paths, []string{path}) {
		t.Errorf("List = %v, %v; want only the record", paths, err)
	}
}

// TestUpdateWaitsForLock: while another s3link holds the record's lock,
// Update neither reads nor writes; it goes on once the lock is released.
func TestUpdateWaitsForLock(t *testing.T) {
	path := Path(t.TempDir(), sampleSetupID)
	if err := sampleRecord().Create(path); err != nil {
		t.Fatal(err)
	}
	other := flock.New(lockPath(path))
	if err := other.Lock(); err != nil {
		t.Fatalf("take the lock: %v", err)
	}
	locked := true
	defer func() {
		if locked {
			_ = other.Unlock()
		}
	}()

	type result struct {
		rec *Record
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := Update(path, func(r *Record) error {
			r.Prefix = "after/the/lock"
			return nil
		})
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		t.Fatalf("Update returned while the lock was held: %+v, %v", res.rec, res.err)
	case <-time.After(300 * time.Millisecond):
	}
	// The other s3link's save lands while Update waits; Update must see it.
	r := sampleRecord()
	r.User.Attached = false
	r.Bucket.Region = "eu-central-1"
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	locked = false

	select {
	case res := <-done:
		if res.err != nil {
			t.Fatalf("Update after the lock was released: %v", res.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Update did not go on after the lock was released")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Prefix != "after/the/lock" || got.Bucket.Region != "eu-central-1" || got.User.Attached {
		t.Errorf("record = %+v, want Update's change on top of the other save", got)
	}
}

func TestBeginSettle(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	bucket := Intent{Kind: "create-bucket", Name: "media", At: at}
	user := Intent{Kind: "create-user", Name: "u", At: at.Add(time.Second)}
	key := Intent{Kind: "create-access-key", Name: "u", At: at.Add(2 * time.Second)}

	tests := []struct {
		name   string
		begin  []Intent
		settle []Intent
		want   []Intent
	}{
		{"nothing settled", []Intent{bucket, user}, nil, []Intent{bucket, user}},
		{"one settled", []Intent{bucket, user, key}, []Intent{user}, []Intent{bucket, key}},
		{"all settled", []Intent{bucket, user}, []Intent{user, bucket}, nil},
		{"settle of an unknown intent", []Intent{bucket}, []Intent{user}, []Intent{bucket}},
		{"other time is another intent", []Intent{bucket}, []Intent{{Kind: bucket.Kind, Name: bucket.Name, At: at.Add(time.Minute)}}, []Intent{bucket}},
		{"other kind is another intent", []Intent{user}, []Intent{{Kind: "create-access-key", Name: user.Name, At: user.At}}, []Intent{user}},
		{"same time in another zone", []Intent{bucket}, []Intent{{Kind: bucket.Kind, Name: bucket.Name, At: at.In(time.FixedZone("CET", 3600))}}, nil},
		{"settled twice", []Intent{bucket, bucket}, []Intent{bucket}, []Intent{bucket}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{SetupID: "x"}
			for _, in := range tt.begin {
				r.Begin(in)
			}
			if r.Empty() {
				t.Error("a record with pending intents is Empty")
			}
			for _, in := range tt.settle {
				r.Settle(in)
			}
			if !slices.EqualFunc(r.Pending, tt.want, func(a, b Intent) bool {
				return a.Kind == b.Kind && a.Name == b.Name && a.At.Equal(b.At)
			}) {
				t.Fatalf("Pending = %+v, want %+v", r.Pending, tt.want)
			}
			if tt.want == nil && r.Pending != nil {
				t.Errorf("Pending = %#v, want nil once all are settled", r.Pending)
			}
			if got := r.Empty(); got != (len(tt.want) == 0) {
				t.Errorf("Empty() = %v with pending %v", got, r.Pending)
			}
		})
	}

	// Intents survive a save and a load, and a settled record has no
	// "pending" key at all.
	path := Path(t.TempDir(), "x")
	r := sampleRecord()
	r.Begin(key)
	if err := r.Create(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pending) != 1 || got.Pending[0].Kind != key.Kind || got.Pending[0].Name != key.Name || !got.Pending[0].At.Equal(key.At) {
		t.Fatalf("loaded Pending = %+v, want %+v", got.Pending, key)
	}
	got.Settle(key)
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"pending"`) {
		t.Errorf("settled record still has a pending key:\n%s", data)
	}
}

func TestEmpty(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Record)
		empty  bool
	}{
		{"nothing", func(*Record) {}, true},
		{"names only", func(r *Record) { r.Bucket.Name, r.Policy.Name, r.User.Name = "b", "p", "u" }, true},
		{"bucket created", func(r *Record) { r.Bucket.Created = true }, false},
		{"policy created", func(r *Record) { r.Policy.Created = true }, false},
		{"user created", func(r *Record) { r.User.Created = true }, false},
		{"policy attached", func(r *Record) { r.User.Attached = true }, false},
		{"boundary", func(r *Record) { r.Boundary = &Boundary{Name: "b"} }, false},
		{"access key", func(r *Record) { r.AccessKeys = []Key{{ID: "AKIA1"}} }, false},
		{"pending", func(r *Record) { r.Begin(Intent{Kind: "create-user", Name: "u"}) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{SetupID: "x"}
			tt.change(r)
			if got := r.Empty(); got != tt.empty {
				t.Errorf("Empty() = %v, want %v", got, tt.empty)
			}
		})
	}
}

func TestForgetAccessKey(t *testing.T) {
	r := &Record{AccessKeys: []Key{{ID: "AKIA1"}, {ID: "AKIA2"}}}
	r.ForgetAccessKey("AKIA1")
	r.ForgetAccessKey("AKIA-unknown")
	if r.HasKey("AKIA1") || !r.HasKey("AKIA2") || len(r.AccessKeys) != 1 {
		t.Errorf("AccessKeys = %+v, want only AKIA2", r.AccessKeys)
	}
}
