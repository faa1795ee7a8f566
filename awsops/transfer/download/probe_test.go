package download

import (
	"context"
	"errors"
	"testing"
)

// probeStore wraps memStore and records what Probe asks for.
type probeStore struct {
	*memStore
	gets    []GetRequest
	pages   int
	failGet error
}

func (p *probeStore) List(ctx context.Context, b, pre string, page func([]Object) error) error {
	return p.memStore.List(ctx, b, pre, func(o []Object) error {
		p.pages++
		return page(o)
	})
}

func (p *probeStore) Get(ctx context.Context, req GetRequest) (*GetResponse, error) {
	p.gets = append(p.gets, req)
	if p.failGet != nil {
		return nil, p.failGet
	}
	return p.memStore.Get(ctx, req)
}

func TestProbeReadsOneByteOfTheFirstObject(t *testing.T) {
	m := newMemStore("a/", "a/one.jpg", "b.jpg")
	m.page = 2
	st := &probeStore{memStore: m}
	if err := Probe(context.Background(), st, "bkt", "p"); err != nil {
		t.Fatal(err)
	}
	if st.pages != 1 {
		t.Errorf("listed %d pages, want only the first", st.pages)
	}
	if len(st.gets) != 1 || st.gets[0].Key != "a/one.jpg" || st.gets[0].Length != 1 {
		t.Errorf("gets %+v, want one 1-byte read of a/one.jpg (not the folder marker)", st.gets)
	}
}

func TestProbeOfAnEmptyLocationListsOnly(t *testing.T) {
	st := &probeStore{memStore: newMemStore()}
	if err := Probe(context.Background(), st, "bkt", ""); err != nil || len(st.gets) != 0 {
		t.Errorf("empty location: err %v, gets %v", err, st.gets)
	}
}

func TestProbeReportsAReadThatIsRefused(t *testing.T) {
	denied := errors.New("AccessDenied")
	st := &probeStore{memStore: newMemStore("x.jpg"), failGet: denied}
	if err := Probe(context.Background(), st, "bkt", ""); !errors.Is(err, denied) {
		t.Errorf("err %v, want the refused read", err)
	}
}
