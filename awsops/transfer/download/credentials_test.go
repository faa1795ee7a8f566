package download

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
	"github.com/s3link/s3link/awsops/transfer/transfertest"
)

// TestCredentialErrorsKeepTheirClass: an S3 that refuses the credentials
// (expired token, unknown key, bad signature) stops the sync with the
// awsops sentinel the CLI and UI word ("run aws sso login"), whether it
// refuses the listing or an object's GET.
func TestCredentialErrorsKeepTheirClass(t *testing.T) {
	for _, ce := range transfertest.CredentialErrors {
		t.Run(ce.Code, func(t *testing.T) {
			srv := transfertest.ErrorS3(t, ce)
			store := NewS3Store(transfertest.Client(transfer.Download, srv.URL, 2, 1, time.Millisecond))
			e, err := New(store, Options{Bucket: "media", Dest: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Run(context.Background()); !errors.Is(err, ce.Want) {
				t.Errorf("Run: %v, want errors.Is %v", err, ce.Want)
			}
			_, err = store.Get(context.Background(), GetRequest{Bucket: "media", Key: "a.jpg"})
			if !errors.Is(err, ce.Want) {
				t.Errorf("Get: %v, want errors.Is %v", err, ce.Want)
			}
		})
	}
}
