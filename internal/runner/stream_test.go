package runner

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/validate"
)

// slowChecker is an imagecheck.Checker in front of a loopback image server
// that takes a while per request and records how many requests were in
// flight at once and which URLs were fetched.
type slowChecker struct {
	*imagecheck.Checker
	base           string // the server's URL
	delay          time.Duration
	inflight, peak atomic.Int64
	mu             sync.Mutex
	paths          map[string]bool
}

func newSlowChecker(t *testing.T, delay time.Duration) *slowChecker {
	t.Helper()
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	c := &slowChecker{delay: delay, paths: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.inflight.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		time.Sleep(c.delay)
		c.inflight.Add(-1)
		c.mu.Lock()
		c.paths[r.URL.Path] = true
		c.mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(img.Bytes())
	}))
	t.Cleanup(srv.Close)
	c.base = srv.URL
	c.Checker = &imagecheck.Checker{AllowHosts: []string{strings.TrimPrefix(srv.URL, "http://")}, Concurrency: 64}
	return c
}

// seen counts the distinct URLs fetched.
func (c *slowChecker) seen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.paths)
}

// genReader generates JSONL requests, each naming its own URL, on demand,
// and counts the lines handed out.
type genReader struct {
	base  string // scheme://host of the URLs
	n     int
	lines atomic.Int64 // read by the emitting goroutine
	buf   []byte
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.lines.Load() == int64(g.n) {
			return 0, io.EOF
		}
		l := g.lines.Add(1)
		g.buf = fmt.Appendf(nil, `{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"a fox","image_urls":["%s/%d.png"]}}`+"\n", g.base, l)
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// With network checks on, URLs stream: the runner keeps Workers requests
// waiting on the checker at once, reads no further ahead than its window,
// and never collects the URLs of the whole input first.
func TestNetworkStreams(t *testing.T) {
	const workers, lines = 16, 2000
	chk := newSlowChecker(t, 2*time.Millisecond)
	gen := &genReader{base: chk.base, n: lines}
	r := &Runner{Validator: &validate.Validator{Network: chk.Checker, AllowHosts: chk.AllowHosts}, Workers: workers, BatchLines: 1}
	var readCalls atomic.Int64
	r.OnInputRead = func() {
		if readCalls.Add(1) == 1 && gen.lines.Load() != lines {
			t.Errorf("OnInputRead after %d of %d lines", gen.lines.Load(), lines)
		}
	}
	var firstAt, requests int
	lastLine := 0
	err := r.Run(context.Background(), []string{Stdin}, gen, "batch.jsonl", func(res Result) error {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		if firstAt == 0 {
			firstAt = int(gen.lines.Load())
		}
		requests += res.Requests
		for _, f := range res.Findings {
			if f.Line < lastLine {
				t.Fatalf("finding on line %d after %d", f.Line, lastLine)
			}
			lastLine = f.Line
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if readCalls.Load() != 1 {
		t.Errorf("OnInputRead called %d times", readCalls.Load())
	}
	if requests != lines || chk.seen() != lines {
		t.Fatalf("%d requests, %d URLs checked; want %d", requests, chk.seen(), lines)
	}
	if p := chk.peak.Load(); p < workers/2 {
		t.Errorf("at most %d URL checks in flight with %d workers: the checker starves", p, workers)
	}
	// The first chunk is emitted after StreamChunk requests; by then the
	// reader may be at most a window (2 x workers units of one line) ahead.
	if ahead := firstAt - StreamChunk; firstAt != 0 && ahead > 2*workers+2 && lines > StreamChunk {
		t.Errorf("reader ran %d lines ahead of the output", ahead)
	}
}

// URLs stream through in bounded memory: the reader is never more than a
// chunk and a window ahead of the checks, however many there are (the
// bound does not grow with the count; 10,000 keeps the test short).
func TestNetworkStreamsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests")
	}
	const workers = 32
	chk := newSlowChecker(t, 0)
	gen := &genReader{base: chk.base, n: 10_000}
	r := &Runner{Validator: &validate.Validator{Network: chk.Checker, AllowHosts: chk.AllowHosts}, Workers: workers, BatchLines: 1}
	var maxAhead int
	done := 0
	err := r.Run(context.Background(), []string{Stdin}, gen, "batch.jsonl", func(res Result) error {
		done += res.Requests
		maxAhead = max(maxAhead, int(gen.lines.Load())-done)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if chk.seen() != gen.n {
		t.Fatalf("%d URLs checked, want %d", chk.seen(), gen.n)
	}
	// A chunk holds StreamChunk requests before it is emitted; beyond it
	// only the window of units may be read ahead.
	if limit := StreamChunk + 2*workers + 2; maxAhead > limit {
		t.Errorf("reader ran %d requests ahead, limit %d", maxAhead, limit)
	}
}
