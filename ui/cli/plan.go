package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
)

// The forms `setup --plan` writes the plan in: the wizard's export offers
// the same ones.
const (
	planText           = setup.FormatText
	planJSON           = setup.FormatJSON
	planCLI            = setup.FormatCLI
	planCloudFormation = setup.FormatCloudFormation
	planTerraform      = setup.FormatTerraform
)

var planFormats = setup.ExportFormats

// The files `setup --plan --out DIR` writes, by format.
const (
	planTemplateFile = setup.TemplateFile
	planTerraformTF  = setup.TerraformFile
)

// planOptions are the flags of `s3link setup --plan`.
type planOptions struct {
	Plan        bool
	Format      string
	Out         string
	NoKeyOutput bool
}

// given reports whether any plan flag was used.
func (o planOptions) given() bool {
	return o.Plan || o.Format != "" || o.Out != "" || o.NoKeyOutput
}

func addPlanFlags(cmd *cobra.Command, o *planOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.Plan, "plan", false, "print what setup would do and create nothing (reads only)")
	f.StringVar(&o.Format, "format", "", "with --plan: text (default), json, cli (a shell script, needs --out), cloudformation or terraform")
	f.StringVar(&o.Out, "out", "", "with --plan: write the plan's files into this folder (made with mode 0700; files are never overwritten)")
	f.BoolVar(&o.NoKeyOutput, "no-key-output", false, "with --plan --format cloudformation|terraform: leave the access key out, so no secret lands in stack outputs or state")
}

// planFiles names the files a format writes into --out, for a plan that
// may need a boundary document.
func planFiles(format string, boundary bool) []string {
	switch format {
	case planCLI:
		files := []string{setup.PolicyFile}
		if boundary {
			files = append(files, setup.BoundaryFile, setup.TrustFile)
		}
		return append(files, setup.ScriptFile)
	case planCloudFormation:
		return []string{planTemplateFile}
	case planTerraform:
		return []string{planTerraformTF}
	}
	return nil
}

// checkPlanFlags checks the plan flags before any AWS call.
func checkPlanFlags(o *setupOptions) (format string, err error) {
	p := o.plan
	if !p.Plan {
		return "", usageError("--format, --out and --no-key-output go with --plan (s3link setup --plan --format json ...)")
	}
	format = p.Format
	if o.JSON {
		if format != "" && format != planJSON {
			return "", usageError("--json and --format %s ask for two forms of the plan; keep one", format)
		}
		format = planJSON
	}
	if format == "" {
		format = planText
	}
	if !slices.Contains(planFormats, format) {
		return "", usageError("--format %q is not a plan format; choose %s", format, strings.Join(planFormats, ", "))
	}
	if o.PrintSecret {
		return "", usageError("a plan creates no key, so it has no secret to print; leave out --print-secret")
	}
	if p.NoKeyOutput && format != planCloudFormation && format != planTerraform {
		return "", usageError("--no-key-output is for --format cloudformation or terraform")
	}
	switch {
	case format == planCLI && p.Out == "":
		return "", usageError("--format cli writes setup.sh and policy.json into a folder; name it with --out DIR")
	case p.Out != "" && planFiles(format, false) == nil:
		return "", usageError("--format %s prints to stdout; --out is for cli, cloudformation and terraform", format)
	case p.Out != "":
		if err := checkPlanOut(p.Out, planFiles(format, true)); err != nil {
			return "", usageError("%v", err)
		}
	}
	return format, nil
}

// checkPlanOut refuses a folder that is not one, or that already holds one
// of the files: a plan never writes over anything.
func checkPlanOut(dir string, files []string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot use %s for the plan's files: %v", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("%s is a file; --out names a folder for the plan's files", dir)
	}
	for _, name := range files {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%s already exists; s3link never writes over it (move it away, or choose another --out folder)", filepath.Join(dir, name))
		}
	}
	return nil
}

// runPlan is `s3link setup --plan`: the headless setup up to its decision,
// then the plan in the chosen form. It reads (STS, S3 and IAM lookups and
// the local records) and creates nothing, in AWS or in the records.
func runPlan(ctx context.Context, g *Factory, o *setupOptions) (err error) {
	format, err := checkPlanFlags(o)
	if err != nil {
		return err
	}
	spec, err := validateSetup(o)
	if err != nil {
		return err
	}
	if format == planJSON {
		// The JSON form is printed whatever the outcome.
		rep := planReport{report: newReport("plan"), Location: setup.Location(spec.Bucket, spec.Prefix),
			Items: []setup.ExportItem{}, Actions: []setup.ExportAction{}, Warnings: []string{}, Refusals: []string{}}
		defer func() { err = printReport(ctx, g.Out, &rep, err) }()
		_, _, _, plan, err := decideSetup(ctx, g, spec)
		if err != nil {
			return err
		}
		rep = newPlanReport(plan)
		return plan.Err()
	}
	_, _, facts, plan, err := decideSetup(ctx, g, spec)
	if err != nil {
		return err
	}
	return writePlan(g.Globals, format, o.plan, facts.Identity, plan)
}

// planReport is the JSON form of a plan (`setup --plan --format json`,
// jsonschema/plan.json): the --json envelope around setup.PlanExport's
// fields. Complete is false, with reason "refused", when the plan refuses.
type planReport struct {
	report
	SetupID  string               `json:"setupId"`
	Account  string               `json:"account"`
	Location string               `json:"location"`
	Items    []setup.ExportItem   `json:"items"`
	Actions  []setup.ExportAction `json:"actions"`
	Warnings []string             `json:"warnings"`
	Refusals []string             `json:"refusals"`
}

func newPlanReport(p *setup.Plan) planReport {
	e := setup.NewPlanExport(p)
	return planReport{report: newReport("plan"), SetupID: e.SetupID, Account: e.Account, Location: e.Location,
		Items: e.Items, Actions: e.Actions, Warnings: e.Warnings, Refusals: e.Refusals}
}

// writePlan prints or writes plan in format (all but JSON, which runPlan
// prints). A plan that refuses is the error, after the text form shows
// what was decided.
func writePlan(g *Globals, format string, o planOptions, id awsops.Identity, plan *setup.Plan) error {
	warn := func() {
		for _, w := range plan.Warnings {
			fmt.Fprintf(g.Err, "Warning: %s\n", w)
		}
	}
	var out []byte
	var err error
	switch format {
	case planText:
		fmt.Fprintf(g.Out, "Signed in as %s (account %s)\n", id.ARN, id.Account)
		if err := setup.ExportText(g.Out, plan); err != nil {
			return err
		}
		return plan.Err()
	case planCLI:
		if err := plan.Err(); err != nil {
			return err
		}
		files, err := writeCLIPlan(o.Out, plan)
		if err != nil {
			return err
		}
		warn()
		fmt.Fprintf(g.Out, "Wrote %s into %s. Nothing was created (plan only).\nReview them, then run: bash %s\n",
			strings.Join(files, ", "), o.Out, filepath.Join(o.Out, setup.ScriptFile))
		return nil
	case planCloudFormation:
		out, err = setup.ExportCloudFormation(plan, setup.ExportOptions{NoKeyOutput: o.NoKeyOutput})
	case planTerraform:
		out, err = setup.ExportTerraform(plan, setup.ExportOptions{NoKeyOutput: o.NoKeyOutput})
	}
	if err != nil {
		return err
	}
	warn()
	if o.Out == "" {
		_, err := g.Out.Write(out)
		return err
	}
	name := planFiles(format, false)[0]
	if err := writePlanFiles(o.Out, []setup.File{{Name: name, Data: out, Mode: 0o600}}); err != nil {
		return err
	}
	fmt.Fprintf(g.Out, "Wrote %s. Nothing was created (plan only).\n", filepath.Join(o.Out, name))
	return nil
}

// writeCLIPlan writes the plan as AWS CLI commands into dir (see
// setup.CommandFiles) and returns the names of the files written.
func writeCLIPlan(dir string, plan *setup.Plan) ([]string, error) {
	if len(plan.Actions) == 0 {
		return nil, errors.New("the plan makes no AWS call (everything is already in place), so there is no script to write")
	}
	files := setup.CommandFiles(plan)
	if err := writePlanFiles(dir, files); err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	return names, nil
}

// writePlanFiles writes files into dir (setup.WriteFiles), turning a file
// that is already there into a usage mistake.
func writePlanFiles(dir string, files []setup.File) error {
	err := setup.WriteFiles(dir, files)
	if errors.Is(err, setup.ErrFileExists) {
		return usageError("%v; s3link never writes over a file (move it away, or choose another --out folder)", err)
	}
	return err
}
