package transfer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/s3link/s3link/awsops"
)

// DefaultConcurrency is how many requests an engine runs at once, in
// either direction, unless told otherwise.
const DefaultConcurrency = 16

// MaxRequestAttempts bounds the SDK's attempts at one request (throttling,
// 5xx, connection resets before the body). A download resumes a body that
// breaks later itself; an upload's bodies are files, so every attempt
// rereads them from the start of the file or part.
const MaxRequestAttempts = 6

// S3Reader is the part of *s3.Client both engines read the bucket with:
// the listing, and HEAD for an object's metadata and checksums.
type S3Reader interface {
	s3.ListObjectsV2APIClient
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// Direction is which way a client moves bodies; it decides the few
// settings where a download and an upload really differ.
type Direction int

// The two directions.
const (
	Download Direction = iota
	Upload
)

// NewS3Client returns an S3 client tuned for many parallel requests in
// direction d: one shared transport that keeps an idle connection per
// request slot (the stdlib default of 2 per host would make most requests
// dial again), and no client-side retry quota, so a burst of 503s slows the
// workers down instead of failing them. Pass awsops.S3Options(c) in optFns,
// as for every S3 client.
//
// A download keeps the 4 KiB read buffer (body reads into the engine's
// 256 KiB buffers then bypass bufio and land straight from the socket, where
// a bigger bufio buffer would add a copy of every byte: measured ~15% of CPU
// on large objects), turns transparent gunzip off (bodies must arrive as
// stored: it would break the size and MD5 checks of objects stored with
// Content-Encoding gzip) and validates response checksums only when asked
// per request, because the whole-object checksum S3 returns does not cover a
// byte range. An upload gets large write buffers instead: a 4 KiB one means
// a syscall per 4 KiB of a large body.
func NewS3Client(cfg aws.Config, d Direction, concurrency int, optFns ...func(*s3.Options)) *s3.Client {
	if concurrency < 1 {
		concurrency = DefaultConcurrency
	}
	idle := 2*concurrency + 8
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = idle
		t.MaxIdleConnsPerHost = idle
		t.ResponseHeaderTimeout = 2 * time.Minute
		switch d {
		case Download:
			t.WriteBufferSize = 16 << 10
			t.DisableCompression = true
		case Upload:
			t.WriteBufferSize = 256 << 10
			t.ReadBufferSize = 16 << 10
		}
	})
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = MaxRequestAttempts
			o.RateLimiter = ratelimit.None
			o.MaxBackoff = 5 * time.Second
		})
	}
	if d == Download {
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	opts := append([]func(*s3.Options){func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true
	}}, optFns...)
	return s3.NewFromConfig(cfg, opts...)
}

// ErrorCodes are what an engine's requests mean beyond awsops' sentinels:
// error codes, and HTTP statuses for answers that carry no code (HEAD
// requests have no body), each mapped to the engine's own sentinel.
type ErrorCodes struct {
	Codes    map[string]error
	Statuses map[int]error
}

// MapError wraps err under what, the one mapping of both engines: a
// cancellation passes through as it is; a code or status in own gets that
// sentinel; everything else goes through awsops.Wrap, so expired or invalid
// credentials, access denied, throttling and a missing bucket keep the
// sentinels the CLI and UI word (errors.Is holds, errors.As still finds the
// SDK's error). A bare 403 with no known code still means access denied.
func MapError(what string, err error, own ErrorCodes) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if s, ok := own.Codes[ae.ErrorCode()]; ok {
			return fmt.Errorf("%s: %w", what, s)
		}
	}
	if awsops.Sentinel(err) == nil {
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			if s, ok := own.Statuses[re.HTTPStatusCode()]; ok {
				return fmt.Errorf("%s: %w", what, s)
			}
			if re.HTTPStatusCode() == http.StatusForbidden {
				return fmt.Errorf("%s: %w", what, awsops.ErrAccessDenied)
			}
		}
	}
	return awsops.Wrap(what, err)
}

// BadCredentials reports whether err means the caller's credentials are no
// good (none, expired or invalid): every further request would fail alike,
// so an engine stops rather than failing item by item.
func BadCredentials(err error) bool {
	return errors.Is(err, awsops.ErrExpiredCredentials) || errors.Is(err, awsops.ErrInvalidCredentials) ||
		errors.Is(err, awsops.ErrNoCredentials)
}
