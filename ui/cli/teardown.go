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
	steps := teardownSteps(rec, o.DeleteBucket)
	if len(steps) == 0 {
		fmt.Fprintf(g.Out, "Nothing left to remove in %s.\n", path)
		return record.Remove(path)
	}
	fmt.Fprintf(g.Out, "From %s (account %s), s3link will:\n", path, rec.Account)
	for _, s := range steps {
		fmt.Fprintf(g.Out, "  - %s\n", s.title)
	}
	if rec.Bucket.Name != "" && !o.DeleteBucket {
		fmt.Fprintf(g.Out, "The bucket %s and its objects stay (add --delete-bucket to remove it when empty).\n", rec.Bucket.Name)
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
	client, err := awsops.New(ctx, cfg)
	if err != nil {
		return errors.New(explain(err))
	}
	var failed int
	for _, s := range steps {
		if err := s.run(ctx, client); err != nil {
			failed++
			fmt.Fprintf(g.Out, "✗ %s: %s\n", s.title, explain(err))
			continue
		}
		fmt.Fprintf(g.Out, "✓ %s\n", s.title)
		s.forget(rec)
		if err := rec.Save(path); err != nil {
			return fmt.Errorf("update the record %s: %w", path, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d removals failed; the record %s still lists them, so rerun 's3link teardown' when the cause is fixed", failed, len(steps), path)
	}
	fmt.Fprintln(g.Out, "Everything setup created is gone.")
	if rec.Bucket.Name != "" && !o.DeleteBucket {
		return nil
	}
	return record.Remove(path)
}

func teardownSteps(rec *record.Record, deleteBucket bool) []removal {
	var steps []removal
	user := rec.User.Name
	for _, k := range rec.AccessKeys {
		id := k.ID
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete access key %s of user %s", id, user),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteAccessKey(ctx, user, id) },
			forget: func(r *record.Record) { r.ForgetAccessKey(id) },
		})
	}
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
	if rec.Policy.Created && rec.Policy.ARN != "" {
		arn := rec.Policy.ARN
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete IAM policy %s", rec.Policy.Name),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeletePolicy(ctx, arn) },
			forget: func(r *record.Record) { r.Policy = record.Policy{} },
		})
	}
	if deleteBucket && rec.Bucket.Created && rec.Bucket.Name != "" {
		b := rec.Bucket.Name
		steps = append(steps, removal{
			title:  fmt.Sprintf("delete bucket %s (only if empty)", b),
			run:    func(ctx context.Context, r awsops.Remover) error { return r.DeleteBucket(ctx, b) },
			forget: func(r *record.Record) { r.Bucket = record.Bucket{} },
		})
	}
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
