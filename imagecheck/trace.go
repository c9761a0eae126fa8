package imagecheck

import (
	"context"
	"net"
	"net/http/httptrace"
	"net/netip"
	"slices"
	"sync"
)

// fetchTrace follows one fetch through its hops: the URL each request
// asked for, the address its connection went to, and whether a proxy
// carried it. The facts keep the hops so a cache hit is judged again.
type fetchTrace struct {
	mu        sync.Mutex
	hops      []Hop
	proxyAddr string // host:port of the proxy chosen for the current hop
	connectSt int    // a CONNECT answer other than 200 from that proxy
}

type traceKey struct{}

// traceOf returns the fetch's trace, or nil (a nil trace records nothing).
func traceOf(ctx context.Context) *fetchTrace {
	t, _ := ctx.Value(traceKey{}).(*fetchTrace)
	return t
}

// traced attaches tr to ctx, with an httptrace hook that records the
// address of each hop's connection and notes when a public address
// answered, which shows this run that the outside network works.
func (c *Checker) traced(ctx context.Context, tr *fetchTrace) context.Context {
	ctx = context.WithValue(ctx, traceKey{}, tr)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectDone: func(_, addr string, err error) {
			if err != nil {
				return
			}
			if ap, perr := netip.ParseAddrPort(addr); perr == nil && IsPublicAddr(ap.Addr()) {
				c.netOK.Store(true)
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Conn != nil {
				tr.gotConn(info.Conn.RemoteAddr().String())
			}
		},
	})
}

func (t *fetchTrace) addHop(u string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hops = append(t.hops, Hop{URL: u})
	t.proxyAddr, t.connectSt = "", 0
}

// gotConn records the connection's address on the current hop, unless a
// proxy carried it (the proxy's address says nothing about the URL's).
func (t *fetchTrace) gotConn(addr string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.hops); n > 0 && !t.hops[n-1].Proxy && t.hops[n-1].Addr == "" {
		t.hops[n-1].Addr = addr
	}
}

// viaProxy marks the current hop as sent through the proxy at addr.
func (t *fetchTrace) viaProxy(addr string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.hops); n > 0 {
		t.hops[n-1].Proxy = true
	}
	t.proxyAddr = addr
}

// isProxyAddr reports whether a dial to host:port is the connection to the
// proxy this hop chose: the proxy is the user's own configuration, so the
// public-address rule does not apply to it.
func (t *fetchTrace) isProxyAddr(host, port string) bool {
	if t == nil {
		return false
	}
	h, ok := NormalizeHost(host)
	if !ok {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.proxyAddr != "" && t.proxyAddr == net.JoinHostPort(h, normPort(port))
}

func (t *fetchTrace) proxied() bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.hops)
	return n > 0 && t.hops[n-1].Proxy
}

func (t *fetchTrace) setConnectStatus(code int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.connectSt = code
}

func (t *fetchTrace) connectStatus() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.connectSt
}

func (t *fetchTrace) snapshot() []Hop {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.hops)
}
