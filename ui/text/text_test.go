package text

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "site-01/tile 0001.jpg", "site-01/tile 0001.jpg"},
		{"SGR conceal", "a\x1b[8mhidden\x1b[0m.jpg", "ahidden.jpg"},
		{"SGR colour with colon params", "\x1b[38:2:255:0:0mred", "red"},
		{"title BEL", "\x1b]0;owned\x07x.jpg", "x.jpg"},
		{"clipboard ST", "\x1b]52;c;ZXZpbA==\x1b\\x.jpg", "x.jpg"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\y", "y"},
		{"APC unterminated", "z\x1b_abc", "z"},
		{"cursor moves", "\x1b[2J\x1b[Hk", "k"},
		{"two-byte ESC", "\x1bcreset\x1b(Bx", "resetx"},
		{"C1 CSI", "a\u009b8mb", "ab"},
		{"C1 OSC", "a\u009d0;t\u009cb", "ab"},
		{"raw C1 byte", "a\x9b8mb", `a\x9b8mb`},
		{"C0 and DEL", "a\x00b\x08c\x7fd", "abcd"},
		{"line breaks", "a\nb\r\tc", "a b  c"},
		{"bidi override", "abc\u202Egpj.exe", "abcgpj.exe"},
		{"unicode kept", "café/写真.jpg", "café/写真.jpg"},
	} {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("%s: Clean(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCleanLeavesNoControl(t *testing.T) {
	in := "\x1b[8m\x1b]0;t\x07\x1bP1\x1b\\\u009b31m\x05ok"
	got := Clean(in)
	for _, r := range got {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			t.Fatalf("Clean(%q) = %q still holds control %U", in, got, r)
		}
	}
	if got != "ok" {
		t.Fatalf("Clean = %q, want ok", got)
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("a", 2500) + "/" + strings.Repeat("b", 2500) + ".jpg"
	got := Shorten(long, 40)
	if n := len([]rune(got)); n != 40 {
		t.Fatalf("Shorten gave %d characters, want 40: %q", n, got)
	}
	if !strings.HasPrefix(got, "aaaa") || !strings.HasSuffix(got, "b.jpg") || strings.Count(got, "…") != 1 {
		t.Fatalf("Shorten = %q, want start … end", got)
	}
	if Shorten("short", 40) != "short" {
		t.Fatal("a short string changed")
	}
}

func TestReasonShowsTheNameOnce(t *testing.T) {
	key := strings.Repeat("k", 5000)
	got := Reason(key, `get "`+key+`": open `+key+`: file name too long`)
	if strings.Contains(got, "kkkk") || len(got) > MaxShown*4 {
		t.Fatalf("Reason repeats the key: %q", got)
	}
	if !strings.Contains(got, "file name too long") {
		t.Fatalf("Reason lost the cause: %q", got)
	}
}
