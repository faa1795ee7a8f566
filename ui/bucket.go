package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/steps"
)

type bucketPhase int

const (
	bucketChoosing bucketPhase = iota
	bucketNew
	bucketExisting
)

// bucketAnswer is what the bucket screen decided.
type bucketAnswer struct {
	Name     string
	Region   string
	Existing bool
	// Protect turns on Block Public Access on an existing bucket: the
	// person's explicit choice, listed in review.
	Protect bool
}

type bucketFocus int

const (
	focusName bucketFocus = iota
	focusRegion
)

// bucketScreen chooses a new bucket (name and region) or one of the
// account's buckets.
type bucketScreen struct {
	c      *Common
	keymap bucketKeys
	ops    Ops
	// recordDir holds the setup records: a typed name that is a bucket an
	// earlier s3link setup made counts as that setup's, not as someone's.
	recordDir string
	phase     bucketPhase
	mode      choice
	spin      spinner.Model

	// new bucket
	name    textinput.Model
	nameErr error
	regions picker
	focus   bucketFocus
	// The typed name is looked up before it counts as new: checkID stamps
	// the lookup, checked is the name found free, found what was found.
	checkID  int
	checking bool
	checked  string
	found    *bucketCheckedMsg

	// existing bucket
	listing   bool
	listErr   error
	buckets   picker
	regionOf  map[string]string
	inspected map[string]bucketInspectedMsg
	inFlight  map[string]bool
	// protect is the explicit choice to turn on Block Public Access on the
	// existing bucket protectFor.
	protect    bool
	protectFor string

	note string
}

func newBucketScreen(c *Common, ops Ops, defaultRegion, regionSource string, pre Preset, recordDir string) bucketScreen {
	s := bucketScreen{
		c:         c,
		keymap:    newBucketKeys(c.Keys),
		ops:       ops,
		recordDir: recordDir,
		mode: choice{options: []string{
			"Create a new bucket",
			"Use an existing bucket of this account",
		}},
		spin:      spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
		name:      newInput(c, "Name    ", "e.g. acme-media-imports"),
		regions:   newPicker(c, "type a region code or name"),
		buckets:   newPicker(c, "type to filter buckets"),
		regionOf:  map[string]string{},
		inspected: map[string]bucketInspectedMsg{},
		inFlight:  map[string]bool{},
	}
	s.name.CharLimit = awsops.MaxBucketNameLen + 10
	s.regions.height = 4
	s.buckets.height = 7
	s.nameErr = awsops.ValidateBucketName("")
	// The configured region leads the list: it is the likely answer.
	rs := awsops.Regions()
	items := make([]pickItem, 0, len(rs)+1)
	if defaultRegion != "" {
		items = append(items, pickItem{Value: defaultRegion, Title: defaultRegion, Detail: regionLabel(defaultRegion) + "  (" + regionFrom(regionSource) + ")"})
	}
	for _, r := range rs {
		if r.Code != defaultRegion {
			items = append(items, pickItem{Value: r.Code, Title: r.Code, Detail: r.Name})
		}
	}
	s.regions.SetItems(items)
	if pre.Bucket != "" {
		if pre.ExistingBucket {
			s.mode.cursor = 1
			s.buckets.filter.SetValue(pre.Bucket)
		} else {
			s.name.SetValue(pre.Bucket)
			s.nameErr = awsops.ValidateBucketName(pre.Bucket)
		}
	}
	return s
}

func regionLabel(code string) string {
	if n := awsops.RegionName(code); n != "" {
		return n
	}
	return "region"
}

// typed reports whether anything was typed or chosen here that a quit
// would lose: a name, a region filter, a bucket filter, or the choice of
// an existing bucket.
func (s bucketScreen) typed() bool {
	return s.name.Value() != "" || s.regions.Filter() != "" || s.buckets.Filter() != "" || s.phase == bucketExisting
}

// answer returns the chosen bucket, or false while none is complete.
func (s bucketScreen) answer() (bucketAnswer, bool) {
	switch s.phase {
	case bucketNew:
		if s.nameErr != nil {
			return bucketAnswer{}, false
		}
		region, ok := s.region()
		name := strings.TrimSpace(s.name.Value())
		if !ok || s.checked != name {
			return bucketAnswer{}, false
		}
		return bucketAnswer{Name: name, Region: region}, true
	case bucketExisting:
		it, ok := s.buckets.Selected()
		if !ok {
			return bucketAnswer{}, false
		}
		ins, ok := s.inspected[it.Value]
		if !ok || ins.Err != nil || ins.Region == "" {
			return bucketAnswer{}, false
		}
		return bucketAnswer{Name: it.Value, Region: ins.Region, Existing: true, Protect: s.protect && s.protectFor == it.Value}, true
	}
	return bucketAnswer{}, false
}

// region is the highlighted region, or a typed code that is valid but not
// in the list (a region newer than this build).
func (s bucketScreen) region() (string, bool) {
	typed := strings.ToLower(s.regions.Filter())
	if it, ok := s.regions.Selected(); ok {
		if typed == "" || it.Value == typed || awsops.ValidateRegion(typed) != nil {
			return it.Value, true
		}
	}
	if typed != "" && awsops.ValidateRegion(typed) == nil {
		return typed, true
	}
	return "", false
}

// Update handles one message and never blocks: I/O goes out as Cmds.
func (s bucketScreen) Update(msg tea.Msg) (bucketScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.listing && len(s.inFlight) == 0 && !s.checking {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stylesChangedMsg:
		s.name.SetStyles(s.c.Styles.Input)
		s.regions.filter.SetStyles(s.c.Styles.Input)
		s.buckets.filter.SetStyles(s.c.Styles.Input)
		return s, nil
	case bucketsListedMsg:
		s.listing = false
		s.listErr = msg.Err
		items := make([]pickItem, len(msg.Buckets))
		for i, b := range msg.Buckets {
			items[i] = pickItem{Value: b.Name, Title: b.Name, Detail: b.Region}
			s.regionOf[b.Name] = b.Region
		}
		s.buckets.SetItems(items)
		return s, s.inspectSelected()
	case bucketInspectedMsg:
		delete(s.inFlight, msg.Bucket)
		s.inspected[msg.Bucket] = msg
		return s, nil
	case bucketCheckedMsg:
		if msg.ID != s.checkID || msg.Name != strings.TrimSpace(s.name.Value()) {
			return s, nil
		}
		s.checking = false
		switch {
		case msg.Err != nil:
			sentence, _ := explain(msg.Err, "")
			s.note = "Could not check whether the bucket exists. " + sentence + " Press enter to try again."
		case msg.Facts.Owned && msg.Setup != "":
			// An earlier s3link setup made it: review continues that setup.
			s.checked = msg.Name
			return s, goNext
		case msg.Facts.Owned:
			s.found = &msg
		case msg.Facts.Exists:
			s.note = "The bucket name " + msg.Name + " belongs to another AWS account (bucket names are global); choose another name."
			return s, s.focusField(focusName)
		default:
			s.checked = msg.Name
			return s, goNext
		}
		return s, nil
	case tea.KeyPressMsg:
		return s.updateKey(msg)
	}
	return s, nil
}

// inspectSelected reads the highlighted bucket's settings once; results
// are kept per bucket, so one arriving after the cursor moved on is still
// right for its bucket.
func (s *bucketScreen) inspectSelected() tea.Cmd {
	it, ok := s.buckets.Selected()
	if !ok {
		return nil
	}
	if _, done := s.inspected[it.Value]; done || s.inFlight[it.Value] {
		return nil
	}
	s.inFlight[it.Value] = true
	return tea.Batch(s.spin.Tick, inspectBucketCmd(s.c.Ctx, s.ops, it.Value))
}

func (s bucketScreen) updateKey(msg tea.KeyPressMsg) (bucketScreen, tea.Cmd) {
	k := s.keymap
	s.note = ""
	switch s.phase {
	case bucketChoosing:
		switch {
		case key.Matches(msg, k.Back):
			return s, goBack
		case key.Matches(msg, k.Next):
			if s.mode.cursor == 0 {
				s.phase = bucketNew
				return s, s.focusField(s.focus)
			}
			s.phase = bucketExisting
			cmd := s.buckets.Focus()
			if len(s.buckets.items) == 0 && !s.listing {
				s.listing = true
				return s, tea.Batch(cmd, s.spin.Tick, listBucketsCmd(s.c.Ctx, s.ops))
			}
			return s, tea.Batch(cmd, s.inspectSelected())
		}
		s.mode = s.mode.Update(msg, listKeys{k.Up, k.Down})
		return s, nil
	case bucketNew:
		if s.found != nil && key.Matches(msg, k.UseAsExisting) {
			return s.useFoundAsExisting()
		}
		switch {
		case key.Matches(msg, k.Back):
			s.phase = bucketChoosing
			return s, nil
		case key.Matches(msg, k.Switch):
			return s, s.focusField(1 - s.focus)
		case key.Matches(msg, k.Next):
			if s.focus == focusName {
				if s.nameErr != nil {
					return s, nil
				}
				return s, s.focusField(focusRegion)
			}
			if _, ok := s.answer(); ok {
				return s, goNext
			}
			if s.nameErr != nil {
				s.note = "Fix the bucket name first."
				return s, s.focusField(focusName)
			}
			if _, ok := s.region(); ok && s.found == nil {
				s.checking = true
				s.checkID++
				return s, tea.Batch(s.spin.Tick, checkBucketCmd(s.c.Ctx, s.ops, s.checkID, strings.TrimSpace(s.name.Value()), s.recordDir))
			}
			if s.found != nil {
				return s, nil
			}
			s.note = "Pick a region from the list, or type a valid region code."
			return s, nil
		}
		var cmd tea.Cmd
		if s.focus == focusName {
			before := s.name.Value()
			s.name, cmd = s.name.Update(msg)
			s.nameErr = awsops.ValidateBucketName(strings.TrimSpace(s.name.Value()))
			if s.name.Value() != before {
				s.found, s.checked, s.checking = nil, "", false
			}
			return s, cmd
		}
		s.regions, cmd = s.regions.Update(msg, listKeys{k.Up, k.Down})
		return s, cmd
	case bucketExisting:
		switch {
		case key.Matches(msg, k.Back):
			s.phase = bucketChoosing
			return s, nil
		case key.Matches(msg, k.Retry) && s.listErr != nil:
			s.listing, s.listErr = true, nil
			return s, tea.Batch(s.spin.Tick, listBucketsCmd(s.c.Ctx, s.ops))
		case key.Matches(msg, k.Protect):
			if it, ok := s.buckets.Selected(); ok {
				if ins, ok := s.inspected[it.Value]; ok && ins.Err == nil && ins.Owned && !ins.Access.AllBlocked() {
					s.protect = !(s.protect && s.protectFor == it.Value)
					s.protectFor = it.Value
				}
			}
			return s, nil
		case key.Matches(msg, k.Next):
			if _, ok := s.answer(); ok {
				return s, goNext
			}
			if it, ok := s.buckets.Selected(); ok && s.inFlight[it.Value] {
				s.note = "Still reading the bucket's settings…"
			}
			return s, nil
		}
		var cmd tea.Cmd
		s.buckets, cmd = s.buckets.Update(msg, listKeys{k.Up, k.Down})
		return s, tea.Batch(cmd, s.inspectSelected())
	}
	return s, nil
}

// useFoundAsExisting switches to the existing-bucket list with the owned
// bucket the typed name turned out to be, already inspected.
func (s bucketScreen) useFoundAsExisting() (bucketScreen, tea.Cmd) {
	f := s.found
	s.found = nil
	s.phase = bucketExisting
	s.inspected[f.Name] = bucketInspectedMsg{Bucket: f.Name, Region: f.Facts.Region, Access: f.Facts.PublicAccess, Owned: true}
	s.buckets.filter.SetValue(f.Name)
	cmd := s.buckets.Focus()
	if len(s.buckets.items) == 0 && !s.listing {
		s.listing = true
		return s, tea.Batch(cmd, s.spin.Tick, listBucketsCmd(s.c.Ctx, s.ops))
	}
	s.buckets.SetItems(s.buckets.items)
	return s, cmd
}

func (s *bucketScreen) focusField(f bucketFocus) tea.Cmd {
	s.focus = f
	if f == focusName {
		s.regions.Blur()
		return s.name.Focus()
	}
	s.name.Blur()
	return s.regions.Focus()
}

func (s bucketScreen) help() helpKeys {
	k := s.keymap
	switch s.phase {
	case bucketNew:
		if s.found != nil {
			return helpKeys{short: []key.Binding{k.UseAsExisting, withHelp(k.Switch, "change the name"), k.Back, k.Help, k.Quit}}
		}
		return helpKeys{
			short: []key.Binding{k.Next, k.Switch, k.Back, k.Help, k.Quit},
			full:  [][]key.Binding{{k.Next, k.Switch, k.Back}, {k.Up, k.Down}, {k.Help, k.Quit}},
		}
	case bucketExisting:
		b := []key.Binding{withHelp(k.Next, "use bucket"), k.Up, k.Down, k.Back}
		if it, ok := s.buckets.Selected(); ok {
			if ins, ok := s.inspected[it.Value]; ok && ins.Err == nil && ins.Owned && !ins.Access.AllBlocked() {
				b = append(b, k.Protect)
			}
		}
		if s.listErr != nil {
			b = append(b, k.Retry)
		}
		return helpKeys{short: append(b, k.Help, k.Quit)}
	}
	return helpKeys{short: []key.Binding{withHelp(k.Next, "choose"), k.Up, k.Down, k.Back, k.Help, k.Quit}}
}

// View draws the screen as text; the root adds the frame.
func (s bucketScreen) View() string {
	st := s.c.Styles
	w := s.c.Width
	switch s.phase {
	case bucketNew:
		return s.viewNew(st, w)
	case bucketExisting:
		return s.viewExisting(st, w)
	}
	return lines(
		"Where should the platform's media live?",
		"",
		s.mode.View(st, w),
		"",
		st.Muted.Render(wrap("A new bucket gets Block Public Access (all four settings) and default encryption. An existing bucket is used as it is.", w)),
	)
}

func (s bucketScreen) viewNew(st *Styles, w int) string {
	msg := st.OK.Render("✓ valid name")
	if s.nameErr != nil {
		msg = st.Error.Render(wrap(refused(s.nameErr), w-10))
		if strings.TrimSpace(s.name.Value()) == "" {
			msg = st.Muted.Render(wrap(refused(s.nameErr), w-10))
		}
	}
	msg = indent(msg, "          ")
	regionLine := st.Label.Render("Region    ")
	if r, ok := s.region(); ok {
		regionLine += st.Value.Render(r) + " " + st.Muted.Render(regionLabel(r))
	} else {
		regionLine += st.Error.Render("no region matches; type a code such as eu-west-1")
	}
	parts := []string{
		"New bucket",
		"",
		s.name.View(),
		msg,
		"",
		regionLine,
		indent(s.regions.View(st, w-10), "          "),
		"",
		st.Muted.Render(wrap("It will get: Block Public Access with all four settings on, and default encryption SSE-S3.", w)),
	}
	if s.checking {
		parts = append(parts, s.spin.View()+" Checking whether a bucket of that name exists…")
	}
	if f := s.found; f != nil {
		parts = append(parts, st.Warn.Render(wrap(fmt.Sprintf("⚠ You already own a bucket named %s (in %s, %s). s3link did not create it, so it will not treat it as new or change its settings. Press e to use it as an existing bucket, or change the name.",
			f.Name, f.Facts.Region, bucketObjects(f.Objects)), w)))
	}
	if s.note != "" {
		parts = append(parts, st.Warn.Render(wrap(s.note, w)))
	}
	return strings.Join(parts, "\n")
}

// bucketObjects says how many objects a first listing page showed.
func bucketObjects(sum awsops.PrefixSummary) string {
	n := fmt.Sprintf("%d %s", sum.Objects, Plural(sum.Objects, "object", "objects"))
	if sum.Truncated {
		n = "at least " + n
	}
	return n
}

func (s bucketScreen) viewExisting(st *Styles, w int) string {
	parts := []string{"Existing bucket", ""}
	switch {
	case s.listing:
		parts = append(parts, s.spin.View()+" Listing the account's buckets…")
	case s.listErr != nil:
		sentence, detail := explain(s.listErr, "")
		parts = append(parts, st.Error.Render(wrap("✗ "+sentence, w)), st.Muted.Render(wrap(detail, w)))
	case len(s.buckets.items) == 0:
		parts = append(parts, wrap("This account has no buckets yet: press esc and create a new one.", w))
	default:
		parts = append(parts, s.buckets.View(st, w), "", s.viewInspection(st, w))
	}
	if s.note != "" {
		parts = append(parts, st.Warn.Render(wrap(s.note, w)))
	}
	return strings.Join(parts, "\n")
}

func (s bucketScreen) viewInspection(st *Styles, w int) string {
	it, ok := s.buckets.Selected()
	if !ok {
		return ""
	}
	if s.inFlight[it.Value] {
		return s.spin.View() + " Reading the settings of " + it.Value + "…"
	}
	ins, ok := s.inspected[it.Value]
	if !ok {
		return ""
	}
	if ins.Err != nil {
		sentence, _ := explain(ins.Err, "")
		return st.Error.Render(wrap("✗ Could not read the settings of "+it.Value+". "+sentence, w))
	}
	if ins.Access.AllBlocked() {
		return st.OK.Render("✓ Block Public Access: all four settings on") + st.Muted.Render("  ("+ins.Region+")")
	}
	var off []string
	for _, f := range []struct {
		on   bool
		name string
	}{
		{ins.Access.BlockPublicAcls, "BlockPublicAcls"},
		{ins.Access.IgnorePublicAcls, "IgnorePublicAcls"},
		{ins.Access.BlockPublicPolicy, "BlockPublicPolicy"},
		{ins.Access.RestrictPublicBuckets, "RestrictPublicBuckets"},
	} {
		if !f.on {
			off = append(off, f.name)
		}
	}
	warn := st.Warn.Render(wrap(fmt.Sprintf("⚠ Block Public Access is not fully on (%s off). The platform needs no public access. s3link leaves an existing bucket as it is unless you choose otherwise.", strings.Join(off, ", ")), w))
	if !ins.Owned {
		return warn
	}
	box := "[ ]"
	if s.protect && s.protectFor == it.Value {
		box = "[x]"
	}
	return warn + "\n" + wrap(box+" Turn on all four settings for this bucket (press b; listed in review)", w)
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// waiting reports whether a name is being checked or the buckets listed.
func (s bucketScreen) waiting() bool { return s.checking || s.listing }

// hasAnswers reports whether anything was typed or chosen here.
func (s bucketScreen) hasAnswers() bool { return s.typed() }

// answerTo sets the bucket in the spec, once one is complete.
func (s bucketScreen) answerTo(w *wizard, _ steps.Step) (answered, bool) {
	ans, ok := s.answer()
	if !ok {
		return answered{}, false
	}
	a := answered{changed: ans != w.lastBkt}
	w.lastBkt = ans
	w.spec.Bucket, w.spec.Region, w.spec.ExistingBucket, w.spec.ProtectBucket = ans.Name, ans.Region, ans.Existing, ans.Protect
	return a, true
}
