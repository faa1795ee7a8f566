package awsops

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// wantRefusal checks that err is an *InvalidError holding one lower-case
// clause, and that the sentence ui/text makes of it (first letter
// capitalised, a period added) contains want.
func wantRefusal(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want a refusal containing %q", want)
	}
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("error %q is a %T, want an *InvalidError", err, err)
	}
	msg := err.Error()
	if shown := strings.ToUpper(msg[:1]) + msg[1:] + "."; !strings.Contains(shown, want) {
		t.Fatalf("error %q, shown as %q, does not contain %q", msg, shown, want)
	}
	if strings.HasSuffix(msg, ".") || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error %q is not one clause without its period", msg)
	}
	if first, _ := utf8.DecodeRuneInString(msg); !(first >= 'a' && first <= 'z' || first == '"') {
		t.Fatalf("error %q does not start in lower case", msg)
	}
}

func TestValidateBucketName(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // "" means accepted; otherwise part of the refusal
	}{
		{"manual guide example", "crowdai-imagery", ""},
		{"digits and dots", "my.media.2024", ""},
		{"shortest", "abc", ""},
		{"starts with digit", "1bucket", ""},
		{"longest", strings.Repeat("a", 63), ""},
		{"xn without dashes", "xn-media", ""},
		{"reserved word inside", "media-s3alias-x", ""},
		{"ip-like with letters", "192.168.5.a4", ""},
		{"three dotted numbers", "10.0.0", ""},

		{"empty", "", "Enter a bucket name"},
		{"brief example", "My_Bucket", `Bucket names can use only lowercase letters, digits, dots and hyphens: change "My_Bucket".`},
		{"uppercase only", "MyBucket", `use "mybucket" instead`},
		{"underscore", "my_bucket", "only lowercase letters, digits, dots and hyphens"},
		{"space", "my bucket", "only lowercase letters"},
		{"slash", "my/bucket", "only lowercase letters"},
		{"unicode", "médias", "only lowercase letters"},
		{"control char quoted safely", "a\x1b[31mb", `"a\x1b[31mb"`},
		{"too short", "ab", "at least 3 characters"},
		{"too long", strings.Repeat("a", 64), "at most 63 characters"},
		{"starts with hyphen", "-media", "start and end with a letter or digit"},
		{"ends with hyphen", "media-", "start and end with a letter or digit"},
		{"starts with dot", ".media", "start and end with a letter or digit"},
		{"ends with dot", "media.", "start and end with a letter or digit"},
		{"double dot", "my..media", "two dots in a row"},
		{"dot hyphen", "my.-media", "dot next to a hyphen"},
		{"hyphen dot", "my-.media", "dot next to a hyphen"},
		{"ipv4", "192.168.5.4", "IP address"},
		{"ipv4 leading zeros", "192.168.05.004", "IP address"},
		{"prefix xn--", "xn--media", `start with "xn--"`},
		{"prefix sthree-", "sthree-media", `start with "sthree-"`},
		{"prefix sthree-configurator", "sthree-configurator", `start with "sthree-"`},
		{"prefix amzn-s3-demo-", "amzn-s3-demo-bucket", `start with "amzn-s3-demo-"`},
		{"suffix -s3alias", "media-s3alias", `end with "-s3alias"`},
		{"suffix --ol-s3", "media--ol-s3", `end with "--ol-s3"`},
		{"suffix .mrap", "media.mrap", `end with ".mrap"`},
		{"suffix --x-s3", "media--x-s3", `end with "--x-s3"`},
		{"suffix --table-s3", "media--table-s3", `end with "--table-s3"`},
		{"long input is cut in the message", strings.Repeat("A_", 500), "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateBucketName(tt.input)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateBucketName(%q) = %v, want nil", tt.input, err)
				}
				return
			}
			wantRefusal(t, err, tt.want)
			if len(err.Error()) > 300 {
				t.Errorf("message is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestValidateUserName(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"default", "crowdai-platform-access", ""},
		{"all allowed characters", "Aa0+=,.@_-", ""},
		{"one character", "a", ""},
		{"longest", strings.Repeat("u", 64), ""},
		{"empty", "", "Enter a user name"},
		{"too long", strings.Repeat("u", 65), "at most 64 characters"},
		{"space", "crowdai platform", `use "crowdai-platform" instead`},
		{"slash", "team/user", `use "team-user" instead`},
		{"unicode", "jürgen", `use "jurgen" instead`},
		{"nothing usable", "   ", "cannot contain spaces"},
		{"only invalid", "###", `change "###"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateUserName(tt.input)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateUserName(%q) = %v", tt.input, err)
				}
				return
			}
			wantRefusal(t, err, tt.want)
		})
	}
}

func TestValidatePolicyName(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"fixed console example", "CrowdAI-Platform-Access", ""},
		{"longest", strings.Repeat("p", 128), ""},
		{"console example", "CrowdAI Platform Access", `Policy names cannot contain spaces: use "CrowdAI-Platform-Access" instead.`},
		{"empty", "", "Enter a policy name: 1 to 128"},
		{"too long", strings.Repeat("p", 129), "at most 128 characters"},
		{"colon", "team:media", `use "team-media" instead`},
		{"long with spaces is cut", strings.Repeat("ab ", 100), "use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePolicyName(tt.input)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidatePolicyName(%q) = %v", tt.input, err)
				}
				return
			}
			wantRefusal(t, err, tt.want)
		})
	}
}

func TestSuggestPolicyName(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"console example", "CrowdAI Platform Access", "CrowdAI-Platform-Access"},
		{"already valid", "CrowdAI-Platform-Access", "CrowdAI-Platform-Access"},
		{"runs collapse", "a  \t b", "a-b"},
		{"ends trimmed", "  a b  ", "a-b"},
		{"hyphen next to space", "CrowdAI - Platform", "CrowdAI-Platform"},
		{"valid leading hyphen kept", "-a b", "-a-b"},
		{"accents folded", "Zugriff für Plattform", "Zugriff-fur-Plattform"},
		{"accents and apostrophe", "Politique d'accès", "Politique-d-acces"},
		{"letters that do not decompose", "Straße Øst", "Strasse-Ost"},
		{"no latin letters", "データ", ""},
		{"nothing usable", " ** ", ""},
		{"empty", "", ""},
		{"truncated", strings.Repeat("x", 200), strings.Repeat("x", 128)},
		{"truncated on a hyphen", strings.Repeat("x", 127) + " y", strings.Repeat("x", 127)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SuggestPolicyName(tt.input)
			if got != tt.want {
				t.Fatalf("SuggestPolicyName(%q) = %q, want %q", tt.input, got, tt.want)
			}
			if got != "" {
				if err := ValidatePolicyName(got); err != nil {
					t.Fatalf("suggestion %q is itself refused: %v", got, err)
				}
			}
		})
	}
	if got := SuggestUserName(strings.Repeat("u ", 50)); len(got) > 64 || ValidateUserName(got) != nil {
		t.Errorf("SuggestUserName gave %q", got)
	}
}

func TestNormalizePrefix(t *testing.T) {
	tests := []struct {
		name, input, want, wantErr string
	}{
		{"empty is root", "", "", ""},
		{"slash is root", "/", "", ""},
		{"slashes are root", "///", "", ""},
		{"plain", "path/to/files", "path/to/files", ""},
		{"leading slash", "/path/to/files", "path/to/files", ""},
		{"trailing slash", "path/to/files/", "path/to/files", ""},
		{"both", "/path/", "path", ""},
		{"double slashes", "path//to///files", "path/to/files", ""},
		{"percent encoding is literal", "%2e%2e/x", "%2e%2e/x", ""},
		{"dots inside names", "a..b/.c/d.", "a..b/.c/d.", ""},
		{"backslash is a key character", `a\b`, `a\b`, ""},
		{"spaces kept", " a b /c", " a b /c", ""},
		{"unicode", "fotos/über", "fotos/über", ""},
		{"longest", strings.Repeat("a", MaxPrefixLen), strings.Repeat("a", MaxPrefixLen), ""},
		{"longest with slashes around", "/" + strings.Repeat("a", MaxPrefixLen) + "/", strings.Repeat("a", MaxPrefixLen), ""},

		{"dot dot", "..", "", `"." or ".." folders`},
		{"dot dot inside", "a/../b", "", `"." or ".." folders`},
		{"dot", "./a", "", `"." or ".." folders`},
		{"trailing dot", "a/.", "", `"." or ".." folders`},
		{"nul", "a\x00b", "", "control characters"},
		{"del", "a\x7fb", "", "control characters"},
		{"newline", "a\nb", "", "control characters"},
		{"tab", "a\tb", "", "control characters"},
		{"c1 control", "a\u0085b", "", "control characters"},
		{"overlong utf-8 dot", "\xc0\xae\xc0\xae/x", "", "not valid UTF-8"},
		{"invalid utf-8", "a\xffb", "", "not valid UTF-8"},
		{"too long", strings.Repeat("a", MaxPrefixLen+1), "", "at most 1022 bytes"},
		{"1024 bytes", strings.Repeat("a", 1024), "", "at most 1022 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePrefix(tt.input)
			if tt.wantErr != "" {
				wantRefusal(t, err, tt.wantErr)
				if got != "" {
					t.Errorf("refusal returned %q", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizePrefix(%q) = %v", tt.input, err)
			}
			if got != tt.want {
				t.Fatalf("NormalizePrefix(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	rs := Regions()
	must := map[string]string{
		"us-east-1":      "US East (N. Virginia)",
		"eu-west-1":      "Europe (Ireland)",
		"ap-southeast-5": "Asia Pacific (Malaysia)",
		"ap-southeast-7": "Asia Pacific (Thailand)",
		"mx-central-1":   "Mexico (Central)",
		"ca-west-1":      "Canada West (Calgary)",
		"il-central-1":   "Israel (Tel Aviv)",
		"me-central-1":   "Middle East (UAE)",
		"ap-south-2":     "Asia Pacific (Hyderabad)",
		"ap-southeast-4": "Asia Pacific (Melbourne)",
		"eu-south-2":     "Europe (Spain)",
		"eu-central-2":   "Europe (Zurich)",
		"af-south-1":     "Africa (Cape Town)",
		"ap-east-1":      "Asia Pacific (Hong Kong)",
		"ap-east-2":      "Asia Pacific (Taipei)",
	}
	seen := map[string]bool{}
	for i, r := range rs {
		if seen[r.Code] {
			t.Errorf("%s listed twice", r.Code)
		}
		seen[r.Code] = true
		if r.Name == "" {
			t.Errorf("%s has no name", r.Code)
		}
		if err := ValidateRegion(r.Code); err != nil {
			t.Errorf("listed region %s refused: %v", r.Code, err)
		}
		if RegionName(r.Code) != r.Name {
			t.Errorf("RegionName(%s) = %q", r.Code, RegionName(r.Code))
		}
		if strings.HasPrefix(r.Code, "cn-") || strings.Contains(r.Code, "-gov-") || strings.Contains(r.Code, "-iso") {
			t.Errorf("%s is not a commercial region", r.Code)
		}
		// US first, then by code.
		if i > 0 {
			prev := rs[i-1].Code
			prevUS, curUS := strings.HasPrefix(prev, "us-"), strings.HasPrefix(r.Code, "us-")
			if (!prevUS && curUS) || (prevUS == curUS && prev > r.Code) {
				t.Errorf("%s listed after %s", r.Code, prev)
			}
		}
	}
	for code, name := range must {
		if RegionName(code) != name {
			t.Errorf("RegionName(%s) = %q, want %q", code, RegionName(code), name)
		}
	}
	rs[0].Code = "changed"
	if Regions()[0].Code != "us-east-1" {
		t.Error("Regions returns the package's own slice")
	}
}

func TestValidateRegion(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"listed", "us-east-1", ""},
		{"listed new", "mx-central-1", ""},
		{"unlisted but region-shaped", "eu-central-3", ""},
		{"govcloud", "us-gov-west-1", ""},
		{"iso", "us-isob-east-1", ""},
		{"china", "cn-north-1", ""},
		{"sovereign cloud", "eusc-de-east-1", ""},
		{"empty", "", "Enter a region code"},
		{"uppercase", "US-EAST-1", `Region codes are lowercase: use "us-east-1"`},
		{"human name", "Ireland", `use "eu-west-1"`},
		{"full human name", "Europe (Ireland)", `use "eu-west-1"`},
		{"city with spaces", "N. Virginia", `use "us-east-1"`},
		{"nonsense", "mars-1", "is not an AWS region code"},
		{"zero", "us-east-0", "is not an AWS region code"},
		{"trailing space", "us-east-1 ", `use "us-east-1"`},
		{"global", "aws-global", "is not an AWS region code"},
		{"trailing newline", "us-east-1\n", `Remove the spaces around the region code: use "us-east-1".`},
		{"escape sequence", "\x1b[2Jus-east-1", `"\x1b[2Jus-east-1" is not an AWS region code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateRegion(tt.input)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateRegion(%q) = %v", tt.input, err)
				}
				return
			}
			wantRefusal(t, err, tt.want)
		})
	}
}

func TestParseTags(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = "k" + strings.Repeat("x", i) + "=v"
	}
	tests := []struct {
		name string
		in   []string
		want map[string]string
		err  string
	}{
		{"none", nil, map[string]string{}, ""},
		{"one", []string{"team=media"}, map[string]string{"team": "media"}, ""},
		{"empty value", []string{"temporary="}, map[string]string{"temporary": ""}, ""},
		{"value with equals", []string{"expr=a=b"}, map[string]string{"expr": "a=b"}, ""},
		{"spaces trimmed", []string{" team = media "}, map[string]string{"team": "media"}, ""},
		{"all allowed characters", []string{"a1 _.:/=+-@=Zz9 _.:/=+-@"}, map[string]string{"a1 _.:/": "+-@=Zz9 _.:/=+-@"}, ""},
		{"unicode letters", []string{"équipe=médias"}, map[string]string{"équipe": "médias"}, ""},
		{"longest", []string{strings.Repeat("k", 128) + "=" + strings.Repeat("v", 256)}, map[string]string{strings.Repeat("k", 128): strings.Repeat("v", 256)}, ""},
		{"fifty", many[:50], nil, ""},

		{"no equals", []string{"team"}, nil, "Write each tag as key=value"},
		{"empty key", []string{"=media"}, nil, "Tag keys cannot be empty"},
		{"bad character", []string{"team=media!"}, nil, "Tags can use only letters"},
		{"control character", []string{"team=a\x00"}, nil, "Tags can use only letters"},
		{"invalid utf-8", []string{"team=\xff"}, nil, "Tags can use only letters"},
		{"key too long", []string{strings.Repeat("k", 129) + "=v"}, nil, "at most 128 characters"},
		{"value too long", []string{"k=" + strings.Repeat("v", 257)}, nil, "at most 256 characters"},
		{"reserved prefix", []string{"aws:team=x"}, nil, `cannot start with "aws:"`},
		{"reserved prefix any case", []string{"AWS:team=x"}, nil, `cannot start with "aws:"`},
		{"duplicate", []string{"team=a", "team=b"}, nil, `"team" appears twice`},
		{"duplicate by case", []string{"Team=a", "team=b"}, nil, "differ only in case"},
		{"too many", many, nil, "at most 50 tags: remove 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTags(tt.in)
			if tt.err != "" {
				wantRefusal(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatalf("ParseTags(%q) = %v", tt.in, err)
			}
			if tt.want == nil {
				if len(got) != len(tt.in) {
					t.Fatalf("got %d tags, want %d", len(got), len(tt.in))
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// Independent restatement of the bucket rules, for the fuzz property.
var bucketShapeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func addNastySeeds(f *testing.F) {
	for _, s := range []string{
		"", ".", "..", "/", "//", "\\", "\x00", "\x7f", "%2e%2e", "\xc0\xae", "\xc0\xae\xc0\xae",
		"a/../b", "./a", "a/.", "/a//b/", "crowdai-imagery", "path/to/files", "CrowdAI Platform Access",
		"192.168.5.4", "xn--a", "a--x-s3", "a\nb", "\ufeffa", "a\u202eb", "é",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a", 128), strings.Repeat("a", 129),
		strings.Repeat("a", 1022), strings.Repeat("a", 1023), strings.Repeat("a", 1024),
		"/" + strings.Repeat("a", 1024) + "/", strings.Repeat("a/", 512),
	} {
		f.Add(s)
	}
}

func FuzzValidateBucketName(f *testing.F) {
	addNastySeeds(f)
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateBucketName(name)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\n\r\x1b") {
				t.Fatalf("bad message %q", msg)
			}
			return
		}
		if err := ValidateBucketName(name); err != nil {
			t.Fatalf("accepted %q once, refused it the second time: %v", name, err)
		}
		if !bucketShapeRE.MatchString(name) {
			t.Fatalf("accepted %q, which breaks the character or length rules", name)
		}
		if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
			t.Fatalf("accepted %q with a bad dot sequence", name)
		}
	})
}

func FuzzNormalizePrefix(f *testing.F) {
	addNastySeeds(f)
	f.Fuzz(func(t *testing.T, p string) {
		out, err := NormalizePrefix(p)
		if err != nil {
			if out != "" {
				t.Fatalf("refusal returned %q", out)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x00\x1b") {
				t.Fatalf("message holds raw control characters: %q", msg)
			}
			return
		}
		again, err := NormalizePrefix(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", p, out, again, err)
		}
		if strings.HasPrefix(out, "/") || strings.HasSuffix(out, "/") || strings.Contains(out, "//") {
			t.Fatalf("%q -> %q keeps a stray slash", p, out)
		}
		if out != "" {
			for _, seg := range strings.Split(out, "/") {
				if seg == "." || seg == ".." || seg == "" {
					t.Fatalf("%q -> %q has segment %q", p, out, seg)
				}
			}
		}
		if !utf8.ValidString(out) || len(out) > MaxPrefixLen {
			t.Fatalf("%q -> %q is invalid or too long", p, out)
		}
		if strings.Trim(p, "/") == "" && out != "" {
			t.Fatalf("root %q became %q", p, out)
		}
	})
}

func fuzzIAMName(f *testing.F, validate func(string) error, maxLen int) {
	addNastySeeds(f)
	iamRE := regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)
	f.Fuzz(func(t *testing.T, name string) {
		err := validate(name)
		ok := iamRE.MatchString(name) && len(name) <= maxLen
		if (err == nil) != ok {
			t.Fatalf("validate(%q) = %v, independent rule says ok=%v", name, err, ok)
		}
		if s := suggestIAMName(name, maxLen); s != "" {
			if err := validate(s); err != nil {
				t.Fatalf("suggestion %q for %q is refused: %v", s, name, err)
			}
		}
	})
}

func FuzzValidateUserName(f *testing.F) { fuzzIAMName(f, ValidateUserName, MaxUserNameLen) }

func FuzzValidatePolicyName(f *testing.F) { fuzzIAMName(f, ValidatePolicyName, MaxPolicyNameLen) }
