package keyfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/privfile"
)

// profileName is what s3link accepts as a profile name: the characters of
// an IAM user name, which "aws configure import" names its profiles after.
// Brackets, spaces, '#' and ';' would not survive an INI section header.
var profileName = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{1,128}$`)

// ErrProfileExists marks a profile name the credentials file already holds.
var ErrProfileExists = errors.New("profile exists")

// SharedCredentialsFile is the file the AWS CLI and SDKs read keys from:
// $AWS_SHARED_CREDENTIALS_FILE, or ~/.aws/credentials.
func SharedCredentialsFile() (string, error) {
	if p := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", privfile.Sentence(err, "Could not find your home folder (%s); set AWS_SHARED_CREDENTIALS_FILE to the credentials file to write.", privfile.CauseText(err))
	}
	return filepath.Join(home, ".aws", "credentials"), nil
}

// CheckProfileFree refuses, with one sentence, a profile that
// WriteCredentialsProfile could not add to the credentials file at path:
// a name s3link does not accept, a name the file already holds, a file
// that is a symbolic link or not a regular file, or one that does not read
// as INI. A missing file is fine (it will be created). It only reads.
func CheckProfileFree(path, name string) error {
	_, _, err := readCredentialsFile(path, name)
	return err
}

// WriteCredentialsProfile adds key to the shared credentials file at path
// as the profile name, the way "aws configure" writes one:
//
//	[name]
//	aws_access_key_id = AKIA...
//	aws_secret_access_key = ...
//
// The section is appended; every byte of the file before it (other
// profiles, comments, blank lines) is kept as it was. The file is replaced
// atomically (a temporary file in the same folder, synced, then renamed),
// so a reader never sees half a file. A new file is created with mode 0600
// and a missing folder with 0700; an existing file keeps its owner
// permission bits, and any group or other bits are dropped because it now
// holds a secret. A profile that already exists is refused, never changed,
// and the file is never written through a symbolic link. Errors never
// contain the secret.
func WriteCredentialsProfile(path, name string, key awsops.AccessKey) error {
	if key.ID == "" || key.Secret.IsZero() {
		return privfile.Sentence(nil, "There is no access key to save; create one first.")
	}
	if !iniSafe(key.ID) || !iniSafe(key.Secret.Reveal()) {
		return privfile.Sentence(nil, "The access key holds characters a credentials file cannot keep exactly; copy it from the screen instead.")
	}
	old, before, err := readCredentialsFile(path, name)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	mode := fs.FileMode(0o600)
	if before != nil {
		if m := before.Mode().Perm() & 0o600; m != 0 {
			mode = m
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return privfile.Sentence(err, "Could not create the folder %q (%s); create it or set AWS_SHARED_CREDENTIALS_FILE to another file.", dir, privfile.CauseText(err))
	}

	nl := "\n"
	if bytes.Contains(old, []byte("\r\n")) {
		nl = "\r\n"
	}
	var buf bytes.Buffer
	buf.Write(old)
	if len(old) > 0 {
		if !bytes.HasSuffix(old, []byte("\n")) {
			buf.WriteString(nl)
		}
		buf.WriteString(nl)
	}
	fmt.Fprintf(&buf, "[%s]%saws_access_key_id = %s%saws_secret_access_key = %s%s", name, nl, key.ID, nl, key.Secret.Reveal(), nl)
	if err := checkWritten(buf.Bytes(), name, key); err != nil {
		return err
	}

	tmp, err := os.CreateTemp(dir, ".credentials.s3link-*")
	if err != nil {
		return privfile.Sentence(err, "Could not write next to %q (%s); check the folder's permissions.", path, privfile.CauseText(err))
	}
	fail := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return privfile.Sentence(err, "Could not write %q (%s); it was left as it was, so free some space and save again.", path, privfile.CauseText(err))
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return privfile.Sentence(err, "Could not write %q (%s); it was left as it was, so save again.", path, privfile.CauseText(err))
	}
	// Something else (aws configure, an editor) may have changed the file
	// while s3link wrote its copy; renaming over it would lose that change.
	if err := sameAsRead(path, before); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return privfile.Sentence(err, "Could not replace %q (%s); it was left as it was, so save again.", path, privfile.CauseText(err))
	}
	privfile.SyncDir(dir)
	return nil
}

// readCredentialsFile checks name and reads the credentials file at path,
// never through a symbolic link. A missing file reads as empty with a nil
// FileInfo.
func readCredentialsFile(path, name string) ([]byte, fs.FileInfo, error) {
	if !profileName.MatchString(name) || name == ini.DefaultSection {
		return nil, nil, privfile.Sentence(nil, "%q cannot be a profile name; use up to 128 letters, digits and _+=,.@- characters.", name)
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if st, derr := os.Stat(dir); derr == nil && !st.IsDir() {
			return nil, nil, privfile.Sentence(nil, "%q is not a folder, so the credentials file %q cannot be created in it.", dir, path)
		}
		return nil, nil, nil
	case err != nil:
		return nil, nil, privfile.Sentence(err, "Could not check the credentials file %q (%s).", path, privfile.CauseText(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, nil, privfile.Sentence(nil, "The credentials file %q is a symbolic link, which s3link does not write through; set AWS_SHARED_CREDENTIALS_FILE to the file it points to.", path)
	case !fi.Mode().IsRegular():
		return nil, nil, privfile.Sentence(nil, "The credentials file %q is not a regular file (%s); set AWS_SHARED_CREDENTIALS_FILE to a file.", path, fi.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|privfile.NoFollow, 0)
	if err != nil {
		return nil, nil, privfile.Sentence(err, "Could not read the credentials file %q (%s).", path, privfile.CauseText(err))
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, privfile.Sentence(err, "Could not read the credentials file %q (%s).", path, privfile.CauseText(err))
	}
	cfg, err := loadCredentialsINI(data)
	if err != nil {
		return nil, nil, privfile.Sentence(err, "The credentials file %q does not read as INI (%s); fix it, or set AWS_SHARED_CREDENTIALS_FILE to another file.", path, strings.Join(strings.Fields(err.Error()), " "))
	}
	if cfg.HasSection(name) {
		return nil, nil, privfile.Sentence(ErrProfileExists, "Profile %q already exists in %s; choose another name (s3link never changes an existing profile).", name, path)
	}
	return data, fi, nil
}

func loadCredentialsINI(data []byte) (*ini.File, error) {
	return ini.LoadSources(ini.LoadOptions{AllowNestedValues: true}, data)
}

// checkWritten reads back what is about to be written, so a key the INI
// readers would see differently is refused rather than saved wrong.
func checkWritten(data []byte, name string, key awsops.AccessKey) error {
	cfg, err := loadCredentialsINI(data)
	if err == nil {
		sec, serr := cfg.GetSection(name)
		if serr == nil && len(sec.Keys()) == 2 &&
			sec.Key("aws_access_key_id").String() == key.ID &&
			sec.Key("aws_secret_access_key").String() == key.Secret.Reveal() {
			return nil
		}
	}
	return privfile.Sentence(nil, "The new profile %q would not read back from the credentials file exactly; nothing was written.", name)
}

// sameAsRead refuses to replace a file that changed since it was read.
func sameAsRead(path string, before fs.FileInfo) error {
	now, err := os.Lstat(path)
	switch {
	case before == nil && errors.Is(err, fs.ErrNotExist):
		return nil
	case before != nil && err == nil && now.Mode() == before.Mode() && now.Size() == before.Size() && now.ModTime().Equal(before.ModTime()):
		return nil
	}
	return privfile.Sentence(nil, "The credentials file %q changed while s3link was adding the profile; nothing was written, so save again.", path)
}

// iniSafe reports whether s can be an INI value as is: printable ASCII
// with no spaces, quotes or comment characters.
func iniSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || c == '#' || c == ';' || c == '"' || c == '\'' || c == '`' {
			return false
		}
	}
	return true
}
