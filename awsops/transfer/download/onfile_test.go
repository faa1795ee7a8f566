package download

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/s3link/s3link/awsops/transfer"
)

func TestOnFileHearsEveryObject(t *testing.T) {
	f := newFakeS3(t)
	for _, k := range []string{"p/a.jpg", "p/b.jpg", "p/skip.tmp"} {
		f.put(k, []byte(k))
	}
	dest := t.TempDir()
	record := func() (*[]string, func(FileEvent)) {
		var mu sync.Mutex
		var lines []string
		return &lines, func(ev FileEvent) {
			mu.Lock()
			defer mu.Unlock()
			what := "skipped"
			if ev.Downloaded {
				what = "downloaded"
				if ev.Path != filepath.Join(dest, filepath.FromSlash(strings.TrimPrefix(ev.Key, "p/"))) {
					t.Errorf("%s: path %q", ev.Key, ev.Path)
				}
			}
			lines = append(lines, what+" "+ev.Key+": "+ev.Reason)
		}
	}
	opts := Options{Bucket: testBucket, Prefix: "p", Dest: dest, Rules: []transfer.Rule{{Pattern: "*.tmp"}}}

	lines, on := record()
	opts.OnFile = on
	runEngine(t, f.store(), opts)
	sort.Strings(*lines)
	want := "downloaded p/a.jpg: new|downloaded p/b.jpg: new|skipped p/skip.tmp: left out by --include/--exclude"
	if got := strings.Join(*lines, "|"); got != want {
		t.Errorf("first run heard %q, want %q", got, want)
	}

	lines, on = record()
	opts.OnFile = on
	runEngine(t, f.store(), opts)
	sort.Strings(*lines)
	want = "skipped p/a.jpg: unchanged|skipped p/b.jpg: unchanged|skipped p/skip.tmp: left out by --include/--exclude"
	if got := strings.Join(*lines, "|"); got != want {
		t.Errorf("second run heard %q, want %q", got, want)
	}
}
