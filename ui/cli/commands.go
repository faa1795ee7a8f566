package cli

import "github.com/spf13/cobra"

// subcommands lists every registered command. Only commands that work are here.
func subcommands(g *Globals) []*cobra.Command {
	return []*cobra.Command{
		newSetupCmd(g),
		newPolicyCmd(g),
		newTeardownCmd(g),
		newStatusCmd(g),
		newRotateCmd(g),
		newUploadCmd(g),
		newSyncCmd(g),
		newVersionCmd(),
	}
}
