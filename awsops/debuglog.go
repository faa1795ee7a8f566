package awsops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// debugLogger writes one line per AWS call attempt: service, operation,
// HTTP status, request id, duration and error code. It deliberately logs no
// headers and no bodies: those carry signatures, session tokens and, for
// CreateAccessKey, the secret access key.
type debugLogger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *debugLogger) logf(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, time.Now().UTC().Format(time.RFC3339Nano)+" "+format+"\n", a...)
}

// debugMiddleware returns the stack mutator that logs each attempt.
func debugMiddleware(w io.Writer) func(*middleware.Stack) error {
	l := &debugLogger{w: w}
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("s3linkDebugLog",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleDeserialize(ctx, in)
				status := 0
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
					status = resp.StatusCode
				}
				reqID, _ := awsmiddleware.GetRequestIDMetadata(md)
				code := ""
				var apiErr smithy.APIError
				if errors.As(err, &apiErr) {
					code = apiErr.ErrorCode()
				} else if err != nil {
					code = "transport-error"
				}
				l.logf("%s.%s status=%d request-id=%s took=%s error=%s",
					awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx),
					status, reqID, time.Since(start).Round(time.Millisecond), code)
				return out, md, err
			}), middleware.Before)
	}
}
