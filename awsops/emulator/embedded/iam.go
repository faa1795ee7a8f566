package embedded

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// IAM's quotas that s3link runs into.
const (
	maxPolicyVersions  = 5
	maxAccessKeys      = 2
	maxAttachedPerUser = 10
	maxAttachedPerRole = 10
	maxTags            = 50
)

// adminName names the account's administrator in ARNs; it is not an IAM
// user and cannot be deleted.
const adminName = "s3link-sandbox-admin"

// IAM's rule for user and policy names.
var iamName = regexp.MustCompile(`^[\w+=,.@-]+$`)

type iamService struct {
	account string

	mu       sync.Mutex
	admin    map[string]string // key id -> secret
	users    map[string]*user  // by name
	policies map[string]*policy
	keys     map[string]*accessKey // by id
	roles    map[string]*role      // by name (roles.go)
	seq      int
}

type user struct {
	name, id string
	created  time.Time
	tags     []xTag
	boundary string
	attached []string // policy ARNs, in attach order
}

type policy struct {
	name, id, arn, description string
	created, updated           time.Time
	tags                       []xTag
	versions                   []*policyVersion
	nextVersion                int
	defaultVersion             string
}

type policyVersion struct {
	id      string
	doc     string
	created time.Time
}

type accessKey struct {
	id, secret, user string
	status           string
	created          time.Time
	lastUsed         time.Time
	lastService      string
	lastRegion       string
	// role and session are set for the temporary keys of an assumed
	// role (user is then "").
	role, session string
}

// identity is who signed a request.
type identity struct {
	arn, userID string
	user        string // IAM user name; "" for the administrator
}

func newIAM(account string) *iamService {
	return &iamService{
		account:  account,
		admin:    map[string]string{},
		users:    map[string]*user{},
		policies: map[string]*policy{},
		keys:     map[string]*accessKey{},
	}
}

func (s *iamService) userARN(name string) string {
	return "arn:aws:iam::" + s.account + ":user/" + name
}

func (s *iamService) policyARN(name string) string {
	return "arn:aws:iam::" + s.account + ":policy/" + name
}

// newID makes an IAM unique id or access key id: prefix and 16 characters.
func (s *iamService) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%s%06d", prefix, randomString(10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), s.seq)
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// authenticate checks that the request is signed by a known, active key
// with its secret, and records the key's last use. It returns an error
// code and message when not.
func (s *iamService) authenticate(r *http.Request, a sigv4, body []byte) (identity, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	unknown := "InvalidClientTokenId"
	if a.service == "s3" {
		unknown = "InvalidAccessKeyId"
	}
	if secret, ok := s.admin[a.keyID]; ok {
		if !a.verify(r, secret, body) {
			return identity{}, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
		}
		return identity{arn: s.userARN(adminName), userID: "AIDAS3LINKSANDBOXADMIN"}, "", ""
	}
	k, ok := s.keys[a.keyID]
	if !ok || k.status != "Active" {
		return identity{}, unknown, "The security token included in the request is invalid: access key " + a.keyID + " is unknown or inactive."
	}
	if !a.verify(r, k.secret, body) {
		return identity{}, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
	}
	k.lastUsed, k.lastService, k.lastRegion = time.Now().UTC(), a.service, a.region
	if k.role != "" {
		return s.roleIdentity(k), "", ""
	}
	u := s.users[k.user]
	return identity{arn: s.userARN(u.name), userID: u.id, user: u.name}, "", ""
}

func (s *iamService) sts(action string, f form, caller identity) (any, *apiError) {
	if action == "AssumeRole" {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.assumeRole(f, caller)
	}
	if action != "GetCallerIdentity" {
		return nil, &apiError{http.StatusBadRequest, "InvalidAction", "the embedded emulator's STS answers only GetCallerIdentity, not " + action}
	}
	return struct {
		Arn, UserId, Account string
	}{caller.arn, caller.userID, s.account}, nil
}

// call runs one IAM action. The handlers below follow IAM's documented
// behaviour for the parameters s3link sends; others are ignored.
func (s *iamService) call(action string, f form, caller identity) (any, *apiError) {
	h, ok := iamActions[action]
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "InvalidAction", "the embedded emulator does not implement IAM " + action}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return h(s, f, caller)
}

type iamHandler func(*iamService, form, identity) (any, *apiError)

var iamActions = map[string]iamHandler{
	"CreateUser":                    (*iamService).createUser,
	"GetUser":                       (*iamService).getUser,
	"ListUsers":                     (*iamService).listUsers,
	"DeleteUser":                    (*iamService).deleteUser,
	"TagUser":                       tagHandler(userTags),
	"UntagUser":                     untagHandler(userTags),
	"ListUserTags":                  listTagsHandler(userTags),
	"PutUserPermissionsBoundary":    (*iamService).putUserBoundary,
	"DeleteUserPermissionsBoundary": (*iamService).deleteUserBoundary,
	"AttachUserPolicy":              attachHandler(userAttached, "User", maxAttachedPerUser),
	"DetachUserPolicy":              detachHandler(userAttached),
	"ListAttachedUserPolicies":      listAttachedHandler(userAttached),
	"ListUserPolicies":              noInlineHandler(userAttached),
	"DeleteUserPolicy":              (*iamService).deleteUserPolicy,
	"ListGroupsForUser":             (*iamService).listGroupsForUser,
	"GetLoginProfile":               (*iamService).noLoginProfile,
	"DeleteLoginProfile":            (*iamService).noLoginProfile,
	"CreatePolicy":                  (*iamService).createPolicy,
	"GetPolicy":                     (*iamService).getPolicy,
	"ListPolicies":                  (*iamService).listPolicies,
	"DeletePolicy":                  (*iamService).deletePolicy,
	"GetPolicyVersion":              (*iamService).getPolicyVersion,
	"ListPolicyVersions":            (*iamService).listPolicyVersions,
	"CreatePolicyVersion":           (*iamService).createPolicyVersion,
	"DeletePolicyVersion":           (*iamService).deletePolicyVersion,
	"TagPolicy":                     tagHandler(policyTags),
	"UntagPolicy":                   untagHandler(policyTags),
	"ListPolicyTags":                listTagsHandler(policyTags),
	"ListEntitiesForPolicy":         (*iamService).listEntitiesForPolicy,
	"DetachGroupPolicy":             (*iamService).noGroupOrRole,
	"CreateAccessKey":               (*iamService).createAccessKey,
	"ListAccessKeys":                (*iamService).listAccessKeys,
	"GetAccessKeyLastUsed":          (*iamService).getAccessKeyLastUsed,
	"UpdateAccessKey":               (*iamService).updateAccessKey,
	"DeleteAccessKey":               (*iamService).deleteAccessKey,
	"CreateRole":                    (*iamService).createRole,
	"GetRole":                       (*iamService).getRole,
	"UpdateAssumeRolePolicy":        (*iamService).updateAssumeRolePolicy,
	"DeleteRole":                    (*iamService).deleteRole,
	"AttachRolePolicy":              attachHandler(roleAttached, "Role", maxAttachedPerRole),
	"DetachRolePolicy":              detachHandler(roleAttached),
	"ListAttachedRolePolicies":      listAttachedHandler(roleAttached),
	"ListRolePolicies":              noInlineHandler(roleAttached),
	"ListRoleTags":                  listTagsHandler(roleTags),
	"TagRole":                       tagHandler(roleTags),
	"UntagRole":                     untagHandler(roleTags),
}

// XML shapes of IAM results.
type (
	xTag struct{ Key, Value string }

	xBoundary struct {
		PermissionsBoundaryType string
		PermissionsBoundaryArn  string
	}

	xUser struct {
		Path                string
		UserName            string
		UserId              string
		Arn                 string
		CreateDate          string
		PermissionsBoundary *xBoundary `xml:",omitempty"`
		Tags                []xTag     `xml:"Tags>member,omitempty"`
	}

	xPolicy struct {
		PolicyName                    string
		PolicyId                      string
		Arn                           string
		Path                          string
		DefaultVersionId              string
		AttachmentCount               int
		PermissionsBoundaryUsageCount int
		IsAttachable                  bool
		Description                   string `xml:",omitempty"`
		CreateDate                    string
		UpdateDate                    string
		Tags                          []xTag `xml:"Tags>member,omitempty"`
	}

	xVersion struct {
		Document         string `xml:",omitempty"`
		VersionId        string
		IsDefaultVersion bool
		CreateDate       string
	}

	xAttached struct{ PolicyName, PolicyArn string }

	xKeyMeta struct{ UserName, AccessKeyId, Status, CreateDate string }
)

// ---- users ----

func (s *iamService) findUser(name string) (*user, *apiError) {
	if name == "" {
		return nil, errValidation("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null")
	}
	u, ok := s.users[name]
	if !ok {
		return nil, errNoSuchEntity("The user with name " + name + " cannot be found.")
	}
	return u, nil
}

func (s *iamService) xUser(u *user, withTags bool) xUser {
	x := xUser{Path: "/", UserName: u.name, UserId: u.id, Arn: s.userARN(u.name), CreateDate: isoTime(u.created)}
	if u.boundary != "" {
		x.PermissionsBoundary = &xBoundary{"PermissionsBoundaryPolicy", u.boundary}
	}
	if withTags {
		x.Tags = u.tags
	}
	return x
}

func validName(kind, name string, max int) *apiError {
	if name == "" || len(name) > max || !iamName.MatchString(name) {
		return errValidation(fmt.Sprintf("The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_- and be 1 to %d characters long.", kind, max))
	}
	return nil
}

// checkBoundary accepts an AWS managed policy or a local one that exists.
func (s *iamService) checkBoundary(arn string) *apiError {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		return nil
	}
	if _, ok := s.policies[arn]; !ok {
		return errNoSuchEntity("Policy " + arn + " does not exist or is not attachable.")
	}
	return nil
}

func mergeTags(have, add []xTag) ([]xTag, *apiError) {
	out := slices.Clone(have)
	for _, t := range add {
		if t.Key == "" {
			return nil, errInvalidInput("a tag key must not be empty")
		}
		i := slices.IndexFunc(out, func(o xTag) bool { return o.Key == t.Key })
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errLimitExceeded(fmt.Sprintf("the number of tags has reached the maximum limit of %d", maxTags))
	}
	return out, nil
}

func removeTags(have []xTag, keys []string) []xTag {
	return slices.DeleteFunc(slices.Clone(have), func(t xTag) bool { return slices.Contains(keys, t.Key) })
}

func (s *iamService) createUser(f form, _ identity) (any, *apiError) {
	name := f.get("UserName")
	if err := validName("userName", name, 64); err != nil {
		return nil, err
	}
	if _, ok := s.users[name]; ok {
		return nil, errAlreadyExists("User with name " + name + " already exists.")
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
	u := &user{name: name, id: s.newID("AIDA"), created: time.Now().UTC(), tags: tags, boundary: b}
	s.users[name] = u
	return struct{ User xUser }{s.xUser(u, true)}, nil
}

func (s *iamService) getUser(f form, caller identity) (any, *apiError) {
	name := f.get("UserName")
	if name == "" {
		if caller.user == "" {
			// The administrator is no IAM user; answer as IAM does for
			// the root user: its ARN and id.
			return struct{ User xUser }{xUser{Path: "/", UserName: adminName, UserId: caller.userID, Arn: caller.arn, CreateDate: isoTime(time.Unix(0, 0))}}, nil
		}
		name = caller.user
	}
	u, err := s.findUser(name)
	if err != nil {
		return nil, err
	}
	return struct{ User xUser }{s.xUser(u, true)}, nil
}

func (s *iamService) listUsers(form, identity) (any, *apiError) {
	names := make([]string, 0, len(s.users))
	for n := range s.users {
		names = append(names, n)
	}
	slices.Sort(names)
	out := struct {
		Users       []xUser `xml:"Users>member"`
		IsTruncated bool
	}{}
	for _, n := range names {
		out.Users = append(out.Users, s.xUser(s.users[n], false))
	}
	return out, nil
}

func (s *iamService) deleteUser(f form, _ identity) (any, *apiError) {
	u, err := s.findUser(f.get("UserName"))
	if err != nil {
		return nil, err
	}
	for _, k := range s.keys {
		if k.user == u.name {
			return nil, errDeleteConflict("Cannot delete entity, must delete access keys first.")
		}
	}
	if len(u.attached) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	delete(s.users, u.name)
	return nil, nil
}

func (s *iamService) putUserBoundary(f form, _ identity) (any, *apiError) {
	u, err := s.findUser(f.get("UserName"))
	if err != nil {
		return nil, err
	}
	b := f.get("PermissionsBoundary")
	if b == "" {
		return nil, errValidation("PermissionsBoundary is required")
	}
	if err := s.checkBoundary(b); err != nil {
		return nil, err
	}
	u.boundary = b
	return nil, nil
}

func (s *iamService) deleteUserBoundary(f form, _ identity) (any, *apiError) {
	u, err := s.findUser(f.get("UserName"))
	if err != nil {
		return nil, err
	}
	if u.boundary == "" {
		return nil, errNoSuchEntity("The user with name " + u.name + " has no permissions boundary.")
	}
	u.boundary = ""
	return nil, nil
}

// Inline policies, groups, roles and console passwords are not emulated
// for users: s3link never makes them, so a user never has any.

func (s *iamService) deleteUserPolicy(f form, _ identity) (any, *apiError) {
	if _, err := s.findUser(f.get("UserName")); err != nil {
		return nil, err
	}
	return nil, errNoSuchEntity("The user policy with name " + f.get("PolicyName") + " cannot be found.")
}

func (s *iamService) listGroupsForUser(f form, _ identity) (any, *apiError) {
	if _, err := s.findUser(f.get("UserName")); err != nil {
		return nil, err
	}
	return struct {
		Groups      []string `xml:"Groups>member"`
		IsTruncated bool
	}{}, nil
}

func (s *iamService) noLoginProfile(f form, _ identity) (any, *apiError) {
	u, err := s.findUser(f.get("UserName"))
	if err != nil {
		return nil, err
	}
	return nil, errNoSuchEntity("The user with name " + u.name + " has no login profile.")
}

func (s *iamService) noGroupOrRole(f form, _ identity) (any, *apiError) {
	name := f.get("GroupName") + f.get("RoleName")
	return nil, errNoSuchEntity("The group or role with name " + name + " cannot be found.")
}

// ---- policies ----

func (s *iamService) findPolicy(arn string) (*policy, *apiError) {
	p, ok := s.policies[arn]
	if !ok {
		return nil, errNoSuchEntity("Policy " + arn + " does not exist or is not attachable.")
	}
	return p, nil
}

func (s *iamService) attachments(arn string) []*user {
	var out []*user
	for _, u := range s.users {
		if slices.Contains(u.attached, arn) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b *user) int { return strings.Compare(a.name, b.name) })
	return out
}

// boundedBy lists the users whose permissions boundary is the policy arn,
// by name.
func (s *iamService) boundedBy(arn string) []*user {
	var out []*user
	for _, u := range s.users {
		if u.boundary == arn {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b *user) int { return strings.Compare(a.name, b.name) })
	return out
}

func (s *iamService) boundaryUses(arn string) int { return len(s.boundedBy(arn)) }

func (s *iamService) xPolicy(p *policy, withTags bool) xPolicy {
	x := xPolicy{
		PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: "/", DefaultVersionId: p.defaultVersion,
		AttachmentCount: len(s.attachments(p.arn)), PermissionsBoundaryUsageCount: s.boundaryUses(p.arn),
		IsAttachable: true, Description: p.description, CreateDate: isoTime(p.created), UpdateDate: isoTime(p.updated),
	}
	if withTags {
		x.Tags = p.tags
	}
	return x
}

func checkDocument(doc string) *apiError {
	var v map[string]any
	if doc == "" || json.Unmarshal([]byte(doc), &v) != nil {
		return &apiError{http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy."}
	}
	if _, ok := v["Statement"]; !ok {
		return &apiError{http.StatusBadRequest, "MalformedPolicyDocument", "Policy document must contain a Statement."}
	}
	return nil
}

func (s *iamService) createPolicy(f form, _ identity) (any, *apiError) {
	name := f.get("PolicyName")
	if err := validName("policyName", name, 128); err != nil {
		return nil, err
	}
	arn := s.policyARN(name)
	if _, ok := s.policies[arn]; ok {
		return nil, errAlreadyExists("A policy called " + name + " already exists. Duplicate names are not allowed.")
	}
	doc := f.get("PolicyDocument")
	if err := checkDocument(doc); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, f.tags())
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	p := &policy{name: name, id: s.newID("ANPA"), arn: arn, description: f.get("Description"),
		created: now, updated: now, tags: tags, nextVersion: 2, defaultVersion: "v1",
		versions: []*policyVersion{{id: "v1", doc: doc, created: now}}}
	s.policies[arn] = p
	return struct{ Policy xPolicy }{s.xPolicy(p, true)}, nil
}

func (s *iamService) getPolicy(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	return struct{ Policy xPolicy }{s.xPolicy(p, true)}, nil
}

func (s *iamService) listPolicies(f form, _ identity) (any, *apiError) {
	out := struct {
		Policies    []xPolicy `xml:"Policies>member"`
		IsTruncated bool
	}{}
	if f.get("Scope") == "AWS" {
		// AWS managed policies are not emulated.
		return out, nil
	}
	arns := make([]string, 0, len(s.policies))
	for a := range s.policies {
		arns = append(arns, a)
	}
	slices.Sort(arns)
	for _, a := range arns {
		p := s.policies[a]
		if f.get("OnlyAttached") == "true" && len(s.attachments(a)) == 0 {
			continue
		}
		out.Policies = append(out.Policies, s.xPolicy(p, false))
	}
	return out, nil
}

func (s *iamService) deletePolicy(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	if len(s.attachments(p.arn)) > 0 {
		return nil, errDeleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(s.boundedBy(p.arn)) > 0 {
		return nil, errDeleteConflict("Cannot delete a policy used as a permissions boundary: remove it from every user's boundary first.")
	}
	if s.roleUses(p.arn) > 0 {
		return nil, errDeleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.versions) > 1 {
		return nil, errDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.policies, p.arn)
	return nil, nil
}

func (p *policy) version(id string) (int, *apiError) {
	i := slices.IndexFunc(p.versions, func(v *policyVersion) bool { return v.id == id })
	if i < 0 {
		return 0, errNoSuchEntity("Policy " + p.arn + " version " + id + " does not exist or is not attachable.")
	}
	return i, nil
}

func (s *iamService) getPolicyVersion(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	i, err := p.version(f.get("VersionId"))
	if err != nil {
		return nil, err
	}
	v := p.versions[i]
	return struct{ PolicyVersion xVersion }{xVersion{policyEscape(v.doc), v.id, v.id == p.defaultVersion, isoTime(v.created)}}, nil
}

func (s *iamService) listPolicyVersions(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	out := struct {
		Versions    []xVersion `xml:"Versions>member"`
		IsTruncated bool
	}{}
	// Newest first, as IAM lists them.
	for i := len(p.versions) - 1; i >= 0; i-- {
		v := p.versions[i]
		out.Versions = append(out.Versions, xVersion{VersionId: v.id, IsDefaultVersion: v.id == p.defaultVersion, CreateDate: isoTime(v.created)})
	}
	return out, nil
}

func (s *iamService) createPolicyVersion(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	doc := f.get("PolicyDocument")
	if err := checkDocument(doc); err != nil {
		return nil, err
	}
	if len(p.versions) >= maxPolicyVersions {
		return nil, errLimitExceeded(fmt.Sprintf("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions))
	}
	now := time.Now().UTC()
	v := &policyVersion{id: "v" + strconv.Itoa(p.nextVersion), doc: doc, created: now}
	p.nextVersion++
	p.versions = append(p.versions, v)
	if f.get("SetAsDefault") == "true" {
		p.defaultVersion = v.id
	}
	p.updated = now
	return struct{ PolicyVersion xVersion }{xVersion{VersionId: v.id, IsDefaultVersion: v.id == p.defaultVersion, CreateDate: isoTime(v.created)}}, nil
}

func (s *iamService) deletePolicyVersion(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	i, err := p.version(f.get("VersionId"))
	if err != nil {
		return nil, err
	}
	if p.versions[i].id == p.defaultVersion {
		return nil, errDeleteConflict("Cannot delete the default version of a policy.")
	}
	p.versions = slices.Delete(p.versions, i, i+1)
	return nil, nil
}

func (s *iamService) listEntitiesForPolicy(f form, _ identity) (any, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	type member struct{ UserName, UserId string }
	out := struct {
		PolicyUsers  []member `xml:"PolicyUsers>member"`
		PolicyGroups []string `xml:"PolicyGroups>member"`
		PolicyRoles  []string `xml:"PolicyRoles>member"`
		IsTruncated  bool
	}{}
	// PolicyUsageFilter picks attachments (PermissionsPolicy, also the
	// default: the entities the policy "is attached to") or the users
	// whose permissions boundary it is (PermissionsBoundary). Groups and
	// roles are not emulated, so they are never listed.
	var users []*user
	switch usage := f.get("PolicyUsageFilter"); usage {
	case "", "PermissionsPolicy":
		users = s.attachments(p.arn)
	case "PermissionsBoundary":
		users = s.boundedBy(p.arn)
	default:
		return nil, errValidation("1 validation error detected: Value '" + usage + "' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]")
	}
	switch filter := f.get("EntityFilter"); filter {
	case "", "User":
		for _, u := range users {
			out.PolicyUsers = append(out.PolicyUsers, member{u.name, u.id})
		}
	case "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		return nil, errValidation("1 validation error detected: Value '" + filter + "' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
	}
	return out, nil
}

// ---- access keys ----

func (s *iamService) keyOwner(f form, caller identity) (*user, *apiError) {
	name := f.get("UserName")
	if name == "" {
		if caller.user == "" {
			return nil, errValidation("the embedded emulator keeps no access keys for the administrator; name a user")
		}
		name = caller.user
	}
	return s.findUser(name)
}

func (s *iamService) userKeys(name string) []*accessKey {
	var out []*accessKey
	for _, k := range s.keys {
		if k.user == name {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b *accessKey) int { return a.created.Compare(b.created) })
	return out
}

func (s *iamService) createAccessKey(f form, caller identity) (any, *apiError) {
	u, err := s.keyOwner(f, caller)
	if err != nil {
		return nil, err
	}
	if len(s.userKeys(u.name)) >= maxAccessKeys {
		return nil, errLimitExceeded(fmt.Sprintf("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys))
	}
	k := &accessKey{id: s.newID("AKIA"), user: u.name, status: "Active", created: time.Now().UTC(),
		secret: randomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
	s.keys[k.id] = k
	return struct {
		AccessKey struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }
	}{struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }{u.name, k.id, k.status, k.secret, isoTime(k.created)}}, nil
}

func (s *iamService) listAccessKeys(f form, caller identity) (any, *apiError) {
	u, err := s.keyOwner(f, caller)
	if err != nil {
		return nil, err
	}
	out := struct {
		UserName          string
		AccessKeyMetadata []xKeyMeta `xml:"AccessKeyMetadata>member"`
		IsTruncated       bool
	}{UserName: u.name}
	for _, k := range s.userKeys(u.name) {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, xKeyMeta{u.name, k.id, k.status, isoTime(k.created)})
	}
	return out, nil
}

func (s *iamService) findKey(f form, caller identity) (*accessKey, *apiError) {
	id := f.get("AccessKeyId")
	k, ok := s.keys[id]
	if !ok {
		return nil, errNoSuchEntity("The Access Key with id " + id + " cannot be found.")
	}
	if f.get("UserName") != "" || caller.user != "" {
		u, err := s.keyOwner(f, caller)
		if err != nil {
			return nil, err
		}
		if k.user != u.name {
			return nil, errNoSuchEntity("The Access Key with id " + id + " cannot be found.")
		}
	}
	return k, nil
}

func (s *iamService) getAccessKeyLastUsed(f form, _ identity) (any, *apiError) {
	id := f.get("AccessKeyId")
	k, ok := s.keys[id]
	if !ok {
		return nil, errNoSuchEntity("The Access Key with id " + id + " cannot be found.")
	}
	type lastUsed struct {
		LastUsedDate string `xml:",omitempty"`
		ServiceName  string
		Region       string
	}
	out := struct {
		UserName          string
		AccessKeyLastUsed lastUsed
	}{UserName: k.user, AccessKeyLastUsed: lastUsed{ServiceName: "N/A", Region: "N/A"}}
	if !k.lastUsed.IsZero() {
		out.AccessKeyLastUsed = lastUsed{isoTime(k.lastUsed), k.lastService, k.lastRegion}
	}
	return out, nil
}

func (s *iamService) updateAccessKey(f form, caller identity) (any, *apiError) {
	k, err := s.findKey(f, caller)
	if err != nil {
		return nil, err
	}
	switch st := f.get("Status"); st {
	case "Active", "Inactive":
		k.status = st
	default:
		return nil, errValidation("Status must be Active or Inactive")
	}
	return nil, nil
}

func (s *iamService) deleteAccessKey(f form, caller identity) (any, *apiError) {
	k, err := s.findKey(f, caller)
	if err != nil {
		return nil, err
	}
	delete(s.keys, k.id)
	return nil, nil
}

// tagsOf finds the tag list of the user or policy a request names.
type tagsOf func(*iamService, form) (*[]xTag, *apiError)

func userTags(s *iamService, f form) (*[]xTag, *apiError) {
	u, err := s.findUser(f.get("UserName"))
	if err != nil {
		return nil, err
	}
	return &u.tags, nil
}

func policyTags(s *iamService, f form) (*[]xTag, *apiError) {
	p, err := s.findPolicy(f.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	return &p.tags, nil
}

// tagHandler is TagUser or TagPolicy: the request's tags merged in.
func tagHandler(of tagsOf) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		tags, err := of(s, f)
		if err != nil {
			return nil, err
		}
		merged, err := mergeTags(*tags, f.tags())
		if err != nil {
			return nil, err
		}
		*tags = merged
		return nil, nil
	}
}

// untagHandler is UntagUser or UntagPolicy.
func untagHandler(of tagsOf) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		tags, err := of(s, f)
		if err != nil {
			return nil, err
		}
		*tags = removeTags(*tags, f.members("TagKeys"))
		return nil, nil
	}
}

// listTagsHandler is ListUserTags or ListPolicyTags (one page).
func listTagsHandler(of tagsOf) iamHandler {
	return func(s *iamService, f form, _ identity) (any, *apiError) {
		tags, err := of(s, f)
		if err != nil {
			return nil, err
		}
		return struct {
			Tags        []xTag `xml:"Tags>member"`
			IsTruncated bool
		}{Tags: *tags}, nil
	}
}
