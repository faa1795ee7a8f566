// Package keyfile hands over an access key as a file: the CSV in the AWS
// console's layout or the one "aws configure import --csv" reads, a profile
// in the shared credentials file, or the CSV encrypted to age recipients.
// Every file is created new with mode 0600 and never replaces or writes
// through what is already at its path; reading the CSV back is here too.
package keyfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup/privfile"
)

// credentialsHeader is the header row of the AWS console's "Download .csv
// file" for a new access key.
var credentialsHeader = []string{"Access key ID", "Secret access key"}

// importHeader is the header row "aws configure import --csv" (AWS CLI v2)
// reads: it requires the "User Name" column and names the profile it
// creates after that user.
var importHeader = []string{"User Name", "Access key ID", "Secret access key"}

// CSVLayout is the column layout of a saved key file.
type CSVLayout int

const (
	// LayoutConsole is the AWS console's "Download .csv file" layout.
	LayoutConsole CSVLayout = iota
	// LayoutAWSImport is the layout "aws configure import --csv" reads.
	LayoutAWSImport
)

// String returns the layout's name as the --csv-format flag spells it.
func (l CSVLayout) String() string {
	switch l {
	case LayoutConsole:
		return "console"
	case LayoutAWSImport:
		return "aws-import"
	}
	return fmt.Sprintf("CSVLayout(%d)", int(l))
}

// ParseCSVLayout reads a layout name: "console" or "aws-import".
func ParseCSVLayout(s string) (CSVLayout, error) {
	switch s {
	case "console":
		return LayoutConsole, nil
	case "aws-import":
		return LayoutAWSImport, nil
	}
	return 0, fmt.Errorf("unknown CSV format %q; use console (the AWS console's layout) or aws-import (for 'aws configure import --csv')", s)
}

// WriteCredentialsCSV saves key in the AWS console's own layout: the header
// "Access key ID,Secret access key" and one row with the id and secret.
//
// The console writes CRLF line endings and a UTF-8 byte order mark. s3link
// keeps CRLF, so the file matches byte for byte after the mark, but leaves
// the mark out on purpose: it glues itself to the first header name and
// breaks "aws configure import" and other readers that compare headers.
//
// The file is created new with mode 0600, whatever the umask; an existing
// path (a file, a folder or a symlink) is refused, never overwritten, and
// a missing parent folder is not created. If writing fails, the partial
// file is removed. Errors never contain the secret.
func WriteCredentialsCSV(path string, key awsops.AccessKey) error {
	return WriteKeyCSV(path, key, LayoutConsole)
}

// WriteKeyCSV saves key in the given layout with the guarantees of
// WriteCredentialsCSV. LayoutAWSImport writes the header "User Name,Access
// key ID,Secret access key" and one row with key.User, the id and the
// secret, which "aws configure import --csv file://PATH" turns into a
// profile named after the user.
func WriteKeyCSV(path string, key awsops.AccessKey, layout CSVLayout) error {
	header, row, err := keyRows(key, layout)
	if err != nil {
		return err
	}
	return writeCSVFile(path, header, row)
}

// keyRows are the header and the one row of key's CSV in layout, after
// the checks every key file gets.
func keyRows(key awsops.AccessKey, layout CSVLayout) (header, row []string, err error) {
	if key.ID == "" || key.Secret.IsZero() {
		return nil, nil, privfile.Sentence(nil, "There is no access key to save; create one first.")
	}
	switch layout {
	case LayoutConsole:
		header, row = credentialsHeader, []string{key.ID, key.Secret.Reveal()}
	case LayoutAWSImport:
		if key.User == "" {
			return nil, nil, privfile.Sentence(nil, "The access key has no IAM user name, which 'aws configure import' needs; save it in the console layout instead.")
		}
		// The AWS CLI splits each line at every comma and knows no
		// quoting, so a name with a comma or quote would be misread.
		if !csvSafe(key.User) || strings.ContainsAny(key.User, ",\"") {
			return nil, nil, privfile.Sentence(nil, "The IAM user name holds characters 'aws configure import' cannot read (a comma, a quote or a control character); save the key in the console layout instead.")
		}
		header, row = importHeader, []string{key.User, key.ID, key.Secret.Reveal()}
	default:
		return nil, nil, privfile.Sentence(nil, "Unknown CSV layout %v; use console or aws-import.", layout)
	}
	// A real key is plain ASCII. Control characters could not be read back
	// exactly (CSV readers fold "\r\n" inside quotes into "\n") and would
	// break other tools, so such a key is refused rather than mangled.
	if !csvSafe(key.ID) || !csvSafe(key.Secret.Reveal()) {
		return nil, nil, privfile.Sentence(nil, "The access key holds characters a CSV file cannot keep exactly; copy it from the screen instead.")
	}
	return header, row, nil
}

// writeCSVFile creates path new, mode 0600, with the header and row.
func writeCSVFile(path string, header, row []string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return createCSVError(path, err)
	}
	fail := func(err error) error {
		_ = f.Close()
		_ = os.Remove(path)
		return privfile.Sentence(err, "Could not write %q (%s); the partial file was removed, so free some space or choose another path and save again.", path, privfile.CauseText(err))
	}
	// OpenFile's mode passes through the umask, which can only narrow it,
	// but set it explicitly so the result never depends on the caller.
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	w := csv.NewWriter(f)
	w.UseCRLF = true
	if err := w.Write(header); err != nil {
		return fail(err)
	}
	if err := w.Write(row); err != nil {
		return fail(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return privfile.Sentence(err, "Could not finish writing %q (%s); the partial file was removed, so save again.", path, privfile.CauseText(err))
	}
	return nil
}

func csvSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func createCSVError(path string, err error) error {
	dir := filepath.Dir(path)
	var msg string
	switch {
	case errors.Is(err, fs.ErrExist):
		msg = fmt.Sprintf("%q already exists; choose another path (s3link never overwrites a credentials file).", path)
	case errors.Is(err, fs.ErrNotExist):
		msg = fmt.Sprintf("The folder %q does not exist; create it first or choose another path (s3link does not create folders for a credentials file).", dir)
	case errors.Is(err, syscall.ENOTDIR):
		msg = fmt.Sprintf("%q is not a folder, so %q cannot be created in it; choose another path.", dir, filepath.Base(path))
	case errors.Is(err, fs.ErrPermission):
		msg = fmt.Sprintf("You may not create files in %q (permission denied); choose a folder you can write to.", dir)
	default:
		msg = fmt.Sprintf("Could not create %q (%s); choose another path.", path, privfile.CauseText(err))
	}
	return privfile.Sentence(err, "%s", msg)
}

// ReadCredentialsCSV reads a key saved in the AWS console's layout (as
// WriteCredentialsCSV writes it, or the console's own download, with or
// without its byte order mark): the header "Access key ID,Secret access
// key" and one row. The aws-import layout WriteKeyCSV writes ("User
// Name,Access key ID,Secret access key") is read too. Any other layout is
// refused with one sentence. Errors never contain the secret.
func ReadCredentialsCSV(path string) (awsops.AccessKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return awsops.AccessKey{}, privfile.Sentence(err, "Could not open %q (%s); give the path of the access key's CSV file.", path, privfile.CauseText(err))
	}
	defer f.Close()
	refuse := privfile.Sentence(nil, "%q is not an access key CSV in the AWS console's layout (a header \"Access key ID,Secret access key\" and one row with the id and secret) or the aws-import layout (\"User Name,Access key ID,Secret access key\").", path)
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return awsops.AccessKey{}, refuse
	}
	// Blank lines are skipped by encoding/csv; a console file has exactly
	// the header and one row.
	if len(rows) != 2 || len(rows[1]) != len(rows[0]) {
		return awsops.AccessKey{}, refuse
	}
	head, row := rows[0], rows[1]
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	var user string
	switch {
	case slices.Equal(head, credentialsHeader):
	case slices.Equal(head, importHeader):
		user, row = strings.TrimSpace(row[0]), row[1:]
		if user == "" || !csvSafe(user) {
			return awsops.AccessKey{}, refuse
		}
	default:
		return awsops.AccessKey{}, refuse
	}
	id, secret := strings.TrimSpace(row[0]), strings.TrimSpace(row[1])
	if id == "" || secret == "" || !csvSafe(id) || !csvSafe(secret) {
		return awsops.AccessKey{}, refuse
	}
	return awsops.AccessKey{User: user, ID: id, Secret: awsops.NewSecret(secret)}, nil
}
