//go:build !unix

package privfile

import "io/fs"

const (
	oNoFollow = 0
	oNonblock = 0
)

func isLinkRefusal(error) bool { return false }

func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
