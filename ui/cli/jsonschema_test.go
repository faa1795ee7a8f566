package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaBase = "https://github.com/s3link/s3link/ui/cli/jsonschema/"

// jsonSchemas compiles the schemas in jsonschema/, one per command.
func jsonSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("jsonschema", "*.json"))
	if err != nil || len(files) < 7 {
		t.Fatalf("schemas %v, %v; want report.json and one per command", files, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if id, _ := doc.(map[string]any)["$id"].(string); id != schemaBase+filepath.Base(f) {
			t.Fatalf("%s has $id %q, want %q", f, id, schemaBase+filepath.Base(f))
		}
		if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		cmd := strings.TrimSuffix(filepath.Base(f), ".json")
		if cmd == "report" {
			continue // the envelope, which the others refer to
		}
		s, err := c.Compile(schemaBase + cmd + ".json")
		if err != nil {
			t.Fatalf("compile %s.json: %v", cmd, err)
		}
		out[cmd] = s
	}
	return out
}

// TestJSONSchemasRefuseRenamedFields shows the schemas are strict: a
// report with a field renamed, missing or of the wrong type fails.
func TestJSONSchemasRefuseRenamedFields(t *testing.T) {
	schemas := jsonSchemas(t)
	good := `{"version":1,"command":"sync","complete":true,"source":"s3://b/p","dest":"d","dryRun":false,
		"downloaded":1,"sizeOnly":0,"skipped":0,"dirs":0,"bytes":4,"seconds":0.5,"failedCount":0,"failed":[],
		"planned":[],"deleted":[],"deleteFailed":[]}`
	check := func(doc string) error {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return schemas["sync"].Validate(inst)
	}
	if err := check(good); err != nil {
		t.Fatalf("the good report fails: %v", err)
	}
	for name, bad := range map[string]string{
		"renamed":           strings.Replace(good, `"failedCount"`, `"failed_count"`, 1),
		"old snake case":    strings.Replace(good, `"dryRun"`, `"dry_run"`, 1),
		"failed not a list": strings.Replace(good, `"failed":[]`, `"failed":0`, 1),
		"null list":         strings.Replace(good, `"failed":[]`, `"failed":null`, 1),
		"wrong version":     strings.Replace(good, `"version":1`, `"version":2`, 1),
		"wrong command":     strings.Replace(good, `"command":"sync"`, `"command":"upload"`, 1),
		"no reason":         strings.Replace(good, `"complete":true`, `"complete":false`, 1),
		"reason when done":  strings.Replace(good, `"complete":true`, `"complete":true,"reason":"failed"`, 1),
		"unknown reason":    strings.Replace(good, `"complete":true`, `"complete":false,"reason":"oops"`, 1),
	} {
		if check(bad) == nil {
			t.Errorf("%s: the schema accepts %s", name, bad)
		}
	}
	// status: drift is complete; a reason outside the contract's list
	// (what status printed before it took the envelope) is refused.
	status := `{"version":1,"command":"status","complete":true,"drift":true,"links":[],"failed":[],"failedCount":0}`
	checkStatus := func(doc string) error {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return schemas["status"].Validate(inst)
	}
	if err := checkStatus(status); err != nil {
		t.Fatalf("the good status report fails: %v", err)
	}
	for name, bad := range map[string]string{
		"own reason":       strings.Replace(status, `"complete":true`, `"complete":false,"reason":"some records could not be checked"`, 1),
		"null failed":      strings.Replace(status, `"failed":[]`, `"failed":null`, 1),
		"failed no reason": strings.Replace(status, `"failed":[]`, `"failed":[{"record":"r"}]`, 1),
	} {
		if checkStatus(bad) == nil {
			t.Errorf("status %s: the schema accepts %s", name, bad)
		}
	}
}

// TestEveryJSONCommandHasASchema: a command with --json (status, rotate,
// any added later) must come with jsonschema/<command>.json, and each
// schema names its own command.
func TestEveryJSONCommandHasASchema(t *testing.T) {
	schemas := jsonSchemas(t)
	g := &Globals{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	for _, c := range NewRoot(NewFactory(g)).Commands() {
		if c.Flags().Lookup("json") == nil {
			continue
		}
		if schemas[c.Name()] == nil {
			t.Errorf("%s has --json but there is no jsonschema/%s.json", c.Name(), c.Name())
		}
	}
	for name := range schemas {
		b, err := os.ReadFile(filepath.Join("jsonschema", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Properties struct {
				Command struct{ Const string } `json:"command"`
			} `json:"properties"`
			Ref                   string `json:"$ref"`
			UnevaluatedProperties *bool  `json:"unevaluatedProperties"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Properties.Command.Const != name || doc.Ref != "report.json" || doc.UnevaluatedProperties == nil || *doc.UnevaluatedProperties {
			t.Errorf("jsonschema/%s.json: command %q, $ref %q, unevaluatedProperties %v; want %q, report.json, false",
				name, doc.Properties.Command.Const, doc.Ref, doc.UnevaluatedProperties, name)
		}
	}
}
