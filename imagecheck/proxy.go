package imagecheck

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// ProxyFromEnv returns the proxy choice the environment asks for: HTTPS_PROXY
// for https URLs, HTTP_PROXY for http URLs, NO_PROXY exempting hosts, each
// also in lower case (the upper-case name wins), read through getenv (nil:
// no proxy). As with net/http, requests to localhost and loopback
// addresses are never proxied.
func ProxyFromEnv(getenv func(string) string) func(*url.URL) (*url.URL, error) {
	if getenv == nil {
		return func(*url.URL) (*url.URL, error) { return nil, nil }
	}
	get := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return getenv(strings.ToLower(k))
	}
	cfg := &httpproxy.Config{HTTPProxy: get("HTTP_PROXY"), HTTPSProxy: get("HTTPS_PROXY"), NoProxy: get("NO_PROXY")}
	return cfg.ProxyFunc()
}

// ProxyOverride returns the proxy choice of an explicit proxy URL (the
// --proxy flag) for both schemes, with NO_PROXY read through getenv still
// exempting hosts.
func ProxyOverride(proxy string, getenv func(string) string) (func(*url.URL) (*url.URL, error), error) {
	u, err := url.Parse(proxy)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		return nil, fmt.Errorf("proxy %q: want http://host:port, https://host:port or socks5://host:port", shorten(proxy, 80))
	}
	noProxy := ""
	if getenv != nil {
		noProxy = orDefault(getenv("NO_PROXY"), getenv("no_proxy"))
	}
	cfg := &httpproxy.Config{HTTPProxy: proxy, HTTPSProxy: proxy, NoProxy: noProxy}
	return cfg.ProxyFunc(), nil
}

// proxyFor is the transport's Proxy: it asks the configured choice and,
// when a proxy will carry the request, applies the address guard first,
// since the proxy connects on our behalf. A literal address or a name that
// resolves locally to a non-public address is refused before anything is
// sent; a name that does not resolve locally goes to the proxy, which
// resolves it (behind strict proxies local DNS often cannot).
func (c *Checker) proxyFor(req *http.Request) (*url.URL, error) {
	p, err := c.proxy(req.URL)
	if err != nil || p == nil {
		return nil, err
	}
	host, port := req.URL.Hostname(), orDefault(req.URL.Port(), defaultPort(req.URL.Scheme))
	if !c.allowed(host, port) {
		if err := c.checkHop(req.URL); err != nil {
			return nil, err
		}
		if err := c.refuseLocal(req.Context(), host); err != nil {
			return nil, err
		}
	}
	ph, ok := NormalizeHost(p.Hostname())
	if !ok {
		return nil, fmt.Errorf("proxy host %q is not a valid host name", shorten(p.Hostname(), 80))
	}
	pport := orDefault(p.Port(), map[string]string{"http": "80", "https": "443", "socks5": "1080"}[p.Scheme])
	traceOf(req.Context()).viaProxy(net.JoinHostPort(ph, pport))
	return p, nil
}

// refuseLocal resolves host locally and refuses it when any address is not
// public. A lookup that fails is no refusal: the proxy will resolve it.
func (c *Checker) refuseLocal(ctx context.Context, host string) error {
	h, _ := NormalizeHost(host)
	if a, err := netip.ParseAddr(h); err == nil {
		if why := nonPublicReason(a); why != "" {
			return &NotPublicError{Host: host, Addr: a, Reason: why}
		}
		return nil
	}
	addrs, err := c.resolver().LookupNetIP(ctx, "ip", h)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if why := nonPublicReason(a); why != "" {
			return &NotPublicError{Host: host, Addr: a, Reason: why}
		}
	}
	return nil
}
