// Command proxyload is the load test of `preflight proxy` (issue 15): many
// concurrent clients against the proxy with a loopback fake upstream,
// compared with the same clients sent straight to the fake upstream in the
// same run.
//
//	go build -o /tmp/preflight ./cmd/preflight
//	go run ./bench/proxyload -preflight /tmp/preflight -conns 1,100,1000 -requests 50000
//
// With -preflight the proxy runs as its own process (its peak RSS is read
// from /proc); without it, in this process (no RSS figure). For each
// concurrency level it runs direct and proxied phases alternately (-rounds)
// with valid bodies only, the proxy's worst case (every request checked
// and forwarded), then one mixed phase through the proxy with -doomed of
// the bodies doomed. It reports throughput, the ratio proxied/direct, p50
// and p99 latency and what the proxy adds to them.
//
// Correctness is checked on every request and the run fails (exit 1) on
// any miss: the fake upstream hashes every body it receives and answers the
// hash, which must be the hash of what the client sent; every doomed body
// must be answered 400 by the proxy and never reach the upstream; every
// valid body must reach it exactly once (none lost, none doubled).
//
// The CPU time of both processes is read around every phase and reported
// per request: the clients and the fake upstream (this process) and the
// proxy. -proxy-cpus pins the proxy to cores of its own (with taskset; run
// this program under `taskset -c 0` for the other side), -proxy-env sets
// its environment (GOMAXPROCS=1, GOGC=200). The proxy's count of
// connections it opened to the upstream is read from its /metrics around
// every proxied phase: with connections reused it stays near zero.
//
// Only loopback is used; every phase is bounded by -phase-timeout and the
// whole run by -max.
package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/preflight-dev/preflight/internal/proxy"
)

type options struct {
	preflight    string
	proxyCPUs    string
	proxyEnv     []string
	proxyStart   time.Duration
	proxyLinger  time.Duration
	conns        []int
	requests     int
	rounds       int
	doomed       float64
	delay        time.Duration
	rate         float64
	phaseTimeout time.Duration
	max          time.Duration
}

func main() {
	var o options
	conns := flag.String("conns", "1,100,1000", "comma-separated concurrency levels (connections = clients)")
	flag.StringVar(&o.preflight, "preflight", "", "preflight binary to run the proxy as its own process (default: in this process)")
	flag.StringVar(&o.proxyCPUs, "proxy-cpus", "", "with -preflight: run the proxy under `taskset -c LIST`, e.g. 1 (and this program under taskset -c 0)")
	flag.DurationVar(&o.proxyStart, "proxy-start-timeout", 10*time.Second, "with -preflight: how long the proxy may take to say where it listens (longer under valgrind)")
	flag.DurationVar(&o.proxyLinger, "proxy-linger", 0, "with -preflight: wait this long after the last phase before stopping the proxy, so a profiler attached to it can collect (callgrind dies on the stop signal)")
	proxyEnv := flag.String("proxy-env", "", "with -preflight: comma-separated KEY=VALUE added to the proxy's environment, e.g. GOMAXPROCS=1")
	flag.IntVar(&o.requests, "requests", 20000, "requests per phase (at least 2 per connection)")
	flag.IntVar(&o.rounds, "rounds", 2, "direct/proxied phase pairs per level (medians reported)")
	flag.Float64Var(&o.doomed, "doomed", 0.1, "share of doomed bodies in the mixed phase")
	flag.DurationVar(&o.delay, "delay", 0, "fake upstream's delay before each answer")
	flag.Float64Var(&o.rate, "rate", 0, "open loop: start this many requests per second in all, spread over the connections (0: closed loop, each connection sends as fast as it can)")
	flag.DurationVar(&o.phaseTimeout, "phase-timeout", 2*time.Minute, "bound of one phase")
	flag.DurationVar(&o.max, "max", 20*time.Minute, "bound of the whole run")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process (with the proxy in it unless -preflight) to this file")
	summary := flag.String("summary", "", "also write one line per level to this file: conns direct-rps proxy-rps ratio added-p50-ms added-p99-ms peak-rss-mb")
	flag.Parse()
	for _, s := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 5000 {
			fmt.Fprintf(os.Stderr, "proxyload: bad -conns entry %q (1-5000)\n", s)
			os.Exit(2)
		}
		o.conns = append(o.conns, n)
	}
	if *proxyEnv != "" {
		o.proxyEnv = strings.Split(*proxyEnv, ",")
	}
	if (o.proxyCPUs != "" || len(o.proxyEnv) > 0) && o.preflight == "" {
		fmt.Fprintln(os.Stderr, "proxyload: -proxy-cpus and -proxy-env need -preflight")
		os.Exit(2)
	}
	if o.requests < 1 || o.requests > 10_000_000 || o.rounds < 1 || o.rounds > 50 {
		fmt.Fprintln(os.Stderr, "proxyload: -requests 1..10,000,000 and -rounds 1..50")
		os.Exit(2)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "proxyload:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.max)
	defer cancel()
	res, err := run(ctx, o, os.Stderr)
	if res != nil {
		fmt.Print(res.table(o))
		if *summary != "" {
			if werr := os.WriteFile(*summary, []byte(res.summary()), 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxyload:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// upstream is the fake API: it hashes every body, counts each hash, and
// answers the hash so the client can compare.
type upstream struct {
	delay time.Duration
	mu    sync.Mutex
	seen  map[[32]byte]int
	total atomic.Int64
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read: "+err.Error(), http.StatusBadRequest)
		return
	}
	sum := sha256.Sum256(body)
	u.mu.Lock()
	u.seen[sum]++
	u.mu.Unlock()
	u.total.Add(1)
	if u.delay > 0 {
		time.Sleep(u.delay)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Body-Sha256", hex.EncodeToString(sum[:]))
	io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"task_load"}}`)
}

func (u *upstream) reset() map[[32]byte]int {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := u.seen
	u.seen = make(map[[32]byte]int)
	return s
}

// body is one request: its bytes, their hash, and whether the proxy must
// refuse it.
type body struct {
	b      []byte
	sum    [32]byte
	hexsum string
	doomed bool
}

// bodies makes n unique bodies, about 1 KB typical (prompts of 100-900
// characters), a share of them doomed in three ways.
func bodies(n int, doomedShare float64, tag string) []body {
	out := make([]body, n)
	ratios := []string{"1:1", "16:9", "9:16", "4:3", "3:4"}
	every := 0
	if doomedShare > 0 {
		every = max(1, int(1/doomedShare+0.5))
	}
	for i := range out {
		words := strings.Repeat("in fresh snow under a pale sky ", 3+i%28)
		prompt := fmt.Sprintf("%s %d: a red fox %s", tag, i, words)
		var s string
		doomed := every > 0 && i%every == every-1
		switch {
		case !doomed:
			s = fmt.Sprintf(`{"input":{"prompt":%q,"aspect_ratio":%q}}`, prompt, ratios[i%len(ratios)])
		case i%3 == 0:
			s = fmt.Sprintf(`{"input":{"prompt":"","aspect_ratio":"1:1"},"tag":%q}`, prompt) // empty prompt
		case i%3 == 1:
			s = fmt.Sprintf(`{"input":{"prompt":%q,"aspect_ratio":"16:10"}}`, prompt) // bad enum
		default:
			s = fmt.Sprintf(`{"input":{"prompt":%q}`, prompt) // broken JSON
		}
		sum := sha256.Sum256([]byte(s))
		out[i] = body{b: []byte(s), sum: sum, hexsum: hex.EncodeToString(sum[:]), doomed: doomed}
	}
	return out
}

// phase is one measured run of all bodies through one base URL.
type phase struct {
	rps float64
	// selfCPU and proxyCPU are CPU time per request in microseconds of
	// this process (clients and fake upstream) and of the proxy process
	// (-1 when it runs in this process).
	selfCPU, proxyCPU float64
	// dials are the connections the proxy opened to the upstream during
	// the phase (-1 when unknown or direct).
	dials     float64
	latencies []time.Duration // of successful requests, sorted
	failures  []string
}

func (p *phase) pct(q float64) time.Duration {
	if len(p.latencies) == 0 {
		return 0
	}
	return p.latencies[min(len(p.latencies)-1, int(q*float64(len(p.latencies))))]
}

const path = "/api/v1/generateTask/nano-banana"

// runPhase sends every body once over conns connections and checks every
// answer: the upstream's hash for a valid body, the proxy's refusal for a
// doomed one (viaProxy only).
func runPhase(ctx context.Context, base string, conns int, bs []body, viaProxy bool, timeout time.Duration, rate float64) *phase {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// With a rate, a ticker hands out start tokens, so latency is service
	// time rather than queueing behind the clients' own backlog.
	var tokens <-chan time.Time
	if rate > 0 {
		tk := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tk.Stop()
		tokens = tk.C
	}
	tr := &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true, IdleConnTimeout: time.Minute,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	lat := make([]time.Duration, len(bs))
	ok := make([]bool, len(bs))
	var next atomic.Int64
	var mu sync.Mutex
	var failures []string
	fail := func(format string, a ...any) {
		mu.Lock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, a...))
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(bs) {
					return
				}
				if tokens != nil {
					select {
					case <-tokens:
					case <-ctx.Done():
						return
					}
				}
				b := &bs[i]
				t0 := time.Now()
				status, h, err := send(ctx, client, base, b.b)
				lat[i] = time.Since(t0)
				switch {
				case err != nil:
					fail("body %d: %v", i, err)
				case b.doomed && viaProxy:
					if status != 400 || h.Get("X-Preflight") != "rejected" || h.Get(proxy.RulesHeader) == "" {
						fail("doomed body %d: status %d, X-Preflight %q", i, status, h.Get("X-Preflight"))
					} else {
						ok[i] = true
					}
				case status != 200:
					fail("body %d: status %d", i, status)
				case h.Get("X-Body-Sha256") != b.hexsum:
					fail("body %d: the upstream received different bytes (hash %s)", i, h.Get("X-Body-Sha256"))
				default:
					ok[i] = true
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	p := &phase{failures: failures}
	if ctx.Err() != nil {
		p.failures = append(p.failures, fmt.Sprintf("phase cut at %s: %v", timeout, ctx.Err()))
	}
	n := 0
	for i := range bs {
		if ok[i] {
			n++
			p.latencies = append(p.latencies, lat[i])
		}
	}
	p.rps = float64(n) / elapsed.Seconds()
	slices.Sort(p.latencies)
	return p
}

func send(ctx context.Context, c *http.Client, base string, b []byte) (int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(string(b)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-load-test")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, resp.Header, err
}

// checkArrivals compares what the upstream saw in a phase with what was
// sent: every valid body exactly once, no doomed body.
func checkArrivals(seen map[[32]byte]int, bs []body, viaProxy bool) []string {
	var out []string
	for i, b := range bs {
		want := 1
		if b.doomed && viaProxy {
			want = 0
		}
		if got := seen[b.sum]; got != want {
			if len(out) < 20 {
				out = append(out, fmt.Sprintf("body %d (doomed %v) reached the upstream %d times, want %d", i, b.doomed, got, want))
			}
		}
	}
	return out
}

// level is the result of one concurrency level.
type level struct {
	conns          int
	direct, viaPx  []*phase
	mixed          *phase
	mixedDoomed    int
	mixedForwarded int
}

type results struct {
	levels  []*level
	peakRSS float64 // MB, -1 when the proxy ran in this process
	failed  []string
}

func run(ctx context.Context, o options, logw io.Writer) (*results, error) {
	up := &upstream{delay: o.delay, seen: make(map[[32]byte]int)}
	uln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	usrv := &http.Server{Handler: up, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go usrv.Serve(uln)
	defer usrv.Close()
	upURL := "http://" + uln.Addr().String()

	pxURL, proc, stop, err := startProxy(ctx, o, upURL, logw)
	if err != nil {
		return nil, err
	}
	defer stop()
	res := &results{peakRSS: -1}
	log := func(format string, a ...any) { fmt.Fprintf(logw, ">> "+format+"\n", a...) }

	for _, conns := range o.conns {
		n := max(o.requests, 2*conns)
		lv := &level{conns: conns}
		// Warm both paths up: open the connections, fill the pools.
		for _, base := range []string{upURL, pxURL} {
			runPhase(ctx, base, conns, bodies(2*conns, 0, fmt.Sprintf("warm-%d-%s", conns, base)), false, o.phaseTimeout, 0)
		}
		up.reset()
		for r := range o.rounds {
			for _, viaProxy := range []bool{false, true} {
				base, name := upURL, "direct"
				if viaProxy {
					base, name = pxURL, "proxy"
				}
				bs := bodies(n, 0, fmt.Sprintf("%s-%d-%d", name, conns, r))
				dials0 := upstreamDials(ctx, pxURL)
				self0, px0 := selfCPU(), proc.cpu()
				p := runPhase(ctx, base, conns, bs, viaProxy, o.phaseTimeout, o.rate)
				p.selfCPU = float64(selfCPU()-self0) / 1e3 / float64(n)
				p.proxyCPU, p.dials = -1, -1
				if px0 >= 0 && viaProxy {
					p.proxyCPU = float64(proc.cpu()-px0) / 1e3 / float64(n)
				}
				if d1 := upstreamDials(ctx, pxURL); viaProxy && dials0 >= 0 && d1 >= 0 {
					p.dials = d1 - dials0
				}
				p.failures = append(p.failures, checkArrivals(up.reset(), bs, viaProxy)...)
				res.failed = append(res.failed, prefix(fmt.Sprintf("%s c=%d round %d: ", name, conns, r), p.failures)...)
				log("c=%d %-6s round %d: %.0f req/s, p50 %s, p99 %s, CPU/req %.1f us here + %.1f us proxy, %.0f new upstream conns, %d failures",
					conns, name, r, p.rps, p.pct(0.5), p.pct(0.99), p.selfCPU, p.proxyCPU, p.dials, len(p.failures))
				if viaProxy {
					lv.viaPx = append(lv.viaPx, p)
				} else {
					lv.direct = append(lv.direct, p)
				}
			}
		}
		bs := bodies(n, o.doomed, fmt.Sprintf("mixed-%d", conns))
		p := runPhase(ctx, pxURL, conns, bs, true, o.phaseTimeout, o.rate)
		seen := up.reset()
		p.failures = append(p.failures, checkArrivals(seen, bs, true)...)
		for _, b := range bs {
			if b.doomed {
				lv.mixedDoomed++
			}
		}
		for _, c := range seen {
			lv.mixedForwarded += c
		}
		res.failed = append(res.failed, prefix(fmt.Sprintf("mixed c=%d: ", conns), p.failures)...)
		log("c=%d mixed: %.0f req/s, %d doomed refused of %d, %d forwarded, %d failures", conns, p.rps, lv.mixedDoomed, len(bs), lv.mixedForwarded, len(p.failures))
		lv.mixed = p
		res.levels = append(res.levels, lv)
		if ctx.Err() != nil {
			break
		}
	}
	res.peakRSS = proc.peakRSS()
	if len(res.failed) > 0 {
		return res, fmt.Errorf("%d correctness failures:\n  %s", len(res.failed), strings.Join(res.failed, "\n  "))
	}
	return res, ctx.Err()
}

func prefix(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

var listenRE = regexp.MustCompile(`listening on (http://\S+),`)

var dialsRE = regexp.MustCompile(`(?m)^preflight_proxy_upstream_connections_total (\d+)`)

// upstreamDials reads the proxy's count of connections it opened to the
// upstream from its /metrics, or -1.
func upstreamDials(ctx context.Context, pxURL string) float64 {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pxURL+"/metrics", nil)
	if err != nil {
		return -1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	m := dialsRE.FindSubmatch(b)
	if err != nil || m == nil {
		return -1
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	return n
}

// startProxy runs the proxy, as a process of bin or in this process, and
// returns its URL, a function reading its peak RSS in MB, and a stop.
func startProxy(ctx context.Context, o options, upURL string, logw io.Writer) (string, *proxyProc, func(), error) {
	bin := o.preflight
	if bin == "" {
		u, _ := url.Parse(upURL)
		p, err := proxy.New(proxy.Config{Upstream: u, Logger: slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			return "", nil, nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, nil, err
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- proxy.Serve(sctx, ln, p, proxy.Timeouts{}, nil) }()
		stop := func() { cancel(); <-done }
		return "http://" + ln.Addr().String(), &proxyProc{pid: -1}, stop, nil
	}
	args := []string{bin, "proxy", "--listen", "127.0.0.1:0", "--upstream", upURL, "--offline", "--log-level", "warn", "--queue-timeout", "1m"}
	if o.proxyCPUs != "" {
		// taskset execs the proxy: the pid stays the proxy's.
		args = append([]string{"taskset", "-c", o.proxyCPUs}, args...)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), o.proxyEnv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
				continue
			}
			fmt.Fprintln(logw, "proxy:", sc.Text())
		}
	}()
	stop := func() {
		time.Sleep(min(o.proxyLinger, time.Minute))
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	select {
	case a := <-addr:
		return a, &proxyProc{pid: cmd.Process.Pid}, stop, nil
	case <-time.After(cmp.Or(o.proxyStart, 10*time.Second)):
		stop()
		return "", nil, nil, fmt.Errorf("the proxy did not say where it listens within %s", cmp.Or(o.proxyStart, 10*time.Second))
	}
}

// proxyProc reads the proxy process's resources; pid -1 means the proxy
// runs in this process and has none of its own.
type proxyProc struct{ pid int }

// peakRSS is the peak resident set in MB, or -1.
func (p *proxyProc) peakRSS() float64 {
	if p.pid < 0 {
		return -1
	}
	return peakRSS(p.pid)
}

// cpu is the process's CPU time so far, or -1.
func (p *proxyProc) cpu() time.Duration {
	if p.pid < 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return -1
	}
	// Fields after the parenthesised command: state is field 3, utime 14,
	// stime 15, in clock ticks (100 per second on Linux).
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// selfCPU is this process's user and system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads VmHWM (peak resident set) of pid in MB, or -1.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

func median(ps []*phase, f func(*phase) float64) float64 {
	vs := make([]float64, len(ps))
	for i, p := range ps {
		vs[i] = f(p)
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// stats are the medians of one level.
func (lv *level) stats() (direct, proxied, added50, added99 float64) {
	direct = median(lv.direct, func(p *phase) float64 { return p.rps })
	proxied = median(lv.viaPx, func(p *phase) float64 { return p.rps })
	added50 = median(lv.viaPx, func(p *phase) float64 { return ms(p.pct(0.5)) }) - median(lv.direct, func(p *phase) float64 { return ms(p.pct(0.5)) })
	added99 = median(lv.viaPx, func(p *phase) float64 { return ms(p.pct(0.99)) }) - median(lv.direct, func(p *phase) float64 { return ms(p.pct(0.99)) })
	return
}

func (r *results) summary() string {
	var b strings.Builder
	for _, lv := range r.levels {
		d, x, a50, a99 := lv.stats()
		fmt.Fprintf(&b, "%d %.0f %.0f %.2f %.3f %.3f %.1f\n", lv.conns, d, x, x/d, a50, a99, r.peakRSS)
	}
	return b.String()
}

func (r *results) table(o options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| conns | direct req/s | proxy req/s | ratio (>= 0.8) | direct p50 / p99 ms | proxy p50 / p99 ms | added p50 / p99 ms (p99 < 1) | CPU us/req: clients+upstream direct / proxied, proxy | new upstream conns per phase | mixed: doomed refused / forwarded |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	for _, lv := range r.levels {
		d := median(lv.direct, func(p *phase) float64 { return p.rps })
		x := median(lv.viaPx, func(p *phase) float64 { return p.rps })
		d50 := median(lv.direct, func(p *phase) float64 { return ms(p.pct(0.5)) })
		d99 := median(lv.direct, func(p *phase) float64 { return ms(p.pct(0.99)) })
		x50 := median(lv.viaPx, func(p *phase) float64 { return ms(p.pct(0.5)) })
		x99 := median(lv.viaPx, func(p *phase) float64 { return ms(p.pct(0.99)) })
		dc := median(lv.direct, func(p *phase) float64 { return p.selfCPU })
		xc := median(lv.viaPx, func(p *phase) float64 { return p.selfCPU })
		pc := median(lv.viaPx, func(p *phase) float64 { return p.proxyCPU })
		pcs := "n/a"
		if pc >= 0 {
			pcs = fmt.Sprintf("%.1f", pc)
		}
		dials := "n/a"
		if ds := median(lv.viaPx, func(p *phase) float64 { return p.dials }); ds >= 0 {
			dials = fmt.Sprintf("%.0f", ds)
		}
		fmt.Fprintf(&b, "| %d | %.0f | %.0f | %.2fx | %.3f / %.3f | %.3f / %.3f | %+.3f / %+.3f | %.1f / %.1f, %s | %s | %d / %d |\n",
			lv.conns, d, x, x/d, d50, d99, x50, x99, x50-d50, x99-d99, dc, xc, pcs, dials, lv.mixedDoomed, lv.mixedForwarded)
	}
	rss := "n/a (proxy in this process)"
	if r.peakRSS >= 0 {
		rss = fmt.Sprintf("%.1f MB", r.peakRSS)
	}
	load := "closed loop"
	if o.rate > 0 {
		load = fmt.Sprintf("open loop at %.0f req/s", o.rate)
	}
	fmt.Fprintf(&b, "\nProxy peak RSS over the whole run: %s. Requests per phase: %d (at least 2 per connection), medians of %d rounds; %s; fake upstream delay %s; offline checks",
		rss, o.requests, o.rounds, load, o.delay)
	if o.proxyCPUs != "" {
		fmt.Fprintf(&b, "; proxy on CPUs %s", o.proxyCPUs)
	}
	if len(o.proxyEnv) > 0 {
		fmt.Fprintf(&b, "; proxy environment %s", strings.Join(o.proxyEnv, " "))
	}
	b.WriteString(".\n")
	if len(r.failed) == 0 {
		b.WriteString("Correctness: every forwarded body arrived byte for byte (SHA-256), every doomed body was refused with 400 and never forwarded, none lost.\n")
	}
	return b.String()
}
