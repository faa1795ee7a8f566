// Package emulator runs s3link against a local AWS: it starts and controls
// moto_server (StartMoto; the integration tests and the sandbox run S3, IAM
// and STS against it), and runs the sandbox (Start): moto_server when it is
// installed, else the emulator embedded in the s3link process (package
// embedded), seeded with demo media, so the whole product can be tried
// without an AWS account.
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator/embedded"
)

// Kind chooses the emulator a sandbox runs on.
type Kind string

// The emulators, and Auto: moto_server when it is on PATH, else embedded.
const (
	Auto     Kind = "auto"
	Moto     Kind = "moto"
	Embedded Kind = "embedded"
)

// ParseKind reads a --sandbox value; "" means Auto.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case "":
		return Auto, nil
	case Auto, Moto, Embedded:
		return k, nil
	}
	return "", fmt.Errorf("unknown sandbox emulator %q; choose embedded or moto (or leave it out to pick moto when installed)", s)
}

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
// (moto issue #5948). The embedded emulator knows them as the account
// administrator's key and checks every signature.
var Credentials = awsops.StaticCredentials{AccessKeyID: "S3LINKSANDBOXDEMOKEY", Secret: awsops.NewSecret("sandbox-secret-not-a-real-key")}

// Sandbox is a running emulator with its seeded demo bucket.
type Sandbox struct {
	// Kind is the emulator that runs: Moto or Embedded.
	Kind   Kind
	Config awsops.Config
	// RecordDir holds setup records for this sandbox run only.
	RecordDir string

	stop func() error
}

// Start launches the emulator kind chooses on a free loopback port and
// seeds the demo bucket. Auto takes moto_server when it is on PATH and the
// embedded emulator otherwise. Stop must be called however the program ends.
func Start(ctx context.Context, kind Kind) (*Sandbox, error) {
	switch kind {
	case "":
		kind = Auto
	case Auto, Moto, Embedded:
	default:
		return nil, fmt.Errorf("unknown sandbox emulator %q", kind)
	}
	sb := &Sandbox{Kind: kind}
	var url string
	if kind == Auto || kind == Moto {
		srv, err := StartMoto(ctx, MotoOptions{})
		switch {
		case err == nil:
			sb.Kind, url, sb.stop = Moto, srv.URL(), srv.Stop
		case kind == Auto && errors.Is(err, ErrMotoNotInstalled):
			kind = Embedded
		default:
			return nil, err
		}
	}
	if kind == Embedded {
		srv, err := embedded.Start(embedded.Options{Region: DemoRegion, Admin: []embedded.Key{
			{ID: Credentials.AccessKeyID, Secret: Credentials.Secret.Reveal()},
		}})
		if err != nil {
			return nil, err
		}
		sb.Kind, url, sb.stop = Embedded, srv.URL(), srv.Stop
	}
	sb.Config = awsops.Config{Region: DemoRegion, EndpointURL: url, Static: &Credentials}
	var err error
	if sb.RecordDir, err = os.MkdirTemp("", "s3link-sandbox-"); err != nil {
		_ = sb.stop()
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
	_ = sb.stop()
	if sb.RecordDir != "" {
		_ = os.RemoveAll(sb.RecordDir)
	}
}

// Limits says in a sentence what the running emulator does not check.
func (sb *Sandbox) Limits() string {
	if sb.Kind == Embedded {
		return "S3, IAM and STS run inside s3link and evaluate no IAM policy: the proof download shows the flow, not AWS's enforcement."
	}
	return "moto_server runs with its IAM enforcement off: the proof download shows the flow, not AWS's enforcement."
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
