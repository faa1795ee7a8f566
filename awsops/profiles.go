package awsops

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// ProfileNames lists the profiles defined in the shared config and
// credentials files (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, or
// ~/.aws/config and ~/.aws/credentials), sorted and without duplicates, for
// the wizard's profile picker. It reads names only, never credentials, and
// a missing file counts as empty.
func ProfileNames() ([]string, error) {
	cfg, creds := SharedFiles()
	seen := map[string]bool{}
	for _, f := range []struct {
		path   string
		config bool
	}{{cfg, true}, {creds, false}} {
		if f.path == "" {
			continue
		}
		names, err := profileSections(f.path, f.config)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// profileSections returns the profile names of one shared file. In the
// config file profiles are "[profile NAME]" (and "[default]"), and other
// sections ("[sso-session X]", "[services X]") are not profiles; in the
// credentials file every section is a profile.
func profileSections(path string, config bool) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read AWS profiles: %w", err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "[") {
			continue
		}
		end := strings.IndexByte(line, ']')
		if end < 0 {
			continue
		}
		sec := strings.TrimSpace(line[1:end])
		switch {
		case sec == "default":
			names = append(names, sec)
		case !config:
			if sec != "" {
				names = append(names, sec)
			}
		case strings.HasPrefix(sec, "profile ") || strings.HasPrefix(sec, "profile\t"):
			if n := strings.TrimSpace(sec[len("profile"):]); n != "" {
				names = append(names, n)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read AWS profiles from %s: %w", path, err)
	}
	return names, nil
}
