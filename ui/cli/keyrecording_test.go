package cli

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// keyRecordingS3 is an in-process S3 holding media/in/a.jpg that records
// the access key id of every signed request, for tests of which key a
// command signs with.
type keyRecordingS3 struct {
	URL  string
	mu   sync.Mutex
	keys []string
}

func newKeyRecordingS3(t *testing.T) *keyRecordingS3 {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket("media"); err != nil {
		t.Fatal(err)
	}
	if _, err := be.PutObject("media", "in/a.jpg", map[string]string{}, strings.NewReader("jpeg"), 4, nil); err != nil {
		t.Fatal(err)
	}
	s := &keyRecordingS3{}
	fake := gofakes3.New(be).Server()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, after, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
			id, _, _ := strings.Cut(after, "/")
			s.mu.Lock()
			s.keys = append(s.keys, id)
			s.mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Keys returns the key ids seen so far, in order.
func (s *keyRecordingS3) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}
