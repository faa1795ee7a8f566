package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"

	"github.com/s3link/s3link/awsops/emulator"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/ui"
)

// wizardInputs are setup's flags that the wizard starts from. Every screen
// is still shown, so the user can check and change them.
type wizardInputs struct {
	Bucket, Prefix, PolicyName, UserName string
	Tags                                 []string
	ExistingBucket                       bool
	// TrustedAccount preselects a role link (--access role); RoleName
	// names its role.
	TrustedAccount, RoleName string
}

// ExitSecretNotHandedOver is the wizard's exit status when setup finished
// but the new key's secret was neither saved nor confirmed pasted.
const ExitSecretNotHandedOver = 3

// sandboxUploadCount is how many demo images the sandbox offers to upload
// into a new bucket: enough to watch the bars move.
const sandboxUploadCount = 120

// runWizard draws the setup wizard on the terminal. After it exits, the
// summary (never the secret) is printed to the normal screen; the secret
// was only ever drawn in the alternate screen.
func runWizard(ctx context.Context, g *Factory, in wizardInputs) error {
	cfg := g.AWSConfig()
	cfg.Verbose = nil // lines on stderr would tear the screen
	client, err := g.AWS(ctx, cfg)
	if err != nil {
		return err
	}
	dir, err := journal.Dir()
	if err != nil {
		return err
	}
	deps := ui.Deps{
		Ctx: ctx,
		Ops: client,
		NewOps: func(profile string) (ui.Ops, error) {
			c := cfg
			c.Profile = profile
			ops, err := g.AWS(ctx, c)
			if err != nil {
				return nil, err
			}
			return ops, nil
		},
		RecordDir:   dir,
		Sandbox:     g.Sandbox,
		Profile:     g.Profile,
		Region:      g.Region,
		EndpointURL: g.EndpointURL,
		// no-color.org: set and not empty.
		NoColor:   os.Getenv("NO_COLOR") != "",
		Clipboard: nativeClipboard,
		Preset: ui.Preset{
			Bucket:         in.Bucket,
			ExistingBucket: in.ExistingBucket,
			Prefix:         in.Prefix,
			PolicyName:     in.PolicyName,
			UserName:       in.UserName,
			Tags:           in.Tags,
			TrustedAccount: in.TrustedAccount,
			RoleName:       in.RoleName,
		},
	}
	deps.AWS = cfg
	if g.Sandbox {
		// The sandbox's dummy credentials belong to no profile.
		deps.NewOps = nil
		// A folder of demo media to offer for the upload into a new
		// bucket, so the sandbox can be walked end to end.
		demo, err := os.MkdirTemp("", "s3link-demo-upload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(demo)
		if err := emulator.WriteDemoFolder(demo, sandboxUploadCount); err != nil {
			return fmt.Errorf("write the sandbox's demo folder: %w", err)
		}
		deps.DemoDir = demo
	}
	p := tea.NewProgram(ui.New(deps), tea.WithContext(ctx), tea.WithInput(g.In), tea.WithOutput(g.Out))
	final, err := p.Run()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("the wizard stopped unexpectedly: %w", err)
	}
	app, ok := final.(ui.App)
	if !ok {
		return errors.New("the wizard stopped unexpectedly")
	}
	if s := app.Summary(); s != "" {
		fmt.Fprint(g.Out, s)
	}
	if err := app.Err(); errors.Is(err, ui.ErrSecretNotHandedOver) {
		// Set up, but nobody is known to hold the secret: a warning and
		// its own exit status, so a script can tell.
		return &ExitError{Code: ExitSecretNotHandedOver, Err: fmt.Errorf("%w; if the platform does not have it, make a new key as the summary above says", err)}
	}
	return app.Err()
}

// nativeClipboard writes to the system clipboard, when there is one.
func nativeClipboard(s string) error {
	if clipboard.Unsupported {
		return errors.New("no native clipboard")
	}
	return clipboard.WriteAll(s)
}
