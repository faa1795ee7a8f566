package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/record"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/steps"
)

// ErrIncomplete means the wizard was left after AWS resources were created
// but before the key was handed over; the record lists them for teardown.
var ErrIncomplete = errors.New("setup did not finish")

// App is the wizard's root model: it routes messages to the screens, asks
// steps.Machine where to go, and draws the frame around the current
// screen. It is the only model whose View returns a tea.View.
type App struct {
	deps    Deps
	c       *Common
	help    help.Model
	machine *steps.Machine
	step    steps.Step

	ops      Ops
	profile  string
	identity awsops.Identity
	spec     setup.Spec
	lastBkt  bucketAnswer

	idScr     identityScreen
	bucketScr bucketScreen
	locScr    locationScreen
	polScr    policyScreen
	userScr   userScreen
	accessScr accessScreen
	revScr    reviewScreen
	keyScr    keyScreen
	doneScr   doneScreen
	uploadScr uploadScreen
	upRunScr  uploadingScreen
	syncScr   syncScreen
	have      map[steps.Step]bool

	// upload is the Upload step's answer, kept apart from the screen so a
	// location that turns out not to be empty can drop it.
	upload uploadChoice

	height   int
	started  time.Time
	note     string
	quitting bool
	// askingQuit is the ctrl+c guard where answers would be lost.
	askingQuit bool
	// queued holds keys typed while the screen waits on a result that may
	// move on; they are replayed, in order, once it no longer waits.
	queued  []tea.KeyPressMsg
	outcome *outcome
	err     error
}

// New builds the wizard from its dependencies.
func New(d Deps) App {
	if d.Ctx == nil {
		d.Ctx = context.Background()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	st := NewStyles(true)
	if d.NoColor {
		st = NewPlainStyles()
	}
	keys := DefaultKeyMap()
	c := &Common{Ctx: d.Ctx, Width: 80, Height: 24, Styles: &st, Keys: &keys, Now: d.Now}
	a := App{
		deps:    d,
		c:       c,
		help:    help.New(),
		machine: steps.New(steps.Options{}),
		ops:     d.Ops,
		profile: d.Profile,
		have:    map[steps.Step]bool{},
		started: d.Now(),
	}
	a.help.Styles = st.Help
	a.step = a.machine.First()
	a.idScr = newIdentityScreen(c, d)
	a.have[steps.Identity] = true
	a.layout(80, 24)
	return a
}

// Init asks the terminal for its background (for the palette) and starts
// the identity check.
func (a App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.idScr.Init())
}

// Step is the screen on show, for tests and the caller.
func (a App) Step() steps.Step { return a.step }

// Summary is the text to print after the program exits: what was made and
// what to paste into the platform. It never holds the secret, and it is
// empty when the wizard did not finish.
func (a App) Summary() string {
	if a.outcome == nil {
		return ""
	}
	return a.outcome.Text()
}

// Err says why the wizard ended early: context.Canceled when nothing was
// created, an ErrIncomplete when something was. After Done it is nil, or
// ErrSecretNotHandedOver when the secret was neither saved nor confirmed.
func (a App) Err() error {
	if a.err == nil && a.outcome != nil && a.outcome.Hand.State.unconfirmed() {
		return ErrSecretNotHandedOver
	}
	return a.err
}

// Spec is the setup the answers describe so far.
func (a App) Spec() setup.Spec { return a.spec }

// layout gives the screens what is left under the header and above the
// note line and the help bar, which grows when the full help is open.
func (a *App) layout(w, h int) {
	a.help.SetWidth(w)
	helpLines := strings.Count(a.helpView(), "\n") + 1
	a.c.Width = w
	a.c.Height = max(h-3-helpLines, 4)
	a.height = h
}

// maxQueued bounds the keys held while a screen waits.
const maxQueued = 64

// Update implements tea.Model: it routes msg to the screen it concerns
// and handles navigation, help, resize and quitting itself. Keys typed
// while a screen waits are replayed once it stops waiting, so keys sent
// together (enter, down, enter) all land, in order, where they were meant.
func (a App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := a.update(msg)
	a = m.(App)
	cmds := []tea.Cmd{cmd}
	for len(a.queued) > 0 && !a.waiting() && !a.quitting {
		k := a.queued[0]
		a.queued = a.queued[1:]
		m, cmd = a.update(k)
		a = m.(App)
		cmds = append(cmds, cmd)
	}
	return a, tea.Batch(cmds...)
}

// waiting reports whether the screen on show waits on a result that may
// move the wizard on (or change what keys mean), so keys must wait too.
// Review is not among them: the plan is confirmed by a key pressed with
// the plan on screen, never by one typed ahead.
func (a App) waiting() bool {
	if !a.have[owner(a.step)] {
		return false
	}
	switch a.step {
	case steps.Identity:
		return a.idScr.phase == identityLoadingProfiles || a.idScr.phase == identityResolving
	case steps.Bucket:
		return a.bucketScr.checking || a.bucketScr.listing
	case steps.Policy:
		return a.polScr.phase == policyLooking
	case steps.User:
		return a.userScr.phase == userLooking
	}
	return false
}

func (a App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.layout(msg.Width, msg.Height)
		return a, a.broadcast(msg)
	case tea.BackgroundColorMsg:
		if a.deps.NoColor {
			return a, nil
		}
		*a.c.Styles = NewStyles(msg.IsDark())
		a.help.Styles = a.c.Styles.Help
		return a, a.broadcast(stylesChangedMsg{})
	case tea.ColorProfileMsg:
		if msg.Profile == colorprofile.Ascii || msg.Profile == colorprofile.NoTTY {
			*a.c.Styles = NewPlainStyles()
			a.help.Styles = a.c.Styles.Help
			return a, a.broadcast(stylesChangedMsg{})
		}
		return a, nil
	case spinner.TickMsg:
		return a, a.broadcast(msg)
	case nextMsg:
		if !msg.from.is(a.step) {
			return a, nil
		}
		return a.next()
	case backMsg:
		if !msg.from.is(a.step) {
			return a, nil
		}
		return a.back()
	case quitMsg:
		return a.quit()
	case tea.KeyPressMsg:
		a.note = ""
		k := a.c.Keys
		if a.askingQuit {
			switch {
			case key.Matches(msg, k.Quit, k.Yes):
				return a.quit()
			case key.Matches(msg, k.No):
				a.askingQuit = false
				a.layout(a.c.Width, a.height)
			}
			return a, nil
		}
		switch {
		case key.Matches(msg, k.Quit):
			return a.interrupt()
		case key.Matches(msg, k.Help) && !(msg.String() == "?" && a.acceptsQuestionMark()):
			a.help.ShowAll = !a.help.ShowAll
			a.layout(a.c.Width, a.height)
			return a, a.broadcast(tea.WindowSizeMsg{Width: a.c.Width, Height: a.height})
		}
		// Esc leaves a wait at once, unless keys typed before it wait too.
		if a.waiting() && (len(a.queued) > 0 || !key.Matches(msg, k.Back)) {
			if len(a.queued) < maxQueued {
				a.queued = append(a.queued, msg)
			}
			return a, nil
		}
		return a.updateScreen(a.step, msg)
	case tea.PasteMsg:
		return a.paste(msg)
	case profilesLoadedMsg, opsBuiltMsg, identityResolvedMsg:
		return a.updateScreen(steps.Identity, msg)
	case bucketsListedMsg, bucketInspectedMsg, bucketCheckedMsg:
		return a.updateScreen(steps.Bucket, msg)
	case prefixSettledMsg, prefixSummarizedMsg, foldersListedMsg:
		return a.updateScreen(steps.Location, msg)
	case policyLookedUpMsg:
		return a.updateScreen(steps.Policy, msg)
	case accessKeysListedMsg:
		return a.updateScreen(steps.User, msg)
	case setupPlannedMsg, actionRanMsg, rolledBackMsg, planExportedMsg:
		return a.updateScreen(steps.Review, msg)
	case clipboardCopiedMsg, csvSavedMsg, keyDeletedMsg:
		return a.updateScreen(steps.Key, msg)
	case uploadSettledMsg, uploadPreviewedMsg, dirsListedMsg:
		return a.updateScreen(steps.Upload, msg)
	case uploadBuiltMsg:
		return a.updateScreen(steps.Uploading, msg)
	case storeConnectedMsg, keyProbedMsg, probeDueMsg, syncClockMsg:
		return a.updateScreen(steps.Sync, msg)
	}
	return a.updateScreen(a.step, msg)
}

// paste types pasted text into the screen as keys, so every screen's
// checks run as for typing. Line breaks and other control characters are
// dropped: a pasted newline must not press enter. The location screen takes
// the paste whole, so it counts objects once, not once per character.
func (a App) paste(msg tea.PasteMsg) (tea.Model, tea.Cmd) {
	if owner(a.step) == steps.Location {
		return a.updateScreen(a.step, msg)
	}
	var cmds []tea.Cmd
	var m tea.Model = a
	for _, r := range msg.Content {
		if unicode.IsControl(r) {
			continue
		}
		var cmd tea.Cmd
		m, cmd = m.(App).updateScreen(a.step, tea.KeyPressMsg{Code: r, Text: string(r)})
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// owner maps Apply onto the review screen, which runs the plan.
func owner(s steps.Step) steps.Step {
	if s == steps.Apply {
		return steps.Review
	}
	return s
}

// updateScreen hands msg to the screen of step. A late result for a screen
// that is not on show still updates it, but its Cmds are dropped: they
// would navigate from a screen the user has left.
func (a App) updateScreen(step steps.Step, msg tea.Msg) (tea.Model, tea.Cmd) {
	step = owner(step)
	if !a.have[step] {
		return a, nil
	}
	var cmd tea.Cmd
	switch step {
	case steps.Identity:
		a.idScr, cmd = a.idScr.Update(msg)
	case steps.Bucket:
		a.bucketScr, cmd = a.bucketScr.Update(msg)
	case steps.Location:
		a.locScr, cmd = a.locScr.Update(msg)
	case steps.Policy:
		a.polScr, cmd = a.polScr.Update(msg)
	case steps.User:
		a.userScr, cmd = a.userScr.Update(msg)
	case steps.Access:
		a.accessScr, cmd = a.accessScr.Update(msg)
	case steps.Review:
		a.revScr, cmd = a.revScr.Update(msg)
	case steps.Key:
		a.keyScr, cmd = a.keyScr.Update(msg)
	case steps.Done:
		a.doneScr, cmd = a.doneScr.Update(msg)
	case steps.Upload:
		a.uploadScr, cmd = a.uploadScr.Update(msg)
	case steps.Uploading:
		a.upRunScr, cmd = a.upRunScr.Update(msg)
	case steps.Sync:
		a.syncScr, cmd = a.syncScr.Update(msg)
	}
	if step != owner(a.step) {
		return a, nil
	}
	// Moving on is done here and now, not as a message: a key that
	// arrives next must reach the screen it was typed for.
	switch navigation(cmd) {
	case navNext:
		return a.next()
	case navBack:
		return a.back()
	}
	return a, stamp(cmd, a.step)
}

type nav int

const (
	navNone nav = iota
	navNext
	navBack
)

var (
	goNextPtr = reflect.ValueOf(goNext).Pointer()
	goBackPtr = reflect.ValueOf(goBack).Pointer()
)

// navigation tells goNext and goBack, which screens return bare, from
// every other Cmd.
func navigation(cmd tea.Cmd) nav {
	if cmd == nil {
		return navNone
	}
	switch reflect.ValueOf(cmd).Pointer() {
	case goNextPtr:
		return navNext
	case goBackPtr:
		return navBack
	}
	return navNone
}

// stepStamp records which step a navigation message came from.
type stepStamp struct {
	step steps.Step
	set  bool
}

func (s stepStamp) is(step steps.Step) bool { return s.set && s.step == step }

// stamp marks the navigation messages cmd yields with the step on show
// when it was returned; the root ignores those from a step already left.
func stamp(cmd tea.Cmd, from steps.Step) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch m := cmd().(type) {
		case nextMsg:
			m.from = stepStamp{step: from, set: true}
			return m
		case backMsg:
			m.from = stepStamp{step: from, set: true}
			return m
		case tea.BatchMsg:
			for i := range m {
				m[i] = stamp(m[i], from)
			}
			return m
		default:
			return m
		}
	}
}

// broadcast sends msg to every screen built so far and keeps the Cmds of
// the one on show.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var keep tea.Cmd
	for _, s := range []steps.Step{steps.Identity, steps.Bucket, steps.Location, steps.Upload, steps.Policy, steps.Access, steps.User, steps.Review, steps.Key, steps.Uploading, steps.Sync, steps.Done} {
		m, cmd := a.updateScreen(s, msg)
		*a = m.(App)
		if s == owner(a.step) {
			keep = cmd
		}
	}
	return keep
}

func (a App) acceptsQuestionMark() bool {
	switch owner(a.step) {
	case steps.Location:
		return a.locScr.acceptsQuestionMark()
	case steps.Key:
		return a.keyScr.acceptsQuestionMark()
	case steps.Upload:
		return a.uploadScr.acceptsQuestionMark()
	case steps.Sync:
		return a.syncScr.acceptsQuestionMark()
	}
	return false
}

// next collects the current screen's answer and asks the machine where to
// go. A changed answer resets the checks that depended on the old one.
func (a App) next() (tea.Model, tea.Cmd) {
	var r steps.Result
	switch a.step {
	case steps.Identity:
		if a.idScr.phase != identityResolved {
			return a, nil
		}
		if a.idScr.ops != a.ops || a.idScr.identity.Account != a.identity.Account {
			a.invalidate(steps.Identity)
		}
		a.ops, a.profile, a.identity = a.idScr.ops, a.idScr.profile, a.idScr.identity
	case steps.Bucket:
		ans, ok := a.bucketScr.answer()
		if !ok {
			return a, nil
		}
		if ans != a.lastBkt {
			a.invalidate(steps.Bucket)
		}
		a.lastBkt = ans
		a.spec.Bucket, a.spec.Region, a.spec.ExistingBucket, a.spec.ProtectBucket = ans.Name, ans.Region, ans.Existing, ans.Protect
	case steps.Location:
		p, ok := a.locScr.answer()
		if !ok {
			return a, nil
		}
		if p != a.spec.Prefix {
			a.invalidate(steps.Location)
		}
		a.spec.Prefix = p
		r.LocationEmpty = a.locScr.empty()
		if !r.LocationEmpty {
			a.upload = uploadChoice{}
		}
	case steps.Upload:
		u, ok := a.uploadScr.answer()
		if !ok {
			return a, nil
		}
		a.upload = u
		r.UploadChosen = u.Chosen
	case steps.Policy:
		name, ok := a.polScr.answer()
		if !ok {
			return a, nil
		}
		// The person saw and confirmed the name on the policy screen.
		a.spec.PolicyName, a.spec.PolicyNameChosen = name, true
	case steps.Access:
		ans, ok := a.accessScr.answer()
		if !ok {
			return a, nil
		}
		if ans.Role != a.spec.Role() || ans.Account != a.spec.TrustedAccount {
			a.invalidate(steps.Access)
		}
		r.Role = ans.Role
		if ans.Role {
			a.spec.Access, a.spec.TrustedAccount = setup.AccessRole, ans.Account
			a.spec.RoleName = a.deps.Preset.RoleName
			if a.spec.RoleName == "" {
				a.spec.RoleName = DefaultUserName
			}
			if a.spec.ExternalID == "" {
				// Made once, so going back and forth plans the same role.
				a.spec.ExternalID = awsops.NewExternalID()
			}
			a.spec.UserName, a.spec.Tags, a.spec.DeleteKeyID, a.spec.ExistingUser, a.spec.RotateOldest = "", nil, "", false, false
		} else {
			a.spec.Access, a.spec.TrustedAccount, a.spec.RoleName, a.spec.ExternalID = setup.AccessKey, "", "", ""
		}
	case steps.User:
		ans, ok := a.userScr.answer()
		if !ok {
			return a, nil
		}
		// An existing user was shown as such on the user screen, and review
		// says again whether s3link made it: using it is a knowing choice.
		a.spec.UserName, a.spec.Tags, a.spec.DeleteKeyID = ans.Name, ans.Tags, ans.DeleteKeyID
		a.spec.ExistingUser, a.spec.RotateOldest = true, ans.DeleteKeyID != ""
	case steps.Review:
		r.Confirmed = a.revScr.phase == reviewPlanning
	case steps.Apply:
		r.Applied = a.revScr.phase == reviewApplied
		// The plan may have resolved answers (an existing bucket's region).
		a.spec = a.revScr.spec
	case steps.Key:
		r.KeySecured = a.keyScr.secured()
		r.KeyUsable = !a.keyScr.deleted && a.keyScr.st.Key.ID != ""
	}
	to, err := a.machine.Next(a.step, r)
	if err != nil {
		a.note = sentence(err)
		return a, nil
	}
	a.step = to
	return a, a.enter(to)
}

// invalidate resets what depended on the answer given at changed.
func (a *App) invalidate(changed steps.Step) {
	if changed == steps.Identity {
		// Other credentials: every later screen was built for the old ones.
		for _, s := range []steps.Step{steps.Bucket, steps.Location, steps.Upload, steps.Policy, steps.Access, steps.User, steps.Review} {
			delete(a.have, s)
		}
		return
	}
	for _, s := range a.machine.Invalidates(changed) {
		if !a.have[s] {
			continue
		}
		switch s {
		case steps.Location:
			a.locScr.reset()
		case steps.Upload:
			a.uploadScr.reset()
		case steps.Policy:
			a.polScr.reset()
		case steps.User:
			a.userScr.reset()
		}
	}
}

func (a App) back() (tea.Model, tea.Cmd) {
	to, err := a.machine.Back(a.step)
	if err != nil {
		a.note = sentence(err)
		return a, nil
	}
	a.step = to
	return a, a.enter(to)
}

// enter shows step, building its screen on first use.
func (a *App) enter(step steps.Step) tea.Cmd {
	first := !a.have[owner(step)]
	a.have[owner(step)] = true
	switch step {
	case steps.Identity:
		if first {
			a.idScr = newIdentityScreen(a.c, a.deps)
			return a.idScr.Init()
		}
	case steps.Bucket:
		if first {
			region, from := a.defaultRegion()
			a.bucketScr = newBucketScreen(a.c, a.ops, region, from, a.deps.Preset, a.deps.RecordDir)
		}
	case steps.Location:
		if first {
			a.locScr = newLocationScreen(a.c, a.ops, a.deps.Preset.Prefix)
		}
		return a.locScr.enter(a.spec.Bucket, a.spec.ExistingBucket)
	case steps.Upload:
		if first {
			a.uploadScr = newUploadScreen(a.c, a.deps.DemoDir)
		}
		return a.uploadScr.enter(a.spec.Bucket, a.spec.Prefix)
	case steps.Policy:
		if first {
			a.polScr = newPolicyScreen(a.c, a.ops, a.deps.Preset.PolicyName)
		}
		return a.polScr.enter(a.spec.Bucket, a.spec.Prefix)
	case steps.Access:
		if first {
			a.accessScr = newAccessScreen(a.c, a.deps.Preset)
		}
		return a.accessScr.enter()
	case steps.User:
		if first {
			a.userScr = newUserScreen(a.c, a.ops, a.deps.Preset)
		}
		return a.userScr.enter()
	case steps.Review:
		if first {
			a.revScr = newReviewScreen(a.c, a.ops, a.profile)
			a.revScr.workDir = a.deps.WorkDir
		}
		return a.revScr.enter(a.spec, a.deps.RecordDir, a.recordBase(), a.upload)
	case steps.Apply:
		// A plan with nothing to run is applied at once: its goNext must
		// count as coming from Apply.
		return stamp(a.revScr.start(), steps.Apply)
	case steps.Key:
		kept := ""
		if a.revScr.decided != nil {
			kept = a.revScr.decided.ExistingKeyID
		}
		a.keyScr = newKeyScreen(a.c, a.ops, a.deps.Clipboard, a.revScr.spec, a.revScr.st, a.revScr.journal, kept)
	case steps.Uploading:
		a.upRunScr = newUploadingScreen(a.c, a.deps, a.callerConfig(), a.spec, a.upload)
		return a.upRunScr.start()
	case steps.Sync:
		if first && a.spec.Role() {
			a.syncScr = newRoleSyncScreen(a.c, a.deps, a.callerConfig(), a.spec, a.revScr.decided.RoleARN(a.revScr.st), a.revScr.decided.ExternalID)
		} else if first {
			a.syncScr = newSyncScreen(a.c, a.deps, a.spec, a.keyScr.st.Key)
		}
		return a.syncScr.enter()
	case steps.Done:
		a.doneScr = newDoneScreen(a.c, a.finalOutcome(), a.deps.WorkDir)
		return a.doneScr.init()
	}
	return nil
}

// callerConfig is the wizard's own AWS configuration, for the upload: the
// profile chosen on the identity screen, and the bucket's region so that
// S3 does not redirect every request.
func (a App) callerConfig() awsops.Config {
	c := a.deps.AWS
	if c.Static == nil {
		c.Profile = a.profile
	}
	c.Region = a.spec.Region
	if c.EndpointURL == "" {
		c.EndpointURL = a.deps.EndpointURL
	}
	return c
}

// defaultRegion is the region the flags, the environment or the profile
// set, and what set it; "" when none did: then the bucket screen offers no
// default and the person picks one.
func (a App) defaultRegion() (region, source string) {
	if a.deps.Region != "" {
		return a.deps.Region, "--region"
	}
	return a.identity.Region, a.identity.RegionSource
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
func (a App) recordBase() record.Record {
	return record.Record{
		Account:     a.identity.Account,
		CallerARN:   a.identity.ARN,
		Profile:     a.profile,
		EndpointURL: a.deps.EndpointURL,
		Sandbox:     a.deps.Sandbox,
	}
}

func (a App) finalOutcome() outcome {
	st := a.revScr.st
	recordPath := a.revScr.record.Path
	if a.deps.Sandbox {
		// The sandbox's records live and die with its emulator: there is
		// nothing for teardown to do later.
		recordPath = ""
	}
	o := newOutcome(a.revScr.decided, st, a.keyScr.handOverInfo(), recordPath)
	o.Sandbox = a.deps.Sandbox
	if a.have[steps.Uploading] {
		o.Uploaded = a.upRunScr.outcome()
	}
	if a.have[steps.Sync] {
		o.Downloaded, o.ProofEmpty = a.syncScr.outcome(), a.syncScr.empty()
	}
	if a.have[steps.Done] {
		o.Commands, o.CommandsErr = a.doneScr.o.Commands, a.doneScr.o.CommandsErr
	}
	return o
}

// interrupt is ctrl+c: immediate before anything exists, guarded while AWS
// calls run or while the secret is unsaved.
func (a App) interrupt() (tea.Model, tea.Cmd) {
	switch a.step {
	case steps.Apply:
		if a.revScr.busy() {
			a.revScr.askQuit()
			return a, nil
		}
	case steps.Key:
		if a.keyScr.guardQuit() {
			return a, nil
		}
	case steps.Uploading:
		if a.upRunScr.running() {
			a.upRunScr.xfer.stop()
			return a, nil
		}
	case steps.Sync:
		if a.syncScr.running() {
			a.syncScr.xfer.stop()
			return a, nil
		}
	}
	if a.hasAnswers() {
		a.askingQuit = true
		a.layout(a.c.Width, a.height)
		return a, nil
	}
	return a.quit()
}

// quitPrompt is the ctrl+c guard's question.
const quitPrompt = "Quit? Your answers will be lost. y/n"

// hasAnswers reports whether quitting now would lose answers given on
// this screen or before it. Past the bucket screen there always are some
// (the bucket); from Apply on, the screens guard what they hold.
func (a App) hasAnswers() bool {
	if !a.have[owner(a.step)] {
		return false
	}
	switch a.step {
	case steps.Identity:
		return a.idScr.picked
	case steps.Bucket:
		return a.bucketScr.typed()
	case steps.Location, steps.Upload, steps.Policy, steps.Access, steps.User, steps.Review:
		return true
	}
	return false
}

// quit ends the program, remembering how the run ended for Summary and
// Err.
func (a App) quit() (tea.Model, tea.Cmd) {
	a.quitting = true
	switch {
	case a.step == steps.Done || a.step == steps.Key || a.step == steps.Uploading || a.step == steps.Sync:
		o := a.finalOutcome()
		a.outcome = &o
	case a.step == steps.Apply && a.revScr.created():
		where := "the local record"
		if p := a.revScr.record.Path; p != "" {
			where = p
		}
		a.err = fmt.Errorf("%w: what was created is listed in %s; run `s3link teardown` to remove it, or run setup again to finish", ErrIncomplete, where)
	default:
		a.err = context.Canceled
	}
	return a, tea.Quit
}

// sentence renders a guard's error as a sentence.
func sentence(err error) string { return refused(err) }

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

func (a App) screenHelp() helpKeys {
	if a.askingQuit {
		k := a.c.Keys
		return helpKeys{short: []key.Binding{withHelp(k.Yes, "quit"), withHelp(k.No, "keep going")}}
	}
	if !a.have[owner(a.step)] {
		return helpKeys{}
	}
	switch owner(a.step) {
	case steps.Identity:
		return a.idScr.help()
	case steps.Bucket:
		return a.bucketScr.help()
	case steps.Location:
		return a.locScr.help()
	case steps.Policy:
		return a.polScr.help()
	case steps.User:
		return a.userScr.help()
	case steps.Access:
		return a.accessScr.help()
	case steps.Review:
		return a.revScr.help()
	case steps.Key:
		return a.keyScr.help()
	case steps.Done:
		return a.doneScr.help()
	case steps.Upload:
		return a.uploadScr.help()
	case steps.Uploading:
		return a.upRunScr.help()
	case steps.Sync:
		return a.syncScr.help()
	}
	return helpKeys{}
}

func (a App) screenView() string {
	switch owner(a.step) {
	case steps.Identity:
		return a.idScr.View()
	case steps.Bucket:
		return a.bucketScr.View()
	case steps.Location:
		return a.locScr.View()
	case steps.Policy:
		return a.polScr.View()
	case steps.User:
		return a.userScr.View()
	case steps.Access:
		return a.accessScr.View()
	case steps.Review:
		return a.revScr.View()
	case steps.Key:
		return a.keyScr.View()
	case steps.Done:
		return a.doneScr.View()
	case steps.Upload:
		return a.uploadScr.View()
	case steps.Uploading:
		return a.upRunScr.View()
	case steps.Sync:
		return a.syncScr.View()
	}
	return ""
}

// helpView is the help bar cut to the width. The short bar drops the keys
// just before "? more keys" until it fits, so the way to the others stays
// on screen; the full help says how to close it.
func (a App) helpView() string {
	h := a.screenHelp()
	var out string
	if a.help.ShowAll {
		out = a.help.FullHelpView(a.fullHelp(h))
	} else {
		out = a.shortHelp(h.ShortHelp())
	}
	ls := strings.Split(out, "\n")
	for i, l := range ls {
		ls[i] = ansi.Truncate(l, a.c.Width, "…")
	}
	return strings.Join(ls, "\n")
}

// shortHelp renders bindings on one line no wider than the screen. It
// drops the keys every screen shares first (the full help lists them),
// then the ones nearest before the help key, never the help key itself.
func (a App) shortHelp(bindings []key.Binding) string {
	wide := a.help
	wide.SetWidth(0)
	bs := append([]key.Binding(nil), bindings...)
	k := a.c.Keys
	shared := []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.Quit, k.Back}
	for {
		out := wide.ShortHelpView(bs)
		if ansi.StringWidth(out) <= a.c.Width || len(bs) <= 1 {
			return out
		}
		drop := -1
		for _, sh := range shared {
			if i := slices.IndexFunc(bs, func(b key.Binding) bool { return sameKeys(b, sh) }); i >= 0 {
				drop = i
				break
			}
		}
		if drop < 0 {
			hi := slices.IndexFunc(bs, func(b key.Binding) bool { return sameKeys(b, k.Help) })
			switch {
			case hi > 1:
				drop = hi - 1
			case hi < 0 || hi < len(bs)-1:
				drop = len(bs) - 1
			default:
				return out
			}
		}
		bs = slices.Delete(bs, drop, drop+1)
	}
}

// fullHelp is the screen's columns with the help key turned into the way
// to close them.
func (a App) fullHelp(h helpKeys) [][]key.Binding {
	var cols [][]key.Binding
	for _, col := range h.FullHelp() {
		var c []key.Binding
		for _, b := range col {
			if !sameKeys(b, a.c.Keys.Help) {
				c = append(c, b)
			}
		}
		if len(c) > 0 {
			cols = append(cols, c)
		}
	}
	closeHelp := key.NewBinding(key.WithKeys(a.c.Keys.Help.Keys()...), key.WithHelp("?/f1", "close this help"))
	if len(cols) == 0 {
		return [][]key.Binding{{closeHelp}}
	}
	// Under the last column, where the bar has room for it.
	cols[len(cols)-1] = append(cols[len(cols)-1], closeHelp)
	return cols
}

func sameKeys(a, b key.Binding) bool {
	return strings.Join(a.Keys(), " ") == strings.Join(b.Keys(), " ")
}

// View draws the frame: header, the screen, a note line and the help bar,
// in the alternate screen so nothing (the secret above all) stays in the
// terminal's scrollback after exit.
func (a App) View() tea.View {
	var v tea.View
	v.AltScreen = true
	title := stepTitles[a.step]
	v.WindowTitle = "s3link · " + title
	if a.quitting {
		return v
	}
	st := a.c.Styles
	n, of := a.machine.Position(a.step)
	header := st.Header.Render("s3link") + " · " + st.Title.Render(title) + st.StepCount.Render(fmt.Sprintf("  step %d of %d", n, of))
	if a.deps.Sandbox {
		header += "  " + st.Banner.Render("[sandbox]")
	}
	body := fitHeight(a.screenView(), a.c.Height)
	if pad := a.c.Height - (strings.Count(body, "\n") + 1); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	note := ""
	switch {
	case a.askingQuit:
		note = st.Warn.Render(ansi.Truncate(quitPrompt, a.c.Width, "…"))
	case a.note != "":
		note = st.Warn.Render(ansi.Truncate(a.note, a.c.Width, "…"))
	}
	v.SetContent(header + "\n\n" + body + "\n" + note + "\n" + a.helpView())
	if a.step == steps.Apply {
		switch a.revScr.phase {
		case reviewRunning:
			v.ProgressBar = tea.NewProgressBar(tea.ProgressBarDefault, a.revScr.progress())
		case reviewFailed:
			v.ProgressBar = tea.NewProgressBar(tea.ProgressBarError, a.revScr.progress())
		case reviewRollingBack:
			v.ProgressBar = tea.NewProgressBar(tea.ProgressBarIndeterminate, 0)
		}
	}
	switch {
	case a.step == steps.Uploading && a.upRunScr.phase == uploadingRunning:
		v.ProgressBar = a.upRunScr.xfer.nativeBar()
	case a.step == steps.Sync && a.syncScr.phase == syncTransferring:
		v.ProgressBar = a.syncScr.xfer.nativeBar()
	}
	return v
}
