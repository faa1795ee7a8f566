package setup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/s3link/s3link/awsops"
)

// ExportVersion is the version of the JSON plan (`setup --plan --format
// json`); it changes only when a field changes meaning or goes away.
const ExportVersion = 1

// PlanExport is the machine-readable plan: every decision with its reason
// and every AWS call, in order. Complete is true when the plan can run as
// it is (no refusals); Actions is then every call it makes.
type PlanExport struct {
	Version  int            `json:"version"`
	SetupID  string         `json:"setupId"`
	Account  string         `json:"account"`
	Location string         `json:"location"`
	Items    []ExportItem   `json:"items"`
	Actions  []ExportAction `json:"actions"`
	Warnings []string       `json:"warnings"`
	Refusals []string       `json:"refusals"`
	Complete bool           `json:"complete"`
}

// ExportItem is one decision of the plan.
type ExportItem struct {
	What     string   `json:"what"`
	Name     string   `json:"name"`
	Decision Decision `json:"decision"`
	Reason   string   `json:"reason"`
}

// ExportAction is one AWS call of the plan and its AWS CLI equivalent.
type ExportAction struct {
	Kind    ActionKind `json:"kind"`
	Title   string     `json:"title"`
	Command string     `json:"command"`
}

// NewPlanExport turns a plan into its machine-readable form. Lists are
// never null, so a reader can range over them without a check.
func NewPlanExport(p *Plan) PlanExport {
	e := PlanExport{
		Version: ExportVersion, SetupID: p.SetupID, Account: p.Account,
		Location: Location(p.Spec.Bucket, p.Spec.Prefix),
		Items:    []ExportItem{}, Actions: []ExportAction{},
		Warnings: append([]string{}, p.Warnings...), Refusals: append([]string{}, p.Refusals...),
		Complete: len(p.Refusals) == 0,
	}
	for _, it := range p.Items() {
		e.Items = append(e.Items, ExportItem{What: it.What, Name: it.Name, Decision: it.Decision, Reason: it.Reason})
	}
	for _, a := range p.Actions {
		e.Actions = append(e.Actions, ExportAction(a))
	}
	return e
}

// ExportText writes the plan as headless setup prints it: one line per
// decision, the warnings, then the calls, numbered, each with its AWS CLI
// command. A plan that refuses stops after the warnings: its refusals are
// the error the caller reports.
func ExportText(w io.Writer, p *Plan) error {
	var b strings.Builder
	for _, it := range p.Items() {
		if it.Decision != Refuse {
			fmt.Fprintf(&b, "· %s %s: %s, %s\n", it.What, it.Name, it.Decision, it.Reason)
		}
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n", warn)
	}
	if len(p.Refusals) == 0 {
		switch len(p.Actions) {
		case 0:
			b.WriteString("\nNo AWS call is needed: everything is already in place.\n")
		default:
			fmt.Fprintf(&b, "\nThe AWS calls setup would make, in order:\n")
			for i, a := range p.Actions {
				fmt.Fprintf(&b, "%2d. %s\n    %s\n", i+1, a.Title, a.Command)
			}
		}
		b.WriteString("\nNothing was created (plan only).\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ExportOptions shape the CloudFormation and Terraform forms of a plan.
type ExportOptions struct {
	// NoKeyOutput leaves the access key out of the template altogether. A
	// key a template makes has its secret in the stack's outputs (readable
	// by anyone allowed cloudformation:DescribeStacks) or in the Terraform
	// state; a key without them could never be read, so there is none, and
	// the key is made afterwards (aws iam create-access-key, or s3link).
	NoKeyOutput bool
}

// templateKinds are the calls a template can make: it creates resources it
// then owns. A plan that changes something it did not create (a new
// policy version, a widened boundary, an old key deleted, Block Public
// Access on an existing bucket) cannot be a template: deleting the stack
// would undo more than the stack made.
func templateSupports(p *Plan, format string) error {
	for _, a := range p.Actions {
		switch a.Kind {
		case ActCreateBucket, ActEncryption, ActCreatePolicy, ActCreateUser, ActAttachPolicy, ActCreateAccessKey, ActCreateRole:
			continue
		case ActAttachRolePolicy:
			if p.Role.Decision == Create {
				continue
			}
		case ActBlockPublic:
			if p.Bucket.Decision == Create {
				continue
			}
		}
		return fmt.Errorf("a %s template cannot %s (it changes something the template did not create); use --format cli, or plan a location whose resources are all new", format, exportLowerFirst(a.Title))
	}
	return nil
}

func exportLowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// The logical ids of the CloudFormation template.
const (
	cfnBucket    = "Bucket"
	cfnPolicy    = "Policy"
	cfnUser      = "User"
	cfnAccessKey = "AccessKey"
	cfnRole      = "Role"
)

type cfnTemplate struct {
	AWSTemplateFormatVersion string                 `json:"AWSTemplateFormatVersion"`
	Description              string                 `json:"Description"`
	Resources                map[string]cfnResource `json:"Resources"`
	Outputs                  map[string]cfnOutput   `json:"Outputs,omitempty"`
}

type cfnResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

type cfnOutput struct {
	Description string `json:"Description"`
	Value       any    `json:"Value"`
}

type cfnTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func cfnRef(id string) map[string]string { return map[string]string{"Ref": id} }

// cfnPolicyARN is the ARN of a policy that exists already, in whichever
// account the stack runs: StackSets deploy one template to many accounts,
// so no account id is written into it.
func cfnPolicyARN(name string) map[string]string {
	return map[string]string{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/" + name}
}

// ExportCloudFormation returns the plan as a CloudFormation template in
// JSON: only the resources the plan creates appear, and nothing in it names
// the account, so a StackSet can roll it out to many accounts. The stack
// owns what it makes: remove it by deleting the stack, not with s3link
// teardown (no local record names it).
func ExportCloudFormation(p *Plan, o ExportOptions) ([]byte, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := templateSupports(p, "CloudFormation"); err != nil {
		return nil, err
	}
	s := p.Spec
	setupTag := cfnTag{Key: awsops.SetupTagKey, Value: p.SetupID}
	t := cfnTemplate{
		AWSTemplateFormatVersion: "2010-09-09",
		Description: fmt.Sprintf("s3link setup %s: read-only access for the media platform to %s. Made by s3link setup --plan --format cloudformation.",
			p.SetupID, Location(s.Bucket, s.Prefix)),
		Resources: map[string]cfnResource{},
	}
	if p.Bucket.Decision == Create {
		t.Description += " Deploy it in " + s.Region + ", where the bucket was planned."
		t.Resources[cfnBucket] = cfnResource{Type: "AWS::S3::Bucket", Properties: map[string]any{
			"BucketName": s.Bucket,
			"PublicAccessBlockConfiguration": map[string]bool{
				"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true,
			},
			"BucketEncryption": map[string]any{
				"ServerSideEncryptionConfiguration": []any{
					map[string]any{"ServerSideEncryptionByDefault": map[string]string{"SSEAlgorithm": "AES256"}},
				},
			},
			"Tags": []cfnTag{setupTag},
		}}
	}
	var policy any = cfnPolicyARN(s.PolicyName)
	if p.Policy.Decision == Create {
		props := map[string]any{
			"ManagedPolicyName": s.PolicyName,
			"Description":       awsops.PolicyDescription,
			"PolicyDocument":    json.RawMessage(awsops.PolicyDocument(s.Bucket, s.Prefix)),
		}
		// ManagedPolicy has no Tags; it is the stack's, which the stack
		// records. An existing user gets the policy through its Users.
		if p.Attach.Decision == Create && p.User.Decision != Create {
			props["Users"] = []string{s.UserName}
		}
		t.Resources[cfnPolicy] = cfnResource{Type: "AWS::IAM::ManagedPolicy", Properties: props}
		policy = cfnRef(cfnPolicy)
	} else if p.Attach.Decision == Create && p.User.Decision != Create {
		return nil, fmt.Errorf("a CloudFormation template cannot attach the existing policy %s to the existing user %s; use --format cli or --format terraform", s.PolicyName, s.UserName)
	}
	var user any = s.UserName
	if p.User.Decision == Create {
		tags := []cfnTag{setupTag}
		for _, k := range exportKeys(s.Tags) {
			tags = append(tags, cfnTag{Key: k, Value: s.Tags[k]})
		}
		props := map[string]any{
			"UserName":            s.UserName,
			"PermissionsBoundary": policy,
			"Tags":                tags,
		}
		if p.Attach.Decision == Create {
			props["ManagedPolicyArns"] = []any{policy}
		}
		t.Resources[cfnUser] = cfnResource{Type: "AWS::IAM::User", Properties: props}
		user = cfnRef(cfnUser)
	}
	if p.Role.Decision == Create {
		t.Resources[cfnRole] = cfnResource{Type: "AWS::IAM::Role", Properties: map[string]any{
			"RoleName":                 s.RoleName,
			"Description":              awsops.PolicyDescription,
			"AssumeRolePolicyDocument": json.RawMessage(p.TrustDocument),
			"PermissionsBoundary":      policy,
			"ManagedPolicyArns":        []any{policy},
			"Tags":                     []cfnTag{setupTag},
		}}
		t.Outputs = map[string]cfnOutput{
			"RoleArn":    {Description: "The role ARN to paste into the platform", Value: map[string][]string{"Fn::GetAtt": {cfnRole, "Arn"}}},
			"ExternalId": {Description: "The external id to paste into the platform (the role's trust policy asks for it)", Value: p.ExternalID},
		}
	}
	if p.Key.Decision == Create && !o.NoKeyOutput {
		t.Resources[cfnAccessKey] = cfnResource{Type: "AWS::IAM::AccessKey", Properties: map[string]any{"UserName": user}}
		t.Outputs = map[string]cfnOutput{
			"AccessKeyId": {Description: "The access key id to paste into the platform", Value: cfnRef(cfnAccessKey)},
			"SecretAccessKey": {
				Description: "The secret access key to paste into the platform; anyone allowed cloudformation:DescribeStacks on this stack can read it (plan with --no-key-output to leave the key out)",
				Value:       map[string][]string{"Fn::GetAtt": {cfnAccessKey, "SecretAccessKey"}},
			},
		}
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("the plan creates nothing, so there is no CloudFormation template to write")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, fmt.Errorf("encode the CloudFormation template: %w", err)
	}
	return buf.Bytes(), nil
}

func exportKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// hclString quotes s as an HCL string literal, with template sequences
// ("${", "%{") escaped so that nothing in a name is interpolated.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hclHeredoc escapes template sequences in a heredoc's text; the policy
// document's own "${*}"-style escapes must reach IAM unchanged.
var hclHeredoc = strings.NewReplacer("${", "$${", "%{", "%%{")

// hclMap writes a map of strings as an HCL object, keys quoted and the
// equals signs aligned as terraform fmt aligns them.
func hclMap(b *strings.Builder, indent string, m map[string]string) {
	keys := exportKeys(m)
	width := 0
	for _, k := range keys {
		width = max(width, len(hclString(k)))
	}
	b.WriteString("{\n")
	for _, k := range keys {
		q := hclString(k)
		fmt.Fprintf(b, "%s  %s%s = %s\n", indent, q, strings.Repeat(" ", width-len(q)), hclString(m[k]))
	}
	b.WriteString(indent + "}\n")
}

// The name every Terraform resource of the plan goes by.
const tfName = "s3link"

// ExportTerraform returns the plan as Terraform configuration for the AWS
// provider: only the resources the plan creates, with an existing policy
// read through a data source. The new key's secret is a sensitive output
// (and, as with every aws_iam_access_key, in the state) unless
// o.NoKeyOutput leaves the key out.
func ExportTerraform(p *Plan, o ExportOptions) ([]byte, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := templateSupports(p, "Terraform"); err != nil {
		return nil, err
	}
	s := p.Spec
	var b strings.Builder
	fmt.Fprintf(&b, "# s3link setup %s: read-only access for the media platform to %s.\n", p.SetupID, Location(s.Bucket, s.Prefix))
	b.WriteString("# Made by s3link setup --plan --format terraform. Terraform owns what it creates:\n")
	b.WriteString("# remove it with terraform destroy, not s3link teardown.\n\n")
	b.WriteString("terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n")
	if p.Bucket.Decision == Create {
		fmt.Fprintf(&b, "\nprovider \"aws\" {\n  region = %s\n}\n", hclString(s.Region))
	}
	setupTags := map[string]string{awsops.SetupTagKey: p.SetupID}
	created := false
	if p.Bucket.Decision == Create {
		created = true
		fmt.Fprintf(&b, "\nresource \"aws_s3_bucket\" %q {\n  bucket = %s\n  tags = ", tfName, hclString(s.Bucket))
		hclMap(&b, "  ", setupTags)
		b.WriteString("}\n")
		fmt.Fprintf(&b, "\nresource \"aws_s3_bucket_public_access_block\" %q {\n", tfName)
		fmt.Fprintf(&b, "  bucket                  = aws_s3_bucket.%s.id\n", tfName)
		b.WriteString("  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}\n")
		fmt.Fprintf(&b, "\nresource \"aws_s3_bucket_server_side_encryption_configuration\" %q {\n", tfName)
		fmt.Fprintf(&b, "  bucket = aws_s3_bucket.%s.id\n\n", tfName)
		b.WriteString("  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"AES256\"\n    }\n  }\n}\n")
	}
	policyARN := fmt.Sprintf("data.aws_iam_policy.%s.arn", tfName)
	if p.Policy.Decision == Create {
		created = true
		policyARN = fmt.Sprintf("aws_iam_policy.%s.arn", tfName)
		fmt.Fprintf(&b, "\nresource \"aws_iam_policy\" %q {\n", tfName)
		fmt.Fprintf(&b, "  name        = %s\n  description = %s\n", hclString(s.PolicyName), hclString(awsops.PolicyDescription))
		fmt.Fprintf(&b, "  policy      = <<EOT\n%sEOT\n  tags = ", hclHeredoc.Replace(awsops.PolicyDocument(s.Bucket, s.Prefix)))
		hclMap(&b, "  ", setupTags)
		b.WriteString("}\n")
	} else {
		fmt.Fprintf(&b, "\ndata \"aws_iam_policy\" %q {\n  name = %s\n}\n", tfName, hclString(s.PolicyName))
	}
	userRef := hclString(s.UserName)
	if p.User.Decision == Create {
		created = true
		userRef = fmt.Sprintf("aws_iam_user.%s.name", tfName)
		tags := map[string]string{}
		for k, v := range s.Tags {
			tags[k] = v
		}
		tags[awsops.SetupTagKey] = p.SetupID
		fmt.Fprintf(&b, "\nresource \"aws_iam_user\" %q {\n", tfName)
		fmt.Fprintf(&b, "  name                 = %s\n  permissions_boundary = %s\n  tags = ", hclString(s.UserName), policyARN)
		hclMap(&b, "  ", tags)
		b.WriteString("}\n")
	}
	if p.Attach.Decision == Create {
		created = true
		fmt.Fprintf(&b, "\nresource \"aws_iam_user_policy_attachment\" %q {\n  user       = %s\n  policy_arn = %s\n}\n", tfName, userRef, policyARN)
	}
	if p.Role.Decision == Create {
		created = true
		fmt.Fprintf(&b, "\nresource \"aws_iam_role\" %q {\n", tfName)
		fmt.Fprintf(&b, "  name                 = %s\n  description          = %s\n  permissions_boundary = %s\n", hclString(s.RoleName), hclString(awsops.PolicyDescription), policyARN)
		fmt.Fprintf(&b, "  assume_role_policy   = <<EOT\n%s\nEOT\n  tags = ", hclHeredoc.Replace(p.TrustDocument))
		hclMap(&b, "  ", setupTags)
		b.WriteString("}\n")
		fmt.Fprintf(&b, "\nresource \"aws_iam_role_policy_attachment\" %q {\n  role       = aws_iam_role.%s.name\n  policy_arn = %s\n}\n", tfName, tfName, policyARN)
		fmt.Fprintf(&b, "\noutput \"role_arn\" {\n  description = \"The role ARN to paste into the platform\"\n  value       = aws_iam_role.%s.arn\n}\n", tfName)
		fmt.Fprintf(&b, "\noutput \"external_id\" {\n  description = \"The external id to paste into the platform\"\n  value       = %s\n}\n", hclString(p.ExternalID))
	}
	if p.Key.Decision == Create && !o.NoKeyOutput {
		created = true
		fmt.Fprintf(&b, "\nresource \"aws_iam_access_key\" %q {\n  user = %s\n}\n", tfName, userRef)
		fmt.Fprintf(&b, "\noutput \"access_key_id\" {\n  description = \"The access key id to paste into the platform\"\n  value       = aws_iam_access_key.%s.id\n}\n", tfName)
		fmt.Fprintf(&b, "\noutput \"secret_access_key\" {\n  description = \"The secret access key to paste into the platform (terraform output -raw secret_access_key)\"\n  value       = aws_iam_access_key.%s.secret\n  sensitive   = true\n}\n", tfName)
	}
	if !created {
		return nil, fmt.Errorf("the plan creates nothing, so there is no Terraform configuration to write")
	}
	return []byte(b.String()), nil
}
