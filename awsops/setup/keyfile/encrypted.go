package keyfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/privfile"
)

// maxRecipientsFile bounds what ParseRecipients reads from a file: a
// recipients file is a few lines.
const maxRecipientsFile = 64 << 10

// ParseRecipients reads --encrypt-to: an age X25519 public key (age1...),
// or the path of a recipients file holding one or more (one per line, #
// comments allowed), as age -R reads it. Errors are one sentence.
func ParseRecipients(arg string) ([]age.Recipient, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return nil, privfile.Sentence(nil, "--encrypt-to needs the platform's age public key (age1..., as 'age-keygen -y' prints it) or a file of them.")
	}
	if strings.HasPrefix(arg, "age1") {
		rs, err := age.ParseRecipients(strings.NewReader(arg))
		if err != nil || len(rs) != 1 {
			return nil, privfile.Sentence(nil, "%s is not an age public key (\"age1\" and 58 more letters and digits, as 'age-keygen -y' prints it); copy it again from the platform.", quoteShort(arg))
		}
		return rs, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, privfile.Sentence(err, "%s is neither an age public key (age1...) nor a recipients file that can be read (%s); give the platform's age public key.", quoteShort(arg), privfile.CauseText(err))
	}
	defer f.Close()
	rs, err := age.ParseRecipients(io.LimitReader(f, maxRecipientsFile))
	if err != nil {
		return nil, privfile.Sentence(err, "The recipients file %s holds no age public key that can be used (%s); put one age public key (age1...) on each line.", quoteShort(arg), strings.TrimPrefix(err.Error(), "age: "))
	}
	return rs, nil
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// WriteEncryptedKeyCSV saves key's CSV (in layout, byte for byte what
// WriteKeyCSV writes) encrypted for recipients, ASCII-armored, so the
// plaintext never reaches the disk: it is built and encrypted in memory.
// The file gets the guarantees of the CSV: created new with mode 0600, an
// existing path or a link there refused, never overwritten. It is written
// to a temporary file in the same folder first and linked into place only
// when complete, so path never holds a partial file.
func WriteEncryptedKeyCSV(path string, key awsops.AccessKey, layout CSVLayout, recipients []age.Recipient) error {
	if len(recipients) == 0 {
		return privfile.Sentence(nil, "There is no age recipient to encrypt the key file for; give --encrypt-to.")
	}
	header, row, err := keyRows(key, layout)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return createCSVError(path, os.ErrExist)
	}
	var plain bytes.Buffer
	w := csv.NewWriter(&plain)
	w.UseCRLF = true
	_ = w.Write(header)
	_ = w.Write(row)
	w.Flush()
	var sealed bytes.Buffer
	aw := armor.NewWriter(&sealed)
	ew, err := age.Encrypt(aw, recipients...)
	if err != nil {
		return privfile.Sentence(err, "Could not encrypt the key file for that recipient (%s); check the age public key.", strings.TrimPrefix(err.Error(), "age: "))
	}
	_, werr := ew.Write(plain.Bytes())
	clear(plain.Bytes())
	if err := errors.Join(werr, ew.Close(), aw.Close()); err != nil {
		return privfile.Sentence(err, "Could not encrypt the key file (%s); save it again.", privfile.CauseText(err))
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return createCSVError(path, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	fail := func(err error) error {
		_ = tmp.Close()
		return privfile.Sentence(err, "Could not write %q (%s); nothing was left there, so free some space or choose another path and save again.", path, privfile.CauseText(err))
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(sealed.Bytes()); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	// A hard link, unlike a rename, fails when path exists: a file or a
	// link that appeared since the check is never replaced.
	if err := os.Link(tmpName, path); err != nil {
		return createCSVError(path, err)
	}
	privfile.SyncDir(dir)
	return nil
}
