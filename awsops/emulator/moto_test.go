//go:build e2e

package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/s3link/s3link/awsops/emulator"
	"github.com/s3link/s3link/awsops/emulator/mototest"
)

func TestStartAnswersAndStops(t *testing.T) {
	srv := mototest.Start(t)
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL() = %q, want a loopback URL", srv.URL())
	}
	resp, err := http.Get(srv.URL() + "/moto-api/")
	if err != nil {
		t.Fatalf("GET /moto-api/: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /moto-api/ = %s, want 200", resp.Status)
	}
	ctx := t.Context()
	if err := srv.ResetAuth(ctx, 5); err != nil {
		t.Fatalf("ResetAuth(5): %v", err)
	}
	if err := srv.ResetAuth(ctx, -1); err != nil {
		t.Fatalf("ResetAuth(-1): %v", err)
	}
	if err := srv.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := http.Get(srv.URL() + "/moto-api/"); err == nil {
		t.Fatalf("moto still answers after Stop")
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestStartMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := emulator.StartMoto(context.Background(), emulator.MotoOptions{})
	if !errors.Is(err, emulator.ErrMotoNotInstalled) {
		t.Fatalf("Start without moto_server on PATH: err = %v, want ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), `pip install "moto[server]"`) {
		t.Fatalf("error %q does not say how to install moto", err)
	}
}

func TestStartReportsEarlyExit(t *testing.T) {
	// A "moto_server" that fails at once must surface its output rather
	// than a bare timeout.
	_, err := emulator.StartMoto(context.Background(), emulator.MotoOptions{Path: "/bin/false"})
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Fatalf("Start(/bin/false): err = %v, want an early-exit error", err)
	}
}
