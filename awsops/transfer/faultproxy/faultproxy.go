// Package faultproxy puts Shopify's toxiproxy, in process, between a client
// and a server on loopback for the engines' network-fault tests. Its toxics
// count the connections they were injected into, so a test can prove a fault
// really happened. Only tests import it.
package faultproxy

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// The counting toxic types, for Proxy.Add. Each wraps toxiproxy's toxic of
// the same name and takes the same attributes.
const (
	Latency   = "counted_latency"
	Bandwidth = "counted_bandwidth"
	LimitData = "counted_limit_data"
	Slicer    = "counted_slicer"
	Timeout   = "counted_timeout"
)

// injected counts faults by kind ("latency", "bandwidth", "limit_data",
// "slicer", "timeout", and whatever tests Inject themselves). Pipe runs once
// per connection direction the toxic was rolled for (its toxicity), so the
// counts are connections.
var injected sync.Map // kind -> *atomic.Int64

// Inject counts one fault of kind that a test injected by other means, such
// as a reset from its own handler.
func Inject(kind string) {
	v, _ := injected.LoadOrStore(kind, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// Count reports how many faults of kind were injected so far in this
// process.
func Count(kind string) int64 {
	if v, ok := injected.Load(kind); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

type countedLatency struct{ toxics.LatencyToxic }

func (t *countedLatency) Pipe(s *toxics.ToxicStub) { Inject("latency"); t.LatencyToxic.Pipe(s) }

type countedBandwidth struct{ toxics.BandwidthToxic }

func (t *countedBandwidth) Pipe(s *toxics.ToxicStub) { Inject("bandwidth"); t.BandwidthToxic.Pipe(s) }

type countedLimitData struct{ toxics.LimitDataToxic }

func (t *countedLimitData) Pipe(s *toxics.ToxicStub) { Inject("limit_data"); t.LimitDataToxic.Pipe(s) }

type countedSlicer struct{ toxics.SlicerToxic }

func (t *countedSlicer) Pipe(s *toxics.ToxicStub) { Inject("slicer"); t.SlicerToxic.Pipe(s) }

type countedTimeout struct{ toxics.TimeoutToxic }

func (t *countedTimeout) Pipe(s *toxics.ToxicStub) { Inject("timeout"); t.TimeoutToxic.Pipe(s) }

// register adds the counting toxics to toxiproxy's registry, once, when the
// first proxy starts. toxiproxy v2.12 logs through loggers it is given (and
// its global one only at trace level), so no global setting is changed.
var register = sync.OnceFunc(func() {
	toxics.Register(Latency, new(countedLatency))
	toxics.Register(Bandwidth, new(countedBandwidth))
	toxics.Register(LimitData, new(countedLimitData))
	toxics.Register(Slicer, new(countedSlicer))
	toxics.Register(Timeout, new(countedTimeout))
})

// Proxy is a running toxiproxy proxy; Stop and Start take it down and
// bring it back.
type Proxy struct{ *toxiproxy.Proxy }

// Start opens a proxy on a free 127.0.0.1 port in front of upstream
// ("host:port") and stops it when t ends. Its address is Proxy.Listen.
func Start(t testing.TB, upstream string) *Proxy {
	t.Helper()
	register()
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "s3", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return &Proxy{p}
}

// Add installs a toxic: typ is one of the counted types above (or any
// toxiproxy type), stream "upstream" or "downstream", toxicity the share
// of connections it hits, attrs its attributes as JSON.
func (p *Proxy) Add(t testing.TB, name, typ, stream string, toxicity float64, attrs string) {
	t.Helper()
	js := fmt.Sprintf(`{"name":%q,"type":%q,"stream":%q,"toxicity":%g,"attributes":%s}`, name, typ, stream, toxicity, attrs)
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(js)); err != nil {
		t.Fatalf("add toxic %s: %v", name, err)
	}
}
