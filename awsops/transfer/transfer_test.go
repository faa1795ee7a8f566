package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFilterPatterns(t *testing.T) {
	tests := []struct {
		pat, rel string
		want     bool
	}{
		{"*.jpg", "a.jpg", true},
		{"*.jpg", "x/y/a.jpg", true},
		{"*.jpg", "a.jpeg", false},
		{"x/*.jpg", "x/a.jpg", true},
		{"x/*.jpg", "x/y/a.jpg", false},
		{"x/**/*.jpg", "x/a.jpg", true},
		{"x/**/*.jpg", "x/y/z/a.jpg", true},
		{"**", "anything/at/all", true},
		{"/x/*", "x/a", true},
		{"x/**", "x", true},
		{"x/**", "xy/a", false},
		{"[ab]?.tif", "b1.tif", true},
	}
	for _, tt := range tests {
		fl, err := NewFilter([]string{tt.pat}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := fl.Match(tt.rel); got != tt.want {
			t.Errorf("include %q, %q = %v", tt.pat, tt.rel, got)
		}
	}
}

func TestRateMeter(t *testing.T) {
	var m RateMeter
	start := time.Unix(1000, 0)
	// 1 MB/s for 10 s, then a stall: the windowed rate must fall to zero.
	var r float64
	for i := 1; i <= 10; i++ {
		r = m.Observe(start.Add(time.Duration(i)*time.Second), int64(i)<<20, start)
	}
	if r < 0.99*(1<<20) || r > 1.01*(1<<20) {
		t.Errorf("steady rate %v", r)
	}
	for i := 11; i <= 20; i++ {
		r = m.Observe(start.Add(time.Duration(i)*time.Second), 10<<20, start)
	}
	if r != 0 {
		t.Errorf("rate after a stall %v, want 0", r)
	}
}

func TestFilterIncludeExclude(t *testing.T) {
	tests := []struct {
		name             string
		include, exclude []string
		rel              string
		want             bool
	}{
		{name: "no patterns", rel: "a/b.txt", want: true},
		{name: "include miss", include: []string{"*.jpg"}, rel: "a.png", want: false},
		{name: "exclude wins", include: []string{"*.jpg"}, exclude: []string{"tmp/**"}, rel: "tmp/a.jpg", want: false},
		{name: "exclude only", exclude: []string{"*.tmp"}, rel: "x/a.jpg", want: true},
		{name: "directory marker", include: []string{"raw/**"}, rel: "raw/", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewFilter(tt.include, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(tt.rel); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.rel, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "/", "[a-"} {
		if _, err := NewFilter(nil, []string{bad}); err == nil {
			t.Errorf("NewFilter accepted %q", bad)
		}
	}
}

func inc(p string) Rule { return Rule{Include: true, Pattern: p} }
func exc(p string) Rule { return Rule{Pattern: p} }

func TestFilterRuleOrder(t *testing.T) {
	tests := []struct {
		name  string
		rules []Rule
		rel   string
		want  bool
	}{
		{"exclude all then include jpg: jpg", []Rule{exc("*"), inc("*.jpg")}, "a/b.jpg", true},
		{"exclude all then include jpg: png", []Rule{exc("*"), inc("*.jpg")}, "a/b.png", false},
		{"include jpg then exclude all", []Rule{inc("*.jpg"), exc("*")}, "b.jpg", false},
		{"later exclude beats earlier include", []Rule{exc("*"), inc("*.jpg"), exc("tmp/**")}, "tmp/x.jpg", false},
		{"later include beats earlier exclude", []Rule{exc("tmp/**"), inc("tmp/keep.jpg")}, "tmp/keep.jpg", true},
		{"exclude first: unmatched selected", []Rule{exc("*.tmp")}, "a.jpg", true},
		{"include first: unmatched left out", []Rule{inc("*.jpg")}, "a.png", false},
		{"include first: later exclude", []Rule{inc("*.jpg"), exc("raw/**")}, "raw/a.jpg", false},
		{"include first: matched", []Rule{inc("*.jpg"), exc("raw/**")}, "x/a.jpg", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewRuleFilter(tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(tt.rel); got != tt.want {
				t.Errorf("%v Match(%q) = %v, want %v", tt.rules, tt.rel, got, tt.want)
			}
		})
	}
}

// awsSelects is aws s3 sync's rule as its documentation states it ("Use of
// Exclude and Include Filters"): every file is included by default, then
// each filter is applied in order and a later one takes precedence. match
// stands in for its glob, which these tests keep to patterns both agree on.
func awsSelects(rules []Rule, rel string, match func(pat, rel string) bool) bool {
	selected := true
	for _, r := range rules {
		if match(r.Pattern, rel) {
			selected = r.Include
		}
	}
	return selected
}

func TestFilterSelectsAsAWSCLI(t *testing.T) {
	// The tree of the AWS CLI documentation's filter examples, plus depth.
	files := []string{".git/config", "foo.txt", "bar.txt", "baz.jpg", "photos/a.jpg", "photos/b.png"}
	// Patterns whose meaning is the same in both: a plain name or a whole
	// path ("*" not crossing "/" here, where aws's would).
	awsMatch := func(pat, rel string) bool {
		f, _ := NewRuleFilter([]Rule{inc(pat)})
		return f.Match(rel)
	}
	cases := [][]Rule{
		{exc("*"), inc("*.txt")},
		{inc("*.txt"), exc("*")},
		{exc(".git/*")},
		{exc("*"), inc("*.jpg")},
		{exc("*"), inc("*.txt"), exc("bar.txt")},
		{exc("*.txt"), inc("foo.txt")},
		{exc("*"), inc("photos/*"), exc("*.png")},
	}
	for _, rules := range cases {
		f, err := NewRuleFilter(rules)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, rel := range files {
			if f.Match(rel) {
				got = append(got, rel)
			}
			if awsSelects(rules, rel, awsMatch) {
				want = append(want, rel)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v selects %v, aws s3 sync %v", rules, got, want)
		}
	}
	// The documentation's own answers for two of them.
	f, _ := NewRuleFilter([]Rule{exc("*"), inc("*.txt")})
	for _, rel := range files {
		if want := strings.HasSuffix(rel, ".txt"); f.Match(rel) != want {
			t.Errorf("--exclude '*' --include '*.txt': %s selected %v", rel, !want)
		}
	}
	f, _ = NewRuleFilter([]Rule{inc("*.txt"), exc("*")})
	for _, rel := range files {
		if f.Match(rel) {
			t.Errorf("--include '*.txt' --exclude '*' selected %s; all files are excluded", rel)
		}
	}
}

func TestGate(t *testing.T) {
	var g Gate
	if err := g.Wait(context.Background()); err != nil || g.Paused() {
		t.Fatalf("zero gate: paused %v, wait %v", g.Paused(), err)
	}
	g.Pause()
	g.Pause() // twice is once
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait while paused = %v, want the context's error", err)
	}
	done := make(chan error)
	go func() { done <- g.Wait(context.Background()) }()
	g.Resume()
	g.Resume()
	if err := <-done; err != nil || g.Paused() {
		t.Fatalf("after resume: paused %v, wait %v", g.Paused(), err)
	}
}

func TestFailuresBounds(t *testing.T) {
	var l Failures[int]
	if l.Kept() != nil || l.Recent() != nil {
		t.Fatal("an empty log returns nil, which RetryFailed relies on")
	}
	for i := range MaxFailuresInSnapshot + 5 {
		l.Add(i)
	}
	kept, recent := l.Kept(), l.Recent()
	if len(kept) != MaxFailuresInSnapshot+5 || kept[0] != 0 {
		t.Errorf("kept %d from %d", len(kept), kept[0])
	}
	if len(recent) != MaxFailuresInSnapshot || recent[0] != 5 || recent[len(recent)-1] != MaxFailuresInSnapshot+4 {
		t.Errorf("recent %v", recent)
	}
	l.Reset()
	if l.Kept() != nil || l.Recent() != nil {
		t.Error("Reset kept failures")
	}
}

func TestRateMeterSettles(t *testing.T) {
	var m RateMeter
	start := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	// A steady 1 MiB/s, sampled every second.
	m.Observe(at(time.Second), 1<<20, start)
	m.Observe(at(2*time.Second), 2<<20, start)
	if m.Settled() {
		t.Fatal("settled on one second of samples")
	}
	m.Observe(at(3*time.Second), 3<<20, start)
	if !m.Settled() {
		t.Fatal("not settled after two seconds of a steady rate")
	}
	// The rate triples: not settled until the window forgets the old rate.
	m.Observe(at(4*time.Second), 6<<20, start)
	m.Observe(at(5*time.Second), 9<<20, start)
	if m.Settled() {
		t.Fatal("settled while the rate changes threefold")
	}
	for i := 6; i <= 12; i++ {
		m.Observe(at(time.Duration(i)*time.Second), int64(9+3*(i-5))<<20, start)
	}
	if !m.Settled() {
		t.Fatal("not settled once the new rate held for the whole window")
	}
	// A stall is not a settled rate.
	for i := 13; i <= 20; i++ {
		m.Observe(at(time.Duration(i)*time.Second), 30<<20, start)
	}
	if m.Settled() {
		t.Fatal("settled on a stall")
	}
	m.Reset()
	if m.Settled() {
		t.Fatal("settled after Reset")
	}
}

// TestETAWaitsForASettledRate replays a run that starts slowly (the
// listing, the first connections) and then moves 10 MiB/s, on a made-up
// clock ticking every 100 ms as the screen does: no ETA until two seconds
// of steady rate, then one within reason of the truth.
func TestETAWaitsForASettledRate(t *testing.T) {
	p := NewProgress(1)
	p.Running.Store(true)
	p.Reset()
	base := time.Now()
	const total = 100 << 20
	p.BytesTotal.Store(total)
	l := p.Begin(0, "big.mov", total)
	tick := 100 * time.Millisecond
	var firstETA time.Duration
	for i := 1; i <= 60; i++ {
		now := base.Add(time.Duration(i) * tick)
		// 0.1 MiB in the first second, then 1 MiB per tick.
		if i <= 10 {
			p.Add(l, (1<<20)/100)
		} else {
			p.Add(l, 1<<20)
		}
		s := p.Stats(now)
		if s.ETA == 0 {
			if firstETA != 0 {
				t.Fatalf("the ETA vanished at %v on a steady rate", now.Sub(base))
			}
			continue
		}
		if firstETA == 0 {
			firstETA = now.Sub(base)
		}
		if now.Sub(base) < SettleSpan {
			t.Fatalf("an ETA (%v) at %v, before %v of samples", s.ETA, now.Sub(base), SettleSpan)
		}
		// What is left, at 10 MiB/s.
		truth := time.Duration(float64(total-s.BytesDone) / (10 << 20) * float64(time.Second))
		if s.ETA < truth/2 || s.ETA > truth*2 {
			t.Fatalf("ETA %v at %v, the truth is %v", s.ETA, now.Sub(base), truth)
		}
	}
	if firstETA == 0 {
		t.Fatal("no ETA in six seconds of a steady rate")
	}
}

func TestProgressStats(t *testing.T) {
	p := NewProgress(2)
	p.Running.Store(true)
	p.Reset()
	p.BytesTotal.Store(300)
	l := p.Begin(1, "a.jpg", 300)
	p.Add(l, 100)
	s := p.Stats(time.Now().Add(time.Second))
	if s.BytesDone != 100 || len(s.Active) != 1 || s.Active[0] != (Transfer{Key: "a.jpg", Done: 100, Size: 300}) {
		t.Fatalf("stats %+v", s)
	}
	if s.Rate <= 0 || s.Elapsed <= 0 {
		t.Errorf("rate %v, elapsed %v", s.Rate, s.Elapsed)
	}
	if s.ETA != 0 {
		t.Errorf("ETA %v from one second of history; want none until the rate settles", s.ETA)
	}
	p.End(1)
	p.Running.Store(false)
	p.Finish()
	if s := p.Stats(time.Now()); len(s.Active) != 0 || s.ETA != 0 {
		t.Errorf("after the run: %+v", s)
	}
	if p.Duration() <= 0 {
		t.Errorf("duration %v", p.Duration())
	}
}

func TestRunDropsAfterCancel(t *testing.T) {
	p := NewProgress(2)
	ctx, cancel := context.WithCancel(context.Background())
	var done, dropped atomic.Int64
	err := Run(ctx, p, 2, func(jobs chan<- int) error {
		for i := range 100 {
			if i == 10 {
				cancel()
			}
			jobs <- i
		}
		return nil
	}, func(int, int) { done.Add(1) }, func(int) { dropped.Add(1) })
	if err != nil || !p.ListingDone.Load() {
		t.Fatalf("err %v, listing done %v", err, p.ListingDone.Load())
	}
	if done.Load()+dropped.Load() != 100 || dropped.Load() < 90 {
		t.Errorf("done %d, dropped %d", done.Load(), dropped.Load())
	}
}
