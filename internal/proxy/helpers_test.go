package proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	goodBody = `{"input": {"prompt": "a red fox in snow"}}`
	badBody  = `{"input": {"prompt": ""}}`
	secret   = "Bearer sk-test-3f9a1c7e-never-log-me"
	genPath  = "/api/v1/generateTask/nano-banana"
)

// fakeAPI stands in for APIXO on loopback: it counts the requests that
// reach it and keeps what it saw.
type fakeAPI struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	seen []seenRequest
	// handle, if set, answers instead of the default success envelope.
	handle func(w http.ResponseWriter, r *http.Request)
}

type seenRequest struct {
	method, path, query, host string
	header                    http.Header
	body                      []byte
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	a := &fakeAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			return // an incomplete body is not a request that arrived
		}
		a.mu.Lock()
		a.seen = append(a.seen, seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Clone(), body})
		a.mu.Unlock()
		a.hits.Add(1)
		if a.handle != nil {
			a.handle(w, r)
			return
		}
		sum := sha256.Sum256(body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream-Body-Sha256", string(hexBytes(sum[:])))
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"task_1"}}`)
	}))
	t.Cleanup(a.Close)
	return a
}

func hexBytes(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return out
}

func (a *fakeAPI) requests() []seenRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seenRequest(nil), a.seen...)
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testProxy is a Proxy on a loopback httptest server with its log.
type testProxy struct {
	*Proxy
	srv *httptest.Server
	log *syncBuffer
	reg *prometheus.Registry
}

func newTestProxy(t *testing.T, upstream string, cfg Config) *testProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	tp := &testProxy{log: &syncBuffer{}, reg: prometheus.NewRegistry()}
	cfg.Upstream = u
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(tp.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg.Registerer, cfg.Gatherer = tp.reg, tp.reg
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tp.Proxy = p
	tp.srv = httptest.NewServer(p)
	t.Cleanup(tp.srv.Close)
	return tp
}

func (tp *testProxy) do(t *testing.T, method, path, body string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, tp.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", secret)
	}
	resp, err := tp.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// metric returns the /metrics text.
func (tp *testProxy) metrics(t *testing.T) string {
	t.Helper()
	_, b := tp.do(t, http.MethodGet, "/metrics", "", nil)
	return string(b)
}

// waitFor polls cond every 10 ms for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
