package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/proxy"
	"github.com/preflight-dev/preflight/validate"
)

// proxyFlags are the flags of `preflight proxy`.
type proxyFlags struct {
	listen          string
	upstream        string
	offline         bool
	failLevel       string
	maxBody         int64
	maxBuffered     int64
	maxChecks       int
	checkTimeout    time.Duration
	queueTimeout    time.Duration
	upstreamTimeout time.Duration
	timeouts        proxy.Timeouts
	logFormat       string
	logLevel        string
	network         networkFlags
}

func (c *Command) newProxy() *cobra.Command {
	var f proxyFlags
	cmd := &cobra.Command{
		Use:   "proxy [flags]",
		Short: "Run a local gateway that refuses doomed requests before they reach the API",
		Long: `Run a local HTTP gateway in front of the APIXO API. Point any client at it by
changing its base URL (http://127.0.0.1:8787 instead of https://api.apixo.ai).

POST /api/v1/generateTask/{model} bodies are checked exactly as
validate.NewTransport checks them: a request that would fail is answered at
once in the API's error envelope, with the findings in data.findings and the
rules in the X-Preflight-Rules header, and is never forwarded. Everything else,
and every request that passes, goes to --upstream unchanged (Authorization
included; it is never logged). GET /healthz and GET /metrics (Prometheus) are
the proxy's own.

SIGINT or SIGTERM stops it gracefully: new connections are refused and
requests in flight finish (up to --shutdown-timeout).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runProxy(cmd.Context(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8787", "address to listen on; anything but loopback is reachable by others")
	fl.StringVar(&f.upstream, "upstream", "https://api.apixo.ai", "the API every request is forwarded to (the only host reachable through the proxy)")
	fl.BoolVar(&f.offline, "offline", false, "make no network checks of media URLs (URL syntax is still checked)")
	fl.StringVar(&f.failLevel, "fail-level", "error", "lowest severity that refuses a request: error or warning")
	fl.Int64Var(&f.maxBody, "max-body", proxy.DefaultMaxBodyBytes, "largest request body in bytes; larger ones get 413")
	fl.Int64Var(&f.maxBuffered, "max-buffered", proxy.DefaultMaxBufferedBytes, "bytes of request bodies held at once for checking; beyond it requests wait up to --queue-timeout, then get 503")
	fl.IntVar(&f.maxChecks, "max-checks", 0, "checks running at once (0: four per CPU); others wait up to --queue-timeout, then get 503")
	fl.DurationVar(&f.checkTimeout, "check-timeout", proxy.DefaultCheckTimeout, "time budget of one check, network checks included (504 when exceeded)")
	fl.DurationVar(&f.queueTimeout, "queue-timeout", proxy.DefaultQueueTimeout, "how long a request waits for a check slot")
	fl.DurationVar(&f.upstreamTimeout, "upstream-timeout", proxy.DefaultResponseHeaderTimeout, "how long to wait for the upstream's response headers (504 when exceeded)")
	fl.DurationVar(&f.timeouts.ReadHeader, "read-header-timeout", 10*time.Second, "time to read a request's headers")
	fl.DurationVar(&f.timeouts.Read, "read-timeout", 60*time.Second, "time to read a whole request, body included")
	fl.DurationVar(&f.timeouts.Write, "write-timeout", 120*time.Second, "time to write a response, the check and the upstream's answer included")
	fl.DurationVar(&f.timeouts.Idle, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection is kept")
	fl.DurationVar(&f.timeouts.Shutdown, "shutdown-timeout", 30*time.Second, "how long requests in flight may finish after SIGINT or SIGTERM")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format on standard error: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "lowest log level: debug (every request), info (refusals and failures), warn or error")
	f.network.register(fl)
	// The proxy has no run to bound: the deadline applies per request.
	fl.Lookup("network-deadline").Usage = "time budget of one request's URL checks, within --check-timeout (0: --check-timeout alone)"
	return cmd
}

func (f *proxyFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, usagef("unknown --log-level %q (want debug, info, warn or error)", f.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("unknown --log-format %q (want text or json)", f.logFormat)
}

func (c *Command) runProxy(ctx context.Context, f *proxyFlags) error {
	log, err := f.logger(c.Stderr)
	if err != nil {
		return err
	}
	if f.failLevel != "error" && f.failLevel != "warning" {
		return usagef("unknown --fail-level %q (want error or warning)", f.failLevel)
	}
	if err := f.network.validate(); err != nil {
		return err
	}
	if f.maxBody < 1 {
		return usagef("--max-body must be at least 1")
	}
	if f.maxBuffered < f.maxBody {
		return usagef("--max-buffered must be at least --max-body")
	}
	if f.maxChecks < 0 {
		return usagef("--max-checks must not be negative")
	}
	up, err := url.Parse(f.upstream)
	if err != nil {
		return usagef("--upstream: %v", err)
	}
	if up, err = proxy.CheckUpstream(up); err != nil {
		return usageError{err}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	v := &validate.Validator{AllowHosts: f.network.allowHosts}
	checkTimeout := f.checkTimeout
	if !f.offline {
		// --network-deadline bounds each request's checks here, not the
		// life of the server.
		nf := f.network
		nf.deadline = 0
		if f.network.deadline > 0 {
			checkTimeout = min(checkTimeout, f.network.deadline)
		}
		getenv := c.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		nr := nf.checker(getenv, nil)
		v.Network, v.NetworkDeadline = nr.checker, nr.deadline
	}
	reg := prometheus.NewRegistry()
	if err := proxy.RegisterRuntime(reg); err != nil {
		return err
	}
	tr := proxy.NewUpstreamTransport()
	tr.ResponseHeaderTimeout = f.upstreamTimeout
	p, err := proxy.New(proxy.Config{
		Upstream:         up,
		Validator:        v,
		FailLevel:        validate.Severity(f.failLevel),
		MaxBodyBytes:     f.maxBody,
		MaxBufferedBytes: f.maxBuffered,
		MaxChecks:        f.maxChecks,
		QueueTimeout:     f.queueTimeout,
		CheckTimeout:     checkTimeout,
		Transport:        tr,
		Logger:           log,
		Registerer:       reg,
		Gatherer:         reg,
	})
	if err != nil {
		return err
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	addr := ln.Addr().String()
	for _, w := range proxyWarnings(ln.Addr(), up) {
		fmt.Fprintf(c.Stderr, "preflight: WARNING: %s\n", w)
		log.Warn(w)
	}
	fmt.Fprintf(c.Stderr, "preflight: proxy listening on http://%s, forwarding to %s (%s)\n", addr, up.Redacted(), checkMode(f.offline))
	return proxy.Serve(ctx, ln, p, f.timeouts, log)
}

// proxyWarnings are the set-ups to shout about: a listener others can
// reach, and API keys sent in clear text.
func proxyWarnings(addr net.Addr, up *url.URL) []string {
	var ws []string
	if tcp, ok := addr.(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ws = append(ws, fmt.Sprintf("listening on %s, which is NOT a loopback address: anyone who can reach it can send requests through it to %s", addr, up.Redacted()))
	}
	if up.Scheme == "http" && !isLoopbackHost(up.Hostname()) {
		ws = append(ws, fmt.Sprintf("upstream %s is plain http: API keys cross the network unencrypted", up.Redacted()))
	}
	return ws
}

func checkMode(offline bool) string {
	if offline {
		return "offline checks"
	}
	return "offline and network checks"
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
