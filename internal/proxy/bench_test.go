package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkProxy measures the proxy's own work per request, sockets aside:
// the check, the reverse proxy's plumbing, metrics and the log decision,
// against an in-memory upstream.
func BenchmarkProxy(b *testing.B) {
	up, _ := url.Parse("http://127.0.0.1:1")
	ok := []byte(`{"code":200,"message":"success","data":{"taskId":"t"}}`)
	p, err := New(Config{Upstream: up, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(ok)), ContentLength: int64(len(ok)), Request: r}, nil
	})})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, body string }{
		{"forwarded", `{"input":{"prompt":"a red fox in fresh snow under a pale sky, long lens, dawn light","aspect_ratio":"16:9"}}`},
		{"refused", badBody},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, genPath, bytes.NewReader(body))
				req.Header.Set("Authorization", secret)
				w := httptest.NewRecorder()
				p.ServeHTTP(w, req)
				if w.Code != 200 && w.Code != 400 {
					b.Fatal(w.Code)
				}
			}
			// CPU time, unlike ns/op, holds on a machine shared with other work.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
