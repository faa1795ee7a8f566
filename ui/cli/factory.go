package cli

import (
	"context"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
)

// Client is every AWS call the commands make with one set of credentials:
// the wizard's, setup's, teardown's, status's (and the platform key's
// probe) and rotate's. *awsops.Client has them; so does awsopstest.Fake, which the
// command tests inject through the Factory.
type Client interface {
	setup.Ops
	awsops.Auditor
	awsops.KeyRotator
	awsops.RoleRotator
	awsops.Prober
	// ListFolders lists the folders directly under prefix (the wizard's
	// folder picker).
	ListFolders(ctx context.Context, bucket, prefix string) ([]string, error)
	// Region is the client's region; RegionConfigured reports whether a
	// flag or the profile chose it (rather than the SDK's default).
	Region() string
	RegionConfigured() bool
}

// Factory is what the root hands each command, as cli/cli's
// cmdutil.Factory does: the global flags and streams, and the constructor
// of the AWS clients a command needs.
type Factory struct {
	*Globals
	// AWS returns the client for cfg, the resolved profile, region and
	// endpoint (Globals.AWSConfig, or a record's): awsops.New in the
	// binary, a fake in tests.
	AWS func(ctx context.Context, cfg awsops.Config) (Client, error)
}

// NewFactory is the binary's factory: real AWS clients for g's flags.
func NewFactory(g *Globals) *Factory {
	return &Factory{Globals: g, AWS: newAWSClient}
}

// newAWSClient is awsops.New as a Client (never a nil *awsops.Client in a
// non-nil interface).
func newAWSClient(ctx context.Context, cfg awsops.Config) (Client, error) {
	c, err := awsops.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}
