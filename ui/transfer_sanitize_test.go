package ui

import (
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops/transfer"
)

// Keys carrying control sequences reach neither the in-flight rows, the
// "finished:" line nor the failure lines raw: SGR conceal (ESC[8m), a title
// (OSC 0) and a clipboard write (OSC 52) are removed, the rest of the key is
// shown.
func TestTransferViewStripsControlSequences(t *testing.T) {
	evil := []string{
		"site/\x1b[8mconcealed-inflight.jpg",
		"site/\x1b]0;pwned\x07title-inflight.jpg",
		"site/\x1b[8mconcealed-done.jpg",
		"site/\x1b]52;c;ZXZpbA==\x1b\\clip-failed.jpg",
	}
	f := &fakeTransfer{}
	m, _ := startApp(t, f)
	first := transfer.Snapshot{Stats: transfer.Stats{Running: true, FilesTotal: 4, BytesTotal: 400,
		Active: []transfer.Transfer{{Key: evil[0], Size: 100}, {Key: evil[1], Size: 100}, {Key: evil[2], Size: 100}}}}
	second := transfer.Snapshot{Stats: transfer.Stats{Running: true, FilesTotal: 4, BytesTotal: 400, FilesDone: 1, FilesFailed: 1,
		Active: []transfer.Transfer{{Key: evil[0], Size: 100}, {Key: evil[1], Size: 100}}},
		Failures: []transfer.Failure{{Key: evil[3], Reason: "get \"" + evil[3] + "\": \x1b[8mobject no longer exists"}}}
	m, _ = updateApp(t, m, transferTickMsg{Screen: m.xfer.id, Run: m.xfer.runID, Snapshot: first})
	m, _ = updateApp(t, m, transferTickMsg{Screen: m.xfer.id, Run: m.xfer.runID, Snapshot: second})
	raw := m.View().Content
	for _, bad := range []string{"\x1b[8m", "\x1b]0;", "\x1b]52;", "pwned"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the screen carries %q from a key", bad)
		}
	}
	v := appView(m)
	for _, want := range []string{"concealed-inflight.jpg", "title-inflight.jpg", "finished: site/concealed-done.jpg", "clip-failed.jpg", "object no longer exists"} {
		if !strings.Contains(v, want) {
			t.Errorf("screen lacks %q:\n%s", want, v)
		}
	}
}
