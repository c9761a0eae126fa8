package imagecheck

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testProxy is a loopback HTTP proxy that answers every request itself: a
// forwarded GET from its handler, a CONNECT by serving TLS with the
// httptest certificate. So a URL naming a public address is never dialed
// by anyone; what matters is that the request reached the proxy.
type testProxy struct {
	*httptest.Server
	hits     atomic.Int64
	mu       sync.Mutex
	targets  []string // request URIs or CONNECT authorities seen
	connect  int      // CONNECT answer; 0 means 200
	tlsConf  *tls.Config
	endpoint http.Handler
}

func newTestProxy(t *testing.T, endpoint http.Handler) *testProxy {
	t.Helper()
	p := &testProxy{endpoint: endpoint}
	backend := httptest.NewUnstartedServer(endpoint)
	backend.StartTLS()
	t.Cleanup(backend.Close)
	p.tlsConf = backend.TLS
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.mu.Lock()
		if r.Method == http.MethodConnect {
			p.targets = append(p.targets, r.Host)
		} else {
			p.targets = append(p.targets, r.RequestURI)
		}
		code := p.connect
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			if !strings.HasPrefix(r.RequestURI, "http://") {
				http.Error(w, "not a proxy request", http.StatusBadRequest)
				return
			}
			endpoint.ServeHTTP(w, r)
			return
		}
		if code != 0 {
			w.WriteHeader(code)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		rw.Flush()
		tc := tls.Server(&bufConn{Conn: conn, r: rw.Reader}, p.tlsConf)
		srv := &http.Server{Handler: endpoint}
		l := &oneConnListener{conn: tc}
		srv.Serve(l)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *testProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

func (p *testProxy) url() *url.URL { u, _ := url.Parse(p.URL); return u }

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// oneConnListener serves one connection, then reports closed once it ends.
type oneConnListener struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
	mu   sync.Mutex
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.done == nil {
		l.done = make(chan struct{})
	}
	done := l.done
	l.mu.Unlock()
	var c net.Conn
	l.once.Do(func() { c = &closeNotify{Conn: l.conn, done: done} })
	if c != nil {
		return c, nil
	}
	<-done
	return nil, io.EOF
}
func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

type closeNotify struct {
	net.Conn
	done chan struct{}
	once sync.Once
}

func (c *closeNotify) Close() error {
	c.once.Do(func() { close(c.done) })
	return c.Conn.Close()
}

// proxyChecker sends everything through p, trusting the httptest
// certificate for the name example.com (the name it is issued for).
func proxyChecker(t *testing.T, p *testProxy) *Checker {
	pool := x509.NewCertPool()
	for _, c := range p.tlsConf.Certificates {
		for _, der := range c.Certificate {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			pool.AddCert(cert)
		}
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"}}
	c := testChecker()
	c.MaxRetries = -1
	// Two TLS handshakes through the proxy under -race on a loaded machine
	// can take longer than testChecker's 2 s; no test here is about timeouts.
	c.Timeout = 15 * time.Second
	c.Client = &http.Client{Transport: tr}
	c.Proxy = fixedProxy(p.url())
	c.Resolver = fakeResolver{
		"private.example.com": {netip.MustParseAddr("10.1.2.3")},
		"public.example.com":  {netip.MustParseAddr("93.184.215.14")},
	}
	return c
}

func TestProxyCarriesPublicURLs(t *testing.T) {
	png := makePNG(t, 12, 12, false)
	endpoint := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/missing.png") {
			http.NotFound(w, r)
			return
		}
		serve("x.png", "", png)(w, r)
	})
	p := newTestProxy(t, endpoint)

	for _, tc := range []struct {
		url     string
		verdict Verdict
		rules   string
		seen    string
	}{
		// Forwarded GET: the proxy answers, the verdict follows its answer.
		{"http://1.1.1.1/x.png", OK, "", "http://1.1.1.1/x.png"},
		{"http://1.1.1.1/missing.png", Failed, "error:image-download-failed", "http://1.1.1.1/missing.png"},
		// CONNECT: TLS end to end with what the proxy connected to.
		{"https://1.1.1.1/x.png", OK, "", "1.1.1.1:443"},
		{"https://1.1.1.1/missing.png", Failed, "error:image-download-failed", "1.1.1.1:443"},
		// A name local DNS cannot resolve goes to the proxy, which resolves it.
		{"http://unknown.example.com/x.png", OK, "", "http://unknown.example.com/x.png"},
		{"http://public.example.com/x.png", OK, "", "http://public.example.com/x.png"},
	} {
		c := proxyChecker(t, p)
		before := len(p.seen())
		r := c.Check(context.Background(), tc.url, Spec{})
		if r.Verdict != tc.verdict || rules(r.Problems) != tc.rules {
			t.Errorf("%s: %v %+v (%s)", tc.url, r.Verdict, r.Problems, r.Err)
		}
		if s := p.seen(); len(s) != before+1 || s[before] != tc.seen {
			t.Errorf("%s: proxy saw %q, want %q", tc.url, s[before:], tc.seen)
		}
		if len(r.Hops) != 1 || !r.Hops[0].Proxy || r.Hops[0].Addr != "" {
			t.Errorf("%s: hops %+v", tc.url, r.Hops)
		}
	}
}

func TestProxyRefusesNonPublicBeforeAsking(t *testing.T) {
	p := newTestProxy(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	for _, u := range []string{
		"http://10.0.0.1/x.png",               // private literal
		"https://[::1]/x.png",                 // loopback literal
		"http://169.254.169.254/latest/",      // metadata
		"http://private.example.com/x.png",    // resolves locally to 10.1.2.3
		"https://private.example.com/x.png",   // the same through CONNECT
		"http://127.0.0.１/x.png",              // fullwidth digit: still loopback
		"http://[::ffff:10.0.0.1]:8080/x.png", // IPv4-mapped private
	} {
		c := proxyChecker(t, p)
		r := c.Check(context.Background(), u, Spec{})
		if r.Verdict != Failed || rules(r.Problems) != "error:url-not-public" {
			t.Errorf("%s: %v %+v", u, r.Verdict, r.Problems)
		}
	}
	if n := p.hits.Load(); n != 0 {
		t.Errorf("the proxy was asked %d times: %q", n, p.seen())
	}
}

func TestProxyRedirectRechecked(t *testing.T) {
	endpoint := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.168.1.1/admin.png", http.StatusFound)
	})
	p := newTestProxy(t, endpoint)
	c := proxyChecker(t, p)
	r := c.Check(context.Background(), "http://1.1.1.1/x.png", Spec{})
	if rules(r.Problems) != "error:url-not-public" {
		t.Errorf("redirect to a private literal through the proxy: %+v", r.Problems)
	}
	if s := p.seen(); len(s) != 1 {
		t.Errorf("proxy saw %q, want only the first hop", s)
	}
}

func TestProxyFailureIsLocal(t *testing.T) {
	p := newTestProxy(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	p.connect = http.StatusForbidden
	c := proxyChecker(t, p)
	r := c.Check(context.Background(), "https://1.1.1.1/x.png", Spec{})
	if r.Verdict != Unverified || r.ErrKind != ErrNoNetwork || !strings.Contains(r.Err, "proxy refused") {
		t.Errorf("CONNECT refused: %v %s %q", r.Verdict, r.ErrKind, r.Err)
	}

	// A proxy that is not there.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone, _ := url.Parse("http://" + ln.Addr().String())
	ln.Close()
	c = proxyChecker(t, p)
	c.Proxy = fixedProxy(gone)
	r = c.Check(context.Background(), "http://1.1.1.1/x.png", Spec{})
	if r.Verdict != Unverified || r.ErrKind != ErrNoNetwork || c.Stats().NoNetwork != 1 {
		t.Errorf("proxy down: %v %s %q %+v", r.Verdict, r.ErrKind, r.Err, c.Stats())
	}
}

func TestProxyFromEnv(t *testing.T) {
	target := newServer(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	_, port, _ := net.SplitHostPort(target.host())
	p := newTestProxy(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	loop := fakeResolver{"cdn.example.com": {netip.MustParseAddr("127.0.0.1")}}
	u := "http://cdn.example.com:" + port + "/x.png"
	for _, tc := range []struct {
		env       map[string]string
		viaProxy  bool
		wantProxy bool
	}{
		{map[string]string{"HTTP_PROXY": p.URL}, true, true},
		{map[string]string{"http_proxy": p.URL}, true, true},
		{map[string]string{"HTTP_PROXY": p.URL, "NO_PROXY": "cdn.example.com"}, false, false},
		{map[string]string{"HTTP_PROXY": p.URL, "no_proxy": ".example.com"}, false, false},
		{map[string]string{"HTTPS_PROXY": p.URL}, false, false}, // http URL: HTTPS_PROXY does not apply
	} {
		c := testChecker(target)
		c.AllowHosts = append(c.AllowHosts, "cdn.example.com:"+port)
		c.Resolver = loop
		c.Proxy = ProxyFromEnv(func(k string) string { return tc.env[k] })
		before, beforeTarget := p.hits.Load(), target.requests.Load()
		r := c.Check(context.Background(), u, Spec{})
		if r.Verdict != OK {
			t.Errorf("%v: %v %+v", tc.env, r.Verdict, r.Problems)
		}
		if got := p.hits.Load() > before; got != tc.wantProxy {
			t.Errorf("%v: proxy used %v, want %v", tc.env, got, tc.wantProxy)
		}
		if direct := target.requests.Load() > beforeTarget; direct == tc.viaProxy {
			t.Errorf("%v: direct request %v", tc.env, direct)
		}
	}
	if _, err := ProxyOverride("ftp://x", nil); err == nil {
		t.Error("ProxyOverride accepted ftp://")
	}
	f, err := ProxyOverride(p.URL, func(k string) string { return map[string]string{"NO_PROXY": "skip.example.com"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ u, want string }{
		{"https://a.example.com/x", p.URL}, {"http://a.example.com/x", p.URL}, {"https://skip.example.com/x", ""},
	} {
		pu, _ := url.Parse(tc.u)
		got, _ := f(pu)
		if (got == nil && tc.want != "") || (got != nil && got.String() != tc.want) {
			t.Errorf("ProxyOverride(%s) = %v, want %q", tc.u, got, tc.want)
		}
	}
}

func fixedProxy(p *url.URL) func(*url.URL) (*url.URL, error) {
	return func(*url.URL) (*url.URL, error) { return p, nil }
}

// TestNoProxyHostWithoutDNS is the field case of issue 10: behind a proxy,
// in a sandbox whose resolver says "no such host" for every name, the proxy
// answering shows the route works, not that local DNS does; a host NO_PROXY
// sends direct is then not checked, never failed as the API's download.
func TestNoProxyHostWithoutDNS(t *testing.T) {
	p := newTestProxy(t, http.NotFoundHandler())
	c := proxyChecker(t, p)
	c.Resolver = fakeResolver{} // nothing resolves, api.apixo.ai neither
	proxy, err := ProxyOverride(p.URL, func(k string) string {
		return map[string]string{"NO_PROXY": "direct.example.com"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Proxy = proxy
	if r := c.Check(context.Background(), "http://1.1.1.1/missing.png", Spec{}); rules(r.Problems) != "error:image-download-failed" {
		t.Fatalf("through the proxy: %v %+v (%s)", r.Verdict, r.Problems, r.Err)
	}
	r := c.Check(context.Background(), "http://direct.example.com/x.png", Spec{})
	if r.Verdict != Unverified || rules(r.Problems) != "warning:url-unverified" || c.Stats().NoNetwork != 1 {
		t.Errorf("NO_PROXY host, no local DNS: %v %+v (%s) %+v", r.Verdict, r.Problems, r.Err, c.Stats())
	}
	c.RequireNetwork = true
	if r := c.Check(context.Background(), "http://direct.example.com/y.png", Spec{}); rules(r.Problems) != "error:url-unverified" {
		t.Errorf("required: %v %+v", r.Verdict, r.Problems)
	}
}
