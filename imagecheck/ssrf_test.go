package imagecheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Adversarial tests of the public-address guard: every way a URL, a
// redirect, DNS or the caller's configuration could make the probe connect
// to a non-public address. The "private" target is an httptest server on
// loopback that is never allowed; it must see no connection at all.

// privateTarget is a loopback server that must never be reached.
func privateTarget(t *testing.T) (*server, string) {
	t.Helper()
	target := newServer(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	_, port, _ := net.SplitHostPort(target.host())
	return target, port
}

func TestRedirectTricksNeverReachPrivate(t *testing.T) {
	target, port := privateTarget(t)
	loop := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	locations := []string{
		"http://127.0.0.1:" + port + "/x.png",
		"//127.0.0.1:" + port + "/x.png", // protocol-relative
		"http://2130706433:" + port + "/x.png",
		"http://0x7f000001:" + port + "/x.png",
		"http://0x7f.0.0.1:" + port + "/x.png",
		"http://0177.0.0.1:" + port + "/x.png",
		"http://127.1:" + port + "/x.png",
		"http://127.0.0.1.:" + port + "/x.png",
		"http://[::1]:" + port + "/x.png",
		"http://[::ffff:127.0.0.1]:" + port + "/x.png",
		"http://[::ffff:7f00:1]:" + port + "/x.png",
		"http://[fe80::1%25lo]:" + port + "/x.png",
		"http://localhost:" + port + "/x.png",
		"http://LOCALHOST.:" + port + "/x.png",
		"http://a.localhost:" + port + "/x.png",
		"http://user@127.0.0.1:" + port + "/x.png",
		"http://images.example.com@127.0.0.1:" + port + "/x.png",
		"http://rebind.example.com:" + port + "/x.png", // DNS says loopback
		"http://mixed.example.com:" + port + "/x.png",  // DNS says public and loopback
		"http://0.0.0.0:" + port + "/x.png",
		"http://0:" + port + "/x.png",
		"file:///etc/passwd",
		"ftp://127.0.0.1:" + port + "/x.png",
		"gopher://127.0.0.1:" + port + "/x.png",
	}
	for _, loc := range locations {
		t.Run(url.PathEscape(loc), func(t *testing.T) {
			before := target.conns.Load()
			src := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", loc)
				w.WriteHeader(http.StatusFound)
			}))
			c := testChecker(src) // only the redirecting server, by host:port
			c.MaxRetries = -1
			// A resolver that answers the way a permissive libc would for
			// numeric forms, and a public+private mix for one name.
			c.Resolver = fakeResolver{
				"rebind.example.com": loop,
				"mixed.example.com":  {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1")},
				"2130706433":         loop, "0x7f000001": loop, "0x7f.0.0.1": loop, "0177.0.0.1": loop,
				"127.1": loop, "127.0.0.1.": loop, "localhost": loop, "localhost.": loop, "a.localhost": loop, "0": loop,
			}
			r := c.Check(context.Background(), src.URL+"/start", Spec{})
			if r.Verdict == OK {
				t.Errorf("redirect to %q passed: %+v", loc, r.Facts)
			}
			if n := target.conns.Load() - before; n != 0 {
				t.Errorf("redirect to %q: private target saw %d connections", loc, n)
			}
		})
	}
}

// An --allow-host entry with a port allows that port only.
func TestAllowHostPortIsExact(t *testing.T) {
	target, port := privateTarget(t)
	other := newServer(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	c := testChecker(other) // "127.0.0.1:<other port>"
	c.MaxRetries = -1
	for _, u := range []string{
		"http://127.0.0.1:" + port + "/x.png",
		"http://127.0.0.1.:" + port + "/x.png",
		"http://[::ffff:127.0.0.1]:" + port + "/x.png",
	} {
		if r := c.Check(context.Background(), u, Spec{}); r.Verdict == OK || target.conns.Load() != 0 {
			t.Errorf("%s: %v, target conns %d", u, r.Verdict, target.conns.Load())
		}
	}
	if r := c.Check(context.Background(), other.URL+"/x.png", Spec{}); r.Verdict != OK {
		t.Errorf("allowed host:port refused: %+v", r.Problems)
	}
}

// proxyServer counts requests sent to it as an HTTP proxy.
func proxyServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "proxied", http.StatusBadGateway)
	}))
	t.Cleanup(p.Close)
	return p, &n
}

// The default client ignores HTTP_PROXY/HTTPS_PROXY: a proxy would connect
// on the checker's behalf, out of reach of the address check.
func TestEnvironmentProxyIgnored(t *testing.T) {
	p, n := proxyServer(t)
	t.Setenv("HTTP_PROXY", p.URL)
	t.Setenv("HTTPS_PROXY", p.URL)
	t.Setenv("NO_PROXY", "")
	_, port := privateTarget(t)
	c := &Checker{MaxRetries: -1, Resolver: fakeResolver{"images.example.com": {netip.MustParseAddr("127.0.0.1")}}}
	r := c.Check(context.Background(), "http://images.example.com:"+port+"/x.png", Spec{})
	if rules(r.Problems) != "error:url-not-public" || n.Load() != 0 {
		t.Errorf("env proxy: %+v, proxy saw %d requests", r.Problems, n.Load())
	}
}

// A caller's Client whose *http.Transport has a proxy or its own dialer
// must not bypass the guard.
func TestCustomClientKeepsGuard(t *testing.T) {
	target, port := privateTarget(t)
	p, n := proxyServer(t)
	pu, _ := url.Parse(p.URL)
	resolver := fakeResolver{"images.example.com": {netip.MustParseAddr("127.0.0.1")}}
	var d net.Dialer
	clients := map[string]*http.Client{
		"proxy": {Transport: &http.Transport{Proxy: http.ProxyURL(pu)}},
		// A dialer that sends every name to the loopback target, as a
		// caller's own DNS or service mesh might.
		"own dialer": {Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, "127.0.0.1:"+port)
		}}},
	}
	for name, cl := range clients {
		t.Run(name, func(t *testing.T) {
			c := &Checker{Client: cl, MaxRetries: -1, Resolver: resolver}
			r := c.Check(context.Background(), "http://images.example.com:"+port+"/x.png", Spec{})
			if rules(r.Problems) != "error:url-not-public" {
				t.Errorf("custom client: %v %+v", r.Verdict, r.Problems)
			}
			if n.Load() != 0 || target.conns.Load() != 0 {
				t.Errorf("proxy saw %d requests, target %d connections", n.Load(), target.conns.Load())
			}
		})
	}
	// The caller's client still works for allowed hosts, TLS settings kept.
	tlsSrv := httptest.NewTLSServer(serve("x.png", "", makePNG(t, 4, 4, false)))
	defer tlsSrv.Close()
	c := &Checker{Client: tlsSrv.Client(), MaxRetries: -1, AllowHosts: []string{strings.TrimPrefix(tlsSrv.URL, "https://")}}
	if r := c.Check(context.Background(), tlsSrv.URL+"/x.png", Spec{}); r.Verdict != OK {
		t.Errorf("caller's TLS client: %v %+v", r.Verdict, r.Problems)
	}
}
func TestAllowHostsNormalised(t *testing.T) {
	c := &Checker{AllowHosts: []string{"Images.Example.COM.", "[::1]:8080", "10.0.0.1"}}
	for _, tc := range []struct {
		host, port string
		want       bool
	}{
		{"images.example.com", "443", true},
		{"IMAGES.example.com.", "80", true},
		{"::1", "8080", true},
		{"::1", "22", false},
		{"10.0.0.1", "22", true},
		{"10.0.0.2", "22", false},
		{"example.com", "443", false},
		{"", "8080", false},
	} {
		if got := c.allowed(tc.host, tc.port); got != tc.want {
			t.Errorf("allowed(%q, %q) = %v, want %v", tc.host, tc.port, got, tc.want)
		}
	}
}
func TestSpecialAddresses(t *testing.T) {
	for _, s := range []string{
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
		"169.254.169.254", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
		"::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
		"64:ff9b:1::1", "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::1", "100::1", "2001:db8::1",
		"2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
	} {
		if IsPublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s judged public", s)
		}
	}
	for _, s := range []string{"93.184.216.34", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"} {
		if !IsPublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s judged not public", s)
		}
	}
}
