package faultproxy

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// Toxic is one toxic to Add: its name, type, stream, toxicity (the share
// of connections it hits) and attributes as JSON.
type Toxic struct {
	Name, Type, Stream string
	Toxicity           float64
	Attrs              string
}

// Fault is one TCP fault a test runs a transfer through.
type Fault struct {
	Name string
	// Counter names the fault counter that proves the fault happened;
	// "resets" counts the ECONNRESETs the client saw (reset_peer cannot be
	// wrapped).
	Counter string
	// OneRequestPerConn turns keep-alive off at the server, so a fault
	// rolled per connection (toxicity < 1) is rolled per request: with the
	// tests' ~20-35 requests, "no fault at all" has odds below 1e-6.
	OneRequestPerConn bool
	Toxics            []Toxic
}

// Faults are the TCP faults both engines' tests go through. Bodies flow
// downstream in a download and upstream in an upload (up set); the rates
// and sizes are tuned to each direction's test data.
func Faults(up bool) []Fault {
	body := "downstream"
	if up {
		body = "upstream"
	}
	pick := func(down, upload string) string {
		if up {
			return upload
		}
		return down
	}
	cutShare := 1.0
	if up {
		cutShare = 0.5
	}
	return []Fault{
		{Name: "latency", Counter: "latency", Toxics: []Toxic{
			{"lat-down", Latency, "downstream", 1, pick(`{"latency":40,"jitter":20}`, `{"latency":30,"jitter":15}`)},
			{"lat-up", Latency, "upstream", 1, pick(`{"latency":10,"jitter":5}`, `{"latency":30,"jitter":15}`)},
		}},
		{Name: "bandwidth", Counter: "bandwidth", Toxics: []Toxic{
			{"bw", Bandwidth, body, 1, pick(`{"rate":2048}`, `{"rate":8192}`)},
		}},
		// Many small TCP segments: bodies arrive in odd pieces.
		{Name: "slicer", Counter: "slicer", Toxics: []Toxic{
			{"slice", Slicer, body, 1, pick(`{"average_size":1500,"size_variation":1400,"delay":20}`, `{"average_size":4096,"size_variation":4000,"delay":10}`)},
		}},
		// A download's connections all end after 100 KB: mid-body for the
		// larger objects, between responses for others. Half an upload's
		// requests are cut after 64 KB of their body went out: the server
		// gets a short body, the client a closed connection.
		{Name: "limit_data", Counter: "limit_data", OneRequestPerConn: up, Toxics: []Toxic{
			{"cut", LimitData, body, cutShare, pick(`{"bytes":102400}`, `{"bytes":65536}`)},
		}},
		// Half the connections swallow their first bytes and are reset
		// (RST) a few ms later. toxiproxy only sets SO_LINGER 0 for its own
		// reset_peer type, so this one is counted where the client sees
		// ECONNRESET.
		{Name: "reset_peer", Counter: "resets", OneRequestPerConn: true, Toxics: []Toxic{
			{"rst", "reset_peer", body, 0.5, pick(`{"timeout":30}`, `{"timeout":20}`)},
		}},
		// Half the connections swallow everything and close after 150 ms:
		// requests with no response at all.
		{Name: "timeout", Counter: "timeout", OneRequestPerConn: true, Toxics: []Toxic{
			{"blackhole", Timeout, "downstream", 0.5, `{"timeout":150}`},
		}},
	}
}

// Rig is a fault test's world: a server behind a proxy.
type Rig interface {
	Rig() (*Proxy, *http.Server)
}

// Each runs a transfer through every fault, each as a subtest: start sets
// up a fresh rig; keep-alive goes off at its server when the fault asks,
// and the fault's toxics go on its proxy; run moves the data and returns
// the check of its outcome, which runs once the fault is proven injected
// (a fault that never happened proves nothing and fails the subtest), with
// the number injected.
func Each[R Rig](t *testing.T, faults []Fault, start func(t *testing.T) R, run func(t *testing.T, r R) (check func(injected int64))) {
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			r := start(t)
			p, srv := r.Rig()
			srv.SetKeepAlivesEnabled(!f.OneRequestPerConn)
			for _, x := range f.Toxics {
				p.Add(t, x.Name, x.Type, x.Stream, x.Toxicity, x.Attrs)
			}
			before := Count(f.Counter)
			check := run(t, r)
			n := Count(f.Counter) - before
			if n == 0 {
				t.Fatalf("no %s fault was injected; the test proves nothing", f.Name)
			}
			check(n)
		})
	}
}

// Flap takes the proxy down and brings it back, times times, while a
// transfer runs: before outage i it waits until traffic(i) holds, then
// keeps the proxy down for 300 ms. The returned stop ends the flapping,
// waits for it and returns the number of outages; none fails the test,
// which would prove nothing.
func (p *Proxy) Flap(t *testing.T, times int, traffic func(i int) bool) (stop func() int64) {
	var outages atomic.Int64
	quit := make(chan struct{})
	flapped := make(chan struct{})
	go func() {
		defer close(flapped)
		for i := range times {
			for !traffic(i) {
				select {
				case <-quit:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
			p.Stop()
			outages.Add(1)
			select {
			case <-quit:
			case <-time.After(300 * time.Millisecond):
			}
			if err := p.Start(); err != nil {
				t.Errorf("restart proxy: %v", err)
				return
			}
		}
	}()
	return func() int64 {
		close(quit)
		<-flapped
		if outages.Load() == 0 {
			t.Fatal("the proxy never went down; the test proves nothing")
		}
		return outages.Load()
	}
}
