package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/s3link/s3link/awsops"
)

// policyOptions are the flags of `s3link policy`.
type policyOptions struct {
	Bucket, Prefix string
	// Caller asks for the caller's policy; User, PolicyName and Account
	// scope it.
	Caller                    bool
	User, PolicyName, Account string
}

// newCmdPolicy is `s3link policy`; runF, when not nil, gets the parsed
// options instead of the document being printed.
func newCmdPolicy(_ *Factory, runF func(*policyOptions) error) *cobra.Command {
	o := &policyOptions{}
	cmd := &cobra.Command{
		Use:   "policy --bucket BUCKET [--prefix PATH]",
		Short: "Print the IAM policy document setup would create (makes no AWS calls)",
		Long: `Print the least-privilege IAM policy that setup attaches to the platform's user:
s3:GetObject on the objects under the prefix (this also authorises HeadObject)
and s3:ListBucket limited to that prefix. With --caller, print instead the
least-privilege policy the person running s3link needs for setup, upload and
teardown of that bucket, user and policy: every action on their exact ARNs,
user creation only with the platform policy as permissions boundary, attach
and detach only of that policy, policy changes only where s3link's tag is.
Without --bucket the S3 part covers every bucket; --account fills the
account id into the IAM ARNs (default: the signed-in account, through the
${aws:PrincipalAccount} policy variable).`,
		Example: `  s3link policy --bucket crowdai-imagery --prefix path/to/files
  s3link policy --caller --bucket crowdai-imagery --prefix path/to/files --user crowdai-platform-access --policy-name CrowdAI-Platform-Access`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoAWS: "yes"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runPolicy(cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().StringVar(&o.Bucket, "bucket", "", "bucket the policy grants access to")
	cmd.Flags().StringVar(&o.Prefix, "prefix", "", "path inside the bucket (empty for the whole bucket)")
	cmd.Flags().BoolVar(&o.Caller, "caller", false, "print the policy the caller needs to run setup, upload and teardown")
	cmd.Flags().StringVar(&o.User, "user", defaultUserName, "with --caller: the platform's IAM user")
	cmd.Flags().StringVar(&o.PolicyName, "policy-name", defaultPolicyName, "with --caller: the platform's IAM policy")
	cmd.Flags().StringVar(&o.Account, "account", "", "with --caller: the AWS account id for the IAM ARNs")
	return cmd
}

// runPolicy prints the policy document o asks for on w.
func runPolicy(w io.Writer, o *policyOptions) error {
	bucket, prefix, user, policyName, account := o.Bucket, o.Prefix, o.User, o.PolicyName, o.Account
	if o.Caller {
		scope := awsops.CallerScope{Account: account, Bucket: bucket, UserName: user, PolicyName: policyName}
		if bucket != "" {
			if err := awsops.ValidateBucketName(bucket); err != nil {
				return usageError("%v", err)
			}
			p, err := awsops.NormalizePrefix(prefix)
			if err != nil {
				return usageError("%v", err)
			}
			scope.Prefix = p
		}
		if err := awsops.ValidateUserName(user); err != nil {
			return usageError("%v", err)
		}
		if err := awsops.ValidatePolicyName(policyName); err != nil {
			return usageError("%v", err)
		}
		fmt.Fprint(w, awsops.CallerPolicyDocument(scope))
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
	fmt.Fprint(w, awsops.PolicyDocument(bucket, p))
	return nil
}
