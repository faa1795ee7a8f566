// Package cli defines s3link's command surface with cobra: the wizard,
// headless setup, sync, policy and teardown.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/emulator"
	"github.com/s3link/s3link/awsops/setup/journal"
	"github.com/s3link/s3link/awsops/setup/privfile"
)

// Version is stamped at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

// Globals are the flags and streams every command shares.
type Globals struct {
	Profile     string
	Region      string
	EndpointURL string
	// Sandbox runs every command against a local emulator; SandboxKind
	// picks it ("auto", "embedded" or "moto"; "" means auto).
	Sandbox     bool
	SandboxKind string

	In  io.Reader
	Out io.Writer
	Err io.Writer
	// IsTerminal reports whether stdin and stdout are a terminal, so a
	// command may draw a full-screen interface.
	IsTerminal bool

	Debug bool
	// Verbose (-v) prints more on stderr: each AWS call of setup and
	// teardown, each file of sync and upload.
	Verbose bool

	// Now is the clock status and rotate measure key ages with; nil is
	// the real one (tests set it).
	Now func() time.Time

	inLines  *bufio.Reader // see lines
	static   *awsops.StaticCredentials
	sandbox  *emulator.Sandbox
	debugLog *os.File
}

// now reads the clock.
func (g *Globals) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// AWSConfig turns the global flags into an awsops.Config.
func (g *Globals) AWSConfig() awsops.Config {
	c := awsops.Config{Profile: g.Profile, Region: g.Region, EndpointURL: g.EndpointURL, Static: g.static}
	if g.debugLog != nil {
		c.Debug = g.debugLog
	}
	if g.Verbose {
		c.Verbose = g.Err
	}
	return c
}

// openDebugLog starts the debug log: one line per AWS call, appended to
// debug.log in s3link's config folder, readable only by the user.
func (g *Globals) openDebugLog() error {
	dir, err := journal.Dir()
	if err != nil {
		return err
	}
	if err := privfile.EnsurePrivateDir(dir); err != nil {
		return err
	}
	path := filepath.Join(dir, "debug.log")
	// Never through a link: a link at debug.log would have s3link append
	// to, and change the mode of, whatever it points at.
	f, err := privfile.OpenNoFollow(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open the debug log %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("protect the debug log %s: %w", path, err)
	}
	g.debugLog = f
	fmt.Fprintf(g.Err, "Debug log: %s\n", path)
	return nil
}

// startSandbox points every client at a fresh, seeded emulator: moto_server
// when asked for or installed, else the embedded one.
func (g *Globals) startSandbox(ctx context.Context) error {
	kind, err := emulator.ParseKind(g.SandboxKind)
	if err != nil {
		return usageError("--sandbox: %v", err)
	}
	fmt.Fprintln(g.Err, "Sandbox: starting a local AWS emulator with demo media...")
	sb, err := emulator.Start(ctx, kind)
	if err != nil {
		if kind == emulator.Moto && errors.Is(err, emulator.ErrMotoNotInstalled) {
			err = fmt.Errorf("%w, or run --sandbox=embedded, which needs nothing installed", err)
		}
		return fmt.Errorf("the sandbox could not start: %w", err)
	}
	g.sandbox = sb
	g.EndpointURL = sb.Config.EndpointURL
	g.static = sb.Config.Static
	g.Profile = ""
	if g.Region == "" {
		g.Region = sb.Config.Region
	}
	// Records of sandbox resources die with the emulator.
	if err := os.Setenv("S3LINK_CONFIG_DIR", sb.RecordDir); err != nil {
		return err
	}
	name := "moto_server"
	if sb.Kind == emulator.Embedded {
		name = "embedded"
		if kind == emulator.Auto {
			fmt.Fprintln(g.Err, "Sandbox: moto_server is not installed, so the embedded emulator runs.")
		}
	}
	fmt.Fprintf(g.Err, "Sandbox: %s emulator at %s; demo media in s3://%s/%s/\n", name, sb.Config.EndpointURL, emulator.DemoBucket, emulator.DemoPrefix)
	fmt.Fprintln(g.Err, "Sandbox: "+sb.Limits())
	return nil
}

// stopSandbox stops the emulator, if one runs.
func (g *Globals) stopSandbox() {
	if g.sandbox != nil {
		g.sandbox.Stop()
		g.sandbox = nil
	}
}

// ExitError carries a process exit code. Its message is already phrased for
// the user; main prints it as is.
type ExitError struct {
	Code int
	Err  error
}

// Error implements error.
func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

// annotationNoAWS marks commands that make no AWS calls, so --sandbox does
// not start an emulator for them.
const annotationNoAWS = "s3link/no-aws"

// usageError marks a command-line mistake (exit code 2).
func usageError(format string, a ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, a...)}
}

// NewRoot builds the command tree; every command takes its clients from f.
func NewRoot(f *Factory) *cobra.Command {
	g := f.Globals
	root := &cobra.Command{
		Use:           "s3link",
		Short:         "Link an S3 media location to the platform: bucket, policy, user, key, and a proof download",
		Version:       readBuildInfo().Short(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Example: `  s3link --sandbox                      # try the whole flow against a local emulator
  s3link --profile my-admin             # the wizard, with a profile of the shared config
  s3link setup --non-interactive --bucket B --prefix P --region eu-west-1 --csv key.csv
  s3link sync s3://B/P ./media --csv key.csv
  s3link teardown`,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SuggestionsMinimumDistance = 2
	root.SetIn(g.In)
	root.SetOut(g.Out)
	root.SetErr(g.Err)
	pf := root.PersistentFlags()
	pf.StringVar(&g.Profile, "profile", "", "AWS profile from the shared config (default: the SDK's default chain)")
	pf.StringVar(&g.Region, "region", "", "AWS region (default: the profile's region)")
	pf.StringVar(&g.EndpointURL, "endpoint-url", "", "send S3, IAM and STS requests to this endpoint (path-style S3)")
	pf.BoolVar(&g.Debug, "debug", false, "log every AWS call (operation, status, request id; never secrets) to debug.log in s3link's config folder (or set S3LINK_DEBUG=1)")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "print more on stderr: each AWS call as it runs (headless setup, setup --plan, teardown; never the secret), each file downloaded, uploaded or skipped and why (sync, upload)")
	pf.StringVar(&g.SandboxKind, "sandbox", "", "run against a local AWS emulator seeded with demo media: moto_server when installed, else the embedded one; --sandbox=embedded|moto chooses")
	pf.Lookup("sandbox").NoOptDefVal = string(emulator.Auto)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Annotations[annotationNoAWS] != "" {
			return nil
		}
		// The log goes to the real config folder: a sandbox's folder is
		// removed when it stops.
		if g.Debug || os.Getenv("S3LINK_DEBUG") != "" {
			if err := g.openDebugLog(); err != nil {
				return err
			}
		}
		if cmd.Flags().Changed("sandbox") {
			g.Sandbox = true
		}
		if g.Sandbox {
			return g.startSandbox(cmd.Context())
		}
		return nil
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: 2, Err: fmt.Errorf("%v; see 's3link --help'", err)}
	})

	// Bare `s3link` is the wizard, with the same flags as `s3link setup`.
	o := &setupOptions{}
	addSetupFlags(root, o)
	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		return runSetup(cmd.Context(), f, o)
	}
	root.AddCommand(subcommands(f)...)
	registerCompletions(root)
	// An unknown shell is a usage mistake, not a help page with status 0.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) > 0 {
					return usageError("s3link has no completion for %q; choose bash, zsh, fish or powershell", args[0])
				}
				return cmd.Help()
			}
			c.Example = "  source <(s3link completion bash)\n  s3link completion zsh > \"${fpath[1]}/_s3link\""
		}
	}
	return root
}

// Execute runs the command line against real AWS clients and returns the
// process exit code.
func Execute(ctx context.Context, g *Globals, args []string) int {
	return ExecuteWith(ctx, NewFactory(g), args)
}

// ExecuteWith is Execute with the clients of f (tests inject a fake).
func ExecuteWith(ctx context.Context, f *Factory, args []string) int {
	g := f.Globals
	root := NewRoot(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	g.stopSandbox()
	if g.debugLog != nil {
		_ = g.debugLog.Close()
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(g.Err, "Cancelled.")
		return cancelledCode(ctx)
	}
	if strings.HasPrefix(err.Error(), "unknown command") {
		// cobra reports an unknown subcommand as a plain error, without its
		// suggestions when the root command takes no arguments.
		hint := "see 's3link --help'"
		if len(args) > 0 {
			if sug := root.SuggestionsFor(args[0]); len(sug) > 0 {
				hint = fmt.Sprintf("did you mean '%s'? (see 's3link --help')", strings.Join(sug, "' or '"))
			}
		}
		err = usageError("%v; %s", err, hint)
	}
	fmt.Fprintln(g.Err, "Error: "+sentence(err.Error()))
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 1
}
