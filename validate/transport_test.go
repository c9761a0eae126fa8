package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

const (
	goodBody = `{"input": {"prompt": "a red fox in snow"}}`
	warnBody = `{"input": {"prompt": "a red fox", "colour": "red"}}`
	badBody  = `{"input": {"prompt": ""}}`
)

// apiServer stands in for the APIXO API: it counts the requests that reach
// it and keeps the last body.
type apiServer struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	last []byte
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	s := &apiServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.last = b
		s.mu.Unlock()
		s.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"t1"}}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *apiServer) lastBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func post(t *testing.T, c *http.Client, url, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.Do(req)
}

func TestTransportRefusesDoomedRequest(t *testing.T) {
	api := newAPIServer(t)
	c := &http.Client{Transport: validate.NewTransport(nil)}
	resp, err := post(t, c, api.URL+"/api/v1/generateTask/nano-banana", badBody)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if n := api.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the API, want 0", n)
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var env struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    struct {
			Model    string             `json:"model"`
			Findings []validate.Finding `json:"findings"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if env.Code != 400 || env.Message != "preflight: request would fail: prompt is empty" {
		t.Errorf("envelope code %d message %q", env.Code, env.Message)
	}
	if env.Data.Model != "nano-banana" || len(env.Data.Findings) != 1 || env.Data.Findings[0].Rule != "prompt-empty" {
		t.Errorf("envelope data %+v", env.Data)
	}
}

func TestTransportPassesValidRequestUnchanged(t *testing.T) {
	api := newAPIServer(t)
	var seen []validate.Report
	c := &http.Client{Transport: validate.NewTransport(nil, validate.WithOnFindings(func(_ *http.Request, rep validate.Report) {
		seen = append(seen, rep)
	}))}
	for i, body := range []string{goodBody, warnBody} {
		resp, err := post(t, c, api.URL+"/api/v1/generateTask/nano-banana", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d", resp.StatusCode)
		}
		if n := api.hits.Load(); n != int64(i+1) {
			t.Fatalf("%d requests reached the API, want %d", n, i+1)
		}
		if got := api.lastBody(); string(got) != body {
			t.Errorf("API got body %q, want %q", got, body)
		}
	}
	if len(seen) != 1 || seen[0].Findings[0].Rule != "field-unknown" {
		t.Errorf("OnFindings saw %+v, want one field-unknown warning", seen)
	}
}

func TestTransportFailLevelWarning(t *testing.T) {
	api := newAPIServer(t)
	c := &http.Client{Transport: validate.NewTransport(nil, validate.WithFailLevel(validate.SeverityWarning))}
	resp, err := post(t, c, api.URL+"/api/v1/generateTask/nano-banana", warnBody)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || api.hits.Load() != 0 {
		t.Errorf("status %d, %d hits; want 400 and none", resp.StatusCode, api.hits.Load())
	}
}

func TestTransportRejectError(t *testing.T) {
	api := newAPIServer(t)
	c := &http.Client{Transport: validate.NewTransport(nil, validate.WithRejectError())}
	resp, err := post(t, c, api.URL+"/api/v1/generateTask/no-such-model", goodBody)
	if err == nil {
		resp.Body.Close()
		t.Fatal("no error")
	}
	var rej *validate.RejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("error %T %v is no *RejectedError", err, err)
	}
	if rej.Model != "no-such-model" || rej.Findings[rej.Failing].Rule != "model-unknown" {
		t.Errorf("rejected %+v", rej)
	}
	if !strings.Contains(err.Error(), "[model-unknown]") {
		t.Errorf("error text %q", err)
	}
	if api.hits.Load() != 0 {
		t.Errorf("%d requests reached the API", api.hits.Load())
	}
}

func TestTransportLeavesOtherRequestsAlone(t *testing.T) {
	api := newAPIServer(t)
	c := &http.Client{Transport: validate.NewTransport(nil)}
	// A doomed body, but not on a generateTask path or not a POST: sent.
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/generateTask"},
		{http.MethodPost, "/api/v1/generateTask/"},
		{http.MethodPost, "/api/v1/statusTask/nano-banana"},
		{http.MethodPost, "/api/v1/generateTask/nano-banana/extra"},
		{http.MethodPut, "/api/v1/generateTask/nano-banana"},
	} {
		req, _ := http.NewRequest(tc.method, api.URL+tc.path, strings.NewReader(badBody))
		before := api.hits.Load()
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		resp.Body.Close()
		if api.hits.Load() != before+1 || string(api.lastBody()) != badBody {
			t.Errorf("%s %s was not passed through", tc.method, tc.path)
		}
	}
	resp, err := c.Get(api.URL + "/api/v1/generateTask/nano-banana")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// A body of unknown length (no GetBody, ContentLength -1) is read, checked,
// sent whole, and can be replayed through GetBody (redirects, retries).
func TestTransportUnknownLengthBody(t *testing.T) {
	var got *http.Request
	rt := validate.NewTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	}))
	req, _ := http.NewRequest(http.MethodPost, "https://api.apixo.ai/api/v1/generateTask/nano-banana",
		io.MultiReader(strings.NewReader(goodBody[:10]), strings.NewReader(goodBody[10:])))
	if req.ContentLength != 0 || req.GetBody != nil {
		t.Fatalf("setup: ContentLength %d GetBody %v", req.ContentLength, req.GetBody != nil)
	}
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got == req {
		t.Error("RoundTrip passed on the caller's request; it must not modify it")
	}
	b, _ := io.ReadAll(got.Body)
	if string(b) != goodBody || got.ContentLength != int64(len(goodBody)) {
		t.Errorf("body %q length %d", b, got.ContentLength)
	}
	rc, err := got.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(rc)
	if string(b) != goodBody {
		t.Errorf("GetBody gives %q", b)
	}
}

func TestTransportCancelledContext(t *testing.T) {
	rt := validate.NewTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Error("request sent")
		return nil, errors.New("unreachable")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.apixo.ai/api/v1/generateTask/nano-banana", strings.NewReader(goodBody))
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// An unknown model is answered as the API answers it: 404 with its
// envelope, the status the finding names.
func TestTransportUnknownModel404(t *testing.T) {
	api := newAPIServer(t)
	c := &http.Client{Transport: validate.NewTransport(nil)}
	resp, err := post(t, c, api.URL+"/api/v1/generateTask/no-such-model", goodBody)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Code int
		Data struct{ Findings []validate.Finding }
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || env.Code != 404 || api.hits.Load() != 0 {
		t.Errorf("status %d, code %d, %d hits; want 404, 404 and none", resp.StatusCode, env.Code, api.hits.Load())
	}
	if len(env.Data.Findings) == 0 || env.Data.Findings[0].HTTPStatus != 404 {
		t.Errorf("findings %+v, want a 404 finding first", env.Data.Findings)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rewindBody is a request body the benchmark rewinds instead of
// reallocating, so only the transport's own allocations are counted.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

var okResponse = &http.Response{StatusCode: 200, Body: http.NoBody}

// BenchmarkRequest is the cost of the check alone; BenchmarkTransport adds
// reading the body and handing on a copy of the request. Compare allocs/op.
func BenchmarkRequest(b *testing.B) {
	body := []byte(goodBody)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rep, err := validate.Request(ctx, "nano-banana", body)
		if err != nil || len(rep.Findings) != 0 {
			b.Fatal(err, rep.Findings)
		}
	}
}

func BenchmarkTransport(b *testing.B) {
	body := []byte(goodBody)
	rt := validate.NewTransport(roundTripFunc(func(*http.Request) (*http.Response, error) { return okResponse, nil }))
	rb := &rewindBody{}
	req, _ := http.NewRequest(http.MethodPost, "https://api.apixo.ai/api/v1/generateTask/nano-banana", nil)
	req.Body, req.ContentLength = rb, int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	b.ReportAllocs()
	for b.Loop() {
		rb.Reset(body)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
	}
}
