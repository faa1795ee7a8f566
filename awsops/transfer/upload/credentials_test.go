package upload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/transfertest"
)

// TestCredentialErrorsKeepTheirClass: an upload that meets credentials S3
// refuses (expired token, unknown key, bad signature) stops with the
// awsops sentinel the CLI and UI word ("run aws sso login") instead of a
// bare "code: message" text, at the listing and at a PUT alike.
func TestCredentialErrorsKeepTheirClass(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.jpg"), []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ce := range transfertest.CredentialErrors {
		t.Run(ce.Code, func(t *testing.T) {
			srv := transfertest.ErrorS3(t, ce)
			api := transfertest.Client(transfer.Upload, srv.URL, 2, 1, time.Millisecond)
			e, err := New(api, dir, Options{Bucket: "media", Prefix: "up"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Run(context.Background())
			if !errors.Is(err, ce.Want) {
				t.Errorf("Run: %v (result %+v), want errors.Is %v", err, res, ce.Want)
			}
			_, err = api.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("up/a.jpg"), Body: strings.NewReader("jpeg")})
			if err = mapS3Error("upload", err); !errors.Is(err, ce.Want) {
				t.Errorf("PUT: %v, want errors.Is %v", err, ce.Want)
			}
		})
	}
}
