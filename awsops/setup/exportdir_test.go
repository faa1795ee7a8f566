package setup

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops/awsopstest"
)

func TestWriteExportEveryFormatIntoANewFolder(t *testing.T) {
	p := plan(t, awsopstest.New(t), exportSpec(), nil)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	want := map[string][]string{
		FormatText:           {PlanTextFile},
		FormatJSON:           {PlanJSONFile},
		FormatCLI:            {PolicyFile, ScriptFile},
		FormatCloudFormation: {TemplateFile},
		FormatTerraform:      {TerraformFile},
	}
	for _, format := range ExportFormats {
		dir, names, err := WriteExport(base, p, format, ExportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if dir != filepath.Join(base, ExportDir(p.Spec.Bucket, format)) || strings.Join(names, ",") != strings.Join(want[format], ",") {
			t.Errorf("%s: wrote %q into %s", format, names, dir)
		}
		for _, n := range names {
			fi, err := os.Stat(filepath.Join(dir, n))
			if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
				t.Errorf("%s: %s: %v, %v", format, n, fi, err)
			}
		}
	}
	// The text form is what `setup --plan` prints after its first line.
	var b bytes.Buffer
	if err := ExportText(&b, p); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(base, ExportDir(p.Spec.Bucket, FormatText), PlanTextFile))
	if string(got) != b.String() {
		t.Errorf("plan.txt differs from ExportText")
	}

	// A folder in the way, even an empty one, is never written into.
	again, _, err := WriteExport(base, p, FormatJSON, ExportOptions{})
	if err != nil || again != filepath.Join(base, ExportDir(p.Spec.Bucket, FormatJSON)+"-2") {
		t.Errorf("second export went to %s, %v; want the -2 folder", again, err)
	}
	if _, _, err := WriteExport(base, p, "yaml", ExportOptions{}); err == nil {
		t.Error("an unknown format was exported")
	}
}

func TestWriteExportRefusedPlanWritesNothing(t *testing.T) {
	f := awsopstest.New(t)
	f.AddUser("platform")
	p := plan(t, f, exportSpec(), nil)
	base := t.TempDir()
	if _, _, err := WriteExport(base, p, FormatJSON, ExportOptions{}); !errors.Is(err, ErrRefused) {
		t.Errorf("err = %v, want the refusal", err)
	}
	if ents, _ := os.ReadDir(base); len(ents) != 0 {
		t.Errorf("a refused plan left %d entries", len(ents))
	}
}
