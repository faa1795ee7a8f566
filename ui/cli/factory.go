package cli

import (
	"context"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
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
	// Download connects the download engine (sync, and setup's and
	// rotate's proofs) to bucket with cfg's credentials: S3 in the binary,
	// an in-memory store in tests.
	Download func(ctx context.Context, cfg awsops.Config, bucket string, concurrency int) (download.Store, error)
	// Upload is the upload engine's S3 client for cfg.
	Upload func(ctx context.Context, cfg awsops.Config, concurrency int) (upload.S3API, error)
	// Screens are the live screens a command hands a terminal to.
	Screens Screens
}

// Screens are the live screens the commands draw on a terminal: package
// ui's in the binary, stand-ins in tests. A nil one means none, and the
// command prints its headless lines instead.
type Screens struct {
	// Sync draws the live download screen while eng runs.
	Sync func(ctx context.Context, g *Globals, eng *download.Engine, req syncRequest) (download.Result, error)
	// Upload draws the live upload screen while e runs.
	Upload func(ctx context.Context, g *Globals, e *upload.Engine) (upload.Result, error)
	// RotateKey hands a rotated key over on the wizard's key screen.
	RotateKey func(ctx context.Context, g *Globals, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error)
}

// NewFactory is the binary's factory: real AWS clients for g's flags.
func NewFactory(g *Globals) *Factory {
	return &Factory{Globals: g, AWS: newAWSClient, Download: connectDownload, Upload: newUploadClient, Screens: liveScreens()}
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

// connectDownload is download.Connect as a download.Store.
func connectDownload(ctx context.Context, cfg awsops.Config, bucket string, concurrency int) (download.Store, error) {
	store, _, err := download.Connect(ctx, cfg, bucket, concurrency)
	if err != nil {
		return nil, err
	}
	return store, nil
}

// newUploadClient is the upload engine's tuned S3 client for cfg.
func newUploadClient(ctx context.Context, c awsops.Config, concurrency int) (upload.S3API, error) {
	cfg, err := awsops.LoadAWSConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	return upload.NewS3Client(cfg, concurrency, awsops.S3Options(c)), nil
}
