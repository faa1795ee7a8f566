package awsops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// maxPolicyVersions is IAM's limit of versions per managed policy.
const maxPolicyVersions = 5

// maxAccessKeys is IAM's limit of access keys per user.
const maxAccessKeys = 2

// InspectPolicy looks up the customer-managed policy called name in the
// caller's account: its SetupTagKey tag, whether its default document says
// the same as document, its versions and what it is attached to.
func (c *Client) InspectPolicy(ctx context.Context, name, document string) (PolicyFacts, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	arn, err := c.policyARN(ctx, name)
	if err != nil {
		return PolicyFacts{Name: name}, err
	}
	return c.inspectPolicy(ctx, name, arn, document)
}

func (c *Client) inspectPolicy(ctx context.Context, name, arn, document string) (PolicyFacts, error) {
	f := PolicyFacts{Name: name, ARN: arn}
	got, err := c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		if isNotFound(err) {
			return f, nil
		}
		return f, wrap(fmt.Sprintf("get policy %s", arn), err)
	}
	f.Exists = true
	def := aws.ToString(got.Policy.DefaultVersionId)
	ver, err := c.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(def)})
	if err != nil {
		return f, wrap(fmt.Sprintf("get version %s of policy %s", def, arn), err)
	}
	f.Document = decodeDocument(aws.ToString(ver.PolicyVersion.Document))
	f.SameDocument = sameDocument(f.Document, document)
	versions, err := c.policyVersions(ctx, arn)
	if err != nil {
		return f, err
	}
	f.Versions = len(versions)
	tags := iam.NewListPolicyTagsPaginator(c.iam, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return f, wrap(fmt.Sprintf("list tags of policy %s", arn), err)
		}
		for _, t := range page.Tags {
			if aws.ToString(t.Key) == SetupTagKey {
				f.SetupID = aws.ToString(t.Value)
			}
		}
	}
	if err := c.policyEntities(ctx, arn, &f); err != nil {
		return f, err
	}
	return f, nil
}

func (c *Client) policyVersions(ctx context.Context, arn string) ([]iamtypes.PolicyVersion, error) {
	var versions []iamtypes.PolicyVersion
	p := iam.NewListPolicyVersionsPaginator(c.iam, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(fmt.Sprintf("list versions of policy %s", arn), err)
		}
		versions = append(versions, page.Versions...)
	}
	return versions, nil
}

// policyEntities fills in what the policy is attached to, and whose
// permissions boundary it is.
func (c *Client) policyEntities(ctx context.Context, arn string, f *PolicyFacts) error {
	ents := iam.NewListEntitiesForPolicyPaginator(c.iam, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	for ents.HasMorePages() {
		page, err := ents.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list entities of policy %s", arn), err)
		}
		for _, u := range page.PolicyUsers {
			f.Users = append(f.Users, aws.ToString(u.UserName))
		}
		for _, g := range page.PolicyGroups {
			f.Groups = append(f.Groups, aws.ToString(g.GroupName))
		}
		for _, r := range page.PolicyRoles {
			f.Roles = append(f.Roles, aws.ToString(r.RoleName))
		}
	}
	bounds := iam.NewListEntitiesForPolicyPaginator(c.iam, &iam.ListEntitiesForPolicyInput{
		PolicyArn: aws.String(arn), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary,
	})
	var boundaries []string
	ignored := false
	for bounds.HasMorePages() {
		page, err := bounds.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list entities of policy %s", arn), err)
		}
		// A group can never have a permissions boundary: an answer that
		// lists groups comes from an endpoint (moto) that ignored the usage
		// filter and listed the attachments again.
		if len(page.PolicyGroups) > 0 {
			ignored = true
		}
		for _, u := range page.PolicyUsers {
			boundaries = append(boundaries, aws.ToString(u.UserName))
		}
		for _, r := range page.PolicyRoles {
			boundaries = append(boundaries, aws.ToString(r.RoleName))
		}
	}
	if !ignored {
		f.Boundaries = boundaries
	}
	return nil
}

// decodeDocument undoes the URL encoding (RFC 3986) IAM returns
// documents in. PathUnescape, not QueryUnescape: RFC 3986 encoding leaves
// a literal '+' alone, and QueryUnescape would turn it into a space.
func decodeDocument(stored string) string {
	if dec, err := url.PathUnescape(stored); err == nil && json.Valid([]byte(dec)) {
		return dec
	}
	return stored
}

// sameDocument compares two policy documents as JSON values, so layout and
// key order do not matter.
func sameDocument(stored, want string) bool {
	stored = decodeDocument(stored)
	var a, b any
	if json.Unmarshal([]byte(stored), &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// PolicyDescription is the description s3link gives the policies it makes.
const PolicyDescription = "Read access for the media platform, created by s3link"

// CreatePolicy creates a customer-managed policy, tagged with setupID in
// the create call. A policy of that name is ErrAlreadyExists: it is never
// adopted or changed here.
func (c *Client) CreatePolicy(ctx context.Context, name, document, setupID string) (Policy, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &iam.CreatePolicyInput{
		PolicyName:     aws.String(name),
		PolicyDocument: aws.String(document),
		Description:    aws.String(PolicyDescription),
	}
	if setupID != "" {
		in.Tags = []iamtypes.Tag{{Key: aws.String(SetupTagKey), Value: aws.String(setupID)}}
	}
	out, err := c.iam.CreatePolicy(ctx, in)
	if err != nil {
		return Policy{}, wrap(fmt.Sprintf("create policy %q", name), err)
	}
	return Policy{
		Name:      name,
		ARN:       aws.ToString(out.Policy.Arn),
		VersionID: aws.ToString(out.Policy.DefaultVersionId),
	}, nil
}

// AddPolicyVersion makes document the default version of the policy,
// deleting the oldest non-default version first when IAM's limit of 5 is
// reached. The setup engine calls it only for a policy it proved its own.
func (c *Client) AddPolicyVersion(ctx context.Context, arn, document string) (Policy, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	op := fmt.Sprintf("add version to policy %s", arn)
	versions, err := c.policyVersions(ctx, arn)
	if err != nil {
		return Policy{}, err
	}
	res := Policy{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]}
	if len(versions) >= maxPolicyVersions {
		oldest, ok := oldestNonDefault(versions)
		if !ok {
			return Policy{}, wrapAs(op, ErrPolicyVersionLimit, errors.New("no non-default version to delete"))
		}
		if _, err := c.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{
			PolicyArn: aws.String(arn),
			VersionId: oldest.VersionId,
		}); err != nil {
			return Policy{}, wrap(fmt.Sprintf("delete version %s of policy %s", aws.ToString(oldest.VersionId), arn), err)
		}
		res.DeletedVersionID = aws.ToString(oldest.VersionId)
	}
	ver, err := c.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
		PolicyArn:      aws.String(arn),
		PolicyDocument: aws.String(document),
		SetAsDefault:   true,
	})
	if err != nil {
		var limit *iamtypes.LimitExceededException
		if errors.As(err, &limit) {
			return res, wrapAs(op, ErrPolicyVersionLimit, err)
		}
		return res, wrap(op, err)
	}
	res.VersionID = aws.ToString(ver.PolicyVersion.VersionId)
	return res, nil
}

// oldestNonDefault picks the version to give up: the oldest by creation
// date, ties broken by version number (v2 before v10).
func oldestNonDefault(versions []iamtypes.PolicyVersion) (iamtypes.PolicyVersion, bool) {
	var cands []iamtypes.PolicyVersion
	for _, v := range versions {
		if !v.IsDefaultVersion {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return iamtypes.PolicyVersion{}, false
	}
	sort.SliceStable(cands, func(i, j int) bool {
		ti, tj := aws.ToTime(cands[i].CreateDate), aws.ToTime(cands[j].CreateDate)
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return versionNumber(cands[i].VersionId) < versionNumber(cands[j].VersionId)
	})
	return cands[0], true
}

func versionNumber(id *string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(id), "v"))
	return n
}

// CreateUser creates an IAM user carrying tags and the SetupTagKey tag
// (setupID), with boundaryARN as its permissions boundary, all in the one
// create call, so no kill can leave an untagged or unbounded user of
// s3link's. A user of that name is ErrAlreadyExists, never adopted.
func (c *Client) CreateUser(ctx context.Context, name string, tags map[string]string, boundaryARN, setupID string) (User, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &iam.CreateUserInput{UserName: aws.String(name)}
	if boundaryARN != "" {
		in.PermissionsBoundary = aws.String(boundaryARN)
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if k != SetupTagKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if setupID != "" {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(SetupTagKey), Value: aws.String(setupID)})
	}
	out, err := c.iam.CreateUser(ctx, in)
	if err != nil {
		return User{}, wrap(fmt.Sprintf("create user %q", name), err)
	}
	return User{Name: name, ARN: aws.ToString(out.User.Arn)}, nil
}

// InspectUser looks up the IAM user called name: its SetupTagKey tag, its
// permissions boundary, its attached managed policies and its access keys.
func (c *Client) InspectUser(ctx context.Context, name string) (UserFacts, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	f := UserFacts{Name: name}
	got, err := c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		if isNotFound(err) {
			return f, nil
		}
		return f, wrap(fmt.Sprintf("get user %q", name), err)
	}
	f.Exists, f.ARN = true, aws.ToString(got.User.Arn)
	if b := got.User.PermissionsBoundary; b != nil {
		f.Boundary = aws.ToString(b.PermissionsBoundaryArn)
	}
	tags := iam.NewListUserTagsPaginator(c.iam, &iam.ListUserTagsInput{UserName: aws.String(name)})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return f, wrap(fmt.Sprintf("list tags of user %q", name), err)
		}
		for _, t := range page.Tags {
			if aws.ToString(t.Key) == SetupTagKey {
				f.SetupID = aws.ToString(t.Value)
			}
		}
	}
	attached := iam.NewListAttachedUserPoliciesPaginator(c.iam, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return f, wrap(fmt.Sprintf("list policies attached to user %q", name), err)
		}
		for _, p := range page.AttachedPolicies {
			f.Policies = append(f.Policies, aws.ToString(p.PolicyArn))
		}
	}
	if f.Keys, err = c.listAccessKeys(ctx, name, true); err != nil {
		return f, err
	}
	return f, nil
}

// SetUserBoundary sets the user's permissions boundary to boundaryARN, or
// removes it when boundaryARN is "".
func (c *Client) SetUserBoundary(ctx context.Context, user, boundaryARN string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	if boundaryARN == "" {
		_, err := c.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String(user)})
		if err == nil || isNotFound(err) {
			return nil
		}
		return wrap(fmt.Sprintf("remove the permissions boundary of user %q", user), err)
	}
	_, err := c.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{
		UserName: aws.String(user), PermissionsBoundary: aws.String(boundaryARN),
	})
	return wrap(fmt.Sprintf("set the permissions boundary of user %q", user), err)
}

// AttachUserPolicy attaches a managed policy to a user; attaching it again
// is harmless.
func (c *Client) AttachUserPolicy(ctx context.Context, user, policyARN string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := c.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{
		UserName:  aws.String(user),
		PolicyArn: aws.String(policyARN),
	})
	return wrap(fmt.Sprintf("attach policy %s to user %q", policyARN, user), err)
}

// DetachUserPolicy detaches a managed policy from a user; a policy that is
// not attached, or a user or policy that is gone, counts as done.
func (c *Client) DetachUserPolicy(ctx context.Context, user, policyARN string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.detachUserPolicy(ctx, user, policyARN)
}

func (c *Client) detachUserPolicy(ctx context.Context, user, policyARN string) error {
	_, err := c.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{
		UserName:  aws.String(user),
		PolicyArn: aws.String(policyARN),
	})
	if err == nil || isNotFound(err) {
		return nil
	}
	return wrap(fmt.Sprintf("detach policy %s from user %q", policyARN, user), err)
}

// ListAccessKeys lists a user's access keys with when each was last used.
func (c *Client) ListAccessKeys(ctx context.Context, user string) ([]KeyInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.listAccessKeys(ctx, user, true)
}

func (c *Client) listAccessKeys(ctx context.Context, user string, lastUsed bool) ([]KeyInfo, error) {
	var keys []KeyInfo
	p := iam.NewListAccessKeysPaginator(c.iam, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(fmt.Sprintf("list access keys of user %q", user), err)
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, KeyInfo{
				ID:      aws.ToString(k.AccessKeyId),
				Status:  string(k.Status),
				Created: aws.ToTime(k.CreateDate),
			})
		}
	}
	if !lastUsed {
		return keys, nil
	}
	for i := range keys {
		out, err := c.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keys[i].ID)})
		if err != nil {
			return nil, wrap(fmt.Sprintf("get last use of access key %s", keys[i].ID), err)
		}
		if out.AccessKeyLastUsed != nil {
			keys[i].LastUsed = aws.ToTime(out.AccessKeyLastUsed.LastUsedDate)
		}
	}
	return keys, nil
}

// CreateAccessKey creates an access key for user. When the user already
// holds two, it returns a *KeyLimitError listing them, so the caller can
// offer to delete one; errors.Is(err, ErrKeyLimit) holds.
func (c *Client) CreateAccessKey(ctx context.Context, user string) (AccessKey, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	keys, err := c.listAccessKeys(ctx, user, true)
	if err != nil {
		return AccessKey{}, err
	}
	if len(keys) >= maxAccessKeys {
		return AccessKey{}, &KeyLimitError{User: user, Keys: keys}
	}
	out, err := c.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		var limit *iamtypes.LimitExceededException
		if errors.As(err, &limit) {
			// A key was added since we listed; report what is there now.
			if keys, lerr := c.listAccessKeys(ctx, user, false); lerr == nil {
				return AccessKey{}, &KeyLimitError{User: user, Keys: keys}
			}
			return AccessKey{}, wrapAs(fmt.Sprintf("create access key for user %q", user), ErrKeyLimit, err)
		}
		return AccessKey{}, wrap(fmt.Sprintf("create access key for user %q", user), err)
	}
	k := out.AccessKey
	return AccessKey{
		User:    aws.ToString(k.UserName),
		ID:      aws.ToString(k.AccessKeyId),
		Secret:  NewSecret(aws.ToString(k.SecretAccessKey)),
		Created: aws.ToTime(k.CreateDate),
	}, nil
}

// DeleteAccessKey deletes one of user's access keys; a key that is already
// gone counts as deleted.
func (c *Client) DeleteAccessKey(ctx context.Context, user, keyID string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	return c.deleteAccessKey(ctx, user, keyID)
}

func (c *Client) deleteAccessKey(ctx context.Context, user, keyID string) error {
	_, err := c.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{
		UserName:    aws.String(user),
		AccessKeyId: aws.String(keyID),
	})
	if err == nil || isNotFound(err) {
		return nil
	}
	return wrap(fmt.Sprintf("delete access key %s of user %q", keyID, user), err)
}

// DeleteUser removes a user with everything that would block the deletion
// and that s3link may have added: access keys, attached managed policies,
// inline policies and a console login profile. A missing user is success.
func (c *Client) DeleteUser(ctx context.Context, user string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	err := c.deleteUser(ctx, user)
	if isNotFound(err) {
		return nil
	}
	return err
}

func (c *Client) deleteUser(ctx context.Context, user string) error {
	keys, err := c.listAccessKeys(ctx, user, false)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := c.deleteAccessKey(ctx, user, k.ID); err != nil {
			return err
		}
	}

	attached := iam.NewListAttachedUserPoliciesPaginator(c.iam, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list policies attached to user %q", user), err)
		}
		for _, p := range page.AttachedPolicies {
			if err := c.detachUserPolicy(ctx, user, aws.ToString(p.PolicyArn)); err != nil {
				return err
			}
		}
	}

	inline := iam.NewListUserPoliciesPaginator(c.iam, &iam.ListUserPoliciesInput{UserName: aws.String(user)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list inline policies of user %q", user), err)
		}
		for _, name := range page.PolicyNames {
			_, err := c.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{
				UserName:   aws.String(user),
				PolicyName: aws.String(name),
			})
			if err != nil && !isNotFound(err) {
				return wrap(fmt.Sprintf("delete inline policy %q of user %q", name, user), err)
			}
		}
	}

	if _, err := c.iam.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(user)}); err != nil && !isNotFound(err) {
		return wrap(fmt.Sprintf("delete login profile of user %q", user), err)
	}
	if _, err := c.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(user)}); err != nil {
		return wrap(fmt.Sprintf("delete user %q", user), err)
	}
	return nil
}

// DeletePolicy deletes a managed policy's non-default versions and then
// the policy. It detaches nothing: a policy still attached anywhere fails
// with ErrInUse. A missing policy is success.
func (c *Client) DeletePolicy(ctx context.Context, policyARN string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	err := c.deletePolicy(ctx, policyARN)
	if isNotFound(err) {
		return nil
	}
	return err
}

func (c *Client) deletePolicy(ctx context.Context, arn string) error {
	// Refuse before touching any version: a policy that stays must keep
	// its history.
	var f PolicyFacts
	if err := c.policyEntities(ctx, arn, &f); err != nil {
		return err
	}
	if n := len(f.Users) + len(f.Groups) + len(f.Roles) + len(f.Boundaries); n > 0 {
		return wrapAs(fmt.Sprintf("delete policy %s", arn), ErrInUse, fmt.Errorf("attached to %d entities", n))
	}
	versions, err := c.policyVersions(ctx, arn)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.IsDefaultVersion {
			continue
		}
		_, err := c.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: v.VersionId})
		if err != nil && !isNotFound(err) {
			return wrap(fmt.Sprintf("delete version %s of policy %s", aws.ToString(v.VersionId), arn), err)
		}
	}
	if _, err := c.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		return wrap(fmt.Sprintf("delete policy %s", arn), err)
	}
	return nil
}
