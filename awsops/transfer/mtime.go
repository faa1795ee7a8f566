package transfer

import (
	"strconv"
	"strings"
	"time"
)

// MtimeMeta is the user-metadata name under which uploads store the file's
// modification time (sent as x-amz-meta-mtime). rclone uses the same name
// and format, so either tool recognises the other's uploads as unchanged.
const MtimeMeta = "mtime"

// FormatMtime renders t as seconds since the epoch with nine decimals.
func FormatMtime(t time.Time) string {
	ns := t.UnixNano()
	sign := ""
	if ns < 0 {
		sign, ns = "-", -ns
	}
	return sign + strconv.FormatInt(ns/1e9, 10) + "." + leftPad9(ns%1e9)
}

func leftPad9(n int64) string {
	s := strconv.FormatInt(n, 10)
	return strings.Repeat("0", 9-len(s)) + s
}

// ParseMtime reads FormatMtime's format, with any number of decimals; ok is
// false for anything else.
func ParseMtime(s string) (time.Time, bool) {
	secPart, fracPart, _ := strings.Cut(strings.TrimSpace(s), ".")
	sec, err := strconv.ParseInt(secPart, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	var ns int64
	if fracPart != "" {
		if len(fracPart) > 9 {
			fracPart = fracPart[:9]
		}
		f, err := strconv.ParseUint(fracPart, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		ns = int64(f)
		for i := len(fracPart); i < 9; i++ {
			ns *= 10
		}
	}
	if strings.HasPrefix(secPart, "-") && ns > 0 {
		// "-1.5" is 1.5 s before the epoch.
		return time.Unix(sec, -ns), true
	}
	return time.Unix(sec, ns), true
}

// MtimeFromMetadata returns the MtimeMeta time in an object's user metadata
// (the name in any case), and false when there is none or it is not in
// FormatMtime's format.
func MtimeFromMetadata(meta map[string]string) (time.Time, bool) {
	for k, v := range meta {
		if strings.EqualFold(k, MtimeMeta) {
			return ParseMtime(v)
		}
	}
	return time.Time{}, false
}
