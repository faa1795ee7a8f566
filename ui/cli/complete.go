package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
)

// registerCompletions makes the shell complete the values of the global
// --profile (the profiles of the shared config and credentials files the
// SDK reads) and --region (the regions s3link knows) flags.
func registerCompletions(root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("profile", completeProfiles)
	_ = root.RegisterFlagCompletionFunc("region", completeRegions)
}

// completeProfiles lists profile names starting with toComplete. It reads
// section names only, never a credential.
func completeProfiles(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := awsops.ProfileNames()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, toComplete) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeRegions lists the known region codes starting with toComplete,
// each with its name where s3link knows one.
func completeRegions(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, r := range awsops.Regions() {
		if strings.HasPrefix(r.Code, toComplete) {
			out = append(out, cobra.CompletionWithDesc(r.Code, r.Name))
		}
	}
	for _, code := range awsops.OtherPartitionRegions() {
		if strings.HasPrefix(code, toComplete) {
			out = append(out, code)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
