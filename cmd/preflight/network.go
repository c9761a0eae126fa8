package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/validate"
)

// networkFlags configure the network checks of media URLs.
type networkFlags struct {
	mode        string // best-effort or required
	allowHosts  []string
	concurrency int
	perHost     int
	timeout     time.Duration
	deadline    time.Duration
	cacheDir    string
	noCache     bool
	cacheTTL    time.Duration
}

func (n *networkFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&n.mode, "network", "best-effort", "network checks: best-effort (an unverifiable URL warns) or required (it fails)")
	fl.StringArrayVar(&n.allowHosts, "allow-host", nil, "let HOST (or HOST:PORT) through the public-address guard; repeatable")
	fl.IntVar(&n.concurrency, "concurrency", 16, "URL fetches in flight at once")
	fl.IntVar(&n.perHost, "per-host", 0, "URL fetches in flight to one host (0: as many as --concurrency)")
	fl.DurationVar(&n.timeout, "timeout", 15*time.Second, "timeout of one URL fetch attempt")
	fl.DurationVar(&n.deadline, "network-deadline", 0, "time budget of all URL checks of the run; what is not checked by then is unverified (0: none)")
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
	return nil
}

// checker builds the run's URL checker: one per run, so each unique URL is
// fetched once however many requests name it.
// The returned cancel releases the run's network deadline.
func (n *networkFlags) checker(ctx context.Context, progress io.Writer) (validate.URLChecker, context.CancelFunc) {
	c := &imagecheck.Checker{
		AllowHosts:     n.allowHosts,
		Concurrency:    n.concurrency,
		PerHost:        n.perHost,
		Timeout:        n.timeout,
		RequireNetwork: n.mode == "required",
	}
	if !n.noCache {
		c.Cache = &imagecheck.DirCache{Dir: n.cacheDir, TTL: n.cacheTTL}
	}
	if progress != nil {
		var mu sync.Mutex
		last := time.Time{}
		c.OnProgress = func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if done < total && time.Since(last) < 100*time.Millisecond {
				return
			}
			last = time.Now()
			fmt.Fprintf(progress, "\rchecking URLs %d/%d", done, total)
			if done == total {
				fmt.Fprint(progress, "\r\x1b[K")
			}
		}
	}
	ic := validate.ImageChecker{Checker: c}
	cancel := context.CancelFunc(func() {})
	if n.deadline > 0 {
		ic.Context, cancel = context.WithTimeout(ctx, n.deadline)
	}
	return ic, cancel
}
