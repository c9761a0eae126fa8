package proxy

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// countingConn counts the writes to one upstream connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// TestForwardOneWritePerRequest guards the cost of a forwarded submit: its
// headers and body leave in one write (one syscall, one segment, one wake-up
// of the upstream), which net/http does only for a body it knows is in
// memory, and every request after the first reuses the connection.
func TestForwardOneWritePerRequest(t *testing.T) {
	api := newFakeAPI(t)
	var writes, dials atomic.Int64
	tr := NewUpstreamTransport()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &writes}, nil
	}
	tp := newTestProxy(t, api.URL, Config{Transport: tr})
	const n = 20
	for i := range n {
		body := `{"input":{"prompt":"a red fox ` + strings.Repeat("in snow ", i*15) + `"}}`
		resp, b := tp.do(t, http.MethodPost, genPath, body, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if got := writes.Load(); got != n {
		t.Errorf("%d writes upstream for %d forwarded requests, want one each", got, n)
	}
	if got := dials.Load(); got != 1 {
		t.Errorf("%d upstream connections for %d sequential requests, want 1", got, n)
	}
	if m := tp.metrics(t); !strings.Contains(m, "preflight_proxy_upstream_connections_total 1\n") {
		t.Errorf("metrics do not count one upstream connection:\n%s", grepLines(m, "upstream_connections"))
	}
}
