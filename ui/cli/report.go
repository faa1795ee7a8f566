package cli

import (
	"context"
	"errors"
	"io"

	"github.com/s3link/s3link/awsops/setup"
)

// The --json contract: every command that reports as JSON prints one
// object per run, with camelCase keys, that starts with the envelope below.
// The schemas in jsonschema/ describe each command's object; README.md
// ("JSON output") states the rules.

// reportVersion is the version of the --json contract. It changes only
// when a field changes meaning or goes away; new fields may appear.
const reportVersion = 1

// Why a run is not complete (report.Reason).
const (
	// reasonCancelled: the run was interrupted (Ctrl-C, SIGTERM).
	reasonCancelled = "cancelled"
	// reasonFailed: the run stopped on an error, or some of its items
	// failed (listed in "failed").
	reasonFailed = "failed"
	// reasonRefused: the run refused to act (a plan that refuses, a
	// --max-delete exceeded) and changed nothing.
	reasonRefused = "refused"
	// reasonDeclined: the person answered no to a confirmation.
	reasonDeclined = "declined"
)

// report is the envelope every --json object embeds, so the names cannot
// drift between commands.
type report struct {
	// Version is the contract's version, reportVersion.
	Version int `json:"version"`
	// Command is the command that ran: setup, plan, sync, upload,
	// teardown, status, rotate or version.
	Command string `json:"command"`
	// Complete is true when the run did all it was asked.
	Complete bool `json:"complete"`
	// Reason says why a run is not complete; empty when it is.
	Reason string `json:"reason,omitempty"`
	// Error is the sentence the command printed on stderr, when it ended
	// with an error.
	Error string `json:"error,omitempty"`
	// declined: the person answered no, so nothing changed; such a run
	// ends without an error and is not complete (reasonDeclined).
	declined bool
}

func newReport(command string) report {
	return report{Version: reportVersion, Command: command}
}

// envelope lets one function finish any report.
func (r *report) envelope() *report { return r }

type reporter interface{ envelope() *report }

// refusal marks an error as a refusal to act (reasonRefused) rather than a
// failure.
type refusal struct{ error }

func (r refusal) Unwrap() error { return r.error }

// finish fills in the envelope from the error the command returns. ctx is
// the command's: an error after it was cancelled counts as cancelled,
// whatever the error says.
func (r *report) finish(ctx context.Context, err error) {
	r.Complete, r.Reason, r.Error = err == nil, "", ""
	if err == nil {
		if r.declined {
			r.Complete, r.Reason = false, reasonDeclined
		}
		return
	}
	var (
		ref     refusal
		refused *setup.RefusedError
	)
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		r.Reason, r.Error = reasonCancelled, "The run was cancelled before it finished."
		return
	case errors.As(err, &ref), errors.As(err, &refused):
		r.Reason = reasonRefused
	default:
		r.Reason = reasonFailed
	}
	r.Error = sentence(err.Error())
}

// isUsageError reports whether err is a command-line mistake (exit 2),
// which prints no JSON: nothing ran.
func isUsageError(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Code == 2
}

// printReport finishes r's envelope from err, prints r as JSON on w and
// returns err, so a command ends with `return printReport(ctx, w, sum, err)`.
// A command-line mistake prints nothing: the error alone says it.
func printReport(ctx context.Context, w io.Writer, r reporter, err error) error {
	if isUsageError(err) {
		return err
	}
	r.envelope().finish(ctx, err)
	if werr := writeJSON(w, r); werr != nil && err == nil {
		return werr
	}
	return err
}

// cancelledErr is an error that happened because the run was cancelled:
// it is context.Canceled too, so it exits as a cancelled run does (130).
type cancelledErr struct{ err error }

func (c cancelledErr) Error() string   { return c.err.Error() }
func (c cancelledErr) Unwrap() []error { return []error{c.err, context.Canceled} }

// asCancelled turns an error that came after ctx was cancelled, and that
// lost context.Canceled on its way up (an AWS call's error turned into a
// sentence), into a cancelled one.
func asCancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, context.Canceled) || isUsageError(err) {
		return err
	}
	return cancelledErr{err}
}
