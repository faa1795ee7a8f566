package awsops

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Validation happens before any AWS call because AWS's own refusals are
// terse and the local emulator accepts names AWS refuses. Every refusal is
// an *InvalidError: one lower-case clause saying what is wrong and what to
// change, which ui/text makes a sentence.

// Bucket name limits (S3 general-purpose buckets).
const (
	MinBucketNameLen = 3
	MaxBucketNameLen = 63
)

// IAM name and tag limits.
const (
	MaxUserNameLen   = 64
	MaxPolicyNameLen = 128
	MaxTagKeyLen     = 128
	MaxTagValueLen   = 256
	MaxUserTags      = 50
)

// MaxPrefixLen is the longest path NormalizePrefix accepts, in bytes. S3
// keys are at most 1024 bytes, and any file under prefix P has the key
// P + "/" + at least one byte, so a longer prefix could hold nothing.
const MaxPrefixLen = 1024 - 2

// reservedBucketPrefixes and reservedBucketSuffixes are the name parts AWS
// keeps for its own features (internationalised names, S3 internals, demo
// names, access point aliases, Object Lambda, Multi-Region Access Points,
// directory buckets and table buckets). "sthree-configurator" is covered by
// "sthree-".
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ipv4Shaped is deliberately loose (any four dotted digit groups, leading
// zeros included): S3 refuses names "formatted as an IP address", and
// refusing a little more than AWS is better than a late AWS error.
var ipv4Shaped = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)

// ValidateBucketName checks name against every S3 naming rule for general
// purpose buckets.
func ValidateBucketName(name string) error {
	if name == "" {
		return invalidf("enter a bucket name: 3 to 63 lowercase letters, digits, dots or hyphens")
	}
	if !isBucketChars(name) {
		if lower := strings.ToLower(name); lower != name && isBucketChars(lower) {
			return invalidf("bucket names cannot use uppercase letters: use %s instead", quoteInput(lower))
		}
		return invalidf("bucket names can use only lowercase letters, digits, dots and hyphens: change %s", quoteInput(name))
	}
	if len(name) < MinBucketNameLen {
		return invalidf("bucket names need at least %d characters: lengthen %s", MinBucketNameLen, quoteInput(name))
	}
	if len(name) > MaxBucketNameLen {
		return invalidf("bucket names can have at most %d characters: shorten %s (it has %d)", MaxBucketNameLen, quoteInput(name), len(name))
	}
	if !isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1]) {
		return invalidf("bucket names must start and end with a letter or digit: change %s", quoteInput(name))
	}
	if strings.Contains(name, "..") {
		return invalidf("bucket names cannot have two dots in a row: change %s", quoteInput(name))
	}
	if strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return invalidf("bucket names cannot have a dot next to a hyphen: change %s", quoteInput(name))
	}
	if ipv4Shaped.MatchString(name) {
		return invalidf("bucket names cannot look like an IP address: change %s", quoteInput(name))
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return invalidf("bucket names cannot start with %q, which AWS reserves: change %s", p, quoteInput(name))
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return invalidf("bucket names cannot end with %q, which AWS reserves: change %s", s, quoteInput(name))
		}
	}
	return nil
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isBucketChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLowerAlnum(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// isIAMNameByte reports whether c may appear in an IAM user or policy name
// (IAM's pattern [\w+=,.@-]+, where \w is ASCII only).
func isIAMNameByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("+=,.@_-", c) >= 0
}

func isIAMName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isIAMNameByte(s[i]) {
			return false
		}
	}
	return true
}

// ValidateUserName checks name against IAM's rules for user names.
func ValidateUserName(name string) error {
	return validateIAMName("user", name, MaxUserNameLen)
}

// ValidatePolicyName checks name against IAM's rules for policy names. The
// manual guide's example "CrowdAI Platform Access" fails here, and the
// error suggests "CrowdAI-Platform-Access".
func ValidatePolicyName(name string) error {
	return validateIAMName("policy", name, MaxPolicyNameLen)
}

func validateIAMName(kind, name string, maxLen int) error {
	if name == "" {
		return invalidf("enter a %s name: 1 to %d letters, digits or + = , . @ _ -", kind, maxLen)
	}
	if !isIAMName(name) {
		suggestion := suggestIAMName(name, maxLen)
		if strings.ContainsRune(name, ' ') {
			if suggestion != "" {
				return invalidf("%s names cannot contain spaces: use %s instead", kind, quoteInput(suggestion))
			}
			return invalidf("%s names cannot contain spaces: change %s", kind, quoteInput(name))
		}
		if suggestion != "" {
			return invalidf("%s names can use only letters, digits and + = , . @ _ -: use %s instead", kind, quoteInput(suggestion))
		}
		return invalidf("%s names can use only letters, digits and + = , . @ _ -: change %s", kind, quoteInput(name))
	}
	if len(name) > maxLen {
		return invalidf("%s names can have at most %d characters: shorten %s (it has %d)", kind, maxLen, quoteInput(name), len(name))
	}
	return nil
}

// SuggestPolicyName turns name into a valid IAM policy name by replacing
// every run of characters IAM refuses (spaces included) with one hyphen,
// dropping such runs at either end, and cutting the result to 128
// characters. It returns "" when nothing usable is left.
func SuggestPolicyName(name string) string { return suggestIAMName(name, MaxPolicyNameLen) }

// SuggestUserName is SuggestPolicyName for user names (at most 64
// characters).
func SuggestUserName(name string) string { return suggestIAMName(name, MaxUserNameLen) }

func suggestIAMName(name string, maxLen int) string {
	// "Zugriff für Plattform" suggests Zugriff-fur-Plattform, not
	// Zugriff-f-r-Plattform: letters lose their accents first.
	name = latin.Replace(name)
	if folded, _, err := transform.String(foldAccents, name); err == nil {
		name = folded
	}
	var b strings.Builder
	pendingSep := false // an invalid run was seen since the last kept byte
	for _, r := range name {
		if r >= utf8.RuneSelf || !isIAMNameByte(byte(r)) {
			pendingSep = b.Len() > 0
			continue
		}
		if pendingSep {
			// "A - B" becomes "A-B", not "A---B".
			if s := b.String(); r != '-' && s[len(s)-1] != '-' {
				b.WriteByte('-')
			}
			pendingSep = false
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) > maxLen {
		s = strings.TrimRight(s[:maxLen], "-")
	}
	return s
}

// foldAccents takes accents off letters (é → e) by decomposing them and
// dropping the combining marks.
var foldAccents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// latin spells the letters that do not decompose.
var latin = strings.NewReplacer("ß", "ss", "Æ", "AE", "æ", "ae", "Ø", "O", "ø", "o", "Œ", "OE", "œ", "oe", "Ł", "L", "ł", "l", "Đ", "D", "đ", "d", "Þ", "Th", "þ", "th")

// NormalizePrefix turns what a user typed as "the path inside the bucket"
// into the prefix the policy and the downloader use: no leading or trailing
// slash and no empty segments ("a//b" is "a/b"). "" and "/" mean the bucket
// root and return "". It refuses "." and ".." segments (S3 would store
// them literally, and no local folder can hold them), control characters,
// text that is not UTF-8, and paths too long to hold any file.
func NormalizePrefix(p string) (string, error) {
	if !utf8.ValidString(p) {
		return "", invalidf("the path inside the bucket is not valid UTF-8 text: retype it")
	}
	for _, r := range p {
		if unicode.IsControl(r) {
			return "", invalidf("the path inside the bucket cannot contain control characters such as tabs or line breaks: change %s", quoteInput(p))
		}
	}
	segs := strings.Split(p, "/")
	kept := segs[:0]
	for _, s := range segs {
		switch s {
		case "":
			continue
		case ".", "..":
			return "", invalidf(`the path inside the bucket cannot contain "." or ".." folders: change %s`, quoteInput(p))
		}
		kept = append(kept, s)
	}
	out := strings.Join(kept, "/")
	if len(out) > MaxPrefixLen {
		return "", invalidf("the path inside the bucket can be at most %d bytes, so that files fit under it (S3 keys are at most 1024): shorten it (it has %d)", MaxPrefixLen, len(out))
	}
	return out, nil
}

// Region is an AWS region code and its human name.
type Region struct {
	Code string
	Name string
}

// regions are the commercial ("aws" partition) regions, as listed in the
// partitions.json of the aws-sdk-go-v2 version s3link is built with. Some
// are opt-in: CreateBucket there fails until the account enables them.
var regions = []Region{
	{"us-east-1", "US East (N. Virginia)"},
	{"us-east-2", "US East (Ohio)"},
	{"us-west-1", "US West (N. California)"},
	{"us-west-2", "US West (Oregon)"},
	{"af-south-1", "Africa (Cape Town)"},
	{"ap-east-1", "Asia Pacific (Hong Kong)"},
	{"ap-east-2", "Asia Pacific (Taipei)"},
	{"ap-northeast-1", "Asia Pacific (Tokyo)"},
	{"ap-northeast-2", "Asia Pacific (Seoul)"},
	{"ap-northeast-3", "Asia Pacific (Osaka)"},
	{"ap-south-1", "Asia Pacific (Mumbai)"},
	{"ap-south-2", "Asia Pacific (Hyderabad)"},
	{"ap-southeast-1", "Asia Pacific (Singapore)"},
	{"ap-southeast-2", "Asia Pacific (Sydney)"},
	{"ap-southeast-3", "Asia Pacific (Jakarta)"},
	{"ap-southeast-4", "Asia Pacific (Melbourne)"},
	{"ap-southeast-5", "Asia Pacific (Malaysia)"},
	{"ap-southeast-6", "Asia Pacific (New Zealand)"},
	{"ap-southeast-7", "Asia Pacific (Thailand)"},
	{"ca-central-1", "Canada (Central)"},
	{"ca-west-1", "Canada West (Calgary)"},
	{"eu-central-1", "Europe (Frankfurt)"},
	{"eu-central-2", "Europe (Zurich)"},
	{"eu-north-1", "Europe (Stockholm)"},
	{"eu-south-1", "Europe (Milan)"},
	{"eu-south-2", "Europe (Spain)"},
	{"eu-west-1", "Europe (Ireland)"},
	{"eu-west-2", "Europe (London)"},
	{"eu-west-3", "Europe (Paris)"},
	{"il-central-1", "Israel (Tel Aviv)"},
	{"me-central-1", "Middle East (UAE)"},
	{"me-south-1", "Middle East (Bahrain)"},
	{"me-west-1", "Middle East (Saudi Arabia)"},
	{"mx-central-1", "Mexico (Central)"},
	{"sa-east-1", "South America (São Paulo)"},
	{"sa-west-1", "South America (Chile)"},
}

// Regions returns the commercial AWS regions, US regions first and then by
// code, for the region picker. The caller may modify the returned slice.
func Regions() []Region {
	return append([]Region(nil), regions...)
}

// RegionName returns the human name of a listed region, or "" when the
// code is not in Regions.
func RegionName(code string) string {
	for _, r := range regions {
		if r.Code == code {
			return r.Name
		}
	}
	return ""
}

// otherPartitionRegions are the regions of the GovCloud, China and
// European Sovereign Cloud partitions, which the picker does not offer.
var otherPartitionRegions = []string{
	"us-gov-east-1", "us-gov-west-1",
	"cn-north-1", "cn-northwest-1",
	"eusc-de-east-1",
}

// KnownRegion reports whether code is a region of a partition this build
// knows: a listed commercial region, or a GovCloud, China or sovereign one.
func KnownRegion(code string) bool {
	return RegionName(code) != "" || slices.Contains(otherPartitionRegions, code)
}

// regionShaped accepts any code shaped like an AWS region (us-east-1,
// us-gov-west-1, us-isob-east-1, eusc-de-east-1, cn-north-1), so that a
// region newer than this build stays typeable; AWS has the final word.
var regionShaped = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)?-[a-z]+-[1-9][0-9]?$`)

// ValidateRegion accepts a listed region code or any code shaped like one.
func ValidateRegion(code string) error {
	if code == "" {
		return invalidf("enter a region code such as us-east-1 or eu-west-1")
	}
	if RegionName(code) != "" || regionShaped.MatchString(code) {
		return nil
	}
	trimmed := strings.TrimSpace(code)
	if lower := strings.ToLower(trimmed); RegionName(lower) != "" || regionShaped.MatchString(lower) {
		if lower == trimmed {
			return invalidf("remove the spaces around the region code: use %s", quoteInput(lower))
		}
		return invalidf("region codes are lowercase: use %s instead of %s", quoteInput(lower), quoteInput(code))
	}
	// Someone who types "Ireland" or "Europe (Ireland)" gets the code.
	if t := strings.ToLower(strings.TrimSpace(code)); len(t) >= 3 {
		for _, r := range regions {
			name := strings.ToLower(r.Name)
			if name == t || strings.Contains(name, "("+t+")") {
				return invalidf("%s is a region name, not a code: use %s", quoteInput(code), quoteInput(r.Code))
			}
		}
	}
	return invalidf("%s is not an AWS region code: use a code such as us-east-1 or eu-west-1", quoteInput(code))
}

// isTagRune reports whether r may appear in an IAM tag key or value
// (IAM's pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*).
func isTagRune(r rune) bool {
	if unicode.IsLetter(r) || unicode.Is(unicode.Z, r) || unicode.IsNumber(r) {
		return true
	}
	return strings.ContainsRune("_.:/=+-@", r)
}

func isTagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !isTagRune(r) {
			return false
		}
	}
	return true
}

// ParseTags turns "key=value" items (from --tag flags or the user screen)
// into IAM user tags. The value is everything after the first "=", so it
// may itself contain "=". Spaces around key and value are dropped: IAM
// would keep them, and "team = media" almost never means a key "team ".
// Keys are compared without case because IAM refuses tags on one user whose
// keys differ only in case.
func ParseTags(kvs []string) (map[string]string, error) {
	tags := make(map[string]string, len(kvs))
	seen := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, invalidf("write each tag as key=value: change %s", quoteInput(kv))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" {
			return nil, invalidf("tag keys cannot be empty: change %s", quoteInput(kv))
		}
		if !isTagText(k) || !isTagText(v) {
			return nil, invalidf("tags can use only letters, digits, spaces and _ . : / = + - @: change %s", quoteInput(kv))
		}
		if n := utf8.RuneCountInString(k); n > MaxTagKeyLen {
			return nil, invalidf("tag keys can have at most %d characters: shorten %s (it has %d)", MaxTagKeyLen, quoteInput(k), n)
		}
		if n := utf8.RuneCountInString(v); n > MaxTagValueLen {
			return nil, invalidf("tag values can have at most %d characters: shorten the value of %s (it has %d)", MaxTagValueLen, quoteInput(k), n)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidf(`tag keys cannot start with "aws:", which AWS reserves: change %s`, quoteInput(k))
		}
		fold := strings.ToLower(k)
		if prev, dup := seen[fold]; dup {
			if prev == k {
				return nil, invalidf("the tag key %s appears twice: keep one", quoteInput(k))
			}
			return nil, invalidf("the tag keys %s and %s differ only in case, which IAM refuses: keep one", quoteInput(prev), quoteInput(k))
		}
		seen[fold] = k
		tags[k] = v
	}
	if len(tags) > MaxUserTags {
		return nil, invalidf("a user can have at most %d tags: remove %d", MaxUserTags, len(tags)-MaxUserTags)
	}
	return tags, nil
}

// maxQuotedInput bounds how much of an input an error message repeats, so a
// pasted megabyte does not become a megabyte-long sentence.
const maxQuotedInput = 80

// quoteInput quotes user input for a message. strconv.Quote escapes control
// and invisible characters, so nothing typed can move the cursor or restyle
// the terminal when the message is shown.
func quoteInput(s string) string {
	if len(s) <= maxQuotedInput {
		return strconv.Quote(s)
	}
	cut := maxQuotedInput
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut] + "…")
}

// OtherPartitionRegions returns the GovCloud, China and European Sovereign
// Cloud regions KnownRegion accepts beside Regions, for completion.
func OtherPartitionRegions() []string {
	return append([]string(nil), otherPartitionRegions...)
}
