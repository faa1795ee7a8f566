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
)

// verboseMiddleware returns the stack mutator behind --verbose: a line to w
// when each AWS call starts and one when it ends (after its retries), with
// the error code if it failed. Like the debug log it names operations only,
// never parameters, headers or bodies, so no secret can reach it.
func verboseMiddleware(w io.Writer) func(*middleware.Stack) error {
	var mu sync.Mutex
	printf := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", a...)
	}
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3linkVerbose",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
				printf("AWS %s ...", op)
				start := time.Now()
				out, md, err := next.HandleInitialize(ctx, in)
				took := time.Since(start).Round(time.Millisecond)
				var apiErr smithy.APIError
				switch {
				case err == nil:
					printf("AWS %s: done in %s", op, took)
				case errors.As(err, &apiErr):
					// Often expected (NoSuchEntity while looking up).
					printf("AWS %s: answered %s in %s", op, apiErr.ErrorCode(), took)
				case errors.Is(err, context.Canceled):
					printf("AWS %s: cancelled after %s", op, took)
				default:
					printf("AWS %s: failed after %s (%s)", op, took, networkCause(err))
				}
				return out, md, err
			}), middleware.After)
	}
}
