package download

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
)

func TestShouldSync(t *testing.T) {
	lm := time.Date(2025, 5, 6, 7, 8, 9, 450e6, time.UTC)
	md5hex := "9e107d9d372bb6826bd81d3542a419d6"
	remote := Object{Key: "k", Size: 10, ETag: `"` + md5hex + `"`, LastModified: lm}
	multipart := remote
	multipart.ETag = `"d41d8cd98f00b204e9800998ecf8427e-3"`
	mt := time.Date(2020, 1, 2, 3, 4, 5, 123456789, time.UTC)
	withMtime := remote
	withMtime.Mtime = mt
	tests := []struct {
		name   string
		remote Object
		local  LocalFile
		mode   Mode
		want   bool
		reason transfer.Reason
	}{
		{"missing", remote, LocalFile{}, SizeAndTime, true, transfer.ReasonNew},
		{"directory in the way", remote, LocalFile{Exists: true, IsDir: true}, SizeAndTime, false, transfer.ReasonDirInTheWay},
		{"same size and time", remote, LocalFile{Exists: true, Size: 10, ModTime: lm}, SizeAndTime, false, transfer.ReasonUnchanged},
		{"same second, different ms", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Truncate(time.Second)}, SizeAndTime, false, transfer.ReasonUnchanged},
		{"other time zone, same instant", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.In(time.FixedZone("X", 3600))}, SizeAndTime, false, transfer.ReasonUnchanged},
		{"size differs", remote, LocalFile{Exists: true, Size: 11, ModTime: lm}, SizeAndTime, true, transfer.ReasonSize},
		{"older local", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(-time.Second)}, SizeAndTime, true, transfer.ReasonTime},
		{"newer local", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(time.Hour)}, SizeAndTime, true, transfer.ReasonTime},
		{"checksum equal, time differs", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(time.Hour), MD5: md5hex}, Checksum, false, transfer.ReasonSameChecksum},
		{"checksum equal, upper case", remote, LocalFile{Exists: true, Size: 10, MD5: strings.ToUpper(md5hex)}, Checksum, false, transfer.ReasonSameChecksum},
		{"checksum differs, time equal", remote, LocalFile{Exists: true, Size: 10, ModTime: lm, MD5: "00000000000000000000000000000000"}, Checksum, true, transfer.ReasonChecksum},
		{"checksum mode, size differs", remote, LocalFile{Exists: true, Size: 9, MD5: md5hex}, Checksum, true, transfer.ReasonSize},
		{"checksum mode, multipart ETag without a checksum falls back to size and time", multipart, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(time.Hour)}, Checksum, true, transfer.ReasonTime},
		{"checksum mode, multipart ETag, same size and time", multipart, LocalFile{Exists: true, Size: 10, ModTime: lm}, Checksum, false, transfer.ReasonUnchanged},
		{"checksum mode, multipart ETag, object checksum differs", multipart, LocalFile{Exists: true, Size: 10, ModTime: lm, Sum: "AAAA-2", RemoteSum: "BBBB-2"}, Checksum, true, transfer.ReasonChecksum},
		{"checksum mode, multipart ETag, object checksum equal", multipart, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(time.Hour), Sum: "BBBB-2", RemoteSum: "BBBB-2"}, Checksum, false, transfer.ReasonSameChecksum},
		{"symbolic link at the name", remote, LocalFile{Exists: true, Irregular: true, Size: 10, ModTime: lm}, SizeAndTime, true, transfer.ReasonNotRegular},
		{"checksum mode, missing", remote, LocalFile{}, Checksum, true, transfer.ReasonNew},
		{"size-only, same size, other time", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(time.Hour)}, SizeOnly, false, transfer.ReasonSameSize},
		{"size-only, size differs", remote, LocalFile{Exists: true, Size: 9, ModTime: lm}, SizeOnly, true, transfer.ReasonSize},
		{"size-only, missing", remote, LocalFile{}, SizeOnly, true, transfer.ReasonNew},
		{"size-only, link at the name", remote, LocalFile{Exists: true, Irregular: true, Size: 10}, SizeOnly, true, transfer.ReasonNotRegular},
		{"exact, same instant", remote, LocalFile{Exists: true, Size: 10, ModTime: lm}, ExactTime, false, transfer.ReasonUnchanged},
		{"exact, same instant, other zone", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.In(time.FixedZone("X", 3600))}, ExactTime, false, transfer.ReasonUnchanged},
		{"exact, same second, different ms", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Truncate(time.Second)}, ExactTime, true, transfer.ReasonTime},
		{"exact, one ns off", remote, LocalFile{Exists: true, Size: 10, ModTime: lm.Add(time.Nanosecond)}, ExactTime, true, transfer.ReasonTime},
		{"exact, size differs", remote, LocalFile{Exists: true, Size: 11, ModTime: lm}, ExactTime, true, transfer.ReasonSize},
		{"no-clobber, missing", remote, LocalFile{}, NoClobber, true, transfer.ReasonNew},
		{"no-clobber, size differs", remote, LocalFile{Exists: true, Size: 3, ModTime: lm.Add(-time.Hour)}, NoClobber, false, transfer.ReasonExists},
		{"no-clobber, link at the name", remote, LocalFile{Exists: true, Irregular: true}, NoClobber, false, transfer.ReasonExists},
		{"no-clobber, directory in the way", remote, LocalFile{Exists: true, IsDir: true}, NoClobber, false, transfer.ReasonDirInTheWay},
		{"mtime metadata equal, LastModified not", withMtime, LocalFile{Exists: true, Size: 10, ModTime: mt}, SizeAndTime, false, transfer.ReasonUnchanged},
		{"mtime metadata differs, LastModified equal", withMtime, LocalFile{Exists: true, Size: 10, ModTime: lm}, SizeAndTime, true, transfer.ReasonTime},
		{"exact, mtime metadata with fraction", withMtime, LocalFile{Exists: true, Size: 10, ModTime: mt}, ExactTime, false, transfer.ReasonUnchanged},
		{"size-only ignores mtime metadata", withMtime, LocalFile{Exists: true, Size: 10, ModTime: lm}, SizeOnly, false, transfer.ReasonSameSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := ShouldSync(tt.remote, tt.local, tt.mode)
			if got != tt.want || reason != tt.reason {
				t.Errorf("ShouldSync = %v, %q; want %v, %q", got, reason, tt.want, tt.reason)
			}
		})
	}
}

func TestNeedsLocalMD5(t *testing.T) {
	o := Object{Size: 3, ETag: `"9e107d9d372bb6826bd81d3542a419d6"`}
	if NeedsLocalMD5(o, LocalFile{Exists: true, Size: 3}, SizeAndTime) {
		t.Error("size-and-time mode hashes")
	}
	if !NeedsLocalMD5(o, LocalFile{Exists: true, Size: 3}, Checksum) {
		t.Error("checksum mode does not hash a same-size file")
	}
	if NeedsLocalMD5(o, LocalFile{Exists: true, Size: 4}, Checksum) {
		t.Error("checksum mode hashes although sizes differ")
	}
	o.ETag = `"abc-2"`
	if NeedsLocalMD5(o, LocalFile{Exists: true, Size: 3}, Checksum) {
		t.Error("hashes for a multipart ETag")
	}
}

func TestPlainMD5(t *testing.T) {
	for etag, want := range map[string]bool{
		`"9e107d9d372bb6826bd81d3542a419d6"`:   true,
		`9E107D9D372BB6826BD81D3542A419D6`:     true,
		`"9e107d9d372bb6826bd81d3542a419d6-2"`: false,
		`"9e107d9d372bb6826bd81d3542a419dz"`:   false,
		``:                                     false,
	} {
		if _, ok := PlainMD5(etag); ok != want {
			t.Errorf("PlainMD5(%s) = %v", etag, ok)
		}
	}
}

func TestLocalPath(t *testing.T) {
	dest := "/data/dest"
	tests := []struct {
		prefix, key string
		want        string // "" means refused
	}{
		{"", "a.jpg", "/data/dest/a.jpg"},
		{"p", "p/a.jpg", "/data/dest/a.jpg"},
		{"p/", "p/x/y z.jpg", "/data/dest/x/y z.jpg"},
		{"/p/", "p/x/ü.jpg", "/data/dest/x/ü.jpg"},
		{"p", "p/a..b", "/data/dest/a..b"},
		{"p", "p/..a", "/data/dest/..a"},
		{"p", "p/a.", "/data/dest/a."},
		{"p", `p/..\x`, `/data/dest/..\x`},
		{"p", "p/dir/", "/data/dest/dir"},
		{"p", "p/", "/data/dest"},
		{"p", "p/%2e%2e/x", "/data/dest/%2e%2e/x"},
		{"p", "p/\xc0\xae\xc0\xae/x", "/data/dest/\xc0\xae\xc0\xae/x"},
		{"p", "p/../x", ""},
		{"p", "p/a/../../x", ""},
		{"p", "p/a/..", ""},
		{"p", "p/./a", ""},
		{"p", "p//abs", ""},
		{"p", "p/x//y", ""},
		{"p", "p/x/y//", ""},
		{"p", "p//", ""},
		{"", "/", ""},
		{"p", "p/a\x00b", ""},
		{"p", "q/a", ""},
		{"p", "pa/b", ""},
		{"", "/etc/passwd", ""},
		{"", "..", ""},
	}
	for _, tt := range tests {
		got, err := LocalPath(dest, tt.prefix, tt.key)
		if tt.want == "" {
			if err == nil {
				t.Errorf("LocalPath(%q, %q) = %q, want refusal", tt.prefix, tt.key, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("LocalPath(%q, %q) = %q, %v; want %q", tt.prefix, tt.key, got, err, tt.want)
		}
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"..", "/", "\\", "\x00", "%2e%2e", "\xc0\xae", strings.Repeat("k", 1024),
		"a/../../b", "a//b", "./a", "a/", "..\\..\\x", "p/../x"} {
		f.Add("p", s)
		f.Add("", s)
	}
	dest := filepath.Join(os.TempDir(), "fuzz-dest")
	f.Fuzz(func(t *testing.T, prefix, key string) {
		got, err := LocalPath(dest, prefix, key)
		if err != nil {
			return
		}
		rel, rerr := filepath.Rel(dest, got)
		if rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			t.Fatalf("LocalPath(%q, %q) = %q escapes %q", prefix, key, got, dest)
		}
		if strings.IndexByte(got, 0) >= 0 {
			t.Fatalf("NUL in %q", got)
		}
		// Distinct keys must not share a file: mapping back gives the key.
		back := NormalizePrefix(prefix) + filepath.ToSlash(rel)
		if rel == "." {
			back = NormalizePrefix(prefix)
		}
		if strings.TrimSuffix(key, "/") != strings.TrimSuffix(back, "/") {
			t.Fatalf("LocalPath(%q, %q) = %q maps back to %q", prefix, key, got, back)
		}
	})
}

func TestPartSize(t *testing.T) {
	auto := &Engine{opts: Options{PartSize: DefaultPartSize}, autoPart: true}
	fixed := &Engine{opts: Options{PartSize: 8 << 20}}
	tests := []struct {
		name string
		e    *Engine
		size int64
		want int64
	}{
		{"auto, just over the threshold", auto, 16 << 20, DefaultPartSize},
		{"auto, 128 MiB splits in 8", auto, 128 << 20, 16 << 20},
		{"auto, 512 MiB at the cap", auto, 512 << 20, MaxAutoPartSize},
		{"auto, 5 GiB stays at the cap", auto, 5 << 30, MaxAutoPartSize},
		{"fixed by the user", fixed, 512 << 20, 8 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.partSize(tt.size); got != tt.want {
				t.Errorf("partSize(%d) = %d, want %d", tt.size, got, tt.want)
			}
		})
	}
}
