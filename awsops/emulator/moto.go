package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrMotoNotInstalled is returned by Start when moto_server is not on PATH.
var ErrMotoNotInstalled = errors.New(`moto_server is not installed; install it with: pip install "moto[server]"`)

const (
	defaultStartTimeout = 30 * time.Second
	stopGrace           = 5 * time.Second
	// portAttempts bounds the retries when another process grabs the port
	// between our probe listener closing and moto binding it.
	portAttempts = 3
	logLimit     = 64 << 10
)

// MotoOptions configure the moto_server child process.
type MotoOptions struct {
	// InitialNoAuthActionCount, when positive, sets
	// INITIAL_NO_AUTH_ACTION_COUNT: moto serves that many requests without
	// checking signatures or IAM policies, then enforces both. Zero leaves
	// enforcement off (moto's default); switch it on later with ResetAuth.
	InitialNoAuthActionCount int
	// Env adds KEY=VALUE entries to the child's environment.
	Env []string
	// StartTimeout bounds how long Start waits for moto to answer HTTP;
	// zero means 30 seconds.
	StartTimeout time.Duration
	// Path is the moto_server executable; empty looks it up on PATH.
	Path string
}

// MotoServer is a running moto_server child process.
type MotoServer struct {
	cmd  *exec.Cmd
	url  string
	logs *tailBuffer

	done    chan struct{} // closed when the process has exited
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// Start launches moto_server on a free 127.0.0.1 port in its own process
// group and returns once it answers HTTP. ctx bounds the start-up only; the
// server runs until Stop (or until this process dies).
func StartMoto(ctx context.Context, opts MotoOptions) (*MotoServer, error) {
	path := opts.Path
	if path == "" {
		p, err := exec.LookPath("moto_server")
		if err != nil {
			return nil, ErrMotoNotInstalled
		}
		path = p
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = defaultStartTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var lastErr error
	for range portAttempts {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("find a free port for moto_server: %w", err)
		}
		srv, err := launch(ctx, path, port, opts)
		if err == nil {
			return srv, nil
		}
		lastErr = err
		if !errors.Is(err, errPortInUse) {
			break
		}
	}
	return nil, lastErr
}

var errPortInUse = errors.New("port already in use")

// freePort asks the kernel for an unused loopback port. The listener is
// closed before moto binds, so a race is possible; Start retries on it.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(ctx context.Context, path string, port int, opts MotoOptions) (*MotoServer, error) {
	logs := &tailBuffer{limit: logLimit}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = logs
	cmd.Stderr = logs
	cmd.Env = append(os.Environ(), opts.Env...)
	if opts.InitialNoAuthActionCount > 0 {
		cmd.Env = append(cmd.Env, "INITIAL_NO_AUTH_ACTION_COUNT="+strconv.Itoa(opts.InitialNoAuthActionCount))
	}
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &MotoServer{
		cmd:  cmd,
		url:  "http://127.0.0.1:" + strconv.Itoa(port),
		logs: logs,
		done: make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		out := strings.TrimSpace(logs.String())
		if strings.Contains(out, "Address already in use") {
			return nil, fmt.Errorf("moto_server on port %d: %w", port, errPortInUse)
		}
		if out != "" {
			return nil, fmt.Errorf("%w; moto_server output:\n%s", err, out)
		}
		return nil, err
	}
	return s, nil
}

// waitReady polls the moto API until it answers, the process exits or ctx
// ends, whichever comes first.
func (s *MotoServer) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/moto-api/", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("moto_server exited before it was ready: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("moto_server did not answer on %s: %w", s.url, ctx.Err())
		case <-tick.C:
		}
	}
}

// URL is the endpoint to hand to the AWS clients, e.g. http://127.0.0.1:41234.
func (s *MotoServer) URL() string { return s.url }

// Logs returns the tail of moto's output, for diagnosing a failing test.
func (s *MotoServer) Logs() string { return s.logs.String() }

// Stop terminates the whole process group: SIGTERM first, SIGKILL when it
// has not exited after a grace period (on Windows, which has neither, the
// process is killed at once). It is safe to call more than once.
func (s *MotoServer) Stop() error {
	s.stopOnce.Do(func() {
		if err := terminateGroup(s.cmd.Process); err != nil {
			s.stopErr = fmt.Errorf("stop moto_server: %w", err)
		}
		select {
		case <-s.done:
		case <-time.After(stopGrace):
			killGroup(s.cmd.Process)
			<-s.done
		}
		// Leave nothing of the group behind, even when the leader exited
		// on SIGTERM before its children.
		killGroup(s.cmd.Process)
	})
	return s.stopErr
}

// ResetAuth sets moto's INITIAL_NO_AUTH_ACTION_COUNT to n and restarts its
// request counter: the next n requests go unchecked, every later one must be
// signed by a key moto's IAM knows and is checked against IAM policies.
// ResetAuth(ctx, 0) switches enforcement on at once; a negative n switches it
// off (moto's "inf").
func (s *MotoServer) ResetAuth(ctx context.Context, n int) error {
	body := strconv.Itoa(n)
	if n < 0 {
		body = "inf"
	}
	// moto 5.2.1 reads the raw body as a float (float(request.data)), not
	// JSON; a form content type would make werkzeug swallow the body.
	return s.post(ctx, "/moto-api/reset-auth", "text/plain", body)
}

// Reset wipes every resource moto holds (buckets, users, policies, ...).
// The auth setting is left as it is.
func (s *MotoServer) Reset(ctx context.Context) error {
	return s.post(ctx, "/moto-api/reset", "text/plain", "")
}

func (s *MotoServer) post(ctx context.Context, path, contentType, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("moto %s: %w", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// tailBuffer keeps the last limit bytes written to it, so a chatty server
// cannot grow memory without bound.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.limit; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
