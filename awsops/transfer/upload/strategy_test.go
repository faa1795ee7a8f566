package upload

import (
	"testing"
	"time"

	"github.com/s3link/s3link/awsops/transfer"
)

func TestShouldUpload(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 123_456_789)
	const md5a = "0cc175b9c0f1b6a831c399e269772661"
	const md5b = "92eb5ffee6ae2fec3ad71c777531578f"
	tests := []struct {
		name   string
		local  Local
		remote Remote
		want   bool
		reason transfer.Reason
	}{
		{"absent", Local{Size: 1}, Remote{}, true, transfer.ReasonNew},
		{"size differs", Local{Size: 2, MD5: md5a}, Remote{Exists: true, Size: 1, ETag: md5a}, true, transfer.ReasonSize},
		{"same md5", Local{Size: 1, MD5: md5a}, Remote{Exists: true, Size: 1, ETag: md5a}, false, transfer.ReasonSameChecksum},
		{"same md5 upper case", Local{Size: 1, MD5: md5a}, Remote{Exists: true, Size: 1, ETag: "0CC175B9C0F1B6A831C399E269772661"}, false, transfer.ReasonSameChecksum},
		{"md5 differs", Local{Size: 1, MD5: md5b}, Remote{Exists: true, Size: 1, ETag: md5a}, true, transfer.ReasonChecksum},
		{"multipart same mtime", Local{Size: 9, ModTime: t0}, Remote{Exists: true, Size: 9, ETag: md5a + "-2", Mtime: t0}, false, transfer.ReasonSameTime},
		{"multipart other mtime", Local{Size: 9, ModTime: t0.Add(time.Nanosecond)}, Remote{Exists: true, Size: 9, ETag: md5a + "-2", Mtime: t0}, true, transfer.ReasonTime},
		{"multipart no mtime, same etag", Local{Size: 9, MultipartETag: md5a + "-2"}, Remote{Exists: true, Size: 9, ETag: md5a + "-2"}, false, transfer.ReasonSameChecksum},
		{"multipart no mtime, other etag", Local{Size: 9, MultipartETag: md5b + "-2"}, Remote{Exists: true, Size: 9, ETag: md5a + "-2"}, true, transfer.ReasonChecksum},
		{"multipart no evidence", Local{Size: 9}, Remote{Exists: true, Size: 9, ETag: md5a + "-2"}, true, transfer.ReasonUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := ShouldUpload(tt.local, tt.remote)
			if got != tt.want || reason != tt.reason {
				t.Errorf("ShouldUpload = %v, %q; want %v, %q", got, reason, tt.want, tt.reason)
			}
		})
	}
}

func TestNeedsEvidence(t *testing.T) {
	plain := Remote{Exists: true, Size: 5, ETag: `"0cc175b9c0f1b6a831c399e269772661"`}
	multi := Remote{Exists: true, Size: 5, ETag: `"0cc175b9c0f1b6a831c399e269772661-3"`}
	if !NeedsMD5(Local{Size: 5}, plain) || NeedsMD5(Local{Size: 6}, plain) || NeedsMD5(Local{Size: 5}, multi) {
		t.Error("NeedsMD5 wrong")
	}
	if !NeedsHead(Local{Size: 5}, multi) || NeedsHead(Local{Size: 5}, plain) || NeedsHead(Local{Size: 5}, Remote{}) {
		t.Error("NeedsHead wrong")
	}
	if n := multipartParts(multi.ETag); n != 3 {
		t.Errorf("multipartParts = %d, want 3", n)
	}
}

func TestMtimeFormat(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		text string
	}{
		{time.Unix(1_700_000_000, 5), "1700000000.000000005"},
		{time.Unix(0, 0), "0.000000000"},
		{time.Unix(-2, 500_000_000), "-1.500000000"},
	} {
		if got := FormatMtime(tt.t); got != tt.text {
			t.Errorf("FormatMtime(%v) = %q, want %q", tt.t, got, tt.text)
		}
		back, ok := ParseMtime(tt.text)
		if !ok || !back.Equal(tt.t) {
			t.Errorf("ParseMtime(%q) = %v, %v; want %v", tt.text, back, ok, tt.t)
		}
	}
	// rclone writes nine decimals too, but shorter fractions must parse.
	if got, ok := ParseMtime("12.5"); !ok || !got.Equal(time.Unix(12, 500_000_000)) {
		t.Errorf("ParseMtime(12.5) = %v, %v", got, ok)
	}
	if _, ok := ParseMtime("yesterday"); ok {
		t.Error("ParseMtime accepted text")
	}
}

func TestIsMedia(t *testing.T) {
	for name, want := range map[string]bool{
		"a.jpg": true, "b/C.JPEG": true, "clip.MoV": true, "x.3gp": true, "raw.CR2": true,
		"notes.txt": false, "jpg": false, ".jpg.txt": false, "noext": false, "a.jpg/b": false,
	} {
		if got := IsMedia(name); got != want {
			t.Errorf("IsMedia(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestPartSizeFor(t *testing.T) {
	e, err := New(nil, "dir", Options{Bucket: "b", PartSize: MinPartSize})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.partSizeFor(100 << 20); got != MinPartSize {
		t.Errorf("partSizeFor(100 MiB) = %d", got)
	}
	big := int64(MaxParts)*MinPartSize + 1
	ps := e.partSizeFor(big)
	if (big+ps-1)/ps > MaxParts || ps%(1<<20) != 0 {
		t.Errorf("partSizeFor(%d) = %d: %d parts", big, ps, (big+ps-1)/ps)
	}
	if _, err := New(nil, "dir", Options{Bucket: "b", PartSize: 1 << 20}); err == nil {
		t.Error("New accepted a 1 MiB part size")
	}
}
