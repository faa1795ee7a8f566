package awsops

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The -update flag may already be registered by another test file or an
// imported golden helper in this package's test binary; package-level
// variables and imported packages initialise before init, so looking the
// flag up here avoids a "flag redefined" panic either way.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "update .golden files")
	}
}

func policyGoldenUpdate() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}

// requirePolicyGolden compares got with testdata/<name>.golden byte for
// byte, rewriting the file under -update.
func requirePolicyGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if policyGoldenUpdate() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./awsops -run Policy -update): %v", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Fatalf("%s does not match; got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestPolicyDocumentGolden(t *testing.T) {
	tests := []struct {
		name, golden, bucket, prefix string
	}{
		{"prefix", "policy_prefix", "crowdai-imagery", "path/to/files"},
		{"root", "policy_root", "crowdai-imagery", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requirePolicyGolden(t, tt.golden, PolicyDocument(tt.bucket, tt.prefix))
		})
	}
}

func TestCallerPolicyDocumentGolden(t *testing.T) {
	requirePolicyGolden(t, "caller_policy", CallerPolicyDocument(callerScope))
}

// productPrefixPolicy is the document PRODUCT.md spells out, with {B} for
// the bucket and {P} for the prefix.
const productPrefixPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowObjectAccess", "Effect": "Allow", "Action": ["s3:GetObject"],
     "Resource": ["arn:aws:s3:::{B}/{P}/*"]},
    {"Sid": "AllowObjectsListing1", "Effect": "Allow", "Action": ["s3:ListBucket"],
     "Resource": ["arn:aws:s3:::{B}"],
     "Condition": {"StringEquals": {"s3:prefix": ["{P}"], "s3:delimiter": ["/"]}}},
    {"Sid": "AllowObjectsListing2", "Effect": "Allow", "Action": ["s3:ListBucket"],
     "Resource": ["arn:aws:s3:::{B}"],
     "Condition": {"StringLike": {"s3:prefix": ["{P}/*"]}}}
  ]
}`

const productRootPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowObjectAccess", "Effect": "Allow", "Action": ["s3:GetObject"],
     "Resource": ["arn:aws:s3:::{B}/*"]},
    {"Sid": "AllowObjectsListing", "Effect": "Allow", "Action": ["s3:ListBucket"],
     "Resource": ["arn:aws:s3:::{B}"]}
  ]
}`

func decodeJSONValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, s)
	}
	return v
}

func TestPolicyDocumentMatchesProduct(t *testing.T) {
	tests := []struct {
		name, bucket, prefix, want string
	}{
		{
			name: "prefix", bucket: "crowdai-imagery", prefix: "path/to/files",
			want: strings.NewReplacer("{B}", "crowdai-imagery", "{P}", "path/to/files").Replace(productPrefixPolicy),
		},
		{
			name: "single segment", bucket: "media", prefix: "incoming",
			want: strings.NewReplacer("{B}", "media", "{P}", "incoming").Replace(productPrefixPolicy),
		},
		{
			name: "root", bucket: "crowdai-imagery", prefix: "",
			want: strings.NewReplacer("{B}", "crowdai-imagery").Replace(productRootPolicy),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeJSONValue(t, PolicyDocument(tt.bucket, tt.prefix))
			want := decodeJSONValue(t, tt.want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("policy differs from PRODUCT.md:\ngot  %v\nwant %v", got, want)
			}
		})
	}
}

// typedPolicy mirrors the document for semantic checks, independent of the
// encoder's types.
type typedPolicy struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Action    []string
		Resource  []string
		Condition map[string]map[string][]string
	}
}

func TestPolicyDocumentSemantics(t *testing.T) {
	var p typedPolicy
	if err := json.Unmarshal([]byte(PolicyDocument("crowdai-imagery", "path/to/files")), &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != "2012-10-17" {
		t.Errorf("Version = %q", p.Version)
	}
	if len(p.Statement) != 3 {
		t.Fatalf("got %d statements, want 3", len(p.Statement))
	}
	get, list1, list2 := p.Statement[0], p.Statement[1], p.Statement[2]
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			t.Errorf("%s: Effect = %q, want Allow", s.Sid, s.Effect)
		}
	}
	if get.Sid != "AllowObjectAccess" || !slices.Equal(get.Action, []string{"s3:GetObject"}) ||
		!slices.Equal(get.Resource, []string{"arn:aws:s3:::crowdai-imagery/path/to/files/*"}) || get.Condition != nil {
		t.Errorf("object statement = %+v", get)
	}
	if list1.Sid != "AllowObjectsListing1" || !slices.Equal(list1.Action, []string{"s3:ListBucket"}) ||
		!slices.Equal(list1.Resource, []string{"arn:aws:s3:::crowdai-imagery"}) {
		t.Errorf("listing 1 = %+v", list1)
	}
	wantCond1 := map[string]map[string][]string{"StringEquals": {"s3:prefix": {"path/to/files"}, "s3:delimiter": {"/"}}}
	if !reflect.DeepEqual(list1.Condition, wantCond1) {
		t.Errorf("listing 1 condition = %v, want %v", list1.Condition, wantCond1)
	}
	if list2.Sid != "AllowObjectsListing2" || !slices.Equal(list2.Action, []string{"s3:ListBucket"}) ||
		!slices.Equal(list2.Resource, []string{"arn:aws:s3:::crowdai-imagery"}) {
		t.Errorf("listing 2 = %+v", list2)
	}
	wantCond2 := map[string]map[string][]string{"StringLike": {"s3:prefix": {"path/to/files/*"}}}
	if !reflect.DeepEqual(list2.Condition, wantCond2) {
		t.Errorf("listing 2 condition = %v, want %v", list2.Condition, wantCond2)
	}

	var root typedPolicy
	if err := json.Unmarshal([]byte(PolicyDocument("b-1", "")), &root); err != nil {
		t.Fatal(err)
	}
	if len(root.Statement) != 2 {
		t.Fatalf("root: got %d statements, want 2", len(root.Statement))
	}
	if s := root.Statement[0]; s.Sid != "AllowObjectAccess" || !slices.Equal(s.Action, []string{"s3:GetObject"}) ||
		!slices.Equal(s.Resource, []string{"arn:aws:s3:::b-1/*"}) || s.Condition != nil {
		t.Errorf("root object statement = %+v", s)
	}
	if s := root.Statement[1]; s.Sid != "AllowObjectsListing" || !slices.Equal(s.Action, []string{"s3:ListBucket"}) ||
		!slices.Equal(s.Resource, []string{"arn:aws:s3:::b-1"}) || s.Condition != nil {
		t.Errorf("root listing statement = %+v (a condition would block recursive listing)", s)
	}
}

func TestPolicyDocumentKeyOrder(t *testing.T) {
	doc := PolicyDocument("crowdai-imagery", "path/to/files")
	if !strings.HasSuffix(doc, "}\n") || strings.HasSuffix(doc, "\n\n") {
		t.Errorf("document should end with exactly one newline")
	}
	if !strings.HasPrefix(doc, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": ") {
		t.Errorf("unexpected start or indentation:\n%s", doc)
	}
	order := []string{`"Sid"`, `"Effect"`, `"Action"`, `"Resource"`, `"Condition"`}
	last := -1
	stmt := doc[strings.Index(doc, `"AllowObjectsListing1"`)-len(`"Sid": `):]
	for _, k := range order {
		i := strings.Index(stmt, k)
		if i < 0 || i < last {
			t.Fatalf("key %s out of order in statement:\n%s", k, stmt)
		}
		last = i
	}
	if PolicyDocument("crowdai-imagery", "path/to/files") != doc {
		t.Error("two calls gave different bytes")
	}
}

func TestPolicyNoHeadObject(t *testing.T) {
	docs := map[string]string{
		"prefix": PolicyDocument("crowdai-imagery", "path/to/files"),
		"root":   PolicyDocument("crowdai-imagery", ""),
		"caller": CallerPolicyDocument(callerScope),
	}
	for name, doc := range docs {
		var p typedPolicy
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, s := range p.Statement {
			for _, a := range s.Action {
				if strings.EqualFold(a, "s3:HeadObject") {
					t.Errorf("%s: statement %s allows s3:HeadObject, which IAM does not have", name, s.Sid)
				}
			}
		}
		if strings.Contains(strings.ToLower(doc), "headobject") {
			t.Errorf("%s: document mentions HeadObject", name)
		}
	}
}

func TestPolicyDocumentEscapesWildcards(t *testing.T) {
	tests := []struct {
		name, prefix, wantResource, wantEquals, wantLike string
	}{
		{"star", "raw*", "arn:aws:s3:::b-1/raw${*}/*", "raw${*}", "raw${*}/*"},
		{"question", "a?b", "arn:aws:s3:::b-1/a${?}b/*", "a${?}b", "a${?}b/*"},
		{"policy variable", "u/${aws:username}", "arn:aws:s3:::b-1/u/${$}{aws:username}/*", "u/${$}{aws:username}", "u/${$}{aws:username}/*"},
		{"html characters stay readable", "a&b<c>", "arn:aws:s3:::b-1/a&b<c>/*", "a&b<c>", "a&b<c>/*"},
		{"unicode", "fotos/über", "arn:aws:s3:::b-1/fotos/über/*", "fotos/über", "fotos/über/*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := PolicyDocument("b-1", tt.prefix)
			var p typedPolicy
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				t.Fatal(err)
			}
			if got := p.Statement[0].Resource[0]; got != tt.wantResource {
				t.Errorf("Resource = %q, want %q", got, tt.wantResource)
			}
			if got := p.Statement[1].Condition["StringEquals"]["s3:prefix"][0]; got != tt.wantEquals {
				t.Errorf("StringEquals prefix = %q, want %q", got, tt.wantEquals)
			}
			if got := p.Statement[2].Condition["StringLike"]["s3:prefix"][0]; got != tt.wantLike {
				t.Errorf("StringLike prefix = %q, want %q", got, tt.wantLike)
			}
			if strings.Contains(doc, `\u0026`) || strings.Contains(doc, `\u003c`) {
				t.Errorf("document is HTML-escaped:\n%s", doc)
			}
		})
	}
}

// callerScope is the scope the caller-policy tests print.
var callerScope = CallerScope{Account: "123456789012", Bucket: "crowdai-imagery", Prefix: "path/to/files", UserName: "crowdai-platform-access", PolicyName: "CrowdAI-Platform-Access"}

// sdkActions maps the SDK operations s3link calls to the IAM actions that
// authorise them, where the two names differ.
var sdkActions = map[string]string{
	"s3:HeadBucket":              "s3:ListBucket",
	"s3:ListObjectsV2":           "s3:ListBucket",
	"s3:ListBuckets":             "s3:ListAllMyBuckets",
	"s3:PutBucketEncryption":     "s3:PutEncryptionConfiguration",
	"s3:GetBucketEncryption":     "s3:GetEncryptionConfiguration",
	"s3:GetPublicAccessBlock":    "s3:GetBucketPublicAccessBlock",
	"s3:PutPublicAccessBlock":    "s3:PutBucketPublicAccessBlock",
	"s3:HeadObject":              "s3:GetObject",
	"s3:CreateMultipartUpload":   "s3:PutObject",
	"s3:UploadPart":              "s3:PutObject",
	"s3:CompleteMultipartUpload": "s3:PutObject",
	"s3:ListMultipartUploads":    "s3:ListBucketMultipartUploads",
	"s3:ListParts":               "s3:ListMultipartUploadParts",
}

// calledActions reads the source of awsops and the upload engine (which runs
// with the caller's credentials) and lists every IAM action its SDK calls
// need, so the caller policy cannot drift from the code.
func calledActions(t *testing.T) []string {
	t.Helper()
	direct := regexp.MustCompile(`c\.(iam|s3|sts)\.([A-Z]\w+)\(`)
	paged := regexp.MustCompile(`(iam|s3)\.New(\w+)Paginator`)
	upload := regexp.MustCompile(`\.(PutObject|CreateMultipartUpload|UploadPart|CompleteMultipartUpload|AbortMultipartUpload|ListObjectsV2|HeadObject|GetObject|ListMultipartUploads|ListParts)\(`)
	seen := map[string]bool{}
	add := func(svc, op string) {
		a := svc + ":" + op
		if m, ok := sdkActions[a]; ok {
			a = m
		}
		seen[a] = true
	}
	files, _ := filepath.Glob("*.go")
	up, _ := filepath.Glob("transfer/upload/*.go")
	for _, f := range append(files, up...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range direct.FindAllStringSubmatch(string(src), -1) {
			add(m[1], m[2])
		}
		for _, m := range paged.FindAllStringSubmatch(string(src), -1) {
			add(m[1], m[2])
		}
		if strings.HasPrefix(f, "transfer/upload/") {
			for _, m := range upload.FindAllStringSubmatch(string(src), -1) {
				add("s3", m[1])
			}
		}
	}
	// Creating with tags needs the tagging permissions too.
	seen["iam:TagPolicy"], seen["iam:TagUser"], seen["s3:TagResource"], seen["iam:TagRole"] = true, true, true, true
	// A role link's proof assumes the role through the SDK's stscreds.
	seen["sts:AssumeRole"] = true
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

func TestCallerPolicyDocument(t *testing.T) {
	var p typedPolicy
	if err := json.Unmarshal([]byte(CallerPolicyDocument(callerScope)), &p); err != nil {
		t.Fatal(err)
	}
	var got []string
	sids := map[string]bool{}
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			t.Errorf("statement %s = %+v", s.Sid, s)
		}
		if sids[s.Sid] || s.Sid == "" {
			t.Errorf("statement id %q missing or repeated", s.Sid)
		}
		sids[s.Sid] = true
		if !slices.IsSorted(s.Action) {
			t.Errorf("statement %s actions are not sorted", s.Sid)
		}
		for _, r := range s.Resource {
			// Only the global actions may be on "*".
			if r == "*" && s.Sid != "S3LinkGlobal" {
				t.Errorf("statement %s puts %v on *", s.Sid, s.Action)
			}
			if strings.Contains(r, "*") && r != "*" && !strings.HasSuffix(r, "/path/to/files/*") {
				t.Errorf("statement %s has a wildcard resource %s", s.Sid, r)
			}
		}
		got = append(got, s.Action...)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	want := calledActions(t)
	if !slices.Equal(got, want) {
		t.Errorf("caller actions differ from what the code calls:\ngot  %v\nwant %v", got, want)
	}
	if first, again := CallerPolicyDocument(callerScope), CallerPolicyDocument(callerScope); first != again {
		t.Error("caller policy is not deterministic")
	}
}

func TestCallerPolicyConditions(t *testing.T) {
	var p typedPolicy
	if err := json.Unmarshal([]byte(CallerPolicyDocument(callerScope)), &p); err != nil {
		t.Fatal(err)
	}
	policyARN := "arn:aws:iam::123456789012:policy/CrowdAI-Platform-Access"
	for _, s := range p.Statement {
		for _, a := range s.Action {
			switch a {
			case "iam:AttachUserPolicy", "iam:DetachUserPolicy":
				// Attach and detach only the platform policy.
				if got := s.Condition["ArnEquals"]["iam:PolicyARN"]; !slices.Equal(got, []string{policyARN}) {
					t.Errorf("%s condition = %v, want iam:PolicyARN %s", a, s.Condition, policyARN)
				}
			case "iam:CreateUser", "iam:PutUserPermissionsBoundary":
				// No user without the platform boundary.
				if got := s.Condition["ArnEquals"]["iam:PermissionsBoundary"]; !slices.Contains(got, policyARN) {
					t.Errorf("%s condition = %v, want iam:PermissionsBoundary", a, s.Condition)
				}
			case "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion":
				if _, ok := s.Condition["Null"]["aws:ResourceTag/"+SetupTagKey]; !ok {
					t.Errorf("%s may change policies without s3link's tag: %v", a, s.Condition)
				}
			case "iam:CreateAccessKey", "iam:DeleteUser":
				if !slices.Equal(s.Resource, []string{"arn:aws:iam::123456789012:user/crowdai-platform-access"}) {
					t.Errorf("%s on %v, want the platform user only", a, s.Resource)
				}
			}
		}
	}
}

func TestPolicySummary(t *testing.T) {
	tests := []struct {
		name, bucket, prefix string
		want                 []string
	}{
		{"prefix", "crowdai-imagery", "path/to/files", []string{"s3://crowdai-imagery/path/to/files/", "Download", "List", "Nothing else"}},
		{"root", "crowdai-imagery", "", []string{"bucket crowdai-imagery", "Download", "List every file", "Nothing else"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := PolicySummary(tt.bucket, tt.prefix)
			if len(lines) < 2 || len(lines) > 5 {
				t.Fatalf("got %d lines, want a few", len(lines))
			}
			all := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("summary lacks %q:\n%s", w, all)
				}
			}
			for _, l := range lines {
				if !strings.HasSuffix(l, ".") || strings.Contains(l, "\n") {
					t.Errorf("line %q is not one sentence", l)
				}
			}
		})
	}
}

func TestPolicyDifferences(t *testing.T) {
	d := PolicyDifferences()
	if len(d) != 2 || d[0] != PolicyDifferenceHeadObject || d[1] != PolicyDifferenceRoot {
		t.Fatalf("PolicyDifferences() = %q", d)
	}
	for _, s := range d {
		if strings.Count(s, ". ") != 0 || !strings.HasSuffix(s, ".") {
			t.Errorf("%q is not one sentence", s)
		}
	}
	if !strings.Contains(PolicyDifferenceHeadObject, "s3:HeadObject") || !strings.Contains(PolicyDifferenceHeadObject, "s3:GetObject") {
		t.Errorf("HeadObject difference does not name both actions")
	}
	if !strings.Contains(PolicyDifferenceRoot, "root") {
		t.Errorf("root difference does not mention the root")
	}
}

func TestPolicySize(t *testing.T) {
	if err := CheckPolicySize(PolicyDocument("crowdai-imagery", "path/to/files")); err != nil {
		t.Errorf("small policy refused: %v", err)
	}
	if err := CheckPolicySize(CallerPolicyDocument(callerScope)); err != nil {
		t.Errorf("caller policy refused: %v", err)
	}
	if got := PolicySize("{ \"a\" :\n [ ] }"); got != 8 {
		t.Errorf("PolicySize ignores whitespace: got %d, want 8", got)
	}
	// A prefix made of escaped characters quadruples in the document.
	long := strings.Repeat("$", MaxPrefixLen)
	if err := CheckPolicySize(PolicyDocument("crowdai-imagery", long)); err == nil {
		t.Error("oversized policy accepted")
	}
	if err := CheckPolicySize(PolicyDocument("crowdai-imagery", strings.Repeat("a", MaxPrefixLen))); err != nil {
		t.Errorf("a plain prefix of the longest allowed length should fit: %v", err)
	}
}
