package imagecheck

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Checker probes media URLs over the network. The zero value works; set
// fields before the first Check and do not change them afterwards. A Checker
// is safe for concurrent use and remembers every URL it fetched, so one
// Checker per run fetches each unique URL once.
type Checker struct {
	// Client makes the requests. nil means a client whose dialer refuses
	// non-public addresses (see DialContext) and that uses no proxy. A
	// caller's client is used with the probe's redirect policy, and its
	// *http.Transport (nil: the default) is cloned with that dialer and no
	// proxy, whatever it set; a Transport of another type is used as given,
	// so it must keep the address check itself (use c.DialContext).
	Client *http.Client
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// AllowHosts lets named hosts ("host" or "host:port") bypass the
	// public-address rules, e.g. an httptest server on 127.0.0.1.
	AllowHosts []string

	Concurrency int // fetches in flight at once; default 16 (I/O bound)
	// PerHost bounds fetches in flight to one host; 0 means Concurrency.
	// Reference images usually sit on one CDN or bucket, so a lower
	// default would serialise the common case; set it to be gentler.
	PerHost int
	Timeout time.Duration // per attempt, headers and body; default 15s

	// MaxRetries is how often 429, 5xx and timeouts are retried: 0 means 3,
	// negative means never.
	MaxRetries   int
	RetryDelay   time.Duration // first backoff; default 500ms, doubling
	MaxRetryWait time.Duration // longest single wait, Retry-After included; default 10s (a longer Retry-After ends the retries)
	RetryBudget  time.Duration // all attempts of one URL together; default 30s

	// RequireNetwork makes url-unverified an error instead of a warning
	// (--network=required). The Verdict stays Unverified.
	RequireNetwork bool
	// Cache keeps probe facts between runs; nil means none (facts are still
	// kept in memory for the Checker's lifetime).
	Cache Cache
	// OnProgress, if set, is called after each Check with the number of
	// finished and started checks.
	OnProgress func(done, total int)
	// UserAgent is sent with each request; default "preflight-imagecheck/1".
	UserAgent string

	once    sync.Once
	client  *http.Client
	sem     chan struct{}
	hostMu  sync.Mutex
	hostSem map[string]chan struct{}
	group   singleflight.Group
	mem     sync.Map // url -> Facts

	progMu      sync.Mutex
	done, total int
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
		c.client = c.newClient()
		n := c.Concurrency
		if n <= 0 {
			n = 16
		}
		c.sem = make(chan struct{}, n)
		c.hostSem = map[string]chan struct{}{}
	})
}

func (c *Checker) perHost() int           { return orDefault(c.PerHost, orDefault(c.Concurrency, 16)) }
func (c *Checker) timeout() time.Duration { return orDefault(c.Timeout, 15*time.Second) }
func (c *Checker) retryDelay() time.Duration {
	return orDefault(c.RetryDelay, 500*time.Millisecond)
}
func (c *Checker) maxRetryWait() time.Duration { return orDefault(c.MaxRetryWait, 10*time.Second) }
func (c *Checker) retryBudget() time.Duration  { return orDefault(c.RetryBudget, 30*time.Second) }
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
	c.progress(0, 1)
	defer c.progress(1, 0)

	f, fromCache := c.facts(ctx, rawURL, spec)
	v, ps := Evaluate(f, spec)
	if c.RequireNetwork {
		for i := range ps {
			if ps[i].Rule == RuleUnverified {
				ps[i].Severity = SeverityError
			}
		}
	}
	return Result{Facts: f, Verdict: v, Problems: ps, FromCache: fromCache}
}

// Request is one URL and the Spec of the field it appears in.
type Request struct {
	URL  string
	Spec Spec
}

// CheckAll checks every request concurrently and returns results in the
// same order. Concurrency is bounded by the Checker's limits.
func (c *Checker) CheckAll(ctx context.Context, reqs []Request) []Result {
	out := make([]Result, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { out[i] = c.Check(ctx, r.URL, r.Spec) })
	}
	wg.Wait()
	return out
}

func (c *Checker) progress(done, total int) {
	if c.OnProgress == nil {
		return
	}
	c.progMu.Lock()
	defer c.progMu.Unlock()
	c.done += done
	c.total += total
	if done > 0 {
		c.OnProgress(c.done, c.total)
	}
}

// facts returns the probe facts for rawURL from memory, the cache, or one
// shared fetch.
func (c *Checker) facts(ctx context.Context, rawURL string, spec Spec) (Facts, bool) {
	u, err := url.Parse(rawURL)
	if err == nil {
		err = c.checkHop(u)
	} else {
		err = CheckURL(rawURL)
	}
	if err != nil {
		return Facts{URL: rawURL, ErrKind: ErrNotPublic, Err: err.Error(), CheckedAt: time.Now().UTC()}, false
	}
	if f, ok := c.mem.Load(rawURL); ok {
		return f.(Facts), true
	}
	if c.Cache != nil {
		if f, ok := c.Cache.Get(rawURL); ok && c.finalAllowed(f) {
			c.mem.Store(rawURL, f)
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
		if f, ok := c.mem.Load(rawURL); ok {
			return f, nil
		}
		f := c.fetchLimited(shared, rawURL, u.Host, countLimit)
		c.mem.Store(rawURL, f)
		if c.Cache != nil {
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

// finalAllowed reports whether cached facts that followed redirects ended
// at a URL this Checker would fetch: an entry written by a run with other
// AllowHosts must not pass a redirect to a host this run refuses.
func (c *Checker) finalAllowed(f Facts) bool {
	if f.FinalURL == "" {
		return true
	}
	u, err := url.Parse(f.FinalURL)
	return err == nil && c.checkHop(u) == nil
}

// fetchLimited waits for a global and a per-host slot, then probes.
func (c *Checker) fetchLimited(ctx context.Context, rawURL, host string, countLimit int64) Facts {
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	hs := c.hostSlot(host)
	hs <- struct{}{}
	defer func() { <-hs }()
	return c.probe(ctx, rawURL, countLimit)
}

func (c *Checker) hostSlot(host string) chan struct{} {
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	s, ok := c.hostSem[host]
	if !ok {
		s = make(chan struct{}, c.perHost())
		c.hostSem[host] = s
	}
	return s
}
