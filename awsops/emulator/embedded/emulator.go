// Package embedded is a small AWS emulator that runs inside the s3link
// process on a loopback port: S3 from gofakes3 (with the bucket settings
// s3link needs added in front of it), and IAM and STS answering the calls
// s3link makes, in the AWS query protocol, well enough for the whole setup
// wizard, teardown and the proof download with a new access key.
//
// It is what `s3link --sandbox` runs on when moto_server is not installed.
// What it does:
//   - every request must be signed (SigV4) by a key it knows, the sandbox's
//     own key or one made by CreateAccessKey and still active; the signature
//     is checked against the key's secret, so a mistyped or lost secret
//     fails as it would on AWS;
//   - IAM keeps users, managed policies with up to 5 versions, tags (also
//     those given in CreateUser and CreatePolicy), permissions boundaries,
//     attachments and up to 2 access keys per user; ListEntitiesForPolicy
//     lists attachments, or with PolicyUsageFilter=PermissionsBoundary the
//     users a policy bounds; duplicates, missing entities and blocked
//     deletions (a policy attached or used as a boundary) answer with
//     AWS's error codes;
//   - S3 buckets remember their region, Block Public Access, default
//     encryption and tags, those of CreateBucketConfiguration included
//     (with or without a LocationConstraint).
//
// What it does not do: it evaluates no IAM policy and no boundary. Any
// known key may do anything, so a download with a new key shows the flow
// working end to end, not that AWS would allow it. State lives in memory
// and every listing is a single page.
package embedded

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

// Defaults for Options.
const (
	DefaultAccount = "123456789012"
	DefaultRegion  = "us-east-1"
)

// maxQueryBody bounds an IAM or STS request body; real ones are a few KiB.
const maxQueryBody = 1 << 20

// Key is an access key the emulator accepts from the start.
type Key struct {
	ID     string
	Secret string
}

// Options configure an emulator.
type Options struct {
	// Account is the account id every ARN carries; empty means
	// DefaultAccount.
	Account string
	// Region is the default region of new buckets; empty means
	// DefaultRegion.
	Region string
	// Admin are the keys of the account's administrator, who is not an
	// IAM user (think of the sandbox's own credentials).
	Admin []Key
}

// Server is a running emulator.
type Server struct {
	account, region string
	url             string
	ln              net.Listener
	http            *http.Server
	iam             *iamService
	s3              *s3Service
	reqID           atomic.Uint64

	stopOnce sync.Once
}

// Start listens on a free 127.0.0.1 port and serves until Stop.
func Start(opts Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the embedded emulator: %w", err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// New builds an emulator without a listener, to serve through ServeHTTP
// (an httptest.Server, say). Start is New plus a loopback listener.
func New(opts Options) (*Server, error) {
	s := &Server{account: opts.Account, region: opts.Region}
	if s.account == "" {
		s.account = DefaultAccount
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	s.iam = newIAM(s.account)
	for _, k := range opts.Admin {
		if k.ID == "" || k.Secret == "" {
			return nil, errors.New("emulator: an admin key needs an id and a secret")
		}
		s.iam.admin[k.ID] = k.Secret
	}
	s3s, err := newS3(s)
	if err != nil {
		return nil, err
	}
	s.s3 = s3s
	return s, nil
}

// URL is the endpoint to hand to the AWS clients, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Stop closes the listener and waits briefly for requests in flight. It is
// safe to call more than once.
func (s *Server) Stop() error {
	var err error
	s.stopOnce.Do(func() {
		if s.http == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err = s.http.Shutdown(ctx); err != nil {
			err = s.http.Close()
		}
	})
	return err
}

func (s *Server) requestID() string {
	return fmt.Sprintf("S3LINK-EMU-%012d", s.reqID.Add(1))
}

// ServeHTTP routes a request by the service named in its SigV4 credential
// scope (.../region/SERVICE/aws4_request) and answers only requests signed
// by a known, active key.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth, err := parseAuth(r)
	if err != nil {
		// Without a scope there is no telling which service was meant;
		// answer in S3's dialect, the only one that has anonymous calls.
		s.s3.error(w, r, http.StatusForbidden, "AccessDenied", err.Error())
		return
	}
	var body []byte
	if auth.service != "s3" {
		if body, err = io.ReadAll(io.LimitReader(r.Body, maxQueryBody+1)); err != nil || len(body) > maxQueryBody {
			queryError(w, s.requestID(), auth.service, http.StatusBadRequest, "InvalidInput", "the request body is unreadable or too large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	caller, code, msg := s.iam.authenticate(r, auth, body)
	if code != "" {
		if auth.service == "s3" {
			s.s3.error(w, r, http.StatusForbidden, code, msg)
		} else {
			queryError(w, s.requestID(), auth.service, http.StatusForbidden, code, msg)
		}
		return
	}
	switch auth.service {
	case "s3":
		s.s3.ServeHTTP(w, r)
	case "iam", "sts":
		s.serveQuery(w, r, auth.service, caller)
	default:
		queryError(w, s.requestID(), auth.service, http.StatusBadRequest, "InvalidAction",
			fmt.Sprintf("the embedded emulator does not serve %q; it serves s3, iam and sts", auth.service))
	}
}

// sigv4 is the parsed Authorization header of a SigV4-signed request.
type sigv4 struct {
	keyID, date, region, service string
	signedHeaders                []string
	signature                    string
}

func (a sigv4) scope() string {
	return a.date + "/" + a.region + "/" + a.service + "/aws4_request"
}

// parseAuth reads "AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func parseAuth(r *http.Request) (sigv4, error) {
	if r.URL.Query().Get("X-Amz-Credential") != "" {
		return sigv4{}, errors.New("presigned URLs are not emulated; sign the request in its Authorization header")
	}
	h := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return sigv4{}, errors.New("the request is not signed with AWS Signature Version 4")
	}
	var a sigv4
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return sigv4{}, fmt.Errorf("malformed credential scope %q", v)
			}
			a.keyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.keyID == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return sigv4{}, errors.New("the Authorization header lacks a credential, signed headers or a signature")
	}
	return a, nil
}

// verify recomputes the request's signature with secret, the way AWS does
// from the client's own list of signed headers, and compares.
func (a sigv4) verify(r *http.Request, secret string, body []byte) bool {
	amzDate := r.Header.Get("X-Amz-Date")
	if !strings.HasPrefix(amzDate, a.date) {
		return false
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	uri := r.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	if a.service != "s3" {
		// Every service but S3 escapes the path a second time.
		uri = httpbinding.EscapePath(uri, false)
	}
	var canon strings.Builder
	canon.WriteString(r.Method + "\n" + uri + "\n" + canonicalQuery(r.URL.Query()) + "\n")
	for _, name := range a.signedHeaders {
		canon.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	canon.WriteString("\n" + strings.Join(a.signedHeaders, ";") + "\n" + payload)

	sum := sha256.Sum256([]byte(canon.String()))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + a.scope() + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{a.date, a.region, a.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	return hmac.Equal([]byte(want), []byte(a.signature))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vals := r.Header.Values(name)
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, uriEncode(k)+"="+uriEncode(v))
		}
	}
	return strings.Join(parts, "&")
}

// uriEncode is RFC 3986 encoding as SigV4 wants it: spaces as %20.
func uriEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
