// Package mototest starts moto_server for a test and points awsops at it.
package mototest

import (
	"context"
	"testing"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator"
)

// Region is the region Config configures; moto's default region too.
const Region = "us-east-1"

// Start launches a moto_server for t and stops it when t ends. A missing
// moto_server fails the test with the install hint: integration tests must
// never pass by not running.
func Start(t testing.TB, opts ...emulator.MotoOptions) *emulator.MotoServer {
	t.Helper()
	var o emulator.MotoOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	// Not t.Context(): it is cancelled before cleanups run, and the server
	// must outlive the test body until Stop.
	srv, err := emulator.StartMoto(context.Background(), o)
	if err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop moto_server: %v", err)
		}
	})
	return srv
}

// Config returns an awsops.Config aimed at srv with dummy credentials,
// which moto accepts as long as IAM enforcement is off.
func Config(srv *emulator.MotoServer) awsops.Config {
	return awsops.Config{
		EndpointURL: srv.URL(),
		Region:      Region,
		Static: &awsops.StaticCredentials{
			AccessKeyID: "testing",
			Secret:      awsops.NewSecret("testing"),
		},
	}
}
