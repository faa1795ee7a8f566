package embedded

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// role is an IAM role: s3link's role links make one for the platform.
type role struct {
	name, id, description string
	trust                 string
	created               time.Time
	tags                  []xTag
	boundary              string
	attached              []string
}

type xRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string     `xml:",omitempty"`
	PermissionsBoundary      *xBoundary `xml:",omitempty"`
	Tags                     []xTag     `xml:"Tags>member,omitempty"`
}

// tempKeyLife is how long an assumed role's keys last (STS's default).
const tempKeyLife = time.Hour

func (s *iamService) roleARN(name string) string {
	return "arn:aws:iam::" + s.account + ":role/" + name
}

func (s *iamService) findRole(name string) (*role, *apiError) {
	if name == "" {
		return nil, errValidation("1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must not be null")
	}
	r, ok := s.roles[name]
	if !ok {
		return nil, errNoSuchEntity("The role with name " + name + " cannot be found.")
	}
	return r, nil
}

func roleTags(s *iamService, f form) (*[]xTag, *apiError) {
	r, err := s.findRole(f.get("RoleName"))
	if err != nil {
		return nil, err
	}
	return &r.tags, nil
}

// roleUses counts the roles the policy is attached to or bounds.
func (s *iamService) roleUses(arn string) int {
	n := 0
	for _, r := range s.roles {
		if r.boundary == arn || slices.Contains(r.attached, arn) {
			n++
		}
	}
	return n
}

func (s *iamService) xRole(r *role) xRole {
	x := xRole{Path: "/", RoleName: r.name, RoleId: r.id, Arn: s.roleARN(r.name), CreateDate: isoTime(r.created),
		AssumeRolePolicyDocument: r.trust, Description: r.description, Tags: r.tags}
	if r.boundary != "" {
		x.PermissionsBoundary = &xBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.boundary}
	}
	return x
}

func (s *iamService) createRole(f form, _ identity) (any, *apiError) {
	name := f.get("RoleName")
	if err := validName("roleName", name, 64); err != nil {
		return nil, err
	}
	if _, ok := s.roles[name]; ok {
		return nil, errAlreadyExists("Role with name " + name + " already exists.")
	}
	trust := f.get("AssumeRolePolicyDocument")
	if !json.Valid([]byte(trust)) {
		return nil, &apiError{400, "MalformedPolicyDocument", "The trust policy is not valid JSON."}
	}
	tags, err := mergeTags(nil, f.tags())
	if err != nil {
		return nil, err
	}
	b := f.get("PermissionsBoundary")
	if b != "" {
		if err := s.checkBoundary(b); err != nil {
			return nil, err
		}
	}
	if s.roles == nil {
		s.roles = map[string]*role{}
	}
	r := &role{name: name, id: s.newID("AROA"), description: f.get("Description"), trust: trust, created: time.Now().UTC(), tags: tags, boundary: b}
	s.roles[name] = r
	return struct{ Role xRole }{s.xRole(r)}, nil
}

func (s *iamService) getRole(f form, _ identity) (any, *apiError) {
	r, err := s.findRole(f.get("RoleName"))
	if err != nil {
		return nil, err
	}
	return struct{ Role xRole }{s.xRole(r)}, nil
}

func (s *iamService) updateAssumeRolePolicy(f form, _ identity) (any, *apiError) {
	r, err := s.findRole(f.get("RoleName"))
	if err != nil {
		return nil, err
	}
	trust := f.get("PolicyDocument")
	if !json.Valid([]byte(trust)) {
		return nil, &apiError{400, "MalformedPolicyDocument", "The trust policy is not valid JSON."}
	}
	r.trust = trust
	return nil, nil
}

func (s *iamService) deleteRole(f form, _ identity) (any, *apiError) {
	r, err := s.findRole(f.get("RoleName"))
	if err != nil {
		return nil, err
	}
	if len(r.attached) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	delete(s.roles, r.name)
	for id, k := range s.keys {
		if k.role == r.name {
			delete(s.keys, id)
		}
	}
	return nil, nil
}

// trustedExternalID is the sts:ExternalId a trust policy's StringEquals
// condition asks for, "" when none. The emulator evaluates no other part
// of a trust policy (no principal check), as moto does not either.
func trustedExternalID(trust string) string {
	var doc struct {
		Statement []struct {
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(trust), &doc) != nil {
		return ""
	}
	for _, st := range doc.Statement {
		if v, ok := st.Condition["StringEquals"]["sts:ExternalId"].(string); ok {
			return v
		}
	}
	return ""
}

// assumeRole hands out temporary keys for a role, checking the external
// id its trust policy asks for.
func (s *iamService) assumeRole(f form, caller identity) (any, *apiError) {
	arn := f.get("RoleArn")
	name := arn[strings.LastIndex(arn, "/")+1:]
	r, ok := s.roles[name]
	if !ok || s.roleARN(name) != arn {
		return nil, &apiError{403, "AccessDenied", "User: " + caller.arn + " is not authorized to perform: sts:AssumeRole on resource: " + arn}
	}
	if want := trustedExternalID(r.trust); want != "" && f.get("ExternalId") != want {
		return nil, &apiError{403, "AccessDenied", "User: " + caller.arn + " is not authorized to perform: sts:AssumeRole on resource: " + arn + " (the external id does not match)"}
	}
	session := f.get("RoleSessionName")
	if session == "" {
		return nil, errValidation("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	}
	k := &accessKey{id: s.newID("ASIA"), status: "Active", created: time.Now().UTC(), role: name, session: session,
		secret: randomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
	s.keys[k.id] = k
	type creds struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	type assumed struct{ AssumedRoleId, Arn string }
	id := s.roleIdentity(k)
	return struct {
		Credentials     creds
		AssumedRoleUser assumed
	}{
		creds{k.id, k.secret, randomString(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), isoTime(k.created.Add(tempKeyLife))},
		assumed{id.userID, id.arn},
	}, nil
}

// roleIdentity is who an assumed role's temporary key signs as.
func (s *iamService) roleIdentity(k *accessKey) identity {
	id := ""
	if r, ok := s.roles[k.role]; ok {
		id = r.id
	}
	return identity{arn: "arn:aws:sts::" + s.account + ":assumed-role/" + k.role + "/" + k.session, userID: id + ":" + k.session}
}
