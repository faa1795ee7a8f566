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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	g := &cli.Globals{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		IsTerminal: term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()),
	}
	code := cli.Execute(ctx, g, os.Args[1:])
	stop()
	os.Exit(code)
}
