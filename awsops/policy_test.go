package awsops

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
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
	requirePolicyGolden(t, "caller_policy", CallerPolicyDocument())
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
		"caller": CallerPolicyDocument(),
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

func TestCallerPolicyDocument(t *testing.T) {
	var p typedPolicy
	if err := json.Unmarshal([]byte(CallerPolicyDocument()), &p); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"sts:GetCallerIdentity",
		"s3:CreateBucket", "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:PutBucketPublicAccessBlock",
		"s3:GetBucketPublicAccessBlock", "s3:PutEncryptionConfiguration", "s3:ListBucket", "s3:DeleteBucket",
		"s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload",
		"iam:CreatePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
		"iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:ListEntitiesForPolicy",
		"iam:CreateUser", "iam:GetUser", "iam:TagUser", "iam:DeleteUser", "iam:AttachUserPolicy",
		"iam:DetachUserPolicy", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:DeleteUserPolicy",
		"iam:DeleteLoginProfile", "iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey",
		"iam:GetAccessKeyLastUsed",
	}
	var got []string
	sids := map[string]bool{}
	for _, s := range p.Statement {
		if s.Effect != "Allow" || !slices.Equal(s.Resource, []string{"*"}) || s.Condition != nil {
			t.Errorf("statement %s = %+v", s.Sid, s)
		}
		if sids[s.Sid] || s.Sid == "" {
			t.Errorf("statement id %q missing or repeated", s.Sid)
		}
		sids[s.Sid] = true
		svc := ""
		for _, a := range s.Action {
			prefix, _, _ := strings.Cut(a, ":")
			if svc == "" {
				svc = prefix
			}
			if prefix != svc {
				t.Errorf("statement %s mixes services %s and %s", s.Sid, svc, prefix)
			}
		}
		if !slices.IsSorted(s.Action) {
			t.Errorf("statement %s actions are not sorted", s.Sid)
		}
		got = append(got, s.Action...)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("caller actions:\ngot  %v\nwant %v", got, want)
	}
	if CallerPolicyDocument() != CallerPolicyDocument() {
		t.Error("caller policy is not deterministic")
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
	if err := CheckPolicySize(CallerPolicyDocument()); err != nil {
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
