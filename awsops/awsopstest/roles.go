package awsopstest

import (
	"context"
	"fmt"
	"sort"

	"github.com/s3link/s3link/awsops"
)

type fakeRole struct {
	arn      string
	trust    string
	setupID  string
	boundary string
	pols     map[string]bool
}

func (f *Fake) roleMap() map[string]*fakeRole {
	if f.roles == nil {
		f.roles = map[string]*fakeRole{}
	}
	return f.roles
}

// roleEntities adds the roles the policy is attached to or bounds.
func (f *Fake) roleEntities(arn string, pf *awsops.PolicyFacts) {
	names := make([]string, 0, len(f.roles))
	for n := range f.roles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := f.roles[n]
		if r.pols[arn] {
			pf.Roles = append(pf.Roles, n)
		}
		if r.boundary == arn {
			pf.Boundaries = append(pf.Boundaries, n)
		}
	}
}

// AddRole puts a role s3link did not create in the account.
func (f *Fake) AddRole(name, trust string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roleMap()[name] = &fakeRole{arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", f.Identity.Account, name), trust: trust, pols: map[string]bool{}}
}

// RoleTrust returns the role's trust policy and whether the role exists.
func (f *Fake) RoleTrust(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.roleMap()[name]
	if !ok {
		return "", false
	}
	return r.trust, true
}

// RoleAttached reports whether the policy is attached to the role.
func (f *Fake) RoleAttached(role, policyARN string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.roleMap()[role]
	return ok && r.pols[policyARN]
}

// CreateRole implements awsops.Provisioner.
func (f *Fake) CreateRole(ctx context.Context, name, trust, boundaryARN, setupID string) (awsops.Role, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "CreateRole", name, boundaryARN); err != nil {
		return awsops.Role{}, err
	}
	if _, ok := f.roleMap()[name]; ok {
		return awsops.Role{}, fmt.Errorf("create role %q: %w", name, awsops.ErrAlreadyExists)
	}
	r := &fakeRole{arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", f.Identity.Account, name), trust: trust, setupID: setupID, boundary: boundaryARN, pols: map[string]bool{}}
	f.roles[name] = r
	return awsops.Role{Name: name, ARN: r.arn}, nil
}

// InspectRole implements awsops.Inspector.
func (f *Fake) InspectRole(ctx context.Context, name string) (awsops.RoleFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "InspectRole", name); err != nil {
		return awsops.RoleFacts{Name: name}, err
	}
	r, ok := f.roleMap()[name]
	if !ok {
		return awsops.RoleFacts{Name: name}, nil
	}
	rf := awsops.RoleFacts{Name: name, Exists: true, ARN: r.arn, SetupID: r.setupID, Boundary: r.boundary, TrustDocument: r.trust}
	for arn := range r.pols {
		rf.Policies = append(rf.Policies, arn)
	}
	sort.Strings(rf.Policies)
	return rf, nil
}

// UpdateAssumeRolePolicy implements awsops.RoleRotator.
func (f *Fake) UpdateAssumeRolePolicy(ctx context.Context, role, document string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "UpdateAssumeRolePolicy", role); err != nil {
		return err
	}
	r, ok := f.roleMap()[role]
	if !ok {
		return fmt.Errorf("update the trust policy of role %q: %w", role, awsops.ErrNotFound)
	}
	r.trust = document
	return nil
}

// TagRole sets the role's setup tag.
func (f *Fake) TagRole(name, setupID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.roleMap()[name]; ok {
		r.setupID = setupID
	}
}

// AttachRolePolicy implements awsops.Provisioner.
func (f *Fake) AttachRolePolicy(ctx context.Context, role, policyARN string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "AttachRolePolicy", role, policyARN); err != nil {
		return err
	}
	r, ok := f.roleMap()[role]
	if !ok {
		return fmt.Errorf("attach to role %q: %w", role, awsops.ErrNotFound)
	}
	if f.policyByARN(policyARN) == nil {
		return fmt.Errorf("attach %s: %w", policyARN, awsops.ErrNotFound)
	}
	r.pols[policyARN] = true
	return nil
}

// DetachRolePolicy implements awsops.Remover.
func (f *Fake) DetachRolePolicy(ctx context.Context, role, policyARN string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DetachRolePolicy", role, policyARN); err != nil {
		return err
	}
	if r, ok := f.roleMap()[role]; ok {
		delete(r.pols, policyARN)
	}
	return nil
}

// DeleteRole implements awsops.Remover.
func (f *Fake) DeleteRole(ctx context.Context, role string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(ctx, "DeleteRole", role); err != nil {
		return err
	}
	delete(f.roleMap(), role)
	return nil
}
