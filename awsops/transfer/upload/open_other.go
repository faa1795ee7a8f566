//go:build !unix

package upload

const oNonblock = 0
