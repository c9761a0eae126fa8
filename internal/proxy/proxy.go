// Package proxy is the gateway behind `preflight proxy`: a reverse proxy in
// front of the APIXO API that answers doomed generateTask requests itself
// and forwards everything else to one configured upstream, unchanged.
//
// The check is validate.NewTransport, the same one Go programs use, so the
// gateway and the library refuse exactly the same requests with exactly the
// same answer. The proxy adds what a shared network service needs around
// it: a body limit, a cap on concurrent checks, metrics, logs and timeouts.
package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"github.com/preflight-dev/preflight/internal/wire"
	"github.com/preflight-dev/preflight/validate"
)

// Defaults of Config's zero values.
const (
	// DefaultMaxBodyBytes bounds a request body. A generateTask body is a
	// prompt and a few URLs: kilobytes. 4 MiB leaves room for the longest
	// documented prompts many times over and keeps 1,000 concurrent bodies
	// within a few GB in the worst case.
	DefaultMaxBodyBytes = 4 << 20
	// DefaultCheckTimeout bounds one check, network checks of media URLs
	// included; the upstream request that follows is not counted.
	DefaultCheckTimeout = 30 * time.Second
	// DefaultQueueTimeout is how long a request waits for a check slot
	// before it is answered 503.
	DefaultQueueTimeout = 10 * time.Second
	// DefaultMaxBufferedBytes bounds the bodies held in memory at once
	// for checking, so many clients sending the largest body cannot
	// exhaust memory: 64 bodies of the default largest, or thousands of
	// typical ones.
	DefaultMaxBufferedBytes = 256 << 20
	// DefaultResponseHeaderTimeout bounds the wait for the upstream's
	// response headers (the API answers a submit at once: it is async).
	DefaultResponseHeaderTimeout = 60 * time.Second
)

// RulesHeader names the rules of a refused request's findings, comma
// separated, so clients and logs need not parse the body.
const RulesHeader = "X-Preflight-Rules"

// Config configures a Proxy. Only Upstream is required; zero values of the
// other fields are the defaults.
type Config struct {
	// Upstream is the API every request goes to, e.g. https://api.apixo.ai.
	// A path is a prefix of every forwarded path.
	Upstream *url.URL
	// Validator checks generateTask bodies; nil checks offline against the
	// embedded catalog.
	Validator *validate.Validator
	// FailLevel is the lowest severity that refuses a request:
	// SeverityError (the default) or SeverityWarning.
	FailLevel validate.Severity
	// MaxBodyBytes bounds every request body (DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// MaxBufferedBytes bounds the generateTask bodies held in memory at
	// once (DefaultMaxBufferedBytes); a body whose length is not declared
	// reserves MaxBodyBytes. Requests wait up to QueueTimeout for room.
	MaxBufferedBytes int64
	// MaxChecks caps the checks running at once (default 4 per CPU); the
	// others wait up to QueueTimeout for a slot.
	MaxChecks    int
	QueueTimeout time.Duration
	// CheckTimeout bounds one check (DefaultCheckTimeout). It applies
	// when the Validator makes network checks: an offline check never
	// waits, so it gets no deadline and no timer.
	CheckTimeout time.Duration
	// Transport carries requests to the upstream; nil means a transport
	// tuned for many concurrent clients (see NewUpstreamTransport). An
	// *http.Transport is cloned to count the connections it opens.
	Transport http.RoundTripper
	// Logger receives one structured record per request; nil discards.
	// Headers are never logged, so neither is Authorization.
	Logger *slog.Logger
	// Registerer receives the proxy's metrics; nil means a fresh registry,
	// served on /metrics either way through Gatherer.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
}

// Proxy is the gateway's http.Handler: /healthz, /metrics, and everything
// else to the upstream through the check.
type Proxy struct {
	upstream     *url.URL
	maxBody      int64
	checkTimeout time.Duration
	// offline is true when the validator makes no network checks: a
	// check then never waits, and needs no deadline (a timer per request).
	offline      bool
	queueTimeout time.Duration
	slots        chan struct{}
	buffered     *semaphore.Weighted
	log          *slog.Logger
	m            *metrics
	rp           *httputil.ReverseProxy
	metricsH     http.Handler
	draining     atomic.Bool
}

// New checks cfg and builds the proxy.
func New(cfg Config) (*Proxy, error) {
	u, err := CheckUpstream(cfg.Upstream)
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		upstream:     u,
		maxBody:      cmpOr(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		checkTimeout: cmpOr(cfg.CheckTimeout, DefaultCheckTimeout),
		queueTimeout: cmpOr(cfg.QueueTimeout, DefaultQueueTimeout),
		slots:        make(chan struct{}, cmpOr(cfg.MaxChecks, 4*runtime.GOMAXPROCS(0))),
		buffered:     semaphore.NewWeighted(max(cmpOr(cfg.MaxBufferedBytes, DefaultMaxBufferedBytes), cmpOr(cfg.MaxBodyBytes, DefaultMaxBodyBytes))),
		log:          cfg.Logger,
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	reg, gat := cfg.Registerer, cfg.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, gat = r, r
	}
	if p.m, err = newMetrics(reg); err != nil {
		return nil, err
	}
	p.metricsH = metricsHandler(gat, reg)

	next := cfg.Transport
	if next == nil {
		next = NewUpstreamTransport()
	}
	if t, ok := next.(*http.Transport); ok {
		next = countDials(t, p.m.dials)
	}
	v := cfg.Validator
	if v == nil {
		v = new(validate.Validator)
	}
	p.offline = v.Network == nil
	check := validate.NewTransport(&upstreamTransport{next: next, m: p.m},
		validate.WithValidator(v),
		validate.WithFailLevel(cmpOr(cfg.FailLevel, validate.SeverityError)),
		validate.WithOnFindings(p.onFindings))
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// Whatever the request names (an absolute-form URI, a Host
			// header), it goes to the upstream and nowhere else.
			pr.SetURL(p.upstream)
		},
		Transport:      check,
		ModifyResponse: p.modifyResponse,
		BufferPool:     bufferPool{},
		ErrorHandler:   p.errorHandler,
		ErrorLog:       slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
	}
	return p, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// CheckUpstream accepts an absolute http or https URL without user info,
// query or fragment, and returns it with a trailing slash trimmed.
func CheckUpstream(u *url.URL) (*url.URL, error) {
	switch {
	case u == nil:
		return nil, errors.New("proxy: no upstream URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("proxy: upstream %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("proxy: upstream %q has no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("proxy: upstream %q: credentials in the URL are not supported; clients send Authorization", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("proxy: upstream %q: a query or fragment is not supported", u.Redacted())
	}
	c := *u
	c.Path = strings.TrimSuffix(c.Path, "/")
	c.RawPath = ""
	return &c, nil
}

// NewUpstreamTransport is http.DefaultTransport with a bound on the wait for
// response headers and enough idle connections for thousands of concurrent
// clients (the default two per host would open a connection per request).
// The pool needs room beyond the clients' concurrency: a request that
// finds no idle connection dials one while a finished one is still on its
// way back, and a pool of exactly 1,024 then closed ~1% of connections per
// phase at 1,000 clients in the load test, which opened as many anew.
// Idle connections still close after IdleConnTimeout (90 s).
func NewUpstreamTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	t.MaxIdleConns = 4096
	t.MaxIdleConnsPerHost = 4096
	return t
}

// countDials returns a clone of t that counts the connections it opens, so
// connection churn shows on /metrics and in the load test. A DialTLSContext
// of t's own is not counted.
func countDials(t *http.Transport, c prometheus.Counter) *http.Transport {
	t = t.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = new(net.Dialer).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.Inc()
		return dial(ctx, network, addr)
	}
	return t
}

// bufferPool lends the reverse proxy its copy buffers; without one it
// allocates 32 KB per response. API answers are small JSON, so 8 KB
// buffers keep 1,000 responses in flight within 8 MB.
type bufferPool struct{}

const copyBufferSize = 8 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

func (bufferPool) Get() []byte { return copyBuffers.Get().(*[copyBufferSize]byte)[:] }

func (bufferPool) Put(b []byte) {
	if len(b) == copyBufferSize {
		copyBuffers.Put((*[copyBufferSize]byte)(b))
	}
}

// SetDraining makes /healthz answer 503 so load balancers stop sending
// traffic; Serve sets it when shutdown begins.
func (p *Proxy) SetDraining(v bool) { p.draining.Store(v) }

// state is what one request's stages tell each other: the handler, the
// check's callback, the upstream transport and ModifyResponse. It holds
// the request's recorder too: one allocation per request for both.
type state struct {
	rec      recorder
	model    string
	report   validate.Report
	checked  bool            // the check reported findings
	parent   context.Context // the request's context without the check deadline
	forward  atomic.Bool     // the upstream was called
	rejected bool
	upstream time.Duration
	// slot is the proxy whose check slot the request holds since
	// slotStart, until releaseSlot; nil when it holds none.
	slot      atomic.Pointer[Proxy]
	slotStart time.Time
}

// releaseSlot frees the request's check slot, if it still holds one. The
// upstream transport calls it as soon as the check passed; the handler
// calls it again when it returns.
func (st *state) releaseSlot() {
	if p := st.slot.Swap(nil); p != nil {
		<-p.slots
		p.m.checks.Dec()
		p.m.checkDur.Observe(time.Since(st.slotStart).Seconds())
	}
}

type stateKey struct{}

func stateFrom(ctx context.Context) *state {
	st, _ := ctx.Value(stateKey{}).(*state)
	return st
}

// onFindings keeps the report for ModifyResponse and logs; it runs on the
// request's goroutine, before the request is forwarded or refused.
func (p *Proxy) onFindings(req *http.Request, rep validate.Report) {
	if rep.Unverified > 0 {
		p.m.unverified.Add(float64(rep.Unverified))
	}
	if st := stateFrom(req.Context()); st != nil {
		st.report, st.checked = rep, true
	}
}

// upstreamTransport is next of the check: reaching it means the request
// passed. It frees the check slot, drops the check deadline and times the
// upstream.
type upstreamTransport struct {
	next http.RoundTripper
	m    *metrics
}

func (t *upstreamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateFrom(req.Context())
	if st != nil {
		st.forward.Store(true)
		st.releaseSlot()
		if st.parent != nil {
			req = req.WithContext(st.parent)
		}
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	d := time.Since(start)
	t.m.upstream.Observe(d.Seconds())
	if st != nil {
		st.upstream = d
	}
	return resp, err
}

// ServeHTTP routes /healthz and /metrics and proxies the rest.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		p.healthz(w, r)
		return
	case "/metrics":
		p.metricsH.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	st := &state{model: wire.TaskModel(r.URL.Path)}
	rec := &st.rec
	rec.ResponseWriter = w
	outcome := p.serve(rec, r, st)
	switch {
	case outcome != "":
	case rec.outcome != "":
		outcome = rec.outcome
	case st.rejected:
		outcome = outcomeRejected
	default:
		outcome = outcomeForwarded
	}
	p.m.request(st.model != "" && r.Method == http.MethodPost, outcome)
	p.logRequest(r, st, rec.status, outcome, time.Since(start))
}

// serve returns the outcome of a request the proxy answered itself, or ""
// when the reverse proxy answered it.
func (p *Proxy) serve(w *recorder, r *http.Request, st *state) string {
	if r.Method == http.MethodConnect {
		writeError(w, http.StatusMethodNotAllowed, "preflight proxy: CONNECT is not supported; this is not an open proxy")
		return outcomeRefused
	}
	if r.ContentLength > p.maxBody {
		p.tooLarge(w)
		return outcomeTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, p.maxBody)
	ctx := context.WithValue(r.Context(), stateKey{}, st)
	if st.model == "" || r.Method != http.MethodPost {
		p.rp.ServeHTTP(w, r.WithContext(ctx))
		return ""
	}

	// Reserve room for the body, then read it whole before taking a check
	// slot, so slow clients never hold one; the transport then reads it
	// again from memory.
	reserve := p.maxBody
	if r.ContentLength >= 0 {
		reserve = r.ContentLength
	}
	if !p.reserve(r.Context(), reserve) {
		if r.Context().Err() != nil {
			return outcomeClientError
		}
		p.busy(w, "too many request bodies in memory")
		return outcomeBusy
	}
	defer p.buffered.Release(reserve)
	body, err := wire.ReadBody(r.Body, r.ContentLength)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			p.tooLarge(w)
			return outcomeTooLarge
		}
		// The client went away or sent a broken body: nothing to answer.
		writeError(w, http.StatusBadRequest, "preflight proxy: read request body: "+err.Error())
		return outcomeClientError
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if len(body) == 0 {
		// ReverseProxy drops a body of length 0, and the check skips a
		// request without one; but an empty submit is doomed, so the check
		// must see it. (Unknown length keeps the empty body.)
		r.ContentLength = -1
	}
	r.GetBody = nil

	if !p.acquire(r.Context()) {
		if r.Context().Err() != nil {
			return outcomeClientError
		}
		p.busy(w, "too many checks in flight")
		return outcomeBusy
	}
	st.slotStart = time.Now()
	st.slot.Store(p)
	defer st.releaseSlot()
	st.parent = ctx
	if !p.offline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.checkTimeout)
		defer cancel()
	}
	p.rp.ServeHTTP(w, r.WithContext(ctx))
	return ""
}

// acquire takes a check slot, waiting up to the queue timeout.
func (p *Proxy) acquire(ctx context.Context) bool {
	select {
	case p.slots <- struct{}{}:
		p.m.checks.Inc()
		return true
	default:
	}
	t := time.NewTimer(p.queueTimeout)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
		p.m.checks.Inc()
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// reserve takes n bytes of the body budget, waiting up to the queue timeout.
func (p *Proxy) reserve(ctx context.Context, n int64) bool {
	if p.buffered.TryAcquire(n) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, p.queueTimeout)
	defer cancel()
	return p.buffered.Acquire(ctx, n) == nil
}

func (p *Proxy) busy(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, "preflight proxy: "+why+"; retry")
}

func (p *Proxy) tooLarge(w http.ResponseWriter) {
	writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("preflight proxy: request body is larger than %d bytes", p.maxBody))
}

func (p *Proxy) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if p.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "draining\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// modifyResponse names the rules of a refused request. A response the
// upstream was never asked for is the check's refusal.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	st := stateFrom(resp.Request.Context())
	if st == nil || st.forward.Load() || !st.checked {
		return nil
	}
	st.rejected = true
	resp.Header.Set(RulesHeader, strings.Join(ruleList(st.report.Findings), ","))
	for _, rule := range failingRules(st.report.Findings) {
		p.m.rejections.WithLabelValues(rule).Inc()
	}
	return nil
}

// ruleList returns the distinct rules of fs in order.
func ruleList(fs []validate.Finding) []string {
	var out []string
	for _, f := range fs {
		if !containsString(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	return out
}

// failingRules returns the distinct rules of the error findings, or of all
// findings when none is an error (a warning fail level refused it).
func failingRules(fs []validate.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == validate.SeverityError && !containsString(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	if len(out) == 0 {
		return ruleList(fs)
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// errorHandler answers what went wrong on the way: a body over the limit,
// a check that did not finish, an upstream that failed or was too slow.
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	st := stateFrom(r.Context())
	rec, _ := w.(*recorder)
	client := r.Context()
	if st != nil && st.parent != nil {
		client = st.parent // r's context also ends at the check deadline
	}
	forwarded := st != nil && st.forward.Load()
	switch _, tooLarge := errors.AsType[*http.MaxBytesError](err); {
	case tooLarge:
		p.tooLarge(w)
		setOutcome(rec, outcomeTooLarge)
	case client.Err() != nil:
		// The client went away: nobody reads an answer.
		setOutcome(rec, outcomeClientError)
		if rec != nil {
			rec.status = statusClientClosed
		}
	case !forwarded && st != nil && st.parent != nil:
		// The check itself failed: its deadline passed.
		p.log.Warn("check failed", "model", sanitize(st.model), "err", sanitize(err.Error()))
		writeError(w, http.StatusGatewayTimeout, "preflight proxy: the check did not finish in time")
		setOutcome(rec, outcomeCheckError)
	default:
		status := http.StatusBadGateway
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			status = http.StatusGatewayTimeout
		}
		p.log.Warn("upstream failed", "path", sanitize(r.URL.Path), "err", sanitize(err.Error()))
		writeError(w, status, "preflight proxy: upstream request failed: "+sanitize(err.Error()))
		setOutcome(rec, outcomeUpstreamError)
	}
}

// statusClientClosed is logged for a client that went away (nginx's 499);
// it is never sent.
const statusClientClosed = 499

func setOutcome(rec *recorder, o string) {
	if rec != nil {
		rec.outcome = o
	}
}

// sanitize bounds text that may carry a server's words before it goes into
// an answer or a log.
func sanitize(s string) string {
	const max = 300
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// recorder remembers the status for logs and metrics and lets the reverse
// proxy reach the underlying writer's Flush through Unwrap.
type recorder struct {
	http.ResponseWriter
	status  int
	outcome string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
