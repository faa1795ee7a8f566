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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// maxPolicyVersions is IAM's limit of versions per managed policy.
const maxPolicyVersions = 5

// maxAccessKeys is IAM's limit of access keys per user.
const maxAccessKeys = 2

// LookupPolicy reports whether a customer-managed policy called name exists
// and whether its default version says the same as document.
func (c *Client) LookupPolicy(ctx context.Context, name, document string) (PolicyInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	arn, err := c.policyARN(ctx, name)
	if err != nil {
		return PolicyInfo{}, err
	}
	st, err := c.policyState(ctx, arn, document)
	if err != nil {
		return PolicyInfo{}, err
	}
	return PolicyInfo{Exists: st.exists, ARN: arn, SameDocument: st.same, Versions: len(st.versions)}, nil
}

type policyState struct {
	exists         bool
	created        time.Time
	defaultVersion string
	same           bool
	versions       []iamtypes.PolicyVersion
}

func (c *Client) policyState(ctx context.Context, arn, document string) (policyState, error) {
	got, err := c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		if isNotFound(err) {
			return policyState{}, nil
		}
		return policyState{}, wrap(fmt.Sprintf("get policy %s", arn), err)
	}
	st := policyState{exists: true, created: aws.ToTime(got.Policy.CreateDate), defaultVersion: aws.ToString(got.Policy.DefaultVersionId)}
	ver, err := c.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
		PolicyArn: aws.String(arn),
		VersionId: aws.String(st.defaultVersion),
	})
	if err != nil {
		return policyState{}, wrap(fmt.Sprintf("get version %s of policy %s", st.defaultVersion, arn), err)
	}
	st.same = sameDocument(aws.ToString(ver.PolicyVersion.Document), document)
	if st.versions, err = c.policyVersions(ctx, arn); err != nil {
		return policyState{}, err
	}
	return st, nil
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

// sameDocument compares two policy documents as JSON values, so layout and
// key order do not matter. IAM returns documents URL-encoded (RFC 3986).
func sameDocument(stored, want string) bool {
	// PathUnescape, not QueryUnescape: RFC 3986 encoding leaves a literal
	// '+' alone, and QueryUnescape would turn it into a space.
	if dec, err := url.PathUnescape(stored); err == nil && json.Valid([]byte(dec)) {
		stored = dec
	}
	var a, b any
	if json.Unmarshal([]byte(stored), &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// CreatePolicy makes sure a customer-managed policy called name holds
// document as its default version: it creates the policy, reuses it when the
// document is already the same, or adds a new default version, deleting the
// oldest non-default version first when IAM's limit of 5 is reached.
func (c *Client) CreatePolicy(ctx context.Context, name, document string) (Policy, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	op := fmt.Sprintf("create policy %q", name)
	out, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(name),
		PolicyDocument: aws.String(document),
		Description:    aws.String("Read access for the media platform, created by s3link"),
	})
	if err == nil {
		return Policy{
			Name:      name,
			ARN:       aws.ToString(out.Policy.Arn),
			VersionID: aws.ToString(out.Policy.DefaultVersionId),
			Created:   aws.ToTime(out.Policy.CreateDate),
		}, nil
	}
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		return Policy{}, wrap(op, err)
	}

	arn, err := c.policyARN(ctx, name)
	if err != nil {
		return Policy{}, err
	}
	st, err := c.policyState(ctx, arn, document)
	if err != nil {
		return Policy{}, err
	}
	if !st.exists {
		// It was deleted between our calls; let the caller retry.
		return Policy{}, fmt.Errorf("%s: policy vanished while it was being updated", op)
	}
	if st.same {
		return Policy{Name: name, ARN: arn, VersionID: st.defaultVersion, Reused: true, Created: st.created}, nil
	}

	res := Policy{Name: name, ARN: arn, NewVersion: true, Created: st.created}
	if len(st.versions) >= maxPolicyVersions {
		oldest, ok := oldestNonDefault(st.versions)
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
			return res, wrapAs(fmt.Sprintf("add version to policy %s", arn), ErrPolicyVersionLimit, err)
		}
		return res, wrap(fmt.Sprintf("add version to policy %s", arn), err)
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

// CreateUser creates an IAM user with tags, or reuses the existing user of
// that name (tags of an existing user are left as they are).
func (c *Client) CreateUser(ctx context.Context, name string, tags map[string]string) (User, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	in := &iam.CreateUserInput{UserName: aws.String(name)}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	out, err := c.iam.CreateUser(ctx, in)
	if err == nil {
		return User{Name: name, ARN: aws.ToString(out.User.Arn), Created: aws.ToTime(out.User.CreateDate)}, nil
	}
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		return User{}, wrap(fmt.Sprintf("create user %q", name), err)
	}
	got, err := c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return User{}, wrap(fmt.Sprintf("get user %q", name), err)
	}
	return User{Name: name, ARN: aws.ToString(got.User.Arn), Reused: true, Created: aws.ToTime(got.User.CreateDate)}, nil
}

// FindPolicy looks up the customer-managed policy called name, with its
// creation time; ok is false when there is none.
func (c *Client) FindPolicy(ctx context.Context, name string) (Policy, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	arn, err := c.policyARN(ctx, name)
	if err != nil {
		return Policy{}, false, err
	}
	got, err := c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		if isNotFound(err) {
			return Policy{}, false, nil
		}
		return Policy{}, false, wrap(fmt.Sprintf("get policy %s", arn), err)
	}
	return Policy{
		Name:      name,
		ARN:       arn,
		VersionID: aws.ToString(got.Policy.DefaultVersionId),
		Created:   aws.ToTime(got.Policy.CreateDate),
	}, true, nil
}

// FindUser looks up the IAM user called name, with its creation time; ok
// is false when there is none.
func (c *Client) FindUser(ctx context.Context, name string) (User, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	got, err := c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		if isNotFound(err) {
			return User{}, false, nil
		}
		return User{}, false, wrap(fmt.Sprintf("get user %q", name), err)
	}
	return User{Name: name, ARN: aws.ToString(got.User.Arn), Created: aws.ToTime(got.User.CreateDate)}, true, nil
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

// DeletePolicy detaches a managed policy from every user, group and role,
// deletes its non-default versions and then the policy. A missing policy is
// success.
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
	p := iam.NewListEntitiesForPolicyPaginator(c.iam, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return wrap(fmt.Sprintf("list entities of policy %s", arn), err)
		}
		for _, u := range page.PolicyUsers {
			if err := c.detachUserPolicy(ctx, aws.ToString(u.UserName), arn); err != nil {
				return err
			}
		}
		for _, g := range page.PolicyGroups {
			_, err := c.iam.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: g.GroupName, PolicyArn: aws.String(arn)})
			if err != nil && !isNotFound(err) {
				return wrap(fmt.Sprintf("detach policy %s from group %q", arn, aws.ToString(g.GroupName)), err)
			}
		}
		for _, r := range page.PolicyRoles {
			_, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: r.RoleName, PolicyArn: aws.String(arn)})
			if err != nil && !isNotFound(err) {
				return wrap(fmt.Sprintf("detach policy %s from role %q", arn, aws.ToString(r.RoleName)), err)
			}
		}
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
