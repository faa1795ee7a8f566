package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops"
)

// blockingClient is a Client whose WhoAmI, the first call of setup,
// teardown, status and rotate, waits until the run's context ends and then
// fails as the SDK does: an operation error around the context's.
type blockingClient struct {
	Client
	t       *testing.T
	started chan struct{}
	once    *sync.Once
	// before is how many calls the Fake had seen when the client was made.
	before int
	calls  func() int
}

func (b *blockingClient) WhoAmI(ctx context.Context) (awsops.Identity, error) {
	if n := b.calls(); n != b.before {
		b.t.Errorf("WhoAmI is call %d of the run, want the first", n-b.before+1)
	}
	b.once.Do(func() { close(b.started) })
	<-ctx.Done()
	return awsops.Identity{}, fmt.Errorf("operation error STS: GetCallerIdentity, https response error: %w", ctx.Err())
}

// cancelWhenStarted cancels ctx with an Interrupted cause for sig once
// started is closed.
func cancelWhenStarted(t *testing.T, started <-chan struct{}, sig os.Signal) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancelCause(t.Context())
	t.Cleanup(func() { cancel(nil) })
	go func() {
		select {
		case <-started:
			cancel(Interrupted{Signal: sig})
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			cancel(fmt.Errorf("the first AWS call never came"))
		}
	}()
	return ctx
}

// TestCancelDuringTheFirstAWSCall: a SIGINT (or SIGTERM) while the first
// AWS call is in flight ends the command with "Cancelled." and the
// signal's exit code, never an error sentence.
func TestCancelDuringTheFirstAWSCall(t *testing.T) {
	commands := []struct {
		name string
		// link sets up a link first (teardown and status need a record).
		link bool
		args []string
	}{
		{name: "setup", args: []string{"setup", "--non-interactive", "--bucket", "acme-media", "--region", "eu-west-1", "--csv", "KEY"}},
		{name: "setup --json", args: []string{"setup", "--non-interactive", "--json", "--bucket", "acme-media", "--region", "eu-west-1", "--csv", "KEY"}},
		{name: "teardown", link: true, args: []string{"teardown", "--yes"}},
		{name: "status", link: true, args: []string{"status"}},
		{name: "rotate", link: true, args: []string{"rotate", "--csv", "KEY", "--delete-old"}},
	}
	signals := []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}}
	for _, c := range commands {
		for _, s := range signals {
			t.Run(c.name+"/"+s.sig.String(), func(t *testing.T) {
				e := newFakeEnv(t)
				if c.link {
					e.setup()
				}
				started := make(chan struct{})
				once := &sync.Once{}
				e.client = func(c Client) Client {
					return &blockingClient{Client: c, t: t, started: started, once: once, before: len(e.fake.Calls()), calls: func() int { return len(e.fake.Calls()) }}
				}
				args := make([]string, len(c.args))
				for i, a := range c.args {
					args[i] = strings.ReplaceAll(a, "KEY", e.path("new.csv"))
				}
				code, stdout, stderr := e.runCtx(cancelWhenStarted(t, started, s.sig), args...)
				if code != s.code {
					t.Errorf("exit %d, want %d", code, s.code)
				}
				if !strings.Contains(stderr, "Cancelled.") || strings.Contains(stderr, "Error:") {
					t.Errorf("stderr = %q, want Cancelled. and no error", stderr)
				}
				if strings.Contains(c.name, "--json") {
					wantIn(t, "the --json summary", stdout, `"reason": "cancelled"`)
				}
				if _, err := os.Stat(e.path("new.csv")); err == nil {
					t.Error("a key file was written")
				}
			})
		}
	}
}

// TestCancelSyncDuringItsFirstCall is the same for sync, whose S3 client
// is not the Factory's: the endpoint holds the first request until the
// client gives up on it.
func TestCancelSyncDuringItsFirstCall(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	for _, s := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		t.Run(s.sig.String(), func(t *testing.T) {
			started := make(chan struct{})
			var once sync.Once
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				once.Do(func() { close(started) })
				<-r.Context().Done()
			}))
			t.Cleanup(srv.Close)
			e := newFakeEnv(t)
			code, _, stderr := e.runCtx(cancelWhenStarted(t, started, s.sig), "sync", "s3://acme-media/photos", t.TempDir(), "--region", "eu-west-1", "--endpoint-url", srv.URL)
			if code != s.code {
				t.Errorf("exit %d, want %d", code, s.code)
			}
			if !strings.Contains(stderr, "Cancelled.") || strings.Contains(stderr, "Error:") {
				t.Errorf("stderr = %q, want Cancelled. and no error", stderr)
			}
		})
	}
}

// TestExplainedErrorKeepsTheChain: the sentence is what is read, the
// cause is still there for errors.Is.
func TestExplainedErrorKeepsTheChain(t *testing.T) {
	cause := fmt.Errorf("operation error STS: GetCallerIdentity: %w", context.Canceled)
	err := explained(cause)
	if err.Error() != explain(cause) {
		t.Errorf("Error() = %q, want explain's %q", err.Error(), explain(cause))
	}
	if !errors.Is(err, context.Canceled) {
		t.Error("the explained error lost context.Canceled")
	}
	if explained(nil) != nil {
		t.Error("explained(nil) is not nil")
	}
	// Told again (status, teardown), it is the same sentence, not an
	// explanation of the explanation.
	noProfile := fmt.Errorf("%w: nosuch", awsops.ErrNoProfile)
	if got, want := told(explained(noProfile)), explain(noProfile); got != want {
		t.Errorf("told = %q, want %q", got, want)
	}
}
