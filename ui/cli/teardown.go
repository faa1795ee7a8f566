package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/record"
)

type teardownOptions struct {
	Record       string
	Yes          bool
	DeleteBucket bool
}

func newTeardownCmd(g *Globals) *cobra.Command {
	o := &teardownOptions{}
	cmd := &cobra.Command{
		Use:   "teardown",
		Short: "Remove what setup created, from its local record, after confirmation",
		Long: `Remove what 's3link setup' created, as listed in its local record: the access
keys it made, the policy attachment, the IAM user and the IAM policy (only those
setup created, not ones it reused). The bucket is removed only with
--delete-bucket, only if setup created it, and only when it is empty.
Anything already gone counts as removed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTeardown(cmd.Context(), g, o)
		},
	}
	cmd.Flags().StringVar(&o.Record, "record", "", "record file to tear down (default: the only one, or the one for --user)")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&o.DeleteBucket, "delete-bucket", false, "also delete the bucket if setup created it and it is empty")
	return cmd
}

// removal is one teardown step.
type removal struct {
	title string
	run   func(context.Context, awsops.Remover) error
	// forget drops the resource from the record once it is gone.
	forget func(*record.Record)
}

func runTeardown(ctx context.Context, g *Globals, o *teardownOptions) error {
	path, err := pickRecord(o.Record)
	if err != nil {
		return err
	}
	rec, err := record.Load(path)
	if err != nil {
		return err
	}
	var client *awsops.Client
	connect := func() error {
		if client != nil {
			return nil
		}
		cfg := g.AWSConfig()
		if cfg.EndpointURL == "" {
			cfg.EndpointURL = rec.EndpointURL
		}
		if cfg.Profile == "" {
			cfg.Profile = rec.Profile
		}
		if cfg.Region == "" {
			cfg.Region = rec.Region
		}
		c, err := awsops.New(ctx, cfg)
		if err != nil {
			return errors.New(explain(err))
		}
		client = c
		return nil
	}
	// Pending intents must be looked up before the plan is shown: what an
	// interrupted create left behind is part of what teardown removes.
	var ops awsops.Remover
	if len(rec.Pending) > 0 {
		if err := connect(); err != nil {
			return err
		}
		ops = client
	}
	plan := planTeardown(ctx, rec, ops, o.DeleteBucket)
	for _, u := range plan.unknown {
		fmt.Fprintf(g.Out, "✗ %s\n", u)
	}
	if len(plan.steps) == 0 {
		plan.settle(rec)
		if len(rec.Pending) == 0 {
			fmt.Fprintf(g.Out, "Nothing left to remove in %s.\n", path)
			return record.Remove(path)
		}
		for _, b := range plan.keptBuckets {
			fmt.Fprintf(g.Out, "The bucket %s, created while setup was interrupted, stays (add --delete-bucket to remove it when empty).\n", b)
		}
		if err := rec.Save(path); err != nil {
			return fmt.Errorf("update the record %s: %w", path, err)
		}
		if err := uncheckedError(plan, path); err != nil {
			return err
		}
		fmt.Fprintf(g.Out, "Nothing else to remove; %s keeps the bucket for a later 's3link teardown --delete-bucket'.\n", path)
		return nil
	}
	fmt.Fprintf(g.Out, "From %s (account %s), s3link will:\n", path, rec.Account)
	for _, s := range plan.steps {
		fmt.Fprintf(g.Out, "  - %s\n", s.title)
	}
	if rec.Bucket.Name != "" && !o.DeleteBucket {
		fmt.Fprintf(g.Out, "The bucket %s and its objects stay (add --delete-bucket to remove it when empty).\n", rec.Bucket.Name)
	}
	for _, b := range plan.keptBuckets {
		fmt.Fprintf(g.Out, "The bucket %s, created while setup was interrupted, stays (add --delete-bucket to remove it when empty).\n", b)
	}
	if !o.Yes {
		if !g.IsTerminal {
			return usageError("teardown needs confirmation; there is no terminal to ask on, so rerun with --yes")
		}
		if !confirm(g.In, g.Out, "Remove these? Type yes to continue: ") {
			fmt.Fprintln(g.Out, "Nothing removed.")
			return nil
		}
	}

	if err := connect(); err != nil {
		return err
	}
	plan.settle(rec)
	failed, err := runRemovals(ctx, g.Out, client, rec, path, plan.steps)
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d removals failed; the record %s still lists them, so rerun 's3link teardown' when the cause is fixed", failed, len(plan.steps), path)
	}
	if err := uncheckedError(plan, path); err != nil {
		return err
	}
	fmt.Fprintln(g.Out, "Everything setup created is gone.")
	if (rec.Bucket.Name != "" && !o.DeleteBucket) || len(rec.Pending) > 0 {
		return rec.Save(path)
	}
	return record.Remove(path)
}

// uncheckedError reports the pending intents teardown could not look up.
func uncheckedError(plan teardownPlan, path string) error {
	if len(plan.unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%d interrupted setup steps could not be checked; the record %s keeps them, so rerun 's3link teardown' when the cause is fixed", len(plan.unknown), path)
}

// teardownPlan is what teardown will do: the removals, and what it learnt
// about the record's pending intents.
type teardownPlan struct {
	steps []removal
	// drop lists the intents that left nothing of s3link's behind.
	drop []record.Intent
	// keptBuckets are buckets an interrupted setup created, left alone
	// without --delete-bucket; their intents stay in the record.
	keptBuckets []string
	// unknown says, per intent that could not be looked up, why.
	unknown []string
}

// settle drops the intents that left nothing behind from rec.
func (p teardownPlan) settle(rec *record.Record) {
	for _, in := range p.drop {
		rec.DropIntent(in)
	}
}

// planTeardown lists the removals for rec. Each pending intent is looked
// up through ops (nil when there are none): a resource its call created is
// removed like one the record lists; an intent that left nothing is
// dropped; one that cannot be looked up stays for the next teardown.
func planTeardown(ctx context.Context, rec *record.Record, ops awsops.Remover, deleteBucket bool) teardownPlan {
	var p teardownPlan
	found := map[awsops.ActionKind][]record.Leftover{}
	for _, in := range rec.Pending {
		l, ok, err := rec.Settle(ctx, ops, in)
		switch {
		case err != nil:
			p.unknown = append(p.unknown, fmt.Sprintf("check whether the interrupted %s %s left anything behind: %s", in.Kind, in.Name, explain(err)))
		case !ok:
			p.drop = append(p.drop, in)
		case in.Kind == awsops.ActCreateBucket && !deleteBucket:
			p.keptBuckets = append(p.keptBuckets, in.Name)
		default:
			found[in.Kind] = append(found[in.Kind], l)
		}
	}
	p.steps = teardownSteps(rec, deleteBucket, found)
	return p
}

// runRemovals runs steps in order, dropping each resource from the record
// (saved at once) as it goes. It returns how many failed.
func runRemovals(ctx context.Context, out io.Writer, ops awsops.Remover, rec *record.Record, path string, steps []removal) (int, error) {
	var failed int
	for _, s := range steps {
		if err := s.run(ctx, ops); err != nil {
			failed++
			fmt.Fprintf(out, "✗ %s: %s\n", s.title, explain(err))
			continue
		}
		fmt.Fprintf(out, "✓ %s\n", s.title)
		s.forget(rec)
		if err := rec.Save(path); err != nil {
			return failed, fmt.Errorf("update the record %s: %w", path, err)
		}
	}
	return failed, nil
}

// teardownSteps lists the removals the record calls for, in an order AWS
// accepts: keys, the attachment, the user, the policy, the bucket. The
// leftovers of interrupted creates join the resources of their kind.
func teardownSteps(rec *record.Record, deleteBucket bool, leftovers map[awsops.ActionKind][]record.Leftover) []removal {
	var steps []removal
	addLeftovers := func(kind awsops.ActionKind) {
		for _, l := range leftovers[kind] {
			steps = append(steps, removal{
				title:  l.Title(),
				run:    l.Remove,
				forget: func(r *record.Record) { r.DropIntent(l.Intent) },
			})
		}
	}
	user := rec.User.Name
	for _, k := range rec.AccessKeys {
		id := k.ID
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete access key %s of user %s", id, user),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteAccessKey(ctx, user, id) },
			forget: func(r *record.Record) { r.ForgetAccessKey(id) },
		})
	}
	addLeftovers(awsops.ActCreateAccessKey)
	if rec.User.Attached && !rec.User.Created && rec.Policy.ARN != "" {
		arn := rec.Policy.ARN
		steps = append(steps, removal{
			title:  fmt.Sprintf("detach policy %s from user %s", rec.Policy.Name, user),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DetachUserPolicy(ctx, user, arn) },
			forget: func(r *record.Record) { r.User.Attached = false },
		})
	}
	if rec.User.Created {
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete IAM user %s", user),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteUser(ctx, user) },
			forget: func(r *record.Record) { r.User = record.User{} },
		})
	}
	addLeftovers(awsops.ActCreateUser)
	if rec.Policy.Created && rec.Policy.ARN != "" {
		arn := rec.Policy.ARN
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete IAM policy %s", rec.Policy.Name),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeletePolicy(ctx, arn) },
			forget: func(r *record.Record) { r.Policy = record.Policy{} },
		})
	}
	addLeftovers(awsops.ActCreatePolicy)
	if deleteBucket && rec.Bucket.Created && rec.Bucket.Name != "" {
		b := rec.Bucket.Name
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete bucket %s (only if empty)", b),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteBucket(ctx, b) },
			forget: func(r *record.Record) { r.Bucket = record.Bucket{} },
		})
	}
	addLeftovers(awsops.ActCreateBucket)
	return steps
}

// pickRecord finds the record to tear down: the one named, or the only one.
func pickRecord(named string) (string, error) {
	if named != "" {
		return named, nil
	}
	dir, err := record.Dir()
	if err != nil {
		return "", err
	}
	paths, err := record.List(dir)
	if err != nil {
		return "", err
	}
	switch len(paths) {
	case 0:
		return "", fmt.Errorf("no setup record found in %s; there is nothing s3link created to remove", dir)
	case 1:
		return paths[0], nil
	}
	return "", usageError("there are %d setup records (%s); choose one with --record PATH", len(paths), strings.Join(paths, ", "))
}

func confirm(in io.Reader, out io.Writer, prompt string) bool {
	fmt.Fprint(out, prompt)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(line), "yes")
}
