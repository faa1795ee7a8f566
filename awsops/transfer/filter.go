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
// A leading "/" is ignored. With includes, a path must match one of them; a
// path matching any exclude is left out either way.
type Filter struct {
	include, exclude [][]string
}

// NewFilter compiles include and exclude patterns; an empty or malformed
// pattern is an error.
func NewFilter(include, exclude []string) (*Filter, error) {
	f := &Filter{}
	for _, p := range include {
		segs, err := compilePattern(p)
		if err != nil {
			return nil, err
		}
		f.include = append(f.include, segs)
	}
	for _, p := range exclude {
		segs, err := compilePattern(p)
		if err != nil {
			return nil, err
		}
		f.exclude = append(f.exclude, segs)
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
func (f *Filter) Empty() bool { return len(f.include) == 0 && len(f.exclude) == 0 }

// Match reports whether rel (a path relative to the prefix) is selected.
func (f *Filter) Match(rel string) bool {
	if f.Empty() {
		return true
	}
	rel = strings.TrimSuffix(rel, "/")
	if len(f.include) > 0 {
		ok := false
		for _, p := range f.include {
			if matchPattern(p, rel) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, p := range f.exclude {
		if matchPattern(p, rel) {
			return false
		}
	}
	return true
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
