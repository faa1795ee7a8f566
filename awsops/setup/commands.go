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

// WriteCommands writes the plan's AWS CLI equivalents into dir, which it
// creates (mode 0700) and which must not exist yet: policy.json (the exact
// document the plan uses), boundary.json when the plan makes a boundary,
// and setup.sh, which runs the plan's commands in order from inside dir.
// Every file is mode 0600 and created new, never over an existing file.
func WriteCommands(dir string, p *Plan) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write the AWS CLI commands: %s already exists: %w", dir, fs.ErrExist)
		}
		return fmt.Errorf("write the AWS CLI commands: %w", err)
	}
	files := []struct{ name, body string }{
		{PolicyFile, awsops.PolicyDocument(p.Spec.Bucket, p.Spec.Prefix) + "\n"},
	}
	if p.BoundaryDocument != "" {
		files = append(files, struct{ name, body string }{BoundaryFile, p.BoundaryDocument + "\n"})
	}
	files = append(files, struct{ name, body string }{ScriptFile, Script(p)})
	for _, f := range files {
		if err := writeNew(filepath.Join(dir, f.name), f.body); err != nil {
			return fmt.Errorf("write the AWS CLI commands: %w", err)
		}
	}
	return nil
}

// Script is setup.sh: the plan's commands, in order, stopping at the first
// failure. It changes into its own folder, where policy.json lies.
func Script(p *Plan) string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "# What s3link setup does for %s, as AWS CLI commands.\n", Location(p.Spec.Bucket, p.Spec.Prefix))
	b.WriteString("# Run it with credentials allowed to create these resources.\n")
	b.WriteString("set -euo pipefail\n")
	b.WriteString("cd \"$(dirname \"$0\")\"\n")
	for _, a := range p.Actions {
		fmt.Fprintf(&b, "\n# %s\n%s\n", a.Title, a.Command)
	}
	return b.String()
}

func writeNew(path, body string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
