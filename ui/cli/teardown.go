package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
)

type teardownOptions struct {
	Record       string
	All          bool
	Yes          bool
	DeleteBucket bool
	DeleteKeys   []string
	JSON         bool
}

// newCmdTeardown is `s3link teardown`; runF, when not nil, gets the parsed
// options instead of teardown running.
func newCmdTeardown(f *Factory, runF func(*teardownOptions) error) *cobra.Command {
	o := &teardownOptions{}
	cmd := &cobra.Command{
		Use:   "teardown",
		Short: "Remove what setup created, from its local record, after confirmation",
		Long: `Remove what 's3link setup' created, as listed in its local record: the access
keys it made, the policy attachment it made, and the IAM user and policies it
created. Before anything is removed, s3link checks that your credentials are
for the record's AWS account, and that each user, policy and bucket carries
the setup's id as a tag; anything else (a same-named resource someone else
made, one the setup only reused) is left as it was and named as left.

The bucket is removed only with --delete-bucket, only if the setup created it,
and only when it is empty. Anything already gone counts as removed.

With --json the steps go to stderr and stdout gets one JSON object: per
record what was removed, what was left and why, and what failed.`,
		Example: `  s3link teardown                       # the only record, or choose one on a terminal
  s3link teardown --record ~/.config/s3link/setups/s3l-1a2b3c4d5e6f7a8b.json --yes
  s3link teardown --all --yes --delete-bucket
  s3link teardown --yes --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runTeardown(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Record, "record", "", "record file to tear down")
	fl.BoolVar(&o.All, "all", false, "tear down every setup record of s3link's (newest first)")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.BoolVar(&o.DeleteBucket, "delete-bucket", false, "also delete the bucket if setup created it and it is empty")
	fl.StringArrayVar(&o.DeleteKeys, "delete-key", nil, "also delete this access key of the record's user (one an interrupted run may have made; repeatable)")
	fl.BoolVar(&o.JSON, "json", false, "print what was removed and what was left (and why) as JSON on stdout; the progress goes to stderr")
	return cmd
}

// runTeardown tears down the records o names. g is the factory: the global
// flags and the AWS clients.
func runTeardown(ctx context.Context, g *Factory, o *teardownOptions) (err error) {
	if o.All && o.Record != "" {
		return usageError("--record and --all exclude each other; name one record or ask for all")
	}
	defer func() { err = asCancelled(ctx, err) }()
	out := g.Out
	rep := teardownReport{report: newReport("teardown"), Records: []teardownRecord{}, Failed: []teardownFailure{}}
	if o.JSON {
		// stdout carries the JSON; what is said along the way goes to stderr.
		out = g.Err
		defer func() { err = printReport(ctx, g.Out, &rep, err) }()
	}
	paths, err := pickRecords(g.Globals, o, out)
	if err != nil || len(paths) == 0 {
		rep.declined = paths != nil && err == nil
		return err
	}
	var failed []string
	for i, path := range paths {
		if i > 0 {
			fmt.Fprintln(out)
		}
		rep.Records = append(rep.Records, teardownRecord{Record: path, Removed: []string{}, Left: []teardownLeft{}})
		tr := &rep.Records[len(rep.Records)-1]
		err := teardownOne(ctx, g, o, path, out, tr)
		for _, f := range tr.failed {
			rep.Failed = append(rep.Failed, teardownFailure{Record: path, Title: f.Title, Reason: f.Reason})
		}
		rep.FailedCount, rep.RemovedCount = int64(len(rep.Failed)), rep.RemovedCount+int64(len(tr.Removed))
		rep.declined = rep.declined || tr.declined
		if err != nil {
			tr.Error = sentence(told(err))
			if errors.Is(err, context.Canceled) || len(paths) == 1 {
				return err
			}
			fmt.Fprintf(g.Err, "Error: %s\n", told(err))
			failed = append(failed, path)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("teardown did not finish for %d of %d records (%s); run it again for them when the cause is fixed", len(failed), len(paths), strings.Join(failed, ", "))
	}
	return nil
}

// teardownReport is the --json output of teardown (jsonschema/teardown.json):
// per record what was removed and what was left and why, and every removal
// that failed.
type teardownReport struct {
	report
	Records      []teardownRecord  `json:"records"`
	RemovedCount int64             `json:"removedCount"`
	FailedCount  int64             `json:"failedCount"`
	Failed       []teardownFailure `json:"failed"`
}

// teardownRecord is what teardown did with one record.
type teardownRecord struct {
	Record   string `json:"record"`
	SetupID  string `json:"setupId"`
	Location string `json:"location"`
	Account  string `json:"account"`
	// Removed lists each removal that succeeded, in the words of the plan.
	Removed []string       `json:"removed"`
	Left    []teardownLeft `json:"left"`
	// RecordRemoved is true when nothing of the setup is left, so its
	// record file is gone too.
	RecordRemoved bool `json:"recordRemoved"`
	// Error is why teardown of this record stopped, when it did.
	Error string `json:"error,omitempty"`

	failed   []teardownFailure
	declined bool
}

// teardownLeft is something teardown left where it is.
type teardownLeft struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
	// Ours is true when it is the setup's and stays by choice (the bucket
	// without --delete-bucket) or because it is still in use; the record
	// keeps it for a later teardown.
	Ours bool `json:"ours"`
}

// teardownFailure is a removal that failed; the record still lists it.
type teardownFailure struct {
	Record string `json:"record"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// teardownOne removes what one record's setup provably created, saying so
// on out and filling in tr.
func teardownOne(ctx context.Context, g *Factory, o *teardownOptions, path string, out io.Writer, tr *teardownRecord) error {
	rec, err := journal.Load(path)
	if err != nil {
		return err
	}
	tr.SetupID, tr.Location, tr.Account = rec.SetupID, setup.Location(rec.Bucket.Name, rec.Prefix), rec.Account
	st := setup.Stored{Path: path, Record: rec}
	cfg := g.AWSConfig()
	if cfg.EndpointURL == "" {
		cfg.EndpointURL = rec.EndpointURL
	}
	if cfg.Profile == "" && cfg.Static == nil {
		cfg.Profile = rec.Profile
	}
	if cfg.Region == "" {
		cfg.Region = rec.Region
	}
	ops, err := g.AWS(ctx, cfg)
	if err != nil {
		return explained(err)
	}
	// Who am I, before anything else: another account's same-named user is
	// not this record's.
	if err := setup.CheckAccount(ctx, ops, st); err != nil {
		var ae *setup.AccountError
		if errors.As(err, &ae) {
			return err
		}
		return explained(err)
	}
	undo, err := setup.PlanUndo(ctx, ops, st, setup.UndoOptions{DeleteBucket: o.DeleteBucket, DeleteKeys: o.DeleteKeys, Now: time.Now()})
	if err != nil {
		return explained(err)
	}
	for _, k := range undo.Kept {
		tr.Left = append(tr.Left, teardownLeft{What: k.What, Reason: k.Why, Ours: k.Ours})
	}
	fmt.Fprintf(out, "Setup %s for %s (account %s, record %s):\n", rec.SetupID, setup.Location(rec.Bucket.Name, rec.Prefix), rec.Account, path)
	if len(undo.Removals) == 0 {
		fmt.Fprintln(out, "  nothing of this setup's is left to remove")
	} else {
		fmt.Fprintln(out, "s3link will:")
		for _, r := range undo.Removals {
			fmt.Fprintf(out, "  - %s\n", r.Title)
		}
	}
	for _, k := range undo.Kept {
		fmt.Fprintf(out, "  · leaves %s\n", k)
	}
	if len(undo.Removals) > 0 && !o.Yes {
		if !g.IsTerminal {
			return usageError("teardown needs confirmation; there is no terminal to ask on, so rerun with --yes")
		}
		if !confirm(g.lines(), out, "Remove these? [y/N] ") {
			fmt.Fprintln(out, "Nothing removed.")
			tr.declined = true
			return nil
		}
	}
	res, err := undo.Run(ctx, ops, func(title string, err error) {
		if err != nil {
			fmt.Fprintf(out, "✗ %s: %s\n", title, explain(err))
			tr.failed = append(tr.failed, teardownFailure{Title: title, Reason: explain(err)})
			return
		}
		fmt.Fprintf(out, "✓ %s\n", title)
	})
	tr.Removed = append(tr.Removed, res.Removed...)
	tr.RecordRemoved = res.RecordRemoved
	if err != nil {
		return err
	}
	if res.RecordRemoved {
		fmt.Fprintf(out, "The record %s is removed: nothing it lists is left.\n", path)
	} else if len(res.Failed) == 0 {
		fmt.Fprintf(out, "The record %s stays for what is left.\n", path)
	}
	// The last line says what stayed.
	fmt.Fprintln(out, undo.Summary(res))
	if len(res.Failed) > 0 {
		return fmt.Errorf("%d removals failed; the record %s still lists them, so rerun 's3link teardown' when the cause is fixed", len(res.Failed), path)
	}
	return nil
}

// lines reads the answers typed on standard input. One reader serves every
// question, so an answer typed ahead (or piped in) for the next question
// is not lost in the buffer of the previous one.
func (g *Globals) lines() *bufio.Reader {
	if g.inLines == nil {
		g.inLines = bufio.NewReader(g.In)
	}
	return g.inLines
}

// pickRecords finds the records to tear down: the one named, all of them,
// the only one, or (on a terminal) the one the person chooses.
func pickRecords(g *Globals, o *teardownOptions, out io.Writer) ([]string, error) {
	if o.Record != "" {
		return []string{o.Record}, nil
	}
	dir, err := journal.Dir()
	if err != nil {
		return nil, err
	}
	paths, err := journal.List(dir)
	if err != nil {
		return nil, err
	}
	switch {
	case len(paths) == 0:
		fmt.Fprintf(out, "No setup record found in %s; there is nothing s3link created to remove.\n", dir)
		return nil, nil
	case o.All || len(paths) == 1:
		return paths, nil
	case !g.IsTerminal:
		return nil, usageError("there are %d setup records (%s); choose one with --record PATH, or all with --all", len(paths), strings.Join(paths, ", "))
	}
	fmt.Fprintf(out, "There are %d setup records:\n", len(paths))
	for i, p := range paths {
		line := p
		if r, err := journal.Load(p); err == nil {
			line = fmt.Sprintf("%s  user %s, account %s", setup.Location(r.Bucket.Name, r.Prefix), r.User.Name, r.Account)
		}
		fmt.Fprintf(out, "  %d. %s\n", i+1, line)
	}
	in := g.lines()
	for {
		fmt.Fprintf(out, "Which one? [1-%d, a for all, q to quit] ", len(paths))
		line, err := in.ReadString('\n')
		answer := strings.TrimSpace(strings.ToLower(line))
		switch {
		case answer == "q" || (err != nil && answer == ""):
			fmt.Fprintln(out, "Nothing removed.")
			return []string{}, nil
		case answer == "a":
			return paths, nil
		}
		if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(paths) {
			return paths[n-1 : n], nil
		}
	}
}

// confirm asks until the answer is yes (y, yes) or no (n, no, or the end of
// the input); anything else asks again.
func confirm(r *bufio.Reader, out io.Writer, prompt string) bool {
	for {
		fmt.Fprint(out, prompt)
		line, err := r.ReadString('\n')
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true
		case "n", "no":
			return false
		}
		if err != nil {
			fmt.Fprintln(out)
			return false
		}
		fmt.Fprintln(out, "Please answer y or n.")
	}
}
