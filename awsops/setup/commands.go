package setup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3link/s3link/awsops"
)

// ScriptFile is the name of the script WriteCommands writes.
const ScriptFile = "setup.sh"

// CommandsDir is the folder, relative to the current directory, the
// wizard writes a plan's AWS CLI equivalents into.
func CommandsDir(bucket string) string { return "s3link-" + bucket + "-commands" }

// File is one file WriteFiles writes.
type File struct {
	Name string
	Data []byte
	Mode os.FileMode
}

// ErrFileExists means WriteFiles found one of its files already there; it
// never writes over a file.
var ErrFileExists = errors.New("file already exists")

// WriteFiles writes files into dir, making dir (mode 0700) when it is
// missing. Each file is created new with its exact mode, whatever the
// umask: one that already exists is not written over (ErrFileExists), and
// what this call wrote before a failure is removed again.
func WriteFiles(dir string, files []File) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make the folder %s: %w", dir, err)
	}
	var written []string
	defer func() {
		if err != nil {
			for _, p := range written {
				_ = os.Remove(p)
			}
		}
	}()
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, ErrFileExists)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		written = append(written, path)
		_, werr := fh.Write(f.Data)
		cerr := fh.Chmod(f.Mode)
		if err := errors.Join(werr, cerr, fh.Close()); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// CommandFiles are the plan's AWS CLI equivalents: policy.json (the exact
// document the plan uses), boundary.json when the plan makes a boundary,
// and setup.sh, which runs the plan's commands in order from its folder.
// Every file is mode 0600: the script's last command prints a secret.
func CommandFiles(p *Plan) []File {
	files := []File{{PolicyFile, []byte(awsops.PolicyDocument(p.Spec.Bucket, p.Spec.Prefix)), 0o600}}
	if p.BoundaryDocument != "" {
		files = append(files, File{BoundaryFile, []byte(p.BoundaryDocument), 0o600})
	}
	if p.TrustDocument != "" && p.Role.Decision == Create {
		files = append(files, File{TrustFile, []byte(p.TrustDocument), 0o600})
	}
	return append(files, File{ScriptFile, []byte(Script(p)), 0o600})
}

// WriteCommands writes CommandFiles(p) into dir, which must not exist yet.
func WriteCommands(dir string, p *Plan) error {
	// Mkdir, not a check then MkdirAll: a folder or link that appears in
	// between is refused rather than written into.
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write the AWS CLI commands: %s already exists: %w", dir, fs.ErrExist)
		}
		return fmt.Errorf("write the AWS CLI commands: %w", err)
	}
	if err := WriteFiles(dir, CommandFiles(p)); err != nil {
		_ = os.Remove(dir)
		return fmt.Errorf("write the AWS CLI commands: %w", err)
	}
	return nil
}

// Script is setup.sh: the plan's commands, in order, stopping at the first
// failure. It changes into its own folder, where policy.json lies.
func Script(p *Plan) string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "# What s3link setup %s does for %s in account %s, as AWS CLI commands.\n", p.SetupID, Location(p.Spec.Bucket, p.Spec.Prefix), p.Account)
	b.WriteString("# Run it with credentials allowed to create these resources: bash setup.sh\n")
	b.WriteString("# (the aws command honours AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL).\n")
	b.WriteString("# s3link keeps no record of what this script creates, so s3link teardown\n")
	b.WriteString("# does not remove it.\n")
	for _, a := range p.Actions {
		if a.Kind == ActCreateAccessKey {
			b.WriteString("# The last command prints the new secret access key, once: paste it into\n")
			b.WriteString("# the platform and keep it out of logs.\n")
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "# Warning: %s\n", w)
	}
	b.WriteString("set -euo pipefail\n")
	b.WriteString("cd \"$(dirname \"${BASH_SOURCE[0]}\")\"\n")
	for i, a := range p.Actions {
		fmt.Fprintf(&b, "\n# %d. %s\n%s\n", i+1, a.Title, a.Command)
	}
	return b.String()
}
