package upload

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer"
)

// S3API is the part of *s3.Client the engine uses.
type S3API interface {
	transfer.S3Reader
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// MaxRequestAttempts bounds the SDK's attempts at one request (throttling,
// 5xx, connection resets); the request bodies are files, so every attempt
// rereads them from the start of the file or part.
const MaxRequestAttempts = transfer.MaxRequestAttempts

// NewS3Client returns the kernel's S3 client tuned for uploads
// (transfer.NewS3Client): many parallel PUTs and parts with large write
// buffers. Pass awsops.S3Options(c) in optFns, as for every S3 client.
func NewS3Client(cfg aws.Config, concurrency int, optFns ...func(*s3.Options)) *s3.Client {
	return transfer.NewS3Client(cfg, transfer.Upload, concurrency, optFns...)
}

// s3Codes are what an upload's answers mean beyond awsops' sentinels: a
// bare 404 is the bucket that is not there.
var s3Codes = transfer.ErrorCodes{Statuses: map[int]error{http.StatusNotFound: awsops.ErrNoSuchBucket}}

// mapS3Error wraps err under what with the kernel's one mapping.
func mapS3Error(what string, err error) error { return transfer.MapError(what, err, s3Codes) }

// countingClient wraps the HTTP client for one upload request, so progress
// counts the bytes handed to the connection, attempt by attempt, after the
// SDK has finished with the body (it reads it first to sign and checksum it
// on plain HTTP). A failed attempt's bytes are taken back: the retry sends
// them again.
type countingClient struct {
	next s3.HTTPClient
	e    *Engine
	tr   *transfer.Live
	// want is the content length of the request; counting stops there, so
	// aws-chunked framing never shows as progress beyond the file's size.
	want int64
}

func (c *countingClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return c.next.Do(r)
	}
	b := &countBody{rc: r.Body, c: c, ctx: r.Context()}
	r.Body = b
	resp, err := c.next.Do(r)
	if err != nil || resp.StatusCode >= 300 {
		b.retract()
		return resp, err
	}
	b.finish()
	return resp, err
}

// countBody counts what the transport reads and holds reads while paused.
type countBody struct {
	rc  io.ReadCloser
	c   *countingClient
	ctx context.Context

	mu     sync.Mutex
	n      int64
	closed bool // after retract or finish, reads count no more
}

func (b *countBody) Read(p []byte) (int, error) {
	if err := b.c.e.p.Gate.Wait(b.ctx); err != nil {
		return 0, err
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		b.mu.Lock()
		if !b.closed {
			add := int64(n)
			if b.n+add > b.c.want {
				add = max(b.c.want-b.n, 0)
			}
			b.n += add
			b.c.e.p.Add(b.c.tr, add)
		}
		b.mu.Unlock()
	}
	return n, err
}

func (b *countBody) Close() error { return b.rc.Close() }

func (b *countBody) retract() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.c.e.p.Add(b.c.tr, -b.n)
		b.n = 0
	}
}

func (b *countBody) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.c.e.p.Add(b.c.tr, b.c.want-b.n)
		b.n = b.c.want
	}
}

// counted returns a per-request option that counts the request body's
// bytes towards tr.
func (e *Engine) counted(tr *transfer.Live, want int64) func(*s3.Options) {
	return func(o *s3.Options) {
		o.HTTPClient = &countingClient{next: o.HTTPClient, e: e, tr: tr, want: want}
	}
}
