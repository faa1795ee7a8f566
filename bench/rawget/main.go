// Command rawget measures the GET ceiling of an S3 endpoint: it lists a
// prefix and fetches every byte with parallel GETs (large objects as ranges),
// discarding the bodies. No disk writes, no verification: what is left is
// the server, the network and the SDK, the bound any downloader works under.
//
// With -write DIR it is the second ceiling, "the disk can take it": every
// body is written to its own file under DIR (the key below the prefix,
// folders made as needed), large objects in place with WriteAt, with no
// temporary name, no rename, no verification and no times set.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	endpoint := flag.String("endpoint", "", "S3 endpoint URL")
	bucket := flag.String("bucket", "", "bucket")
	prefix := flag.String("prefix", "", "listing prefix")
	conc := flag.Int("c", 16, "parallel GETs")
	part := flag.Int64("part", 8<<20, "range size for objects of at least twice this size")
	write := flag.String("write", "", "write each body to its own file below this folder")
	flag.Parse()

	cfg := aws.Config{
		Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns, t.MaxIdleConnsPerHost = 2**conc, 2**conc
			t.ReadBufferSize = 256 << 10
		}),
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = endpoint
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	ctx := context.Background()
	start := time.Now()

	type req struct {
		key      string
		off, len int64
		f        *os.File // with -write: the object's file, shared by its ranges
		left     *atomic.Int64
	}
	reqs := make(chan req, 1024)
	var total atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for r := range reqs {
				in := &s3.GetObjectInput{Bucket: bucket, Key: aws.String(r.key)}
				if r.len > 0 {
					in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", r.off, r.off+r.len-1))
				}
				out, err := client.GetObject(ctx, in)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					failed.Add(1)
					continue
				}
				var w io.Writer = io.Discard
				if r.f != nil {
					w = onlyWrite{io.NewOffsetWriter(r.f, r.off)}
				}
				n, err := io.CopyBuffer(w, out.Body, buf)
				out.Body.Close()
				if r.f != nil && r.left.Add(-1) == 0 {
					r.f.Close()
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					failed.Add(1)
				}
				total.Add(n)
			}
		}()
	}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: prefix})
	var objects int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, o := range page.Contents {
			objects++
			key, size := aws.ToString(o.Key), aws.ToInt64(o.Size)
			n := int64(1)
			if size >= 2**part {
				n = (size + *part - 1) / *part
			}
			var f *os.File
			left := new(atomic.Int64)
			left.Store(n)
			if *write != "" {
				if f, err = create(*write, strings.TrimPrefix(key, *prefix)); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
			}
			if n == 1 {
				reqs <- req{key: key, f: f, left: left}
				continue
			}
			for off := int64(0); off < size; off += *part {
				reqs <- req{key: key, off: off, len: min(*part, size-off), f: f, left: left}
			}
		}
	}
	close(reqs)
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("%d objects, %d bytes in %.3fs (%.1f MiB/s), %d failed\n",
		objects, total.Load(), el.Seconds(), float64(total.Load())/el.Seconds()/(1<<20), failed.Load())
	if failed.Load() > 0 {
		os.Exit(1)
	}
}

// made remembers the folders create has made, so each is made once.
var made sync.Map

// create makes the file for key below dir, and its folders. It is plain
// open(O_CREAT|O_TRUNC) by path: fewer steps than any downloader that
// keeps a half-written file from its final name, though on some
// filesystems (ext4 here) a named create costs more kernel time than the
// unnamed O_TMPFILE file s3link links into place, so s3link can beat it.
func create(dir, key string) (*os.File, error) {
	p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(key, "/")))
	d := filepath.Dir(p)
	if _, ok := made.Load(d); !ok {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		made.Store(d, true)
	}
	return os.Create(p)
}

// onlyWrite hides the writer's ReadFrom, so the body goes to the file
// through the 256 KiB buffer in writes as large as the engine's.
type onlyWrite struct{ w io.Writer }

func (o onlyWrite) Write(p []byte) (int, error) { return o.w.Write(p) }
