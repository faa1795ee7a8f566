package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/steps"
)

// wizard is what the run knows so far: its dependencies, the answers
// given, and what the plan made. Screens are built from it, read it when
// they are entered and write their answers into it when the wizard moves
// on from them.
type wizard struct {
	deps     Deps
	ops      Ops
	profile  string
	identity awsops.Identity
	spec     setup.Spec
	lastBkt  bucketAnswer
	// upload is the Upload step's answer, kept apart from the screen so a
	// location that turns out not to be empty can drop it.
	upload uploadChoice

	// plan, state and journal are the applied plan, what it made and its
	// record, once Apply is done; key is the new access key, once the key
	// screen is left.
	plan    *setup.Plan
	state   setup.State
	journal setup.Journal
	key     awsops.AccessKey
}

// builders make each step's screen the first time it is entered, with the
// Cmd that starts it. Apply has none: the review screen runs the plan.
var builders = [steps.Count]func(a *App) (screen, tea.Cmd){
	steps.Identity: func(a *App) (screen, tea.Cmd) {
		s := newIdentityScreen(a.c, a.w.deps)
		return hold(s), s.Init()
	},
	steps.Bucket: func(a *App) (screen, tea.Cmd) {
		region, from := a.w.defaultRegion()
		return hold(newBucketScreen(a.c, a.w.ops, region, from, a.w.deps.Preset, a.w.deps.RecordDir)), nil
	},
	steps.Location: func(a *App) (screen, tea.Cmd) {
		return hold(newLocationScreen(a.c, a.w.ops, a.w.deps.Preset.Prefix)), nil
	},
	steps.Upload: func(a *App) (screen, tea.Cmd) {
		return hold(newUploadScreen(a.c, a.w.deps.DemoDir)), nil
	},
	steps.Policy: func(a *App) (screen, tea.Cmd) {
		return hold(newPolicyScreen(a.c, a.w.ops, a.w.deps.Preset.PolicyName)), nil
	},
	steps.Access: func(a *App) (screen, tea.Cmd) {
		return hold(newAccessScreen(a.c, a.w.deps.Preset)), nil
	},
	steps.User: func(a *App) (screen, tea.Cmd) {
		return hold(newUserScreen(a.c, a.w.ops, a.w.deps.Preset)), nil
	},
	steps.Review: func(a *App) (screen, tea.Cmd) {
		s := newReviewScreen(a.c, a.w.ops, a.w.profile)
		s.workDir = a.w.deps.WorkDir
		return hold(s), nil
	},
	steps.Key: func(a *App) (screen, tea.Cmd) {
		kept := ""
		if a.w.plan != nil {
			kept = a.w.plan.ExistingKeyID
		}
		return hold(newKeyScreen(a.c, a.w.ops, a.w.deps.Clipboard, a.w.spec, a.w.state, a.w.journal, kept)), nil
	},
	steps.Uploading: func(a *App) (screen, tea.Cmd) {
		s := newUploadingScreen(a.c, a.w.deps, a.w.callerConfig(), a.w.spec, a.w.upload)
		cmd := s.start()
		return hold(s), cmd
	},
	steps.Sync: func(a *App) (screen, tea.Cmd) {
		if a.w.spec.Role() {
			return hold(newRoleSyncScreen(a.c, a.w.deps, a.w.callerConfig(), a.w.spec, a.w.plan.RoleARN(a.w.state), a.w.plan.ExternalID)), nil
		}
		return hold(newSyncScreen(a.c, a.w.deps, a.w.spec, a.w.key)), nil
	},
	steps.Done: func(a *App) (screen, tea.Cmd) {
		s := newDoneScreen(a.c, a.finalOutcome(), a.w.deps.WorkDir)
		return hold(s), s.init()
	},
}

// stepTitles name the steps in the header and the window title.
var stepTitles = map[steps.Step]string{
	steps.Identity:  "Who you are",
	steps.Bucket:    "Bucket",
	steps.Location:  "Location in the bucket",
	steps.Policy:    "Access policy",
	steps.User:      "IAM user",
	steps.Access:    "Who reads",
	steps.Review:    "Review",
	steps.Apply:     "Creating",
	steps.Key:       "Access key",
	steps.Done:      "Done",
	steps.Upload:    "Fill the location",
	steps.Uploading: "Uploading",
	steps.Sync:      "Proof download",
}

// callerConfig is the wizard's own AWS configuration, for the upload: the
// profile chosen on the identity screen, and the bucket's region so that
// S3 does not redirect every request.
func (w *wizard) callerConfig() awsops.Config {
	c := w.deps.AWS
	if c.Static == nil {
		c.Profile = w.profile
	}
	c.Region = w.spec.Region
	if c.EndpointURL == "" {
		c.EndpointURL = w.deps.EndpointURL
	}
	return c
}

// defaultRegion is the region the flags, the environment or the profile
// set, and what set it; "" when none did: then the bucket screen offers no
// default and the person picks one.
func (w *wizard) defaultRegion() (region, source string) {
	if w.deps.Region != "" {
		return w.deps.Region, "--region"
	}
	return w.identity.Region, w.identity.RegionSource
}

// regionFrom says in a few words where a default region came from.
func regionFrom(source string) string {
	if source == "" {
		return "configured"
	}
	return "from " + source
}

// recordBase is what a new setup record starts from: who runs the setup,
// against which endpoint.
func (w *wizard) recordBase() journal.Record {
	return journal.Record{
		Account:     w.identity.Account,
		CallerARN:   w.identity.ARN,
		Profile:     w.profile,
		EndpointURL: w.deps.EndpointURL,
		Sandbox:     w.deps.Sandbox,
	}
}

// finalOutcome is what the run made, as the screens that made it report.
func (a App) finalOutcome() outcome {
	// Without a key screen no new key was made.
	o := outcome{Hand: keyHandOver{State: handKept}}
	for _, s := range a.machine.Screens() {
		if a.screens[s] != nil {
			a.screens[s].Report(&o)
		}
	}
	o.settle()
	if a.w.deps.Sandbox {
		// The sandbox's records live and die with its emulator: there is
		// nothing for teardown to do later.
		o.RecordPath = ""
	}
	o.Sandbox = a.w.deps.Sandbox
	return o
}
