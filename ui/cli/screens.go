package cli

import (
	"context"
	"os"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer/download"
	"github.com/s3link/s3link/awsops/transfer/upload"
	"github.com/s3link/s3link/ui"
)

// The live screens live in ui; the commands stay free of Bubble Tea and
// reach them through these hooks.
func init() {
	uploadScreen = func(ctx context.Context, g *Globals, e *upload.Engine) (upload.Result, error) {
		bucket, prefix := e.Destination()
		return ui.RunUpload(ctx, e, screenOptions(g, e.Source(), setup.Location(bucket, prefix)))
	}
	rotateKeyScreen = func(ctx context.Context, g *Globals, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error) {
		return ui.RunRotateKeyScreen(ctx, k, ui.RotateKeyOptions{
			In: g.In, Out: g.Out, NoColor: os.Getenv("NO_COLOR") != "",
			Ops: ops, Record: st, Clipboard: nativeClipboard,
		})
	}
}

// runSyncScreen draws the live download screen while eng runs.
func runSyncScreen(ctx context.Context, g *Globals, eng *download.Engine, req syncRequest) (download.Result, error) {
	return ui.RunSync(ctx, eng, screenOptions(g, setup.Location(req.Bucket, req.Prefix), req.Dest))
}

func screenOptions(g *Globals, from, to string) ui.ScreenOptions {
	return ui.ScreenOptions{
		In: g.In, Out: g.Out,
		// no-color.org: set and not empty.
		NoColor: os.Getenv("NO_COLOR") != "",
		From:    from, To: to,
	}
}
