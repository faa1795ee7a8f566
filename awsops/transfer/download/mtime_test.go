package download

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3link/s3link/awsops/transfer"
)

func TestMtimeMetadataHonoured(t *testing.T) {
	f := newFakeS3(t)
	mt := time.Date(2019, 7, 8, 9, 10, 11, 123456789, time.UTC)
	putMeta := func(key string, body []byte) {
		t.Helper()
		_, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(testBucket), Key: aws.String(key), Body: bytes.NewReader(body),
			Metadata: map[string]string{transfer.MtimeMeta: transfer.FormatMtime(mt)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	putMeta("p/small.jpg", []byte("small"))
	putMeta("p/large.bin", body("L", 300<<10)) // ranged with 64 KiB parts
	f.put("p/plain.jpg", []byte("plain"))

	for _, mode := range []Mode{SizeAndTime, ExactTime} {
		t.Run(mode.String(), func(t *testing.T) {
			dest := t.TempDir()
			opts := Options{Bucket: testBucket, Prefix: "p", Dest: dest, PartSize: 64 << 10, Mode: mode}
			_, res := runEngine(t, f.store(), opts)
			if res.Done != 3 {
				t.Fatalf("first run: %+v", res)
			}
			for _, n := range []string{"small.jpg", "large.bin"} {
				fi, err := os.Stat(filepath.Join(dest, n))
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.ModTime(); !got.Truncate(time.Microsecond).Equal(mt.Truncate(time.Microsecond)) {
					t.Errorf("%s mtime %v, want the metadata's %v", n, got.UTC(), mt)
				}
			}
			if fi, _ := os.Stat(filepath.Join(dest, "plain.jpg")); fi == nil || fi.ModTime().Year() != 2025 {
				t.Errorf("plain.jpg without metadata: mtime %v, want LastModified", fi.ModTime())
			}
			_, res = runEngine(t, f.store(), opts)
			if res.Done != 0 || res.Skipped != 3 {
				t.Errorf("second run fetched again: %+v", res)
			}
			// A same-size local change with another time is fetched again.
			other := mt.Add(time.Hour)
			if err := os.Chtimes(filepath.Join(dest, "small.jpg"), other, other); err != nil {
				t.Fatal(err)
			}
			_, res = runEngine(t, f.store(), opts)
			if res.Done != 1 {
				t.Errorf("changed time not noticed: %+v", res)
			}
		})
	}
}
