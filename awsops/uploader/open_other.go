//go:build !unix

package uploader

const oNonblock = 0
