package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/keyfile"
)

type statusOptions struct {
	Record     string
	All        bool
	JSON       bool
	CSV        string
	KeyProfile string
}

// newCmdStatus is `s3link status`; runF, when not nil, gets the parsed
// options instead of status running.
func newCmdStatus(f *Factory, runF func(*statusOptions) error) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Check that a link is still as setup made it (exit 1 on drift)",
		Long: `Check, changing nothing, that what setup made is still as it made it: the
bucket (it exists, its region, Block Public Access, default encryption), the
policy (its default version says exactly what s3link generates for the
location, and it is attached only where s3link attached it), the user (it
holds only s3link's policy and its permissions boundary) and each access key
(age, status, last use; a warning past 90 days, or when unused for 30).

With --csv (the key file setup wrote) or --key-profile, the platform's own key
is tried too: listing and reading under the location must work, and an
object outside it must be refused.

Exit status: 0 when all is as set up, 1 on drift, a failed probe or a record
that could not be checked. With --json, drift is a finding: the report is
complete, with "drift": true (see "JSON output" in the README).`,
		Example: `  s3link status
  s3link status --record ~/.config/s3link/setups/s3l-1a2b3c4d5e6f7a8b.json --csv key.csv
  s3link status --all --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runStatus(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Record, "record", "", "record file of the link to check")
	fl.BoolVar(&o.All, "all", false, "check every setup record of s3link's")
	fl.BoolVar(&o.JSON, "json", false, "print a machine-readable report on stdout")
	fl.StringVar(&o.CSV, "csv", "", "also try the platform's key in this CSV file (the one setup wrote)")
	fl.StringVar(&o.KeyProfile, "key-profile", "", "also try the platform's key in this profile (the one setup --write-profile wrote)")
	return cmd
}

// runStatus checks the links o names. g is the factory: the global flags
// and the AWS clients.
func runStatus(ctx context.Context, g *Factory, o *statusOptions) (err error) {
	if o.All && o.Record != "" {
		return usageError("--record and --all exclude each other; name one record or ask for all")
	}
	if o.CSV != "" && o.KeyProfile != "" {
		return usageError("--csv and --key-profile exclude each other; name one place to take the platform's key from")
	}
	defer func() { err = asCancelled(ctx, err) }()
	rep := statusReport{report: newReport("status"), Links: []statusLink{}, Failed: []statusFailure{}}
	if o.JSON {
		// Drift is a finding, not a failure: the run checked all it was
		// asked, so the report is complete (with "drift": true) while the
		// exit status is 1.
		defer func() {
			if errors.Is(err, errDrift) {
				_ = printReport(ctx, g.Out, &rep, nil)
				return
			}
			err = printReport(ctx, g.Out, &rep, err)
		}()
	}
	var probeKey *awsops.AccessKey
	if o.CSV != "" {
		k, err := keyfile.ReadCredentialsCSV(o.CSV)
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		probeKey = &k
	}
	paths, err := statusRecords(o)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		if !o.JSON {
			dir, _ := journal.Dir()
			fmt.Fprintf(g.Out, "No setup record found in %s; there is no link to check (run s3link setup first).\n", dir)
		}
		return nil
	}
	if (probeKey != nil || o.KeyProfile != "") && len(paths) > 1 {
		return usageError("--csv and --key-profile hold one link's key; name its record with --record")
	}
	var all []setup.Stored
	if dir, err := journal.Dir(); err == nil {
		all, _ = setup.Records(dir)
	}
	now := g.now()
	for i, path := range paths {
		st, err := checkOne(ctx, g, o, path, probeKey, all, now)
		if err != nil {
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return err
			}
			rep.Failed = append(rep.Failed, statusFailure{Record: path, Reason: told(err)})
			if !o.JSON {
				if i > 0 {
					fmt.Fprintln(g.Out)
				}
				fmt.Fprintf(g.Out, "Record %s could not be checked: %s\n", path, told(err))
			}
			continue
		}
		link := newStatusLink(st, now)
		rep.Links = append(rep.Links, link)
		if link.Drift {
			rep.Drift = true
		}
		if !o.JSON {
			if i > 0 {
				fmt.Fprintln(g.Out)
			}
			printStatus(g.Out, st)
		}
	}
	rep.FailedCount = len(rep.Failed)
	switch {
	case rep.FailedCount == 1 && len(paths) == 1:
		return &ExitError{Code: 1, Err: fmt.Errorf("record %s could not be checked: %s", rep.Failed[0].Record, rep.Failed[0].Reason)}
	case rep.FailedCount > 0:
		return &ExitError{Code: 1, Err: fmt.Errorf("%d of %d links could not be checked (%s)", rep.FailedCount, len(paths), failedRecords(rep.Failed))}
	case rep.Drift:
		return &ExitError{Code: 1, Err: errDrift}
	}
	return nil
}

// errDrift ends a status run that found drift: exit 1, but the report is
// complete.
var errDrift = errors.New("the link is not as setup made it; see the ✗ lines above")

func failedRecords(f []statusFailure) string {
	names := make([]string, len(f))
	for i, x := range f {
		names[i] = x.Record
	}
	return strings.Join(names, ", ")
}

// statusRecords picks the records to check: the one named, all, or the
// only one.
func statusRecords(o *statusOptions) ([]string, error) {
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
	if len(paths) > 1 && !o.All {
		return nil, usageError("there are %d setup records (%s); choose one with --record PATH, or all with --all", len(paths), strings.Join(paths, ", "))
	}
	return paths, nil
}

// recordConfig is the caller's configuration for a record's account:
// the flags, else what the record says (endpoint, profile, region).
func recordConfig(g *Globals, rec *journal.Record) awsops.Config {
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
	return cfg
}

func checkOne(ctx context.Context, g *Factory, o *statusOptions, path string, probeKey *awsops.AccessKey, all []setup.Stored, now time.Time) (*setup.Status, error) {
	rec, err := journal.Load(path)
	if err != nil {
		return nil, err
	}
	cfg := recordConfig(g.Globals, rec)
	ops, err := g.AWS(ctx, cfg)
	if err != nil {
		return nil, explained(err)
	}
	opt := setup.StatusOptions{Now: now, Records: all}
	if probeKey != nil || o.KeyProfile != "" {
		pc := awsops.Config{EndpointURL: cfg.EndpointURL, Region: rec.Bucket.Region, Debug: cfg.Debug}
		if pc.Region == "" {
			pc.Region = cfg.Region
		}
		if probeKey != nil {
			pc.Static = &awsops.StaticCredentials{AccessKeyID: probeKey.ID, Secret: probeKey.Secret}
			opt.ProbeKeyID, opt.ProbeFrom = probeKey.ID, o.CSV
		} else {
			pc.Profile = o.KeyProfile
			opt.ProbeFrom = "profile " + o.KeyProfile
		}
		probe, err := g.AWS(ctx, pc)
		if err != nil {
			return nil, explained(err)
		}
		opt.Probe = probe
	}
	st, err := setup.CheckStatus(ctx, ops, setup.Stored{Path: path, Record: rec}, opt)
	if err != nil {
		return nil, explained(err)
	}
	return st, nil
}

func printStatus(w io.Writer, st *setup.Status) {
	rec := st.Record
	who := "user " + rec.User.Name
	if rec.Role != nil {
		who = "role " + rec.Role.Name
	}
	fmt.Fprintf(w, "Link %s for %s (setup %s, account %s, record %s):\n", setup.Location(rec.Bucket.Name, rec.Prefix), who, rec.SetupID, rec.Account, st.Path)
	for _, line := range setup.StatusLines(st) {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintln(w, setup.StatusSummary(st))
}

// statusReport is the --json output of status (jsonschema/status.json):
// each link checked, and each record that could not be checked.
type statusReport struct {
	report
	// Drift is true when a link checked is not as setup made it (exit 1,
	// yet the run is complete: drift is a finding).
	Drift       bool            `json:"drift"`
	Links       []statusLink    `json:"links"`
	Failed      []statusFailure `json:"failed"`
	FailedCount int             `json:"failedCount"`
}

// statusFailure is a record that could not be checked: unreadable, or a
// check that could not run.
type statusFailure struct {
	Record string `json:"record"`
	Reason string `json:"reason"`
}

type statusLink struct {
	Record   string        `json:"record"`
	SetupID  string        `json:"setupId"`
	Account  string        `json:"account"`
	Location string        `json:"location"`
	User     string        `json:"user"`
	Drift    bool          `json:"drift"`
	Checks   []statusCheck `json:"checks"`
	Keys     []statusKey   `json:"keys"`
	Notes    []string      `json:"notes"`
}

type statusCheck struct {
	What    string   `json:"what"`
	OK      bool     `json:"ok"`
	Warning bool     `json:"warning"`
	Detail  string   `json:"detail"`
	Diff    []string `json:"diff"`
}

type statusKey struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	LastUsed *string   `json:"lastUsed"`
	AgeDays  int       `json:"ageDays"`
	Ours     bool      `json:"ours"`
	Warnings []string  `json:"warnings"`
}

func newStatusLink(st *setup.Status, now time.Time) statusLink {
	rec := st.Record
	l := statusLink{Record: st.Path, SetupID: rec.SetupID, Account: rec.Account, Location: setup.Location(rec.Bucket.Name, rec.Prefix),
		User: rec.User.Name, Drift: st.Drift(), Checks: []statusCheck{}, Keys: []statusKey{}, Notes: []string{}}
	for _, c := range st.Checks {
		d := c.Diff
		if d == nil {
			d = []string{}
		}
		l.Checks = append(l.Checks, statusCheck{What: c.What, OK: c.OK, Warning: c.Warning, Detail: c.Detail, Diff: d})
	}
	for _, k := range st.Keys {
		sk := statusKey{ID: k.ID, Status: k.Status, Created: k.Created, AgeDays: int(now.Sub(k.Created).Hours() / 24), Ours: k.Ours, Warnings: k.Warnings}
		if sk.Warnings == nil {
			sk.Warnings = []string{}
		}
		if !k.LastUsed.IsZero() {
			s := k.LastUsed.UTC().Format(time.RFC3339)
			sk.LastUsed = &s
		}
		l.Keys = append(l.Keys, sk)
	}
	l.Notes = append(l.Notes, st.Notes...)
	return l
}
