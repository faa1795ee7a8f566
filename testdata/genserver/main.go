// Command genserver is an S3 endpoint for s3link's scale test: bucket
// "gen" holds -n made-up objects under "many/" and nothing elsewhere; the
// listing (ListObjectsV2 with continuation tokens) and the bodies are
// generated on the fly, so 100,000 objects cost no memory here. It runs as
// its own process, built without the race detector, so that the server is
// not what the test measures. It prints its URL on the first line of
// stdout and serves /_gets with the number of object GETs so far.
package main

import (
	"crypto/md5"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	n := flag.Int("n", 100_000, "number of objects under many/ (a multiple of 500)")
	flag.Parse()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	g := &genS3{n: *n}
	fmt.Printf("http://%s\n", l.Addr())
	// The test closes stdin (or dies): stop then, so no server outlives it.
	go func() {
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		os.Exit(0)
	}()
	if err := http.Serve(l, g); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// genS3 serves bucket "gen" with n objects under "many/" and none under
// any other prefix. Object i's body is genBody(i).
type genS3 struct {
	n    int
	gets atomic.Int64
}

var genModified = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func genKey(i int) string { return fmt.Sprintf("many/d%03d/obj-%06d.jpg", i%500, i) }

// genBody is 0 to 47 bytes derived from i, so files are real but tiny.
func genBody(i int) []byte {
	n := i % 48
	b := make([]byte, n)
	for j := range b {
		b[j] = byte('a' + (i+j)%26)
	}
	return b
}

func genETag(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

// The listing is in key order: keys sort as d000/obj-000000, d000/obj-000500,
// ..., so object numbers are walked as (i%500, i/500).
func (g *genS3) keyAt(pos int) int { return (pos%(g.n/500))*500 + pos/(g.n/500) }

func (g *genS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_gets" {
		fmt.Fprint(w, g.gets.Load())
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if bucket != "gen" {
		http.Error(w, "no such bucket", http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	switch {
	case key == "" && q.Get("list-type") == "2":
		g.list(w, q.Get("prefix"), q.Get("continuation-token"))
	case key != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		var i int
		if _, err := fmt.Sscanf(key, "many/d%03d/obj-%06d.jpg", new(int), &i); err != nil || i >= g.n || genKey(i) != key {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no</Message></Error>`)
			return
		}
		g.gets.Add(1)
		b := genBody(i)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("ETag", genETag(b))
		w.Header().Set("Last-Modified", genModified.Format(http.TimeFormat))
		w.Header().Set("Content-Type", "image/jpeg")
		if r.Method == http.MethodGet {
			w.Write(b)
		}
	default:
		http.Error(w, "not implemented", http.StatusNotImplemented)
	}
}

func (g *genS3) list(w http.ResponseWriter, prefix, token string) {
	const page = 1000
	start := 0
	if token != "" {
		start, _ = strconv.Atoi(token)
	}
	total := g.n
	if prefix != "many/" {
		total = 0
	}
	end := min(start+page, total)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	fmt.Fprintf(&b, "<Name>gen</Name><Prefix>%s</Prefix><MaxKeys>%d</MaxKeys><KeyCount>%d</KeyCount><EncodingType>url</EncodingType>", prefix, page, max(end-start, 0))
	if end < total {
		fmt.Fprintf(&b, "<IsTruncated>true</IsTruncated><NextContinuationToken>%d</NextContinuationToken>", end)
	} else {
		b.WriteString("<IsTruncated>false</IsTruncated>")
	}
	for pos := start; pos < end; pos++ {
		i := g.keyAt(pos)
		body := genBody(i)
		fmt.Fprintf(&b, "<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>%s</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>",
			genKey(i), genModified.Format("2006-01-02T15:04:05.000Z"), strings.ReplaceAll(genETag(body), `"`, "&quot;"), len(body))
	}
	b.WriteString("</ListBucketResult>")
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprint(w, b.String())
}
