// Package sandbox runs s3link against a local AWS emulator (moto_server)
// seeded with demo media, so the whole product can be tried without an AWS
// account.
package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/moto"
)

// The seeded demo location, used by the wizard's "existing bucket" path.
const (
	DemoBucket = "s3link-demo-media"
	DemoPrefix = "surveys/spring-2026"
	DemoRegion = "us-east-1"
	// DemoCount is how many demo images are seeded.
	DemoCount = 300
)

// Credentials are the fixed dummy credentials the sandbox uses. moto accepts
// any signature while its IAM enforcement is off, which the sandbox leaves
// off: with it on, moto mis-verifies listings whose prefix holds "/"
// (moto issue #5948).
var Credentials = awsops.StaticCredentials{AccessKeyID: "S3LINKSANDBOXDEMOKEY", Secret: awsops.NewSecret("sandbox-secret-not-a-real-key")}

// Sandbox is a running emulator with its seeded demo bucket.
type Sandbox struct {
	Server *moto.Server
	Config awsops.Config
	// RecordDir holds setup records for this sandbox run only.
	RecordDir string
}

// Start launches moto_server on a free loopback port and seeds the demo
// bucket. Stop must be called however the program ends.
func Start(ctx context.Context) (*Sandbox, error) {
	srv, err := moto.Start(ctx, moto.Options{})
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{Server: srv, Config: awsops.Config{
		Region: DemoRegion, EndpointURL: srv.URL(), Static: &Credentials,
	}}
	if sb.RecordDir, err = os.MkdirTemp("", "s3link-sandbox-"); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	if err := seed(ctx, sb.Config); err != nil {
		sb.Stop()
		return nil, fmt.Errorf("seed the sandbox's demo bucket: %w", err)
	}
	return sb, nil
}

// Stop shuts the emulator down and removes the sandbox's records.
func (sb *Sandbox) Stop() {
	_ = sb.Server.Stop()
	if sb.RecordDir != "" {
		_ = os.RemoveAll(sb.RecordDir)
	}
}

func seed(ctx context.Context, c awsops.Config) error {
	client, err := awsops.New(ctx, c)
	if err != nil {
		return err
	}
	if _, err := client.CreateBucket(ctx, DemoBucket, DemoRegion, ""); err != nil {
		return err
	}
	if err := client.BlockPublicAccess(ctx, DemoBucket); err != nil {
		return err
	}
	cfg, err := awsops.LoadAWSConfig(ctx, c)
	if err != nil {
		return err
	}
	s3c := s3.NewFromConfig(cfg, awsops.S3Options(c))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, f := range DemoImages(DemoCount, 1) {
		g.Go(func() error {
			_, err := s3c.PutObject(gctx, &s3.PutObjectInput{
				Bucket:      aws.String(DemoBucket),
				Key:         aws.String(DemoPrefix + "/" + f.Name),
				Body:        bytes.NewReader(f.Body),
				ContentType: aws.String("image/jpeg"),
			})
			return err
		})
	}
	return g.Wait()
}

// WriteDemoFolder writes n demo images into dir (created if needed), for the
// upload step of the "new bucket" path.
func WriteDemoFolder(dir string, n int) error {
	for _, f := range DemoImages(n, 2) {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
