package transfer

import (
	"fmt"
	"path"
	"strings"
)

// Filter decides which keys (or files) a run considers, from include and
// exclude globs matched against the slash-separated path relative to the
// prefix (or folder). Both engines use it, so a pattern selects the same
// media on the way up as on the way down.
//
// Pattern rules (close to rclone's): a pattern without "/" matches the last
// path segment at any depth ("*.jpg"); a pattern with "/" matches the whole
// relative path, segment by segment, where "**" spans any number of segments
// ("raw/**/*.tif") and each other segment uses path.Match ("*", "?", "[a-z]").
// A leading "/" is ignored.
//
// Rule order (aws s3 sync's): the rules are tried in the order given and the
// last one that matches a path decides. A path no rule matches is selected,
// unless the first rule is an include: then, as rclone does and as s3link
// always has, naming what to include means only that ("--include '*.jpg'"
// alone selects the JPEGs; aws s3 sync would select everything, since its
// leading include changes nothing).
type Filter struct {
	rules []compiledRule
}

// Rule is one --include or --exclude, in command-line order.
type Rule struct {
	Include bool
	Pattern string
}

// String renders the rule as its flag.
func (r Rule) String() string {
	if r.Include {
		return "--include " + r.Pattern
	}
	return "--exclude " + r.Pattern
}

type compiledRule struct {
	include bool
	segs    []string
}

// NewFilter compiles include and exclude patterns, includes before excludes
// (so an exclude always wins over an include); an empty or malformed pattern
// is an error.
func NewFilter(include, exclude []string) (*Filter, error) {
	rules := make([]Rule, 0, len(include)+len(exclude))
	for _, p := range include {
		rules = append(rules, Rule{Include: true, Pattern: p})
	}
	for _, p := range exclude {
		rules = append(rules, Rule{Pattern: p})
	}
	return NewRuleFilter(rules)
}

// NewRuleFilter compiles rules that are evaluated in order, the last match
// winning; an empty or malformed pattern is an error.
func NewRuleFilter(rules []Rule) (*Filter, error) {
	f := &Filter{}
	for _, r := range rules {
		segs, err := compilePattern(r.Pattern)
		if err != nil {
			return nil, err
		}
		f.rules = append(f.rules, compiledRule{include: r.Include, segs: segs})
	}
	return f, nil
}

func compilePattern(p string) ([]string, error) {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil, fmt.Errorf("empty glob pattern")
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if s == "**" {
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			return nil, fmt.Errorf("bad glob pattern %q: %w", p, err)
		}
	}
	return segs, nil
}

// Empty reports whether the filter lets every path through.
func (f *Filter) Empty() bool { return len(f.rules) == 0 }

// Match reports whether rel (a path relative to the prefix) is selected.
func (f *Filter) Match(rel string) bool {
	if f.Empty() {
		return true
	}
	rel = strings.TrimSuffix(rel, "/")
	for i := len(f.rules) - 1; i >= 0; i-- {
		if matchPattern(f.rules[i].segs, rel) {
			return f.rules[i].include
		}
	}
	return !f.rules[0].include
}

func matchPattern(pat []string, rel string) bool {
	if len(pat) == 1 && pat[0] != "**" {
		base := rel[strings.LastIndexByte(rel, '/')+1:]
		ok, _ := path.Match(pat[0], base)
		return ok
	}
	return matchSegs(pat, strings.Split(rel, "/"))
}

// matchSegs matches pattern segments against path segments; "**" may absorb
// zero or more segments. Patterns are short, so plain recursion is fine.
func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(segs); i++ {
				if matchSegs(rest, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// IsTempName reports whether a file name is one of the download engine's
// named temporary files: "." + the target's name + ".s3link-" + a random
// base-36 number + ".part". Only names of exactly this shape are s3link's
// own; the download engine removes stale ones and upload never sends them.
func IsTempName(name string) bool {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".part") {
		return false
	}
	i := strings.LastIndex(name, ".s3link-")
	if i < 2 {
		return false
	}
	r := name[i+len(".s3link-") : len(name)-len(".part")]
	if r == "" || len(r) > 13 {
		return false
	}
	for _, c := range r {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
