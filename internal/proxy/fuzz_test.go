package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
)

// roundTripFunc is an in-memory upstream, so the fuzzer needs no sockets.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzProxyBody holds the proxy's promise for any body: either the upstream
// gets exactly these bytes, or the client gets the proxy's own answer in the
// API's envelope and the upstream gets nothing.
func FuzzProxyBody(f *testing.F) {
	for _, s := range []string{goodBody, badBody, "", "{", "[]", `{"input":{"prompt":"\ud800"}}`, `{"input":{"prompt":"a"},"input":{}}`, "\xff\xfe"} {
		f.Add("nano-banana", []byte(s))
	}
	f.Add("flux-2", []byte(`{"input":{"prompt":"x","resolution":"9K"}}`))
	f.Add("nope", []byte(goodBody))
	var got []byte
	var called bool
	up, _ := url.Parse("http://127.0.0.1:1")
	p, err := New(Config{Upstream: up, MaxBodyBytes: 1 << 16, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		called = true
		got = nil
		if r.Body != nil { // a request without a body (ReverseProxy drops an empty one) has none to read
			got, _ = io.ReadAll(r.Body)
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader([]byte("{}"))), Request: r}, nil
	})})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, model string, body []byte) {
		called, got = false, nil
		req := httptest.NewRequest(http.MethodPost, "/api/v1/generateTask/x", bytes.NewReader(body))
		req.URL.Path = "/api/v1/generateTask/" + model
		w := httptest.NewRecorder()
		p.ServeHTTP(w, req)
		switch {
		case called:
			if !bytes.Equal(got, body) {
				t.Fatalf("forwarded %q, sent %q", got, body)
			}
			if w.Code != 200 {
				t.Fatalf("forwarded but answered %d", w.Code)
			}
		case len(body) > 1<<16:
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("over the limit: %d", w.Code)
			}
		default:
			if !slices.Contains([]int{400, 404}, w.Code) || w.Header().Get(PreflightHeader) == "" {
				t.Fatalf("not forwarded, answered %d %v %s", w.Code, w.Header(), w.Body)
			}
			if !bytes.HasPrefix(w.Body.Bytes(), []byte(`{"code":4`)) {
				t.Fatalf("not the API envelope: %s", w.Body)
			}
		}
	})
}
