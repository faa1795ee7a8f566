package main

import (
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestLayout keeps each package to its one concern, as the README's layout
// map says: steps is pure Go, awsops talks to AWS and imports nothing of
// s3link's, the screens and commands never import an AWS service client,
// nothing is wired by init(), and every test that needs moto_server or the
// built binary carries the e2e build tag, so that `go test ./...` without
// tags needs neither.
func TestLayout(t *testing.T) {
	const mod = "github.com/s3link/s3link"
	slowTest := regexp.MustCompile(`mototest\.Start\(|emulator\.StartMoto\(|exec\.Command\(e\.bin|buildBinary\(`)
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bench") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		isTest := strings.HasSuffix(path, "_test.go")
		for _, spec := range f.Imports {
			imp, _ := strconv.Unquote(spec.Path.Value)
			switch {
			case dir == "steps" && !isTest && strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				t.Errorf("%s imports %s: steps is pure Go (the standard library only)", path, imp)
			case dir == "awsops" && !isTest && strings.HasPrefix(imp, mod+"/"):
				t.Errorf("%s imports %s: package awsops talks to AWS and imports nothing of s3link's", path, imp)
			case (dir == "ui" || strings.HasPrefix(dir, "ui/")) && !isTest && strings.HasPrefix(imp, "github.com/aws/aws-sdk-go-v2/service/"):
				t.Errorf("%s imports %s: screens and commands reach AWS through awsops only", path, imp)
			}
		}
		if !isTest && regexp.MustCompile(`(?m)^func init\(\)`).Match(src) {
			t.Errorf("%s has an init(): wire dependencies explicitly", path)
		}
		if isTest && slowTest.Match(src) && !hasTag(src, "e2e") {
			t.Errorf("%s starts moto_server or the built binary without the e2e build tag; put //go:build e2e at its top", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read %d Go files; the walk missed the tree", files)
	}
}

// hasTag reports whether src's //go:build line requires tag.
func hasTag(src []byte, tag string) bool {
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, "//go:build ") {
			if strings.HasPrefix(line, "package ") {
				return false
			}
			continue
		}
		expr, err := constraint.Parse(line)
		if err != nil {
			return false
		}
		// Required: the file does not build when tag is off, whatever else.
		return !expr.Eval(func(t string) bool { return t != tag })
	}
	return false
}
