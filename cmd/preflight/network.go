package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/imagecheck"
)

// Defaults that bound a run's network time: one attempt costs at most
// defaultTimeout, all attempts of one URL at most 20s (the Checker's
// RetryBudget), the whole run at most defaultNetworkDeadline.
const (
	defaultTimeout         = 10 * time.Second
	defaultNetworkDeadline = 2 * time.Minute
)

// networkFlags configure the network checks of media URLs.
type networkFlags struct {
	mode        string // best-effort or required
	allowHosts  []string
	proxy       string
	concurrency int
	perHost     int
	timeout     time.Duration
	deadline    time.Duration
	cacheDir    string
	noCache     bool
	cacheTTL    time.Duration
}

// testResolver, when set by a test, replaces the system resolver.
var testResolver imagecheck.Resolver

func (n *networkFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&n.mode, "network", "best-effort", "network checks: best-effort (an unverifiable URL warns) or required (it fails)")
	fl.StringArrayVar(&n.allowHosts, "allow-host", nil, "let HOST (or HOST:PORT) through the public-address guard; repeatable")
	fl.StringVar(&n.proxy, "proxy", "", "send URL checks through this proxy (default: HTTPS_PROXY, HTTP_PROXY, NO_PROXY)")
	fl.IntVar(&n.concurrency, "concurrency", 16, "URL fetches in flight at once")
	fl.IntVar(&n.perHost, "per-host", 0, "URL fetches in flight to one host (0: as many as --concurrency)")
	fl.DurationVar(&n.timeout, "timeout", defaultTimeout, "timeout of one URL fetch attempt (all attempts of one URL: at most 20s)")
	fl.DurationVar(&n.deadline, "network-deadline", defaultNetworkDeadline, "time budget of all URL checks of the run; what is not checked by then is unverified (0: none)")
	fl.StringVar(&n.cacheDir, "cache", "", "cache directory for URL checks (default: the user cache dir/preflight)")
	fl.BoolVar(&n.noCache, "no-cache", false, "do not read or write the URL cache")
	fl.DurationVar(&n.cacheTTL, "cache-ttl", 24*time.Hour, "how long a successful URL check is reused (failures: 10 minutes)")
}

func (n *networkFlags) validate() error {
	if n.mode != "best-effort" && n.mode != "required" {
		return usagef("unknown --network %q (want best-effort or required)", n.mode)
	}
	if n.concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	if n.proxy != "" {
		if _, err := imagecheck.ProxyOverride(n.proxy, nil); err != nil {
			return usagef("--proxy: %v", err)
		}
	}
	return nil
}

// netRun is the network side of one lint run.
type netRun struct {
	checker *imagecheck.Checker
	// deadline, if not zero, bounds all network checks of the run.
	deadline time.Time
	progress *progressLine
}

// checker builds the run's URL checker: one per run, so each unique URL is
// fetched once however many requests name it. getenv reads the proxy
// environment. Call done before the summary is printed.
func (n *networkFlags) checker(getenv func(string) string, progress io.Writer) *netRun {
	c := &imagecheck.Checker{
		AllowHosts:     n.allowHosts,
		Concurrency:    n.concurrency,
		PerHost:        n.perHost,
		Timeout:        n.timeout,
		RequireNetwork: n.mode == "required",
		Resolver:       testResolver,
		Proxy:          imagecheck.ProxyFromEnv(getenv),
	}
	if n.proxy != "" {
		c.Proxy, _ = imagecheck.ProxyOverride(n.proxy, getenv) // checked by validate
	}
	if !n.noCache {
		c.Cache = &imagecheck.DirCache{Dir: n.cacheDir, TTL: n.cacheTTL}
	}
	nr := &netRun{checker: c}
	if progress != nil {
		nr.progress = &progressLine{w: progress}
		c.OnProgress = nr.progress.update
	}
	if n.deadline > 0 {
		nr.deadline = time.Now().Add(n.deadline)
	}
	return nr
}

// done erases the progress line and says once, on w, how many URLs were not
// checked because this machine's network failed.
func (nr *netRun) done(w io.Writer) {
	if nr == nil {
		return
	}
	nr.progress.erase()
	if st := nr.checker.Stats(); st.NoNetwork > 0 {
		hint := "use --offline to skip network checks, --network required to fail"
		if nr.checker.RequireNetwork {
			hint = "they fail the run under --network required; use --offline to skip network checks"
		}
		fmt.Fprintf(w, "preflight: network unavailable: %s not checked (%s)\n", plural(st.NoNetwork, "URL"), hint)
	}
}

// progressLine draws "checking URLs 12/340" on a terminal: unique URLs
// finished of unique URLs known, redrawn at most every 100ms. URLs stream
// in as requests are read, so until every input has been read the total
// is not known and the line says "12/?".
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	drawn bool
	read  bool // every input read: the total is final
}

func (p *progressLine) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	if p.read {
		fmt.Fprintf(p.w, "\r\x1b[Kchecking URLs %d/%d", done, total)
	} else {
		fmt.Fprintf(p.w, "\r\x1b[Kchecking URLs %d/?", done)
	}
	p.drawn = true
}

// inputRead marks the total final (the runner's OnInputRead).
func (p *progressLine) inputRead() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.read = true
	p.mu.Unlock()
}

// erase clears the line, so the summary never lands on it.
func (p *progressLine) erase() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	p.w = io.Discard // a late fetch must not redraw it
}
