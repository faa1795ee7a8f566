// Package journal keeps the local record of what setup created, so that
// teardown can remove exactly that and a re-run can tell its own resources
// from ones it found. A record never holds a secret access key: its types
// have nowhere to put one.
package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
	"github.com/s3link/s3link/awsops/setup/privfile"
)

// CurrentVersion is the record format this build writes and reads. Load
// refuses other versions instead of guessing, because teardown deletes what
// the record names.
const CurrentVersion = 2

// maxRecordSize bounds what Load reads: a real record is a few kilobytes,
// and a wrong path should not pull a large file into memory.
const maxRecordSize = 1 << 20

// Errors Load's sentences wrap, for callers that branch on the kind of
// problem; a missing file also matches fs.ErrNotExist.
var (
	ErrCorrupt = errors.New("setup record is damaged")
	ErrVersion = errors.New("setup record version is not supported")
	// ErrExists is Create's answer when a record of that setup id exists.
	ErrExists = errors.New("setup record already exists")
)

// Record is what one setup (one location for one user, with its own random
// id) created or reused, written before and after every call so that a
// crash part-way still leaves a record teardown can act on. Teardown
// removes a resource only when AWS shows it carries SetupID.
type Record struct {
	Version int `json:"version"`
	// SetupID is the random id every bucket, user and policy this setup
	// created carries as the awsops.SetupTagKey tag.
	SetupID     string `json:"setup_id"`
	Account     string `json:"account"`
	CallerARN   string `json:"caller_arn"`
	Profile     string `json:"profile,omitempty"`
	Region      string `json:"region"`
	EndpointURL string `json:"endpoint_url,omitempty"`
	Bucket      Bucket `json:"bucket"`
	// Prefix is the normalised path inside the bucket; "" is the root.
	Prefix string `json:"prefix"`
	Policy Policy `json:"policy"`
	// Boundary is a permissions boundary this setup made to widen an
	// existing user's boundary to this location too; nil when none.
	Boundary   *Boundary `json:"boundary,omitempty"`
	User       User      `json:"user"`
	AccessKeys []Key     `json:"access_keys"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Sandbox marks a record made against the local emulator.
	Sandbox bool `json:"sandbox,omitempty"`
	// Pending lists the create calls announced but not yet known to have
	// completed (see Intent).
	Pending []Intent `json:"pending,omitempty"`
	// Rotation is a key rotation under way (see rotation.go); nil when
	// none is.
	Rotation *Rotation `json:"rotation,omitempty"`
	// Role is the IAM role a role link (setup --access role) made for the
	// platform to assume; nil for a key link.
	Role *Role `json:"role,omitempty"`
}

// Bucket is the bucket setup used.
type Bucket struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// Created is true when this setup's CreateBucket made the bucket.
	Created bool `json:"created"`
}

// Policy is the customer-managed policy setup used.
type Policy struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// Created is true when this setup created the policy.
	Created bool `json:"created"`
}

// Boundary is a permissions-boundary policy setup created for a user it
// reused, and the boundary it replaced.
type Boundary struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// Created is true once the policy exists.
	Created bool `json:"created"`
	// Set is true once the user carries it as its boundary.
	Set bool `json:"set"`
	// Previous is the boundary it replaced; teardown puts it back.
	Previous string `json:"previous"`
}

// User is the IAM user setup used.
type User struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// Created is true when this setup created the user.
	Created bool `json:"created"`
	// Attached is true when this setup attached the policy to the user.
	Attached bool `json:"attached"`
}

// Role is the IAM role a role link uses: the platform's account assumes
// it with the external id. The external id is no secret (it guards
// against a confused deputy), so the record keeps it for the summary.
type Role struct {
	Name           string `json:"name"`
	ARN            string `json:"arn"`
	ExternalID     string `json:"external_id"`
	TrustedAccount string `json:"trusted_account"`
	// Created is true when this setup created the role.
	Created bool `json:"created"`
	// Attached is true when this setup attached the policy to the role.
	Attached bool `json:"attached"`
}

// Key is an access key s3link created. It holds the key id only.
type Key struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
}

// HasKey reports whether the record names the access key id.
func (r *Record) HasKey(id string) bool {
	return slices.ContainsFunc(r.AccessKeys, func(k Key) bool { return k.ID == id })
}

// ForgetAccessKey drops an access key that no longer exists from the
// record, and a rotation that none of whose keys is left.
func (r *Record) ForgetAccessKey(id string) {
	r.AccessKeys = slices.DeleteFunc(r.AccessKeys, func(k Key) bool { return k.ID == id })
	if rot := r.Rotation; rot != nil && !r.HasKey(rot.OldKeyID) && !r.HasKey(rot.NewKeyID) {
		r.Rotation = nil
	}
}

// Empty reports whether the record lists nothing that may still exist.
func (r *Record) Empty() bool {
	return !r.Bucket.Created && !r.Policy.Created && !r.User.Created && !r.User.Attached &&
		r.Boundary == nil && len(r.AccessKeys) == 0 && len(r.Pending) == 0 &&
		(r.Role == nil || !r.Role.Created && !r.Role.Attached)
}

// Dir returns the folder that holds s3link's records: $S3LINK_CONFIG_DIR
// when set, otherwise "s3link" in the user's configuration folder. It does
// not create the folder; Save does, with mode 0700.
func Dir() (string, error) {
	if d := os.Getenv("S3LINK_CONFIG_DIR"); d != "" {
		// Absolute, so that messages and the record path stay meaningful
		// after a change of working directory.
		if abs, err := filepath.Abs(d); err == nil {
			return abs, nil
		}
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", privfile.Sentence(err, "s3link cannot find your configuration folder (%s); set S3LINK_CONFIG_DIR to a folder it may use.", privfile.CauseText(err))
	}
	return filepath.Join(base, "s3link"), nil
}

// Path returns where the record of setup id lives: dir/setups/<id>.json.
func Path(dir, id string) string {
	return filepath.Join(dir, "setups", fileComponent(id)+".json")
}

// fileComponent keeps IAM-name characters and replaces the rest with "_".
// A leading dot is replaced too, so no record looks like a hidden file or
// one of Save's temporary files, which List skips.
func fileComponent(s string) string {
	if s == "" {
		return "unknown"
	}
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0
		if !ok || (i == 0 && c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 100 {
		b = b[:100]
	}
	return string(b)
}

// Create writes r as a new record at path. It never replaces a record:
// when one exists it returns ErrExists, so two setups can never overwrite
// each other's list of what to tear down.
func (r *Record) Create(path string) error {
	return r.write(path, true)
}

// Update changes the record at path under an exclusive lock: it loads the
// newest version, lets change edit it and saves it, so concurrent runs of
// the same setup never drop each other's changes. It returns the record
// as saved.
func Update(path string, change func(*Record) error) (*Record, error) {
	if _, err := os.Lstat(path); err != nil {
		// Load's sentence, not a lock error: there is nothing to lock.
		return nil, loadOpenError(path, err)
	}
	lock := flock.New(lockPath(path))
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	ok, err := lock.TryLockContext(ctx, 10*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("another s3link holds it")
		}
		return nil, privfile.Sentence(err, "The setup record %q is locked by another s3link (%s); wait for it to finish, then retry.", path, privfile.CauseText(err))
	}
	defer func() { _ = lock.Unlock() }()
	rec, err := Load(path)
	if err != nil {
		return nil, err
	}
	if err := change(rec); err != nil {
		return nil, err
	}
	if err := rec.write(path, false); err != nil {
		return nil, err
	}
	return rec, nil
}

// lockWait bounds how long Update waits for another s3link's save.
const lockWait = 15 * time.Second

// lockPath is the lock file beside a record; it starts with a dot, so List
// skips it.
func lockPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
}

// Save writes the record to path, replacing what is there. Prefer Create
// and Update, which never lose another run's changes.
func (r *Record) Save(path string) error { return r.write(path, false) }

// write saves the record to path atomically: readers see the old record
// or the new one, never a mix, even if s3link is killed mid-write. It
// creates the parent folder with mode 0700 and the file with mode 0600, and
// sets UpdatedAt (and CreatedAt, Version when unset). With exclusive, an
// existing record is ErrExists and is left as it is.
func (r *Record) write(path string, exclusive bool) error {
	dir := filepath.Dir(path)
	// The records folder, and the configuration folder above it, are
	// created 0700 and refused when others can write them: a record is a
	// list of things teardown deletes.
	if err := privfile.EnsurePrivateDir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := privfile.EnsurePrivateDir(dir); err != nil {
		return err
	}
	rec := *r
	now := time.Now().UTC()
	if rec.Version == 0 {
		rec.Version = CurrentVersion
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now
	}
	rec.UpdatedAt = now
	data, err := json.MarshalIndent(&rec, "", "  ")
	if err != nil {
		return saveError(path, err)
	}
	data = append(data, '\n')

	// Same folder as the target, so the rename cannot cross file systems.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return saveError(path, err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(tmpName)
		return saveError(path, err)
	}
	// CreateTemp already uses 0600, but say so explicitly rather than rely
	// on it: the record names the account's IAM user.
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmpName)
		return saveError(path, err)
	}
	if exclusive {
		// A hard link fails when path exists, where a rename would replace.
		err := os.Link(tmpName, path)
		_ = os.Remove(tmpName)
		if errors.Is(err, fs.ErrExist) {
			return privfile.Sentence(ErrExists, "A setup record %q already exists; s3link never replaces one.", path)
		}
		if err != nil {
			return saveError(path, err)
		}
	} else if err := os.Rename(tmpName, path); err != nil {
		_ = os.Remove(tmpName)
		return saveError(path, err)
	}
	privfile.SyncDir(dir)
	r.Version, r.CreatedAt, r.UpdatedAt = rec.Version, rec.CreatedAt, rec.UpdatedAt
	return nil
}

func saveError(path string, err error) error {
	return privfile.Sentence(err, "The setup record %q could not be saved (%s); free some space or fix the folder's permissions, then retry.", path, privfile.CauseText(err))
}

// Load reads the record at path. Every failure is one sentence naming the
// file and what to do; it wraps fs.ErrNotExist, ErrCorrupt or ErrVersion
// where they apply.
func Load(path string) (*Record, error) {
	// Stat first: opening a named pipe or device for reading can block.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, privfile.Sentence(ErrCorrupt, "%q is a folder, not a setup record; pass the .json file inside it.", path)
		}
		return nil, privfile.Sentence(ErrCorrupt, "%q is not a regular file, so it cannot be a setup record; check the path.", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err == nil && fi.IsDir() {
		if err := privfile.EnsurePrivateDir(filepath.Dir(path)); err != nil {
			return nil, err
		}
	}
	f, err := privfile.OpenNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, loadOpenError(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordSize+1))
	if err != nil {
		if errors.Is(err, syscall.EISDIR) {
			return nil, privfile.Sentence(ErrCorrupt, "%q is a folder, not a setup record; pass the .json file inside it.", path)
		}
		return nil, privfile.Sentence(err, "The setup record %q cannot be read (%s); check the file and try again.", path, privfile.CauseText(err))
	}
	return parseRecord(path, data)
}

// loadOpenError is the sentence for a record that cannot be opened.
func loadOpenError(path string, err error) error {
	switch {
	case errors.Is(err, privfile.ErrNotRegular):
		return privfile.Sentence(errors.Join(ErrCorrupt, err), "%q is not a regular file (a link, a pipe or a device), so s3link does not read it as a setup record; remove it or check the path.", path)
	case errors.Is(err, fs.ErrNotExist):
		return privfile.Sentence(err, "There is no setup record at %q; check the path, or run s3link setup first.", path)
	case errors.Is(err, fs.ErrPermission):
		return privfile.Sentence(err, "The setup record %q cannot be read (permission denied); fix its permissions or run s3link as its owner.", path)
	}
	return privfile.Sentence(err, "The setup record %q cannot be read (%s); check the file and try again.", path, privfile.CauseText(err))
}

// parseRecord checks and decodes a record's bytes.
func parseRecord(path string, data []byte) (*Record, error) {
	if len(data) > maxRecordSize {
		return nil, privfile.Sentence(ErrCorrupt, "%q is too large to be a setup record; check that you chose the right file.", path)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, privfile.Sentence(ErrCorrupt, "The setup record %q is empty; delete it, and remove what setup created in the AWS console if anything was.", path)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, privfile.Sentence(errors.Join(ErrCorrupt, err), "The setup record %q is damaged or cut short; restore it from a backup, or delete it and remove its bucket, policy and user in the AWS console.", path)
	}
	switch {
	case r.Version == 0:
		return nil, privfile.Sentence(ErrVersion, "%q is not an s3link setup record (it has no version); check that you chose the right file.", path)
	case r.Version == 1:
		var names []string
		if r.User.Name != "" {
			names = append(names, fmt.Sprintf("user %q", r.User.Name))
		}
		if r.Policy.Name != "" {
			names = append(names, fmt.Sprintf("policy %q", r.Policy.Name))
		}
		what := "what it lists"
		if len(names) > 0 {
			what = strings.Join(names, ", ") + " and their access keys"
		}
		return nil, privfile.Sentence(ErrVersion, "The setup record %q was written by an older s3link that did not tag what it created, so ownership cannot be proven and s3link leaves it alone: remove %s in the AWS console if they are yours, then delete the file.", path, what)
	case r.Version > CurrentVersion:
		return nil, privfile.Sentence(ErrVersion, "The setup record %q was written by a newer s3link (record version %d); upgrade s3link to use it.", path, r.Version)
	case r.Version != CurrentVersion:
		return nil, privfile.Sentence(ErrVersion, "The setup record %q has unknown version %d; check that you chose the right file.", path, r.Version)
	case r.SetupID == "":
		return nil, privfile.Sentence(ErrCorrupt, "The setup record %q has no setup id, so nothing in it can be proven s3link's; check that you chose the right file.", path)
	}
	return &r, nil
}

// List returns the paths of the records in dir, most recently saved first.
// A dir without records gives an empty list and no error.
func List(dir string) ([]string, error) {
	setups := filepath.Join(dir, "setups")
	if fi, err := os.Stat(setups); err == nil && fi.IsDir() {
		for _, d := range []string{dir, setups} {
			if err := privfile.EnsurePrivateDir(d); err != nil {
				return nil, err
			}
		}
	}
	entries, err := os.ReadDir(setups)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, privfile.Sentence(err, "The records folder %q cannot be read (%s); fix its permissions or set S3LINK_CONFIG_DIR.", setups, privfile.CauseText(err))
	}
	type found struct {
		path string
		mod  time.Time
	}
	var recs []found
	for _, e := range entries {
		name := e.Name()
		// Save's temporary files start with a dot.
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed while listing
		}
		recs = append(recs, found{filepath.Join(setups, name), info.ModTime()})
	}
	slices.SortFunc(recs, func(a, b found) int {
		if c := b.mod.Compare(a.mod); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	paths := make([]string, len(recs))
	for i, r := range recs {
		paths[i] = r.path
	}
	return paths, nil
}

// Remove deletes the record at path. A record that is already gone counts
// as removed, so teardown can be re-run.
func Remove(path string) error {
	_ = os.Remove(lockPath(path))
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return privfile.Sentence(err, "The setup record %q cannot be removed (%s); delete it by hand.", path, privfile.CauseText(err))
	}
	return nil
}
