// Command s3link links an S3 media location to the platform: it creates the
// bucket, a least-privilege IAM policy, an IAM user and its access key, hands
// over the secret safely, and proves it all works by downloading the media.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

	"github.com/s3link/s3link/ui/cli"
)

func main() {
	// The first SIGINT or SIGTERM cancels the command, which stops and
	// cleans up; a second one ends the process at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(cli.Interrupted{Signal: s})
		s = <-sigs
		os.Exit(cli.SignalExitCode(s))
	}()
	g := &cli.Globals{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		// TERM=dumb cannot draw a full-screen interface: plain lines instead.
		IsTerminal: term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) && os.Getenv("TERM") != "dumb",
	}
	code := cli.Execute(ctx, g, os.Args[1:])
	signal.Stop(sigs)
	os.Exit(code)
}
