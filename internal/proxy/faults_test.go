package proxy

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/validate"
)

func TestUpstreamDown(t *testing.T) {
	api := newFakeAPI(t)
	down := api.URL
	api.Close() // nothing listens there now
	tp := newTestProxy(t, down, Config{})
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, genPath, goodBody},
		{http.MethodGet, "/api/v1/statusTask/t1", ""},
	} {
		resp, b := tp.do(t, c.method, c.path, c.body, nil)
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), `"code":502`) || resp.Header.Get(PreflightHeader) != "error" {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, b)
		}
	}
	// A doomed request is still refused: the check needs no upstream.
	if resp, _ := tp.do(t, http.MethodPost, genPath, badBody, nil); resp.StatusCode != 400 {
		t.Errorf("doomed request with the upstream down: %d", resp.StatusCode)
	}
	if resp, _ := tp.do(t, http.MethodGet, "/healthz", "", nil); resp.StatusCode != 200 {
		t.Errorf("the proxy is not up: healthz %d", resp.StatusCode)
	}
	if !strings.Contains(tp.metrics(t), `preflight_proxy_requests_total{outcome="upstream_error",route="generate"} 1`) {
		t.Error("upstream_error not counted")
	}
}

func TestUpstreamFailurePassesThrough(t *testing.T) {
	api := newFakeAPI(t)
	api.handle = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"code":503,"message":"Model temporarily unavailable"}`)
	}
	tp := newTestProxy(t, api.URL, Config{})
	resp, b := tp.do(t, http.MethodPost, genPath, goodBody, nil)
	if resp.StatusCode != 503 || string(b) != `{"code":503,"message":"Model temporarily unavailable"}` || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("the upstream's failure was not passed through: %d %s %v", resp.StatusCode, b, resp.Header)
	}
}

func TestUpstreamSlow(t *testing.T) {
	api := newFakeAPI(t)
	release := make(chan struct{})
	defer close(release)
	api.handle = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tr := NewUpstreamTransport()
	tr.ResponseHeaderTimeout = 100 * time.Millisecond
	tp := newTestProxy(t, api.URL, Config{Transport: tr})
	start := time.Now()
	resp, b := tp.do(t, http.MethodPost, genPath, goodBody, nil)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), `"code":504`) {
		t.Errorf("slow upstream: %d %s", resp.StatusCode, b)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: the upstream timeout did not bound the wait", d)
	}
	if resp, _ := tp.do(t, http.MethodGet, "/healthz", "", nil); resp.StatusCode != 200 {
		t.Errorf("healthz %d after a slow upstream", resp.StatusCode)
	}
}

func TestClientDisconnectsMidBody(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{})
	for _, path := range []string{genPath, "/api/v1/other"} {
		c := dial(t, tp.srv.Listener.Addr().String())
		write(t, c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"input\":")
		c.Close()
	}
	waitFor(t, "both requests to be logged", func() bool { return strings.Count(tp.log.String(), `"msg":"request"`) == 2 })
	if n := api.hits.Load(); n != 0 {
		t.Errorf("%d cut-off bodies reached the upstream as whole requests", n)
	}
	if !strings.Contains(tp.metrics(t), `preflight_proxy_requests_total{outcome="client_error",route="generate"} 1`) {
		t.Errorf("client_error not counted:\n%s", grepLines(tp.metrics(t), "requests_total"))
	}
	if resp, _ := tp.do(t, http.MethodPost, genPath, goodBody, nil); resp.StatusCode != 200 {
		t.Errorf("the next request: %d", resp.StatusCode)
	}
}

// serveTest runs Serve on a loopback listener until the test ends or stop
// is called, and returns its address.
func serveTest(t *testing.T, h http.Handler, to Timeouts) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, to, nil) }()
	var once sync.Once
	var serr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case serr = <-done:
			case <-time.After(10 * time.Second):
				serr = errors.New("Serve did not return")
			}
		})
		return serr
	}
	t.Cleanup(func() { stop() })
	return ln.Addr().String(), stop
}

func TestSlowLoris(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{})
	addr, _ := serveTest(t, tp.Proxy, Timeouts{ReadHeader: 200 * time.Millisecond, Read: 500 * time.Millisecond})

	cases := []struct{ name, first string }{
		{"headers never end", "POST " + genPath + " HTTP/1.1\r\nHost: x\r\n"},
		{"body drips", "POST " + genPath + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"},
	}
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			start := time.Now()
			if _, err := io.WriteString(conn, c.first); err != nil {
				t.Error(err)
				return
			}
			// Drip one byte every 50 ms until the server hangs up.
			for i := 0; i < 200; i++ {
				time.Sleep(50 * time.Millisecond)
				if _, err := conn.Write([]byte(" ")); err != nil {
					break
				}
			}
			// The server has closed (or answered and closed): reading ends.
			io.Copy(io.Discard, conn)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("%s: connection held for %s", c.name, d)
			}
		}()
	}
	// Meanwhile a well-behaved client is served.
	for range 3 {
		resp, err := http.Post("http://"+addr+genPath, "application/json", strings.NewReader(goodBody))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("a normal client during the attack: %d", resp.StatusCode)
		}
	}
	wg.Wait()
	if n := api.hits.Load(); n != 3 {
		t.Errorf("upstream saw %d requests, want the 3 normal ones", n)
	}
}

func TestShutdownWithRequestsInFlight(t *testing.T) {
	api := newFakeAPI(t)
	arrived := make(chan struct{}, 4)
	release := make(chan struct{})
	api.handle = func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"late"}}`)
	}
	tp := newTestProxy(t, api.URL, Config{})
	addr, stop := serveTest(t, tp.Proxy, Timeouts{Shutdown: 5 * time.Second})

	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, 2)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	for range 2 {
		go func() {
			resp, err := client.Post("http://"+addr+genPath, "application/json", strings.NewReader(goodBody))
			if err != nil {
				results <- result{err: err}
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- result{resp.StatusCode, string(b), err}
		}()
	}
	for range 2 {
		select {
		case <-arrived:
		case <-time.After(5 * time.Second):
			t.Fatal("requests did not reach the upstream")
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// New connections are refused once the listener is closed.
	waitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		c.Close()
		return false
	})
	if !tp.draining.Load() {
		t.Error("healthz is not draining during shutdown")
	}
	close(release)
	for range 2 {
		r := <-results
		if r.err != nil || r.status != 200 || !strings.Contains(r.body, "late") {
			t.Errorf("in-flight request: %d %q %v", r.status, r.body, r.err)
		}
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestShutdownCutsRequestsAfterTimeout(t *testing.T) {
	api := newFakeAPI(t)
	api.handle = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tp := newTestProxy(t, api.URL, Config{})
	addr, stop := serveTest(t, tp.Proxy, Timeouts{Shutdown: 100 * time.Millisecond})
	go http.Post("http://"+addr+genPath, "application/json", strings.NewReader(goodBody))
	waitFor(t, "the request to reach the upstream", func() bool { return api.hits.Load() == 1 })
	if err := stop(); err == nil || !strings.Contains(err.Error(), "cut") {
		t.Errorf("Serve: %v, want the cut requests reported", err)
	}
}

// blockingChecker is an imagecheck.Checker in front of a loopback image
// server that holds every fetch until released or cancelled; unverified
// makes it answer 503, so checks end unverified.
type blockingChecker struct {
	started    chan struct{}
	release    chan struct{}
	unverified bool
	checker    *imagecheck.Checker
}

// urlBody names the image of the last blockingChecker made.
var urlBody string

func newBlockingChecker(t *testing.T, unverified bool) *blockingChecker {
	t.Helper()
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	b := &blockingChecker{started: make(chan struct{}, 64), release: make(chan struct{}), unverified: unverified}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case b.started <- struct{}{}:
		default:
		}
		select {
		case <-b.release:
		case <-r.Context().Done():
			return
		}
		if b.unverified {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img.Bytes())
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	b.checker = &imagecheck.Checker{AllowHosts: []string{strings.TrimPrefix(srv.URL, "http://")}}
	if unverified {
		// Give up on the 503s quickly; a blocked fetch keeps the default
		// budget, so only the caller's deadline ends it.
		b.checker.RetryBudget, b.checker.RetryDelay = 50*time.Millisecond, 5*time.Millisecond
	}
	urlBody = `{"input":{"mode":"image-to-image","prompt":"a fox","image_urls":["` + srv.URL + `/fox.jpg"]}}`
	return b
}

// networkValidator checks media URLs with b's checker: the one place these
// tests depend on how a Validator takes its network checker.
func networkValidator(b *blockingChecker) *validate.Validator {
	return &validate.Validator{Network: b.checker}
}

func TestCheckCap(t *testing.T) {
	api := newFakeAPI(t)
	bc := newBlockingChecker(t, false)
	tp := newTestProxy(t, api.URL, Config{
		Validator: networkValidator(bc),
		MaxChecks: 1, QueueTimeout: 50 * time.Millisecond,
	})
	first := make(chan int, 1)
	go func() {
		resp, _ := tp.do(t, http.MethodPost, genPath, urlBody, nil)
		first <- resp.StatusCode
	}()
	<-bc.started
	// The one slot is taken: a second check waits, then gets 503.
	resp, b := tp.do(t, http.MethodPost, genPath, urlBody, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), `"code":503`) {
		t.Errorf("over the cap: %d %s", resp.StatusCode, b)
	}
	// Unchecked requests do not need a slot.
	if resp, _ := tp.do(t, http.MethodGet, "/api/v1/statusTask/t", "", nil); resp.StatusCode != 200 {
		t.Errorf("statusTask while checks are busy: %d", resp.StatusCode)
	}
	close(bc.release)
	if s := <-first; s != 200 {
		t.Errorf("first request: %d", s)
	}
	if !strings.Contains(tp.metrics(t), `outcome="busy",route="generate"} 1`) {
		t.Error("busy not counted")
	}
	// The slot was given back: the next check runs.
	if resp, _ := tp.do(t, http.MethodPost, genPath, urlBody, nil); resp.StatusCode != 200 {
		t.Errorf("after the slot was freed: %d", resp.StatusCode)
	}
}

func TestCheckTimeout(t *testing.T) {
	api := newFakeAPI(t)
	bc := newBlockingChecker(t, false)
	tp := newTestProxy(t, api.URL, Config{
		Validator:    networkValidator(bc),
		CheckTimeout: 100 * time.Millisecond,
	})
	resp, b := tp.do(t, http.MethodPost, genPath, urlBody, nil)
	if resp.StatusCode != http.StatusGatewayTimeout || api.hits.Load() != 0 {
		t.Errorf("check past its deadline: %d %s, %d forwarded", resp.StatusCode, b, api.hits.Load())
	}
	// A slow upstream after a quick check is not cut by the check deadline.
	api.handle = func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "{}")
	}
	close(bc.release)
	if resp, _ := tp.do(t, http.MethodPost, genPath, urlBody, nil); resp.StatusCode != 200 {
		t.Errorf("slow upstream after the check: %d", resp.StatusCode)
	}
}

func TestUnverifiedCounted(t *testing.T) {
	api := newFakeAPI(t)
	bc := newBlockingChecker(t, true)
	close(bc.release)
	tp := newTestProxy(t, api.URL, Config{Validator: networkValidator(bc)})
	if resp, _ := tp.do(t, http.MethodPost, genPath, urlBody, nil); resp.StatusCode != 200 {
		t.Errorf("best-effort: an unverified URL warns and is forwarded: %d", resp.StatusCode)
	}
	if !strings.Contains(tp.metrics(t), "preflight_proxy_checks_unverified_total 1") {
		t.Error("unverified not counted")
	}
	if !strings.Contains(tp.log.String(), `"unverified":1`) {
		t.Errorf("unverified not logged: %s", tp.log)
	}
}

func TestBufferedBytesBounded(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{MaxBodyBytes: 100, MaxBufferedBytes: 150, QueueTimeout: 100 * time.Millisecond})
	fits := func(n int64) bool {
		if tp.buffered.TryAcquire(n) {
			tp.buffered.Release(n)
			return true
		}
		return false
	}
	// A client that declares 100 bytes and sends them slowly holds 100 of
	// the 150 bytes of budget.
	c := dial(t, tp.srv.Listener.Addr().String())
	write(t, c, "POST "+genPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
	waitFor(t, "the slow body to hold its budget", func() bool { return !fits(51) })
	// 60 more bytes do not fit: 503 after the queue timeout.
	body := `{"input":{"prompt":"a red fox in snow, at dawn, long lens"}}`
	resp, b := tp.do(t, http.MethodPost, genPath, body, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "request bodies in memory") {
		t.Errorf("over the budget: %d %s", resp.StatusCode, b)
	}
	c.Close()
	waitFor(t, "the budget to be released", func() bool { return fits(150) })
	if resp, _ := tp.do(t, http.MethodPost, genPath, body, nil); resp.StatusCode != 200 {
		t.Errorf("after release: %d", resp.StatusCode)
	}
}
