package transfer

import (
	"strings"
	"testing"
)

func TestWindowsNameProblem(t *testing.T) {
	tests := []struct {
		name string
		want string // a fragment of the problem, "" for a good name
	}{
		{"photo.jpg", ""},
		{"ünïcödé 写真.jpg", ""},
		{".hidden", ""},
		{"a..b", ""},
		{"CONSOLE.txt", ""},
		{"COM0", ""},
		{"COM10", ""},
		{"LPT", ""},
		{"NULL", ""},
		{"xCON", ""},
		{"con-tact.jpg", ""},

		{"CON", "device name"},
		{"con", "device name"},
		{"Con.txt", "device name"},
		{"PRN", "device name"},
		{"aux.tar.gz", "device name"},
		{"NUL", "device name"},
		{"nul.jpg", "device name"},
		{"COM1", "device name"},
		{"com9.log", "device name"},
		{"LPT1", "device name"},
		{"lpt5.txt", "device name"},
		{"COM¹", "device name"},
		{"CON .txt", "device name"},

		{`a\b.jpg`, `character \,`},
		{"a:b.jpg", "character :,"},
		{"a*b", "character *,"},
		{"what?.jpg", "character ?,"},
		{`say"hi".jpg`, `character ",`},
		{"a<b", "character <,"},
		{"a>b", "character >,"},
		{"a|b", "character |,"},
		{"a/b", "character /,"},
		{"tab\there", "control character U+0009"},
		{"bell\x07", "control character U+0007"},
		{"nl\n", "control character U+000A"},
		{"del\x7f", "control character U+007F"},

		{"name.", "ends in a dot or a space"},
		{"name ", "ends in a dot or a space"},
		{"name. .", "ends in a dot or a space"},
		{".", "not a file name"},
		{"..", "not a file name"},
		{"", "empty"},
	}
	for _, tt := range tests {
		got := WindowsNameProblem(tt.name)
		switch {
		case tt.want == "" && got != "":
			t.Errorf("WindowsNameProblem(%q) = %q, want no problem", tt.name, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("WindowsNameProblem(%q) = %q, want it to mention %q", tt.name, got, tt.want)
		}
	}
}
