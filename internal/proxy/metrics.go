package proxy

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Routes and outcomes, the labels of preflight_proxy_requests_total.
const (
	routeGenerate = "generate" // POST .../generateTask/{model}: checked
	routeOther    = "other"    // forwarded unchecked

	outcomeForwarded     = "forwarded"      // the upstream answered (any status)
	outcomeRejected      = "rejected"       // the check refused it
	outcomeTooLarge      = "too_large"      // over the body limit
	outcomeBusy          = "busy"           // no check slot in time
	outcomeRefused       = "refused"        // a method the proxy does not carry
	outcomeClientError   = "client_error"   // the client went away or sent a broken body
	outcomeCheckError    = "check_error"    // the check did not finish
	outcomeUpstreamError = "upstream_error" // the upstream could not be reached or timed out
)

// outcomes are every outcome, so each route's counters can be resolved once.
var outcomes = [...]string{outcomeForwarded, outcomeRejected, outcomeTooLarge, outcomeBusy,
	outcomeRefused, outcomeClientError, outcomeCheckError, outcomeUpstreamError}

// metrics are the proxy's Prometheus series.
type metrics struct {
	requests   *prometheus.CounterVec
	rejections *prometheus.CounterVec
	upstream   prometheus.Histogram
	checkDur   prometheus.Histogram
	checks     prometheus.Gauge
	unverified prometheus.Counter
	dials      prometheus.Counter
	// generate and other are the children of requests by outcome,
	// resolved at start: a label lookup per request hashes both labels
	// and takes the vector's lock.
	generate, other [len(outcomes)]prometheus.Counter
}

// request counts one request by route and outcome.
func (m *metrics) request(generate bool, outcome string) {
	by := &m.other
	if generate {
		by = &m.generate
	}
	for i, o := range outcomes {
		if o == outcome {
			by[i].Inc()
			return
		}
	}
	// An outcome missing from outcomes is still counted, at a lookup's cost.
	route := routeOther
	if generate {
		route = routeGenerate
	}
	m.requests.WithLabelValues(route, outcome).Inc()
}

// latencyBuckets reach from 100 us (a check, a loopback upstream) to a
// minute (a slow upstream).
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "preflight_proxy_requests_total",
			Help: "Requests handled, by route (generate: checked, other: forwarded unchecked) and outcome.",
		}, []string{"route", "outcome"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "preflight_proxy_rejections_total",
			Help: "Refused requests by rule: each failing rule of a refused request counts once.",
		}, []string{"rule"}),
		upstream: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "preflight_proxy_upstream_duration_seconds",
			Help:    "Time from sending a request upstream to its response headers.",
			Buckets: latencyBuckets,
		}),
		checkDur: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "preflight_proxy_check_duration_seconds",
			Help:    "Time a request held a check slot (the check, network checks included).",
			Buckets: latencyBuckets,
		}),
		checks: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "preflight_proxy_checks_in_flight",
			Help: "Checks running now.",
		}),
		unverified: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "preflight_proxy_checks_unverified_total",
			Help: "Media URLs whose network check could not be made (never counted as a pass).",
		}),
		dials: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "preflight_proxy_upstream_connections_total",
			Help: "Connections opened to the upstream; growing with requests rather than with concurrency means connections are not reused.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.rejections, m.upstream, m.checkDur, m.checks, m.unverified, m.dials} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("proxy: register metrics: %w", err)
		}
	}
	for i, o := range outcomes {
		m.generate[i] = m.requests.WithLabelValues(routeGenerate, o)
		m.other[i] = m.requests.WithLabelValues(routeOther, o)
	}
	return m, nil
}

// RegisterRuntime adds the Go runtime and process collectors (memory, CPU,
// file descriptors) to reg.
//
// They are the prometheus package's own constructors, which the
// collectors package wraps unchanged: importing collectors only for them
// linked database/sql and compiled five regexps at every start of the
// CLI, lint included.
func RegisterRuntime(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewGoCollector(),                                       //nolint:staticcheck // SA1019: what collectors.NewGoCollector returns
		prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}), //nolint:staticcheck // SA1019: as collectors.NewProcessCollector
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("proxy: register runtime metrics: %w", err)
		}
	}
	return nil
}

func metricsHandler(g prometheus.Gatherer, r prometheus.Registerer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		Registry:            r,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}
