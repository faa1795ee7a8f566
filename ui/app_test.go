package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/awsopstest"
	"github.com/s3link/s3link/steps"
)

// A second enter pressed before the first one's navigation arrived must
// not skip a screen.
func TestStaleNavigationDropped(t *testing.T) {
	d := newDriver(t, testDeps(t, awsopstest.New(t)))
	m, first := d.app.Update(keyMsg("enter"))
	d.app = m.(App)
	m, second := d.app.Update(keyMsg("enter"))
	d.app = m.(App)
	d.run(first)
	d.wantStep(steps.Bucket)
	d.run(second)
	d.wantStep(steps.Bucket)
}

func TestExplain(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("who am i: %w", awsops.ErrNoCredentials), "aws configure"},
		{awsops.ErrExpiredCredentials, "aws sso login --profile work"},
		{awsops.ErrInvalidCredentials, "did not accept"},
		{awsops.ErrAccessDenied, "denied"},
		{awsops.ErrBucketTaken, "another AWS account"},
		{awsops.ErrNoSuchBucket, "does not exist"},
		{awsops.ErrBucketNotEmpty, "not empty"},
		{&awsops.KeyLimitError{User: "u"}, "2 access keys"},
		{awsops.ErrPolicyVersionLimit, "5 versions"},
		{awsops.ErrInvalidRegion, "region"},
		{awsops.ErrThrottled, "throttling"},
		{awsops.ErrUnreachable, "cannot be reached"},
		{awsops.ErrAlreadyExists, "already exists"},
		{awsops.ErrNotFound, "not found"},
		{context.DeadlineExceeded, "in time"},
		{context.Canceled, "Cancelled."},
		{errors.New("boom"), "s3link teardown"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			got, _ := explain(tt.err, "work")
			if !strings.Contains(got, tt.want) {
				t.Errorf("explain(%v) = %q, want it to mention %q", tt.err, got, tt.want)
			}
			if strings.Count(strings.TrimSuffix(got, "."), ". ") > 0 {
				t.Errorf("explain(%v) = %q is more than one sentence", tt.err, got)
			}
		})
	}
}

func TestColorJSON(t *testing.T) {
	doc := awsops.PolicyDocument("acme-media", `a "quoted" \ path`)
	color := NewStyles(true)
	plain := NewPlainStyles()
	if got := ansi.Strip(colorJSON(&color, doc)); got != doc {
		t.Errorf("coloured JSON does not strip back to the document:\n%s", got)
	}
	if got := colorJSON(&plain, doc); got != doc {
		t.Errorf("plain styles changed the document:\n%s", got)
	}
}

var sgrColor = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]`)

func TestNoColor(t *testing.T) {
	tests := []struct {
		name    string
		noColor bool
		msg     tea.Msg
		colored bool
	}{
		{name: "colour", colored: true},
		{name: "NO_COLOR", noColor: true},
		{name: "ascii terminal", msg: tea.ColorProfileMsg{Profile: colorprofile.Ascii}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps := testDeps(t, awsopstest.New(t))
			deps.NoColor = tt.noColor
			d := newDriver(t, deps)
			if tt.msg != nil {
				d.send(tt.msg)
			}
			toLocationNew(t, d, "acme-media", "eu-west-1")
			toPolicy(t, d, "x")
			got := sgrColor.MatchString(d.app.View().Content)
			if got != tt.colored {
				t.Errorf("colour codes present = %v, want %v", got, tt.colored)
			}
		})
	}
}

func TestQuitDuringApplyAsks(t *testing.T) {
	f := awsopstest.New(t)
	d := newDriver(t, testDeps(t, f))
	toReviewNew(t, d)
	// Confirm, but hold the first action's result back: the plan is running.
	m, _ := d.app.Update(keyMsg("enter"))
	d.app = m.(App)
	m, _ = d.app.Update(nextMsg{from: stepStamp{step: steps.Review, set: true}})
	d.app = m.(App)
	d.wantStep(steps.Apply)
	d.press("ctrl+c")
	if d.quit {
		t.Fatal("ctrl+c quit while an action was running, without asking")
	}
	d.wantView("Quit now?")
	d.press("n")
	d.wantStep(steps.Apply)
	d.press("ctrl+c", "y")
	if !d.quit {
		t.Fatal("y did not quit")
	}
}

func TestQuitAfterFailureKeepsRecord(t *testing.T) {
	f := awsopstest.New(t)
	f.Fail("AttachUserPolicy", awsops.ErrThrottled)
	d := newDriver(t, testDeps(t, f))
	toReviewNew(t, d)
	d.press("enter")
	d.wantView("throttling")
	d.press("q")
	if !d.quit {
		t.Fatal("q did not quit")
	}
	err := d.app.Err()
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "s3link teardown") {
		t.Errorf("Err() = %v, want ErrIncomplete naming teardown", err)
	}
}
