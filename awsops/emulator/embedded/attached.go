package embedded

import (
	"fmt"
	"slices"
)

// attachedOf finds the managed policies attached to the user or role a
// request names, for the one set of attachment handlers both share.
type attachedOf func(*iamService, form) (*[]string, *apiError)

func userAttached(s *iamService, f form) (*[]string, *apiError) {
	u, err := s.findUser(f.get("UserName"))
	if err != nil {
		return nil, err
	}
	return &u.attached, nil
}

func roleAttached(s *iamService, f form) (*[]string, *apiError) {
	r, err := s.findRole(f.get("RoleName"))
	if err != nil {
		return nil, err
	}
	return &r.attached, nil
}

// attachHandler is AttachUserPolicy or AttachRolePolicy: attaching twice
// is a no-op, as in IAM, and the quota is IAM's.
func attachHandler(of attachedOf, kind string, quota int) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		attached, err := of(s, f)
		if err != nil {
			return nil, err
		}
		arn := f.get("PolicyArn")
		if _, ok := s.policies[arn]; !ok {
			return nil, errNoSuchEntity("Policy " + arn + " does not exist or is not attachable.")
		}
		if slices.Contains(*attached, arn) {
			return nil, nil
		}
		if len(*attached) >= quota {
			return nil, errLimitExceeded(fmt.Sprintf("Cannot exceed quota for PoliciesPer%s: %d", kind, quota))
		}
		*attached = append(*attached, arn)
		return nil, nil
	}
}

// detachHandler is DetachUserPolicy or DetachRolePolicy.
func detachHandler(of attachedOf) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		attached, err := of(s, f)
		if err != nil {
			return nil, err
		}
		arn := f.get("PolicyArn")
		i := slices.Index(*attached, arn)
		if i < 0 {
			return nil, errNoSuchEntity("Policy " + arn + " was not found.")
		}
		*attached = slices.Delete(*attached, i, i+1)
		return nil, nil
	}
}

// listAttachedHandler is ListAttachedUserPolicies or ListAttachedRolePolicies.
func listAttachedHandler(of attachedOf) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		attached, err := of(s, f)
		if err != nil {
			return nil, err
		}
		out := struct {
			AttachedPolicies []xAttached `xml:"AttachedPolicies>member"`
			IsTruncated      bool
		}{}
		for _, arn := range *attached {
			out.AttachedPolicies = append(out.AttachedPolicies, xAttached{s.policies[arn].name, arn})
		}
		return out, nil
	}
}

// noInlineHandler is ListUserPolicies or ListRolePolicies: inline policies
// are not emulated (s3link never makes them), so the list is empty for a
// user or role that exists.
func noInlineHandler(of attachedOf) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		if _, err := of(s, f); err != nil {
			return nil, err
		}
		return struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			IsTruncated bool
		}{}, nil
	}
}
