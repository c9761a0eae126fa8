package imagecheck

import (
	"context"
	"hash/maphash"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Checker probes media URLs over the network. The zero value works; set
// fields before the first Check and do not change them afterwards. A Checker
// is safe for concurrent use and remembers the URLs it fetched, the last
// MemoryURLs unique ones, so one Checker per run fetches each unique URL
// once (once per window: a URL met again after MemoryURLs others is checked
// again) in memory that does not grow with the run.
type Checker struct {
	// Client makes the requests. nil means a client whose dialer refuses
	// non-public addresses (see DialContext). A caller's client is used
	// with the probe's redirect policy, and its *http.Transport (nil: the
	// default) is cloned with that dialer and the guarded Proxy, whatever
	// it set; a Transport of another type is used as given, so it must keep
	// the address check itself (use c.DialContext).
	Client *http.Client
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// AllowHosts lets named hosts ("host" or "host:port") bypass the
	// public-address rules, e.g. an httptest server on 127.0.0.1. Entries
	// compare as NormalizeHost spells hosts (see AllowList).
	AllowHosts []string
	// Proxy picks the proxy for a request URL, as http.Transport.Proxy does
	// (a nil URL: connect directly). nil means the environment
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case forms; see
	// ProxyFromEnv). A URL naming a non-public literal, or a name that
	// resolves locally to a non-public address, is refused before the proxy
	// is asked; a name that does not resolve locally goes to the proxy.
	Proxy func(*url.URL) (*url.URL, error)

	Concurrency int // fetches in flight at once; default 16 (I/O bound)
	// PerHost bounds fetches in flight to one host; 0 means Concurrency.
	// Reference images usually sit on one CDN or bucket, so a lower
	// default would serialise the common case; set it to be gentler.
	PerHost int
	Timeout time.Duration // per attempt, headers and body; default 10s

	// MaxRetries is how often 429, 5xx and timeouts are retried: 0 means 3,
	// negative means never.
	MaxRetries   int
	RetryDelay   time.Duration // first backoff; default 500ms, doubling
	MaxRetryWait time.Duration // longest single wait, Retry-After included; default 10s (a longer Retry-After ends the retries)
	// RetryBudget bounds all attempts of one URL together, the attempt in
	// flight included; default 20s, so one slow URL costs at most that.
	RetryBudget time.Duration

	// RequireNetwork makes url-unverified an error instead of a warning
	// (--network=required). The Verdict stays Unverified.
	RequireNetwork bool
	// Cache keeps probe facts between runs; nil means none (facts are still
	// kept in memory for the Checker's lifetime).
	Cache Cache
	// OnProgress, if set, is called when a unique URL's check finishes,
	// with the number of unique URLs finished and seen so far.
	OnProgress func(done, seen int)
	// OnExpect, if set, is called by CheckAll with its context once the
	// batch's URLs count in the progress total, before any is checked: a
	// caller streaming requests learns when their URLs are all known.
	OnExpect func(ctx context.Context)
	// UserAgent is sent with each request; default "preflight-imagecheck/1".
	UserAgent string
	// MemoryURLs bounds the unique URLs the Checker remembers (their facts,
	// and their place in the progress counts); 0 means DefaultMemoryURLs.
	// Past it the oldest is forgotten: met again, it is checked again and
	// counts again in Stats.
	MemoryURLs int

	once    sync.Once
	client  *http.Client
	proxy   func(*url.URL) (*url.URL, error)
	sem     chan struct{}
	hostMu  sync.Mutex
	hostSem map[string]*hostSlots // hosts with a fetch waiting or in flight
	group   singleflight.Group
	seed    maphash.Seed
	memMu   sync.Mutex
	mem     *window[Facts] // by urlKey; Facts.URL tells a hash collision

	// netOK is set once a public address (or a proxy) has answered: from
	// then on, refusals and resets are the far side's word.
	netOK atomic.Bool
	// dnsOnce asks the resolver, once per run, for the API's own host; if
	// it answers with a public address, the resolver works and its "no such
	// host" is authoritative (and only then).
	dnsOnce sync.Once
	dnsOK   bool

	progMu     sync.Mutex
	seen       *window[bool] // unique URLs asked for, by urlKey; true once finished
	seenN      int           // URLs that entered seen
	done       int
	noNetwork  int // unique URLs not checked for want of a network
	unverified int
}

// Result is the outcome of checking one URL against one Spec.
type Result struct {
	Facts
	Verdict   Verdict   `json:"verdict"`
	Problems  []Problem `json:"problems"`
	FromCache bool      `json:"fromCache,omitempty"` // facts came from the memory or disk cache, not this call's fetch
}

func (c *Checker) init() {
	c.once.Do(func() {
		c.proxy = c.Proxy
		if c.proxy == nil {
			c.proxy = ProxyFromEnv(os.Getenv)
		}
		c.client = c.newClient()
		n := c.Concurrency
		if n <= 0 {
			n = 16
		}
		c.sem = make(chan struct{}, n)
		c.hostSem = map[string]*hostSlots{}
		c.seed = maphash.MakeSeed()
		n = orDefault(c.MemoryURLs, DefaultMemoryURLs)
		c.mem = newWindow[Facts](n)
		c.seen = newWindow[bool](n)
	})
}

func (c *Checker) perHost() int           { return orDefault(c.PerHost, orDefault(c.Concurrency, 16)) }
func (c *Checker) timeout() time.Duration { return orDefault(c.Timeout, 10*time.Second) }
func (c *Checker) retryDelay() time.Duration {
	return orDefault(c.RetryDelay, 500*time.Millisecond)
}
func (c *Checker) maxRetryWait() time.Duration { return orDefault(c.MaxRetryWait, 10*time.Second) }
func (c *Checker) retryBudget() time.Duration  { return orDefault(c.RetryBudget, 20*time.Second) }
func (c *Checker) userAgent() string           { return orDefault(c.UserAgent, "preflight-imagecheck/1") }

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Check probes rawURL (once per Checker, whatever the Spec) and judges it
// against spec. It never returns an error: a failure to check is the
// Unverified verdict with a url-unverified problem.
func (c *Checker) Check(ctx context.Context, rawURL string, spec Spec) Result {
	c.init()
	c.begin(rawURL)
	f, fromCache := c.facts(ctx, rawURL, spec)
	f = c.judgeReach(ctx, f)
	v, ps := Evaluate(f, spec)
	if c.RequireNetwork {
		for i := range ps {
			if ps[i].Rule == RuleUnverified {
				ps[i].Severity = SeverityError
			}
		}
	}
	c.finish(rawURL, f)
	return Result{Facts: f, Verdict: v, Problems: ps, FromCache: fromCache}
}

// judgeReach reads a "no such host" or a refused connection as the far
// side's answer only once this run has seen the outside network work;
// before that, the local machine may be what failed (no DNS in a sandboxed
// CI runner, a firewall), so the URL is not checked rather than failed.
//
// A "no such host" needs more: the resolver itself must be seen working
// (it finds the API's own host). An answer from a public address proves
// the route, not the resolver: a sandbox whose resolver says "no such
// host" for every name may still reach an IP literal, or a proxy for the
// hosts NO_PROXY does not list.
func (c *Checker) judgeReach(ctx context.Context, f Facts) Facts {
	if f.ErrKind != ErrDownload || !f.NeedsNetwork {
		return f
	}
	if strings.HasPrefix(f.Err, dnsNotFound) {
		if c.resolverWorks(ctx) {
			return f
		}
	} else if c.netOK.Load() {
		return f
	}
	f.ErrKind = ErrNoNetwork
	f.Err = "network unavailable (" + f.Err + ")"
	return f
}

// canaryHost is the API's own host: a machine that cannot resolve it cannot
// send the request either, and one that can has a working resolver.
const canaryHost = "api.apixo.ai"

// resolverWorks reports, asking once per run, whether the resolver finds
// the API's host at a public address.
func (c *Checker) resolverWorks(ctx context.Context) bool {
	c.dnsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		addrs, err := c.resolver().LookupNetIP(ctx, "ip", canaryHost)
		for _, a := range addrs {
			c.dnsOK = c.dnsOK || err == nil && IsPublicAddr(a)
		}
	})
	return c.dnsOK
}

// Request is one URL and the Spec of the field it appears in.
type Request struct {
	URL  string
	Spec Spec
}

// CheckAll checks every request concurrently and returns results in the
// same order. It takes a slot before it starts a goroutine, so a million
// requests cost Concurrency goroutines, not a million.
func (c *Checker) CheckAll(ctx context.Context, reqs []Request) []Result {
	c.init()
	out := make([]Result, len(reqs))
	for _, r := range reqs { // the whole batch counts in progress before the first result
		c.begin(r.URL)
	}
	if c.OnExpect != nil {
		c.OnExpect(ctx)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, cap(c.sem))
	for i, r := range reqs {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			out[i] = c.Check(ctx, r.URL, r.Spec)
		})
	}
	wg.Wait()
	return out
}

// Stats counts the unique URLs of the run so far: unique within the last
// MemoryURLs, so a URL met again after that many others counts again.
type Stats struct {
	Seen       int // asked for
	Done       int // checked or given up on
	Unverified int // finished without a verdict
	NoNetwork  int // of those, not checked because the local network failed (no resolver, no route, proxy down)
}

// Stats reports the run's unique URL counts, e.g. for a summary line.
func (c *Checker) Stats() Stats {
	c.init()
	c.progMu.Lock()
	defer c.progMu.Unlock()
	return Stats{Seen: c.seenN, Done: c.done, Unverified: c.unverified, NoNetwork: c.noNetwork}
}

// begin registers rawURL and reports whether this is its first sight (in
// the window of MemoryURLs).
func (c *Checker) begin(rawURL string) bool {
	k := urlKey(c.seed, rawURL)
	c.progMu.Lock()
	defer c.progMu.Unlock()
	if _, ok := c.seen.get(k); ok {
		return false
	}
	c.seen.put(k, false)
	c.seenN++
	return true
}

// finish records rawURL's outcome once and reports progress.
func (c *Checker) finish(rawURL string, f Facts) {
	k := urlKey(c.seed, rawURL)
	c.progMu.Lock()
	defer c.progMu.Unlock()
	finished, ok := c.seen.get(k)
	if finished {
		return
	}
	if !ok {
		// Forgotten between begin and finish (a batch larger than the
		// window): it counts as seen again.
		c.seenN++
	}
	c.seen.put(k, true)
	c.done++
	switch f.ErrKind {
	case ErrNoNetwork:
		c.noNetwork++
		c.unverified++
	case ErrTransient:
		c.unverified++
	}
	if c.OnProgress != nil {
		c.OnProgress(c.done, c.seenN)
	}
}

// remembered returns the facts kept for rawURL, if any.
func (c *Checker) remembered(rawURL string) (Facts, bool) {
	c.memMu.Lock()
	f, ok := c.mem.get(urlKey(c.seed, rawURL))
	c.memMu.Unlock()
	if !ok || f.URL != rawURL { // a hash shared with another URL is a miss
		return Facts{}, false
	}
	return f, true
}

// remember keeps the facts of rawURL, forgetting the oldest past MemoryURLs.
func (c *Checker) remember(rawURL string, f Facts) {
	if f.URL != rawURL {
		return // remembered only under the URL they name (see remembered)
	}
	c.memMu.Lock()
	c.mem.put(urlKey(c.seed, rawURL), f)
	c.memMu.Unlock()
}

// facts returns the probe facts for rawURL from memory, the cache, or one
// shared fetch.
func (c *Checker) facts(ctx context.Context, rawURL string, spec Spec) (Facts, bool) {
	u, err := c.vetURL(rawURL)
	if err != nil {
		return Facts{URL: rawURL, ErrKind: ErrNotPublic, Err: err.Error(), CheckedAt: time.Now().UTC()}, false
	}
	if f, ok := c.remembered(rawURL); ok {
		return f, true
	}
	if c.Cache != nil {
		if f, ok := c.Cache.Get(rawURL); ok && c.hopsAllowed(f) {
			c.remember(rawURL, f)
			return f, true
		}
	}
	limit, _ := spec.limit()
	countLimit := max(limit, ImageMaxBytes) + 1

	// The fetch is shared by every caller that wants this URL, so it runs
	// on a context no single caller can cancel; it is bounded by Timeout
	// and RetryBudget. A caller that gives up gets Unverified at once.
	shared := context.WithoutCancel(ctx)
	ch := c.group.DoChan(rawURL, func() (any, error) {
		if f, ok := c.remembered(rawURL); ok {
			return f, nil
		}
		f := c.fetchLimited(shared, rawURL, u.Host, countLimit)
		c.remember(rawURL, f)
		// A "no such host" or a refusal this run cannot yet call the far
		// side's word is not kept: a later run with working DNS would
		// replay it as a failure.
		if c.Cache != nil && cacheable(c.judgeReach(shared, f)) {
			_ = c.Cache.Put(f) // best effort: a cache that cannot write only costs speed
		}
		return f, nil
	})
	select {
	case r := <-ch:
		return r.Val.(Facts), false
	case <-ctx.Done():
		return Facts{URL: rawURL, ErrKind: ErrTransient, Err: "check canceled: " + context.Cause(ctx).Error(),
			CheckedAt: time.Now().UTC()}, false
	}
}

// cacheable reports whether facts may outlive the run: only what a server
// said, with the hops that led to it. A refusal by this run's address rules
// or a local network failure says nothing about the URL.
func cacheable(f Facts) bool {
	return len(f.Hops) > 0 && f.ErrKind != ErrNotPublic && f.ErrKind != ErrNoNetwork
}

// hopsAllowed judges cached facts again under this run's policy: every hop
// the fetch took must pass this run's URL rules, and every address it
// connected to must be public or belong to a host this run allows. Facts
// are replayed, never a verdict: an entry written under another allow
// list cannot pass a URL this run would refuse.
func (c *Checker) hopsAllowed(f Facts) bool {
	if len(f.Hops) == 0 {
		return false
	}
	for _, h := range f.Hops {
		u, err := url.Parse(h.URL)
		if err != nil || c.checkHop(u) != nil {
			return false
		}
		if h.Addr == "" {
			continue
		}
		ap, err := netip.ParseAddrPort(h.Addr)
		if err != nil {
			return false
		}
		if nonPublicReason(ap.Addr()) != "" && !c.allowed(u.Hostname(), orDefault(u.Port(), defaultPort(u.Scheme))) {
			return false
		}
	}
	return true
}

// fetchLimited waits for a global and a per-host slot, then probes.
func (c *Checker) fetchLimited(ctx context.Context, rawURL, host string, countLimit int64) Facts {
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	hs := c.hostSlot(host)
	defer c.releaseHost(host, hs)
	hs.ch <- struct{}{}
	defer func() { <-hs.ch }()
	return c.probe(ctx, rawURL, countLimit)
}

// hostSlots bounds the fetches to one host; users counts the fetches that
// hold or wait for it, so a host leaves the map with its last fetch and a
// run of a million hosts keeps only those in flight.
type hostSlots struct {
	ch    chan struct{}
	users int
}

func (c *Checker) hostSlot(host string) *hostSlots {
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	s, ok := c.hostSem[host]
	if !ok {
		s = &hostSlots{ch: make(chan struct{}, c.perHost())}
		c.hostSem[host] = s
	}
	s.users++
	return s
}

func (c *Checker) releaseHost(host string, s *hostSlots) {
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	if s.users--; s.users == 0 {
		delete(c.hostSem, host)
	}
}
