package transfer

import (
	"fmt"
	"strings"
)

// WindowsNameProblem says why name (one path segment, no separators) cannot
// be a file or folder name on Windows, or returns "" when it can. The rules
// are Windows' own: the reserved device names CON, PRN, AUX, NUL, COM1-9 and
// LPT1-9 (also with any extension, in any case, and with the superscript
// digits ¹²³ Windows treats alike), the characters \ / : * ? " < > | and
// control characters, and a trailing dot or space, which Windows drops and
// so would map two keys onto one file.
//
// It is pure so it is tested on every OS; the download engine applies it
// only on Windows.
func WindowsNameProblem(name string) string {
	if name == "" {
		return "the name is empty"
	}
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("the name holds the control character %U", r)
		case strings.ContainsRune(`\/:*?"<>|`, r):
			return fmt.Sprintf("the name holds the character %c, which Windows does not allow in file names", r)
		}
	}
	if last := name[len(name)-1]; last == '.' || last == ' ' {
		if name == "." || name == ".." {
			return fmt.Sprintf("%q is not a file name", name)
		}
		return "the name ends in a dot or a space, which Windows drops"
	}
	base := name
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	// Windows ignores trailing spaces before the extension too: "CON .txt".
	base = strings.TrimRight(base, " ")
	if reservedDevice(base) {
		return fmt.Sprintf("%q is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9), with or without an extension", name)
	}
	return ""
}

// reservedDevice reports whether base (a name without its extension) is a
// DOS device name, in any case.
func reservedDevice(base string) bool {
	u := strings.ToUpper(base)
	switch u {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(u) < 4 || (u[:3] != "COM" && u[:3] != "LPT") {
		return false
	}
	switch d := u[3:]; d {
	case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}
