package cli

import "github.com/spf13/cobra"

// subcommands lists every registered command. Only commands that work are
// here. Each is built in cli/cli's shape, newCmdX(f, runF): its flags fill
// an options struct, and runF, when not nil, receives that struct instead
// of the command running (tests check the flag parsing with it).
func subcommands(f *Factory) []*cobra.Command {
	return []*cobra.Command{
		newCmdSetup(f, nil),
		newCmdPolicy(f, nil),
		newCmdTeardown(f, nil),
		newCmdStatus(f, nil),
		newCmdRotate(f, nil),
		newCmdUpload(f, nil),
		newCmdSync(f, nil),
		newCmdVersion(f, nil),
	}
}
