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

// liveScreens are package ui's screens; the commands stay free of Bubble
// Tea and reach them through the Factory.
func liveScreens() Screens {
	return Screens{Sync: runSyncScreen, Upload: runUploadScreen, RotateKey: runRotateKeyScreen}
}

// runUploadScreen draws the live upload screen while e runs.
func runUploadScreen(ctx context.Context, g *Globals, e *upload.Engine) (upload.Result, error) {
	bucket, prefix := e.Destination()
	return ui.RunUpload(ctx, e, screenOptions(g, e.Source(), setup.Location(bucket, prefix)))
}

// runRotateKeyScreen hands a rotated key over on the wizard's key screen.
func runRotateKeyScreen(ctx context.Context, g *Globals, st setup.Stored, ops setup.KeyDeleter, k awsops.AccessKey) (setup.HandOff, error) {
	return ui.RunRotateKeyScreen(ctx, k, ui.RotateKeyOptions{
		In: g.In, Out: g.Out, NoColor: os.Getenv("NO_COLOR") != "",
		Ops: ops, Record: st, Clipboard: nativeClipboard,
	})
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
