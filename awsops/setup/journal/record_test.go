package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

// knownSecret is AWS's documented example secret: realistic, and harmless.
const knownSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// sampleSetupID is a setup id in the form setup makes them.
const sampleSetupID = "7f3c2a9e4b1d4e6f"

func sampleRecord() *Record {
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return &Record{
		SetupID:     sampleSetupID,
		Account:     "123456789012",
		CallerARN:   "arn:aws:iam::123456789012:user/admin",
		Profile:     "work",
		Region:      "eu-west-1",
		EndpointURL: "http://127.0.0.1:5000",
		Bucket:      Bucket{Name: "crowdai-imagery", Region: "eu-west-1", Created: true},
		Prefix:      "path/to/files",
		Policy: Policy{
			Name: "CrowdAI-Platform-Access", ARN: "arn:aws:iam::123456789012:policy/CrowdAI-Platform-Access",
			Created: true,
		},
		Boundary: &Boundary{
			Name: "CrowdAI-Platform-Access-Boundary", ARN: "arn:aws:iam::123456789012:policy/CrowdAI-Platform-Access-Boundary",
			Created: true, Set: true, Previous: "arn:aws:iam::123456789012:policy/Old-Boundary",
		},
		User:       User{Name: "crowdai-platform-access", ARN: "arn:aws:iam::123456789012:user/crowdai-platform-access", Created: true, Attached: true},
		AccessKeys: []Key{{ID: "AKIAIOSFODNN7EXAMPLE", Created: created}},
		CreatedAt:  created,
		Sandbox:    true,
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", "setups", "123456789012-crowdai-platform-access.json")
	r := sampleRecord()
	before := time.Now()
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	if r.Version != CurrentVersion {
		t.Errorf("Version = %d, want %d", r.Version, CurrentVersion)
	}
	if r.UpdatedAt.Before(before.Add(-time.Second)) || r.UpdatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("UpdatedAt = %v, want about now", r.UpdatedAt)
	}
	if !r.CreatedAt.Equal(sampleRecord().CreatedAt) {
		t.Errorf("CreatedAt changed to %v", r.CreatedAt)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip differs:\ngot  %+v\nwant %+v", got, r)
	}

	// Saving again replaces the record and leaves no temporary file behind.
	r.AccessKeys = append(r.AccessKeys, Key{ID: "AKIAI44QH8DHBEXAMPLE", Created: time.Now().UTC().Truncate(time.Second)})
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.AccessKeys) != 2 {
		t.Errorf("second save not visible: %+v", got.AccessKeys)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only the record", names)
	}
}

func TestSaveSetsCreatedAt(t *testing.T) {
	r := &Record{Account: "1"}
	if err := r.Save(filepath.Join(t.TempDir(), "r.json")); err != nil {
		t.Fatal(err)
	}
	if r.CreatedAt.IsZero() || !r.CreatedAt.Equal(r.UpdatedAt) {
		t.Errorf("CreatedAt = %v, UpdatedAt = %v", r.CreatedAt, r.UpdatedAt)
	}
}

func TestSaveModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	cfg := filepath.Join(t.TempDir(), "cfg")
	path := Path(cfg, sampleSetupID)
	if err := sampleRecord().Create(path); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{cfg: 0o700, filepath.Dir(path): 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", p, got, want)
		}
	}
}

func TestSaveFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty folder, so the final rename fails.
	path := filepath.Join(dir, "r.json")
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := sampleRecord().Save(path)
	if err == nil {
		t.Fatal("save over a folder succeeded")
	}
	if !strings.Contains(err.Error(), `"`+path+`" could not be saved`) {
		t.Errorf("error = %q", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %d entries", len(entries))
	}
}

func TestSecretNeverInRecord(t *testing.T) {
	key := awsops.AccessKey{
		User:    "crowdai-platform-access",
		ID:      "AKIAIOSFODNN7EXAMPLE",
		Secret:  awsops.NewSecret(knownSecret),
		Created: time.Now().UTC(),
	}
	dir := t.TempDir()
	r := sampleRecord()
	r.AccessKeys = []Key{{ID: key.ID, Created: key.Created}}
	path := Path(dir, r.SetupID)
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := keyfile.WriteCredentialsCSV(filepath.Join(dir, "key.csv"), key); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(knownSecret)) {
		t.Fatal("the record file contains the secret access key")
	}
	if !bytes.Contains(data, []byte(key.ID)) {
		t.Error("the record file lacks the key id")
	}
}

// TestRecordHasNoSecretField keeps the record's types free of anything that
// could hold a secret, so a future field cannot leak one by accident.
func TestRecordHasNoSecretField(t *testing.T) {
	secretType := reflect.TypeFor[awsops.Secret]()
	keyType := reflect.TypeFor[awsops.AccessKey]()
	var walk func(reflect.Type, string)
	seen := map[reflect.Type]bool{}
	walk = func(ty reflect.Type, path string) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		if ty == secretType || ty == keyType || ty == reflect.TypeFor[awsops.StaticCredentials]() {
			t.Errorf("%s is a %s", path, ty)
		}
		switch ty.Kind() {
		case reflect.Struct:
			for i := range ty.NumField() {
				f := ty.Field(i)
				if strings.Contains(strings.ToLower(f.Name), "secret") {
					t.Errorf("%s.%s looks like a secret", path, f.Name)
				}
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Slice, reflect.Pointer, reflect.Array:
			walk(ty.Elem(), path+"[]")
		case reflect.Map:
			walk(ty.Key(), path+"{}")
			walk(ty.Elem(), path+"{}")
		case reflect.Interface:
			t.Errorf("%s is an interface, which could hold anything", path)
		}
	}
	walk(reflect.TypeFor[Record](), "Record")
}

func validRecordJSON(t testing.TB) []byte {
	t.Helper()
	r := sampleRecord()
	r.Version = CurrentVersion
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadErrors(t *testing.T) {
	valid := validRecordJSON(t)
	tests := []struct {
		name    string
		content []byte // nil: do not create the file
		want    string
		is      error
	}{
		{"missing", nil, "There is no setup record at", fs.ErrNotExist},
		{"empty", []byte(""), "is empty", ErrCorrupt},
		{"whitespace", []byte(" \n\t"), "is empty", ErrCorrupt},
		{"truncated", valid[:len(valid)/2], "is damaged or cut short", ErrCorrupt},
		{"garbage", []byte("\x00\xff not json"), "is damaged or cut short", ErrCorrupt},
		{"array", []byte("[]"), "is damaged or cut short", ErrCorrupt},
		{"wrong type", []byte(`{"version":"1"}`), "is damaged or cut short", ErrCorrupt},
		{"trailing garbage", append(slices.Clone(valid), "}{"...), "is damaged or cut short", ErrCorrupt},
		{"huge number", []byte(`{"version":1e400}`), "is damaged or cut short", ErrCorrupt},
		{"null", []byte("null"), "has no version", ErrVersion},
		{"no version", []byte(`{"account":"1"}`), "has no version", ErrVersion},
		{"newer version", []byte(`{"version":3,"setup_id":"x"}`), "newer s3link (record version 3); upgrade s3link", ErrVersion},
		// Version 1 records predate the setup tag: nothing they name can
		// be proven s3link's, so they are refused and the sentence says
		// what to remove by hand.
		{"version 1", []byte(`{"version":1,"user":{"name":"old-user"},"policy":{"name":"Old-Policy"}}`),
			"was written by an older s3link that did not tag what it created, so ownership cannot be proven and s3link leaves it alone", ErrVersion},
		{"version 1 with a setup id", []byte(`{"version":1,"setup_id":"x"}`), "was written by an older s3link", ErrVersion},
		// The names come from the file: they must not break the sentence.
		{"version 1 with a line break in a name", []byte(`{"version":1,"user":{"name":"a\r\nb"},"policy":{"name":"p"}}`), "was written by an older s3link", ErrVersion},
		{"no setup id", []byte(`{"version":2,"account":"123456789012","user":{"name":"u"}}`), "has no setup id, so nothing in it can be proven s3link's", ErrCorrupt},
		{"empty setup id", []byte(`{"version":2,"setup_id":""}`), "has no setup id", ErrCorrupt},
		{"negative version", []byte(`{"version":-1}`), "unknown version -1", ErrVersion},
		{"too large", append([]byte(`{"version":1,"prefix":"`), bytes.Repeat([]byte("a"), maxRecordSize)...), "too large", ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.json")
			if tt.content != nil {
				if err := os.WriteFile(path, tt.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", r)
			}
			checkSentence(t, err, path, tt.want)
			if !errors.Is(err, tt.is) {
				t.Errorf("error does not match %v", tt.is)
			}
		})
	}

	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		_, err := Load(dir)
		checkSentence(t, err, dir, "is a folder")
	})
	t.Run("named pipe", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no named pipes in the file system")
		}
		path := filepath.Join(t.TempDir(), "fifo.json")
		if err := mkfifo(path); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path) // must not block waiting for a writer
		checkSentence(t, err, path, "not a regular file")
	})
	t.Run("under a file", func(t *testing.T) {
		// Works as root too, unlike a permission test: no user can open a
		// path whose parent is a regular file.
		parent := filepath.Join(t.TempDir(), "plain")
		if err := os.WriteFile(parent, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(parent, "rec.json")
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%s) = %v, want a sentence naming the file", path, err)
		}
	})
}

// TestLoadVersion1 refuses a whole record as the previous s3link wrote it,
// and the sentence names the file and what to remove by hand.
func TestLoadVersion1(t *testing.T) {
	const v1 = `{
  "version": 1,
  "account": "123456789012",
  "caller_arn": "arn:aws:iam::123456789012:user/admin",
  "region": "eu-west-1",
  "bucket": {"name": "crowdai-imagery", "region": "eu-west-1", "created": true},
  "prefix": "path/to/files",
  "policy": {"name": "CrowdAI-Platform-Access", "arn": "arn:aws:iam::123456789012:policy/CrowdAI-Platform-Access", "version_id": "v2", "created": false, "new_version": true},
  "user": {"name": "crowdai-platform-access", "arn": "arn:aws:iam::123456789012:user/crowdai-platform-access", "created": true, "attached": true},
  "access_keys": [{"id": "AKIAIOSFODNN7EXAMPLE", "created": "2025-03-01T12:00:00Z"}],
  "created_at": "2025-03-01T12:00:00Z",
  "updated_at": "2025-03-01T12:00:00Z"
}
`
	path := filepath.Join(t.TempDir(), "setups", "123456789012-crowdai-platform-access.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path)
	if err == nil {
		t.Fatalf("Load accepted a version 1 record: %+v", r)
	}
	if r != nil {
		t.Error("Load returned a record with its error")
	}
	checkSentence(t, err, path, "older s3link")
	if !errors.Is(err, ErrVersion) {
		t.Errorf("error does not match ErrVersion: %v", err)
	}
	for _, name := range []string{"crowdai-platform-access", "CrowdAI-Platform-Access"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s, which is left to remove by hand", err, name)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != v1 {
		t.Error("Load changed the version 1 record")
	}
}

// TestLoadEveryTruncation cuts a valid record at every byte: each cut must
// be refused with a sentence, never accepted half-read and never a panic.
func TestLoadEveryTruncation(t *testing.T) {
	valid := validRecordJSON(t)
	path := filepath.Join(t.TempDir(), "rec.json")
	for n := 0; n < len(valid); n++ {
		if err := os.WriteFile(path, valid[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		if r, err := Load(path); err == nil {
			t.Fatalf("cut at %d of %d bytes accepted: %+v", n, len(valid), r)
		}
	}
}

func checkSentence(t *testing.T, err error, path, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not contain %q", msg, want)
	}
	if !strings.Contains(msg, `"`+path+`"`) {
		t.Errorf("error %q does not name the file %q", msg, path)
	}
	if !strings.HasSuffix(msg, ".") || strings.Contains(msg, "\n") {
		t.Errorf("error %q is not one sentence", msg)
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		name, id, want string
	}{
		{"plain", sampleSetupID, sampleSetupID + ".json"},
		{"iam characters kept", "a+b=c,d.e@f_g", "a+b=c,d.e@f_g.json"},
		{"separators replaced", "../x/y\\z", "_._x_y_z.json"},
		{"dot dot", "..", "_..json"},
		{"empty", "", "unknown.json"},
		{"leading dot", ".hidden", "_hidden.json"},
		{"unicode", "jürgen", "j__rgen.json"},
		{"nul", "a\x00b", "a_b.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join("cfg")
			got := Path(dir, tt.id)
			want := filepath.Join(dir, "setups", tt.want)
			if got != want {
				t.Fatalf("Path = %q, want %q", got, want)
			}
			if filepath.Dir(got) != filepath.Join(dir, "setups") {
				t.Fatalf("%q escapes the setups folder", got)
			}
		})
	}
	long := Path("d", strings.Repeat("1", 300))
	if len(filepath.Base(long)) > 255 {
		t.Errorf("file name is %d bytes, over common file system limits", len(filepath.Base(long)))
	}
	if Path("d", "a") == Path("d", "b") {
		t.Error("two setup ids share a record path")
	}
}

func TestDir(t *testing.T) {
	t.Run("override", func(t *testing.T) {
		want := t.TempDir()
		t.Setenv("S3LINK_CONFIG_DIR", want)
		got, err := Dir()
		if err != nil || got != want {
			t.Fatalf("Dir() = %q, %v; want %q", got, err, want)
		}
	})
	t.Run("relative override is made absolute", func(t *testing.T) {
		t.Setenv("S3LINK_CONFIG_DIR", "rel")
		got, err := Dir()
		if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "rel" {
			t.Fatalf("Dir() = %q, %v", got, err)
		}
	})
	t.Run("default", func(t *testing.T) {
		t.Setenv("S3LINK_CONFIG_DIR", "")
		base := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", base)
		t.Setenv("HOME", base)
		t.Setenv("AppData", base)
		want, err := os.UserConfigDir()
		if err != nil {
			t.Skip(err)
		}
		got, err := Dir()
		if err != nil || got != filepath.Join(want, "s3link") {
			t.Fatalf("Dir() = %q, %v; want %q", got, err, filepath.Join(want, "s3link"))
		}
		if _, err := os.Stat(got); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Dir created %q", got)
		}
	})
}

func TestListAndRemove(t *testing.T) {
	dir := t.TempDir()
	if paths, err := List(dir); err != nil || len(paths) != 0 {
		t.Fatalf("List of an empty config = %v, %v", paths, err)
	}
	old := Path(dir, "1111aaaa")
	mid := Path(dir, "2222bbbb")
	newest := Path(dir, "3333cccc")
	now := time.Now()
	for _, p := range []string{mid, newest, old} {
		if err := sampleRecord().Create(p); err != nil {
			t.Fatal(err)
		}
	}
	for p, age := range map[string]time.Duration{old: 3 * time.Hour, mid: 2 * time.Hour, newest: time.Hour} {
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	setups := filepath.Join(dir, "setups")
	for _, junk := range []string{".x.json.123.tmp", "notes.txt", ".hidden.json"} {
		if err := os.WriteFile(filepath.Join(setups, junk), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(setups, "folder.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	got, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{newest, mid, old}; !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}

	if err := Remove(mid); err != nil {
		t.Fatal(err)
	}
	if err := Remove(mid); err != nil {
		t.Fatalf("removing a removed record: %v", err)
	}
	got, _ = List(dir)
	if want := []string{newest, old}; !slices.Equal(got, want) {
		t.Fatalf("after Remove, List = %v, want %v", got, want)
	}
}

func FuzzLoadRecord(f *testing.F) {
	valid := validRecordJSON(f)
	for _, s := range [][]byte{
		valid, valid[:len(valid)/3], nil, []byte("null"), []byte("{}"), []byte("[]"), []byte(`{"version":1}`),
		[]byte(`{"version":1e400}`), []byte(`{"version":2}`), []byte(`{"version":2,"setup_id":"x"}`),
		[]byte(`{"version":3,"setup_id":"x"}`), []byte(`{"access_keys":[{"created":"yesterday"}],"version":2,"setup_id":"x"}`),
		[]byte(`{"version":2,"setup_id":"x","boundary":null,"pending":[{"kind":"user","name":"u","at":"2026-03-01T12:00:00Z"}]}`),
		[]byte(strings.Repeat("[", 10001)), []byte("\xef\xbb\xbf{}"), []byte("\x00"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "rec.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := Load(path)
		if err != nil {
			if r != nil {
				t.Fatal("Load returned a record and an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
				t.Fatalf("bad message %q", msg)
			}
			return
		}
		if r.Version != CurrentVersion {
			t.Fatalf("accepted version %d", r.Version)
		}
		if r.SetupID == "" {
			t.Fatal("accepted a record without a setup id")
		}
		// An accepted record survives a save and a second load unchanged.
		if err := r.Save(path); err != nil {
			t.Fatal(err)
		}
		again, err := Load(path)
		if err != nil {
			t.Fatalf("re-load of a saved record: %v", err)
		}
		// Compared as JSON: time zones parsed twice are equal in value but
		// not in pointer identity.
		again.UpdatedAt = r.UpdatedAt
		a, _ := json.Marshal(again)
		b, _ := json.Marshal(r)
		if !bytes.Equal(a, b) {
			t.Fatalf("re-load differs:\n%s\n%s", a, b)
		}
	})
}
