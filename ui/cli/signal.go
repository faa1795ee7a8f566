package cli

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// Interrupted is the cause of a context cancelled by a signal.
type Interrupted struct{ Signal os.Signal }

func (i Interrupted) Error() string { return "interrupted by " + i.Signal.String() }

// SignalExitCode is the shell's code for a command ended by s: 128 plus
// the signal's number (130 for SIGINT, 143 for SIGTERM).
func SignalExitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// cancelledCode is the exit code of a command that stopped because ctx was
// cancelled: the signal's code, or 130 when no signal says otherwise.
func cancelledCode(ctx context.Context) int {
	var in Interrupted
	if errors.As(context.Cause(ctx), &in) {
		return SignalExitCode(in.Signal)
	}
	return 130
}
