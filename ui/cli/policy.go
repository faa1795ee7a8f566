package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
)

func newPolicyCmd(g *Globals) *cobra.Command {
	var bucket, prefix string
	var caller bool
	cmd := &cobra.Command{
		Use:   "policy --bucket BUCKET [--prefix PATH]",
		Short: "Print the IAM policy document setup would create (makes no AWS calls)",
		Long: `Print the least-privilege IAM policy that setup attaches to the platform's user:
s3:GetObject on the objects under the prefix (this also authorises HeadObject)
and s3:ListBucket limited to that prefix. With --caller, print instead the
policy the person running s3link needs for setup, upload and teardown.`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoAWS: "yes"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if caller {
				fmt.Fprint(cmd.OutOrStdout(), awsops.CallerPolicyDocument())
				return nil
			}
			if bucket == "" {
				return usageError("--bucket is required: name the bucket the policy grants access to")
			}
			if err := awsops.ValidateBucketName(bucket); err != nil {
				return usageError("%v", err)
			}
			p, err := awsops.NormalizePrefix(prefix)
			if err != nil {
				return usageError("%v", err)
			}
			fmt.Fprint(cmd.OutOrStdout(), awsops.PolicyDocument(bucket, p))
			return nil
		},
	}
	cmd.Flags().StringVar(&bucket, "bucket", "", "bucket the policy grants access to")
	cmd.Flags().StringVar(&prefix, "prefix", "", "path inside the bucket (empty for the whole bucket)")
	cmd.Flags().BoolVar(&caller, "caller", false, "print the policy the caller needs to run setup, upload and teardown")
	return cmd
}
