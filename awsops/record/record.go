// Package record keeps the local record of what setup created, so that
// teardown can remove exactly that and a re-run can tell its own resources
// from ones it found. A record never holds a secret access key: its types
// have nowhere to put one.
package record

import (
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
)

// CurrentVersion is the record format this build writes and reads. Load
// refuses other versions instead of guessing, because teardown deletes what
// the record names.
const CurrentVersion = 1

// maxRecordSize bounds what Load reads: a real record is a few kilobytes,
// and a wrong path should not pull a large file into memory.
const maxRecordSize = 1 << 20

// Errors Load's sentences wrap, for callers that branch on the kind of
// problem; a missing file also matches fs.ErrNotExist.
var (
	ErrCorrupt = errors.New("setup record is damaged")
	ErrVersion = errors.New("setup record version is not supported")
)

// Record is what one setup created or reused, written after every step so
// that a crash part-way still leaves a record teardown can act on.
type Record struct {
	Version     int    `json:"version"`
	Account     string `json:"account"`
	CallerARN   string `json:"caller_arn"`
	Profile     string `json:"profile,omitempty"`
	Region      string `json:"region"`
	EndpointURL string `json:"endpoint_url,omitempty"`
	Bucket      Bucket `json:"bucket"`
	// Prefix is the normalised path inside the bucket; "" is the root.
	Prefix     string    `json:"prefix"`
	Policy     Policy    `json:"policy"`
	User       User      `json:"user"`
	AccessKeys []Key     `json:"access_keys"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Sandbox marks a record made against the local emulator.
	Sandbox bool `json:"sandbox,omitempty"`
	// Pending lists the create calls announced but not yet known to have
	// completed (see Intent). The field is optional, so records written
	// before it existed still load, and the format version stays 1.
	Pending []Intent `json:"pending,omitempty"`
}

// Bucket is the bucket setup used.
type Bucket struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// Created is true when s3link created the bucket, false when it reused
	// one; teardown deletes only what s3link created.
	Created bool `json:"created"`
}

// Policy is the customer-managed policy setup used.
type Policy struct {
	Name      string `json:"name"`
	ARN       string `json:"arn"`
	VersionID string `json:"version_id"`
	// Created is true when s3link created the policy.
	Created bool `json:"created"`
	// NewVersion is true when s3link added a version to an existing policy.
	NewVersion bool `json:"new_version"`
}

// User is the IAM user setup used.
type User struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// Created is true when s3link created the user.
	Created bool `json:"created"`
	// Attached is true when s3link attached the policy to the user, so
	// teardown detaches it even from a user it did not create.
	Attached bool `json:"attached"`
}

// Key is an access key s3link created. It holds the key id only.
type Key struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
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
		return "", fmt.Errorf("s3link cannot find your configuration folder (%s); set S3LINK_CONFIG_DIR to a folder it may use.", causeText(err))
	}
	return filepath.Join(base, "s3link"), nil
}

// PathFor returns where the record for account and user lives:
// dir/setups/<account>-<user>.json. Both parts are reduced to characters
// safe in a file name on every system.
func PathFor(dir, account, user string) string {
	return filepath.Join(dir, "setups", fileComponent(account)+"-"+fileComponent(user)+".json")
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

// Save writes the record to path atomically: readers see the old record or
// the new one, never a mix, even if s3link is killed mid-write. It creates
// the parent folder with mode 0700 and the file with mode 0600, and sets
// UpdatedAt (and CreatedAt, Version when unset).
func (r *Record) Save(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return saveError(path, err)
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
	if err := os.Rename(tmpName, path); err != nil {
		_ = os.Remove(tmpName)
		return saveError(path, err)
	}
	syncDir(dir)
	r.Version, r.CreatedAt, r.UpdatedAt = rec.Version, rec.CreatedAt, rec.UpdatedAt
	return nil
}

// syncDir makes the rename itself durable. It is best effort: some systems
// (Windows, some network file systems) cannot sync a folder, and the record
// is already in place by then, so a failure here is not worth reporting.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

func saveError(path string, err error) error {
	return &sentenceError{
		msg: fmt.Sprintf("The setup record %q could not be saved (%s); free some space or fix the folder's permissions, then retry.", path, causeText(err)),
		err: err,
	}
}

// Load reads the record at path. Every failure is one sentence naming the
// file and what to do; it wraps fs.ErrNotExist, ErrCorrupt or ErrVersion
// where they apply.
func Load(path string) (*Record, error) {
	// Stat first: opening a named pipe or device for reading can block.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, sentence(ErrCorrupt, "%q is a folder, not a setup record; pass the .json file inside it.", path)
		}
		return nil, sentence(ErrCorrupt, "%q is not a regular file, so it cannot be a setup record; check the path.", path)
	}
	f, err := os.Open(path)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, sentence(err, "There is no setup record at %q; check the path, or run s3link setup first.", path)
		case errors.Is(err, fs.ErrPermission):
			return nil, sentence(err, "The setup record %q cannot be read (permission denied); fix its permissions or run s3link as its owner.", path)
		}
		return nil, sentence(err, "The setup record %q cannot be read (%s); check the file and try again.", path, causeText(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordSize+1))
	if err != nil {
		if errors.Is(err, syscall.EISDIR) {
			return nil, sentence(ErrCorrupt, "%q is a folder, not a setup record; pass the .json file inside it.", path)
		}
		return nil, sentence(err, "The setup record %q cannot be read (%s); check the file and try again.", path, causeText(err))
	}
	if len(data) > maxRecordSize {
		return nil, sentence(ErrCorrupt, "%q is too large to be a setup record; check that you chose the right file.", path)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, sentence(ErrCorrupt, "The setup record %q is empty; delete it, and remove what setup created in the AWS console if anything was.", path)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, sentence(errors.Join(ErrCorrupt, err), "The setup record %q is damaged or cut short; restore it from a backup, or delete it and remove its bucket, policy and user in the AWS console.", path)
	}
	switch {
	case r.Version == 0:
		return nil, sentence(ErrVersion, "%q is not an s3link setup record (it has no version); check that you chose the right file.", path)
	case r.Version > CurrentVersion:
		return nil, sentence(ErrVersion, "The setup record %q was written by a newer s3link (record version %d); upgrade s3link to use it.", path, r.Version)
	case r.Version != CurrentVersion:
		return nil, sentence(ErrVersion, "The setup record %q has unknown version %d; check that you chose the right file.", path, r.Version)
	}
	return &r, nil
}

// List returns the paths of the records in dir, most recently saved first.
// A dir without records gives an empty list and no error.
func List(dir string) ([]string, error) {
	setups := filepath.Join(dir, "setups")
	entries, err := os.ReadDir(setups)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, sentence(err, "The records folder %q cannot be read (%s); fix its permissions or set S3LINK_CONFIG_DIR.", setups, causeText(err))
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
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return sentence(err, "The setup record %q cannot be removed (%s); delete it by hand.", path, causeText(err))
	}
	return nil
}

// sentenceError is a message written for the user that still unwraps to
// its cause for errors.Is.
type sentenceError struct {
	msg string
	err error
}

func (e *sentenceError) Error() string { return e.msg }
func (e *sentenceError) Unwrap() error { return e.err }

func sentence(cause error, format string, args ...any) error {
	return &sentenceError{msg: fmt.Sprintf(format, args...), err: cause}
}

// causeText is the operating system's reason without the path that
// fs.PathError and friends repeat, so messages name each file once.
func causeText(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		return pe.Err.Error()
	case errors.As(err, &le):
		return le.Err.Error()
	case errors.As(err, &se):
		return se.Err.Error()
	}
	return err.Error()
}
