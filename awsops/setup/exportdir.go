package setup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The forms a plan exports to, as `setup --plan --format` names them.
const (
	FormatText           = "text"
	FormatJSON           = "json"
	FormatCLI            = "cli"
	FormatCloudFormation = "cloudformation"
	FormatTerraform      = "terraform"
)

// ExportFormats lists the forms in the order the wizard offers them.
var ExportFormats = []string{FormatText, FormatJSON, FormatCLI, FormatCloudFormation, FormatTerraform}

// File names of the exported forms (cli writes CommandFiles).
const (
	PlanTextFile      = "plan.txt"
	PlanJSONFile      = "plan.json"
	TemplateFile      = "template.json"
	TerraformFile     = "main.tf"
	maxExportAttempts = 20
)

// ExportFiles renders p in format as the files an export folder holds:
// plan.txt, plan.json, the AWS CLI commands (policy.json, setup.sh, ...),
// template.json or main.tf. A plan that refuses, or (for the commands) that
// makes no call, has nothing to export and is an error.
func ExportFiles(p *Plan, format string, o ExportOptions) ([]File, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	switch format {
	case FormatText:
		var b bytes.Buffer
		if err := ExportText(&b, p); err != nil {
			return nil, err
		}
		return []File{{PlanTextFile, b.Bytes(), 0o600}}, nil
	case FormatJSON:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(NewPlanExport(p)); err != nil {
			return nil, err
		}
		return []File{{PlanJSONFile, b.Bytes(), 0o600}}, nil
	case FormatCLI:
		if len(p.Actions) == 0 {
			return nil, errors.New("the plan makes no AWS call (everything is already in place), so there is no script to write")
		}
		return CommandFiles(p), nil
	case FormatCloudFormation:
		out, err := ExportCloudFormation(p, o)
		if err != nil {
			return nil, err
		}
		return []File{{TemplateFile, out, 0o600}}, nil
	case FormatTerraform:
		out, err := ExportTerraform(p, o)
		if err != nil {
			return nil, err
		}
		return []File{{TerraformFile, out, 0o600}}, nil
	}
	return nil, fmt.Errorf("%q is not a plan format", format)
}

// ExportDir is the folder, relative to base, an export of the plan for
// bucket in format goes into first: s3link-BUCKET-plan-FORMAT.
func ExportDir(bucket, format string) string { return "s3link-" + bucket + "-plan-" + format }

// WriteExport writes p in format into a new folder in base (ExportDir, or
// the same with -2, -3… when taken): the folder is made with Mkdir, so one
// that exists, or appears meanwhile, is never written into, and nothing is
// ever overwritten. It returns the folder and the names of its files.
func WriteExport(base string, p *Plan, format string, o ExportOptions) (dir string, names []string, err error) {
	files, err := ExportFiles(p, format, o)
	if err != nil {
		return "", nil, err
	}
	name := ExportDir(p.Spec.Bucket, format)
	for i := 1; i <= maxExportAttempts; i++ {
		dir = name
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", name, i)
		}
		if base != "" {
			dir = filepath.Join(base, dir)
		}
		err = os.Mkdir(dir, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("make the folder %s: %w", dir, err)
		}
		if err := WriteFiles(dir, files); err != nil {
			_ = os.Remove(dir)
			return "", nil, err
		}
		for _, f := range files {
			names = append(names, f.Name)
		}
		return dir, names, nil
	}
	return "", nil, fmt.Errorf("%s and %d more like it already exist; move some away", filepath.Join(base, name), maxExportAttempts-1)
}
