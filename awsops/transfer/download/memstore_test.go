package download

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// memStore is an in-memory Store for tests that need no HTTP: objects are
// generated on demand (so listing a huge prefix costs the test nothing) and
// reads can be observed.
type memStore struct {
	n    int
	gen  func(i int) (Object, []byte)
	page int
	// index, when set, finds a key's position without scanning.
	index func(key string) int

	mu     sync.Mutex
	onRead func(key string, reads int) // called before each body Read
	reads  map[string]int
}

var memTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func newMemStore(objs ...string) *memStore {
	sort.Strings(objs)
	return &memStore{n: len(objs), page: 1000, reads: map[string]int{}, gen: func(i int) (Object, []byte) {
		b := body(objs[i], 100)
		return Object{Key: objs[i], Size: int64(len(b)), LastModified: memTime}, b
	}}
}

func (m *memStore) List(ctx context.Context, _ string, _ string, page func([]Object) error) error {
	buf := make([]Object, 0, m.page)
	for i := 0; i < m.n; i++ {
		o, _ := m.gen(i)
		buf = append(buf, o)
		if len(buf) == m.page || i == m.n-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := page(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return nil
}

func (m *memStore) Get(_ context.Context, req GetRequest) (*GetResponse, error) {
	var data []byte
	if m.index != nil {
		if i := m.index(req.Key); i >= 0 {
			_, data = m.gen(i)
		}
	} else {
		for i := 0; i < m.n; i++ {
			if o, b := m.gen(i); o.Key == req.Key {
				data = b
				break
			}
		}
	}
	if data == nil {
		return nil, fmt.Errorf("get %q: %w", req.Key, ErrNoSuchKey)
	}
	size := int64(len(data))
	part := data[req.Offset:]
	if req.Length > 0 {
		part = part[:req.Length]
	}
	return &GetResponse{Body: &memBody{m: m, key: req.Key, r: bytes.NewReader(part)},
		ContentLength: int64(len(part)), Size: size}, nil
}

type memBody struct {
	m   *memStore
	key string
	r   *bytes.Reader
}

func (b *memBody) Read(p []byte) (int, error) {
	b.m.mu.Lock()
	b.m.reads[b.key]++
	n, hook := b.m.reads[b.key], b.m.onRead
	b.m.mu.Unlock()
	if hook != nil {
		hook(b.key, n)
	}
	// Small reads, so a body takes many Read calls.
	if len(p) > 4096 {
		p = p[:4096]
	}
	return b.r.Read(p)
}

func (b *memBody) Close() error { return nil }

func (m *memStore) readsOf(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads[key]
}

var _ io.ReadCloser = (*memBody)(nil)
