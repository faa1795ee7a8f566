//go:build !unix

package download

import "io/fs"

const oNonblock = 0

func fileIdentity(_ fs.FileInfo, rel string) any { return rel }
