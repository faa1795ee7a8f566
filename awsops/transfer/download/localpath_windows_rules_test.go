package download

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalPathWindowsRules runs everywhere: it switches on the Windows
// name rules that LocalPath applies on GOOS=windows.
func TestLocalPathWindowsRules(t *testing.T) {
	old := windowsPaths
	t.Cleanup(func() { windowsPaths = old })
	dest := t.TempDir()
	tests := []struct {
		key  string
		want string // a fragment of the refusal, "" when the key maps
	}{
		{"p/ok.jpg", ""},
		{"p/sub/ok.jpg", ""},
		{"p/CONSOLE/x.jpg", ""},
		{"p/CON", "device name"},
		{"p/con.txt", "device name"},
		{"p/sub/LPT9.jpg", "device name"},
		{"p/Aux/x.jpg", "device name"},
		{"p/nul/", "device name"},
		{`p/a\b.jpg`, `character \`},
		{"p/c:x.jpg", "character :"},
		{"p/a?.jpg", "character ?"},
		{"p/a|b.jpg", "character |"},
		{"p/a\x01b.jpg", "control character"},
		{"p/dir./x.jpg", "ends in a dot or a space"},
		{"p/x.jpg ", "ends in a dot or a space"},
	}
	for _, tt := range tests {
		windowsPaths = true
		got, err := LocalPath(dest, "p", tt.key)
		if tt.want == "" {
			if err != nil || got != filepath.Join(dest, filepath.FromSlash(strings.TrimPrefix(tt.key, "p/"))) {
				t.Errorf("LocalPath(%q) = %q, %v; want it under dest", tt.key, got, err)
			}
			continue
		}
		if !errors.Is(err, ErrUnsafeKey) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "Windows") {
			t.Errorf("LocalPath(%q) = %q, %v; want ErrUnsafeKey mentioning %q", tt.key, got, err, tt.want)
		}
		// Elsewhere these are ordinary names.
		windowsPaths = false
		if _, err := LocalPath(dest, "p", tt.key); err != nil {
			t.Errorf("LocalPath(%q) off Windows: %v", tt.key, err)
		}
	}
}
