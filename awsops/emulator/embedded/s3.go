package embedded

import (
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxSettingsBody bounds a bucket settings document.
const maxSettingsBody = 64 << 10

// regionSyntax is the shape of an AWS region name, e.g. eu-west-1.
var regionSyntax = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// Bucket subresources gofakes3 would misread as a listing or a create,
// and that the emulator does not implement either.
var unsupportedSubresources = []string{
	"acl", "policy", "cors", "lifecycle", "website", "logging", "notification", "replication",
	"ownershipControls", "object-lock", "accelerate", "requestPayment", "analytics", "metrics",
	"inventory", "intelligent-tiering", "policyStatus", "metadataTable",
}

// s3Service is gofakes3 over an in-memory backend, with a front that owns
// bucket creation (regions, us-east-1's quirk) and the bucket settings
// gofakes3 lacks: Block Public Access, default encryption and tags.
type s3Service struct {
	srv     *Server
	backend *s3mem.Backend
	fake    http.Handler

	mu      sync.Mutex
	buckets map[string]*bucketMeta
}

type bucketMeta struct {
	region     string
	publicAB   *xPublicAccessBlock
	encryption *xEncryption
	tags       *xTagging
}

type xPublicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

type xEncryption struct {
	XMLName xml.Name          `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string            `xml:"xmlns,attr,omitempty"`
	Rules   []xEncryptionRule `xml:"Rule"`
}

type xEncryptionRule struct {
	ApplyServerSideEncryptionByDefault struct {
		SSEAlgorithm   string
		KMSMasterKeyID string `xml:",omitempty"`
	}
	BucketKeyEnabled bool `xml:",omitempty"`
}

type xTagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []xTag   `xml:"TagSet>Tag"`
}

// normalize drops the namespace a decoded document carries in XMLName,
// so that it is written back with exactly one xmlns attribute.
func (x *xPublicAccessBlock) normalize() { x.XMLName, x.Xmlns = xml.Name{}, s3NS }
func (x *xEncryption) normalize()        { x.XMLName, x.Xmlns = xml.Name{}, s3NS }
func (x *xTagging) normalize()           { x.XMLName, x.Xmlns = xml.Name{}, s3NS }

// check refuses a tag set S3 would refuse; see checkBucketTags.
func (x *xTagging) check() string { return checkBucketTags(x.TagSet) }

func newS3(srv *Server) (*s3Service, error) {
	backend := s3mem.New()
	fake := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	return &s3Service{srv: srv, backend: backend, fake: fake.Server(), buckets: map[string]*bucketMeta{}}, nil
}

// error writes S3's <Error> document.
func (s *s3Service) error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	rid := s.srv.requestID()
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", rid)
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName    xml.Name `xml:"Error"`
		Code       string
		Message    string
		BucketName string `xml:",omitempty"`
		RequestID  string `xml:"RequestId"`
	}{Code: code, Message: msg, BucketName: bucket, RequestID: rid})
}

func (s *s3Service) writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", s.srv.requestID())
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

func (s *s3Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, object, _ := strings.Cut(path, "/")
	switch {
	case bucket == "" && r.Method == http.MethodGet:
		s.listBuckets(w, r)
	case bucket != "" && object == "":
		s.serveBucket(w, r, bucket)
	default:
		if object != "" && r.URL.Query().Has("tagging") {
			s.error(w, r, http.StatusNotImplemented, "NotImplemented", "object tagging is not emulated")
			return
		}
		s.fake.ServeHTTP(w, r)
	}
}

func (s *s3Service) meta(bucket string) (*bucketMeta, bool) {
	ok, _ := s.backend.BucketExists(bucket)
	if !ok {
		s.mu.Lock()
		delete(s.buckets, bucket)
		s.mu.Unlock()
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.buckets[bucket]
	if m == nil {
		m = &bucketMeta{region: s.srv.region}
		s.buckets[bucket] = m
	}
	return m, true
}

func (s *s3Service) serveBucket(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	for _, sub := range unsupportedSubresources {
		if q.Has(sub) {
			s.error(w, r, http.StatusNotImplemented, "NotImplemented", "bucket "+sub+" is not emulated")
			return
		}
	}
	if r.Method == http.MethodPut && len(q) == 0 {
		s.createBucket(w, r, bucket)
		return
	}
	m, ok := s.meta(bucket)
	if !ok {
		if r.Method == http.MethodPut || q.Has("publicAccessBlock") || q.Has("encryption") || q.Has("tagging") || q.Has("location") {
			s.error(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
			return
		}
		s.fake.ServeHTTP(w, r)
		return
	}
	w.Header().Set("X-Amz-Bucket-Region", m.region)
	switch {
	case q.Has("publicAccessBlock"):
		setting(s, w, r, &m.publicAB, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
	case q.Has("encryption"):
		if r.Method == http.MethodGet && m.encryption == nil {
			// Since 2023 every bucket encrypts with SSE-S3 unless told
			// otherwise, and S3 reports that default.
			def := &xEncryption{Xmlns: s3NS, Rules: make([]xEncryptionRule, 1)}
			def.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm = "AES256"
			s.writeXML(w, def)
			return
		}
		setting(s, w, r, &m.encryption, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
	case q.Has("tagging"):
		setting(s, w, r, &m.tags, "NoSuchTagSet", "The TagSet does not exist")
	case q.Has("location"):
		loc := m.region
		if loc == "us-east-1" {
			loc = "" // S3 reports us-east-1 as no constraint at all
		}
		s.writeXML(w, struct {
			XMLName xml.Name `xml:"LocationConstraint"`
			Xmlns   string   `xml:"xmlns,attr"`
			Value   string   `xml:",chardata"`
		}{Xmlns: s3NS, Value: loc})
	default:
		s.fake.ServeHTTP(w, r)
		if r.Method == http.MethodDelete {
			s.meta(bucket) // forget the settings of a bucket that is gone
		}
	}
}

// setting serves PUT, GET and DELETE of one bucket settings document.
func setting[T any, PT interface {
	*T
	normalize()
}](s *s3Service, w http.ResponseWriter, r *http.Request, slot *PT, missingCode, missingMsg string) {
	switch r.Method {
	case http.MethodPut:
		v := PT(new(T))
		if err := xml.NewDecoder(io.LimitReader(r.Body, maxSettingsBody)).Decode(v); err != nil {
			s.error(w, r, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
			return
		}
		if c, ok := any(v).(interface{ check() string }); ok {
			if msg := c.check(); msg != "" {
				s.error(w, r, http.StatusBadRequest, "InvalidTag", msg)
				return
			}
		}
		v.normalize()
		s.mu.Lock()
		*slot = v
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		s.mu.Lock()
		v := *slot
		s.mu.Unlock()
		if v == nil {
			s.error(w, r, http.StatusNotFound, missingCode, missingMsg)
			return
		}
		s.writeXML(w, v)
	case http.MethodDelete:
		s.mu.Lock()
		*slot = nil
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		s.error(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
}

// maxBucketTags is S3's limit of tags per bucket.
const maxBucketTags = 50

// createBucket follows S3: no LocationConstraint means us-east-1, which
// refuses an explicit one; re-creating a bucket you own answers 200 in
// us-east-1 (changing nothing, the tags included) and
// BucketAlreadyOwnedByYou everywhere else. Tags in the configuration
// (allowed with or without a LocationConstraint) become the new bucket's
// tag set, as PutBucketTagging would set it. Every bucket here belongs to
// the one account, so BucketAlreadyExists never happens.
func (s *s3Service) createBucket(w http.ResponseWriter, r *http.Request, bucket string) {
	var cfg struct {
		LocationConstraint string
		Tags               *struct {
			Tag []xTag
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSettingsBody))
	if err == nil && len(strings.TrimSpace(string(body))) > 0 {
		err = xml.Unmarshal(body, &cfg)
	}
	if err != nil {
		s.error(w, r, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		return
	}
	var tags *xTagging // an empty <Tags/> leaves the bucket without a tag set
	if cfg.Tags != nil && len(cfg.Tags.Tag) > 0 {
		if msg := checkBucketTags(cfg.Tags.Tag); msg != "" {
			s.error(w, r, http.StatusBadRequest, "InvalidTag", msg)
			return
		}
		tags = &xTagging{Xmlns: s3NS, TagSet: cfg.Tags.Tag}
	}
	sigRegion := ""
	if a, err := parseAuth(r); err == nil {
		sigRegion = a.region
	}
	region := cfg.LocationConstraint
	switch {
	case region == "" && sigRegion != "" && sigRegion != "us-east-1":
		s.error(w, r, http.StatusBadRequest, "IllegalLocationConstraintException",
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		return
	case region == "":
		region = "us-east-1"
	case region == "us-east-1" || !regionSyntax.MatchString(region):
		s.error(w, r, http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
		return
	case sigRegion != "" && sigRegion != "us-east-1" && sigRegion != region:
		s.error(w, r, http.StatusBadRequest, "IllegalLocationConstraintException",
			"The "+region+" location constraint is incompatible for the region specific endpoint this request was sent to.")
		return
	}
	if err := gofakes3.ValidateBucketName(bucket); err != nil {
		s.error(w, r, http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
		return
	}
	if m, ok := s.meta(bucket); ok {
		if m.region == "us-east-1" && region == "us-east-1" {
			w.Header().Set("Location", "/"+bucket)
			w.WriteHeader(http.StatusOK)
			return
		}
		s.error(w, r, http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.")
		return
	}
	if err := s.backend.CreateBucket(bucket); err != nil {
		s.error(w, r, http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.")
		return
	}
	s.mu.Lock()
	s.buckets[bucket] = &bucketMeta{region: region, tags: tags}
	s.mu.Unlock()
	w.Header().Set("Location", "/"+bucket)
	w.WriteHeader(http.StatusOK)
}

// checkBucketTags applies S3's rules for a tag set: at most 50 tags, each
// key non-empty and given once. It returns the refusal, "" when none.
func checkBucketTags(tags []xTag) string {
	if len(tags) > maxBucketTags {
		return "Bucket tag count cannot be greater than 50"
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "":
			return "The TagKey you have provided is invalid"
		case seen[t.Key]:
			return "Cannot provide multiple Tags with the same key"
		}
		seen[t.Key] = true
	}
	return ""
}

// listBuckets answers ListBuckets with each bucket's region, honouring the
// prefix filter; one page.
func (s *s3Service) listBuckets(w http.ResponseWriter, r *http.Request) {
	infos, err := s.backend.ListBuckets()
	if err != nil {
		s.error(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	prefix := r.URL.Query().Get("prefix")
	type xBucket struct {
		Name         string
		CreationDate string
		BucketRegion string
	}
	out := struct {
		XMLName xml.Name  `xml:"ListAllMyBucketsResult"`
		Xmlns   string    `xml:"xmlns,attr"`
		OwnerID string    `xml:"Owner>ID"`
		Buckets []xBucket `xml:"Buckets>Bucket"`
		Prefix  string    `xml:",omitempty"`
	}{Xmlns: s3NS, OwnerID: s.srv.account, Prefix: prefix}
	slices.SortFunc(infos, func(a, b gofakes3.BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	for _, b := range infos {
		if !strings.HasPrefix(b.Name, prefix) {
			continue
		}
		m, ok := s.meta(b.Name)
		if !ok {
			continue
		}
		out.Buckets = append(out.Buckets, xBucket{b.Name, b.CreationDate.UTC().Format(time.RFC3339), m.region})
	}
	s.writeXML(w, out)
}
