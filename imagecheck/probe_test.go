package imagecheck

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is an httptest server on loopback that counts requests,
// connections and body bytes sent.
type server struct {
	*httptest.Server
	requests, conns, sent atomic.Int64
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n.Add(int64(n))
	return n, err
}

func (w countingWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

func newServer(t *testing.T, h http.Handler) *server {
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h.ServeHTTP(countingWriter{w, &s.sent}, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) host() string { return strings.TrimPrefix(s.URL, "http://") }

// serve serves data honouring Range, as most CDNs do; the name sets the
// Content-Type unless ct is given.
func serve(name, ct string, data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	}
}

// testChecker allows the given servers and keeps retries fast.
func testChecker(servers ...*server) *Checker {
	c := &Checker{RetryDelay: time.Millisecond, MaxRetryWait: 2 * time.Second, Timeout: 2 * time.Second}
	for _, s := range servers {
		c.AllowHosts = append(c.AllowHosts, s.host())
	}
	return c
}

func rules(ps []Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Severity+":"+p.Rule)
	}
	return strings.Join(out, ",")
}

func TestProbeImages(t *testing.T) {
	jpg := makeJPEG(t, 800, 600) // a few hundred KiB of noise
	pngA := makePNG(t, 300, 200, true)
	big := append(bytes.Clone(makePNG(t, 50, 50, false)), make([]byte, 11_000_000)...)
	ambiguous := append(bytes.Clone(makePNG(t, 50, 50, false)), make([]byte, 10_200_000)...)
	mux := http.NewServeMux()
	mux.Handle("/a.jpg", serve("a.jpg", "", jpg))
	mux.Handle("/a.png", serve("a.png", "", pngA))
	mux.Handle("/png-named.jpg", serve("png-named.jpg", "", pngA))
	mux.Handle("/a.webp", serve("a.webp", "application/octet-stream", tinyWebP))
	mux.Handle("/a.gif", serve("a.gif", "", makeGIF(t)))
	mux.Handle("/a.bmp", serve("a.bmp", "", makeBMP(t)))
	mux.Handle("/a.tiff", serve("a.tiff", "", makeTIFF(t)))
	mux.Handle("/a.svg", serve("a.svg", "", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`)))
	mux.Handle("/login", serve("login.html", "", []byte("<!doctype html><html><body>Please sign in</body></html>")))
	mux.Handle("/heic", serve("x.heic", "", mp4Box("ftyp", []byte("heic"), make([]byte, 4), []byte("mif1heic"))))
	mux.Handle("/big-range.png", serve("big.png", "", big))
	mux.Handle("/ambiguous.png", serve("amb.png", "", ambiguous))
	mux.HandleFunc("/big-norange.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		w.Header().Set("Content-Type", "image/png")
		w.Write(big) // ignores Range; the client hangs up early
	})
	mux.HandleFunc("/endless.png", func(w http.ResponseWriter, r *http.Request) {
		// Chunked, no length, never ends on its own: a "2 GB" file.
		w.Header().Set("Content-Type", "image/png")
		w.Write(big[:HeadBytes])
		chunk := make([]byte, 32<<10)
		for range (2 << 30) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "e.png", time.Time{}, bytes.NewReader(nil))
	})
	s := newServer(t, mux)
	c := testChecker(s)
	ctx := context.Background()

	tests := []struct {
		path    string
		spec    Spec
		verdict Verdict
		rules   string
		format  string
		check   func(t *testing.T, r Result)
	}{
		{"/a.jpg", Spec{}, OK, "", "jpeg", func(t *testing.T, r Result) {
			if r.Width != 800 || r.Height != 600 || r.Size != int64(len(jpg)) || !r.SizeKnown {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"/a.png", Spec{}, OK, "", "png", func(t *testing.T, r Result) {
			if !r.HasAlpha || r.Width != 300 {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"/a.png", Spec{NoAlpha: true}, Failed, "error:image-alpha", "png", nil},
		{"/a.png", Spec{MinPixels: 512}, Failed, "error:image-dimensions", "png", nil},
		{"/a.png", Spec{MaxPixels: 256}, Failed, "error:image-dimensions", "png", nil},
		{"/png-named.jpg", Spec{}, OK, "warning:content-type-mismatch", "png", nil},
		{"/a.webp", Spec{}, OK, "", "webp", nil}, // octet-stream is generic: no mismatch
		{"/a.gif", Spec{}, Failed, "error:unsupported-format", "gif", func(t *testing.T, r Result) {
			if p := r.Problems[0]; !strings.Contains(p.Message, "GIF") || p.FailCode != FailUnsupportedFormat || p.Fix != "Use JPEG, PNG, or WebP" {
				t.Errorf("problem %+v", p)
			}
		}},
		{"/a.bmp", Spec{}, Failed, "error:unsupported-format", "bmp", nil},
		{"/a.bmp", Spec{Formats: []string{"jpeg", "png", "webp", "bmp"}}, OK, "", "bmp", nil},
		{"/a.tiff", Spec{}, Failed, "error:unsupported-format", "tiff", nil},
		{"/a.svg", Spec{}, Failed, "error:unsupported-format", "svg", nil},
		{"/heic", Spec{}, Failed, "error:unsupported-format", "heic", nil},
		{"/login", Spec{}, Failed, "error:unsupported-format", "html", func(t *testing.T, r Result) {
			if !strings.Contains(r.Problems[0].Message, "HTML page") {
				t.Errorf("message %q", r.Problems[0].Message)
			}
		}},
		{"/big-range.png", Spec{}, Failed, "error:image-too-large", "png", func(t *testing.T, r Result) {
			if r.Size != int64(len(big)) || !r.SizeKnown || r.Status != http.StatusPartialContent {
				t.Errorf("facts %+v", r.Facts)
			}
			if r.Problems[0].FailCode != FailImageTooLarge || r.Problems[0].Fix != "Resize to under 10MB" {
				t.Errorf("problem %+v", r.Problems[0])
			}
		}},
		{"/big-range.png", Spec{MaxFileBytes: 20 << 20}, OK, "", "png", nil},
		{"/big-norange.png", Spec{}, Failed, "error:image-too-large", "png", func(t *testing.T, r Result) {
			if r.Status != http.StatusOK || !r.SizeKnown || r.BytesRead > HeadBytes {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"/endless.png", Spec{}, Failed, "error:image-too-large", "png", func(t *testing.T, r Result) {
			if r.SizeKnown || r.BytesRead != ImageMaxBytes+1 || !strings.Contains(r.Problems[0].Message, "at least") {
				t.Errorf("facts %+v, %v", r.Facts, r.Problems)
			}
		}},
		{"/ambiguous.png", Spec{}, OK, "warning:image-size-ambiguous", "png", nil},
		{"/gone", Spec{}, Failed, "error:image-download-failed", "", func(t *testing.T, r Result) {
			if !strings.Contains(r.Err, "410") || r.Problems[0].FailCode != FailImageDownloadFailed {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"/forbidden", Spec{}, Failed, "error:image-download-failed", "", nil},
		{"/missing.png", Spec{}, Failed, "error:image-download-failed", "", nil},
		{"/empty", Spec{}, Failed, "error:unsupported-format", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := c.Check(ctx, s.URL+tt.path, tt.spec)
			if r.Verdict != tt.verdict || rules(r.Problems) != tt.rules || r.Format != tt.format {
				t.Fatalf("got %v %q format %q (%+v); want %v %q format %q", r.Verdict, rules(r.Problems), r.Format, r.Problems, tt.verdict, tt.rules, tt.format)
			}
			if r.BytesRead > HeadBytes && tt.path != "/endless.png" {
				t.Errorf("read %d body bytes, want ≤ %d", r.BytesRead, HeadBytes)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestBytesSentPerImage measures, at the server, what one probe costs.
func TestBytesSentPerImage(t *testing.T) {
	files := map[string][]byte{"a.jpg": makeJPEG(t, 1200, 900), "b.png": makePNG(t, 400, 400, false), "c.webp": tinyWebP}
	for name, data := range files {
		s := newServer(t, serve(name, "", data))
		r := testChecker(s).Check(context.Background(), s.URL+"/"+name, Spec{})
		if r.Verdict != OK {
			t.Fatalf("%s: %v %+v", name, r.Verdict, r.Problems)
		}
		sent := s.sent.Load()
		t.Logf("%s: file %d bytes, server sent %d body bytes", name, len(data), sent)
		if sent > HeadBytes || s.requests.Load() != 1 {
			t.Errorf("%s: server sent %d bytes in %d requests; want ≤ %d in 1", name, sent, s.requests.Load(), HeadBytes)
		}
	}
}

func TestProbeMedia(t *testing.T) {
	mp4 := makeMP4("isom", 5500, 300<<10)
	mux := http.NewServeMux()
	mux.Handle("/v.mp4", serve("v.mp4", "", mp4))
	mux.Handle("/late.mp4", serve("late.mp4", "", makeMP4MoovLast(9000)))
	mux.Handle("/a.wav", serve("a.wav", "", makeWAV(8000, 3)))
	mux.Handle("/not-video.png", serve("x.png", "", makePNG(t, 4, 4, false)))
	s := newServer(t, mux)
	c := testChecker(s)
	video := Spec{Media: "video", MinSeconds: 2, MaxSeconds: 5}
	tests := []struct {
		path  string
		spec  Spec
		v     Verdict
		rules string
	}{
		{"/v.mp4", Spec{Media: "video", MaxSeconds: 10}, OK, ""},
		{"/v.mp4", video, Failed, "error:media-duration"},
		{"/v.mp4", Spec{Media: "video", MaxFileBytes: 100 << 10}, Failed, "error:media-too-large"},
		{"/late.mp4", video, Failed, "error:media-duration"}, // moov read by a second range request
		{"/a.wav", Spec{Media: "audio", MinSeconds: 2, MaxSeconds: 15}, OK, ""},
		{"/a.wav", Spec{Media: "audio", MinSeconds: 4}, Failed, "error:media-duration"},
		{"/a.wav", Spec{Media: "video"}, Failed, "error:unsupported-format"},
		{"/not-video.png", Spec{Media: "video"}, Failed, "error:unsupported-format"},
	}
	for _, tt := range tests {
		r := c.Check(context.Background(), s.URL+tt.path, tt.spec)
		if r.Verdict != tt.v || rules(r.Problems) != tt.rules {
			t.Errorf("%s %+v: got %v %q %+v; want %v %q", tt.path, tt.spec, r.Verdict, rules(r.Problems), r.Problems, tt.v, tt.rules)
		}
	}
	r := c.Check(context.Background(), s.URL+"/v.mp4", Spec{Media: "video"})
	if !r.DurationKnown || r.Duration != 5.5 {
		t.Errorf("mp4 duration %v known=%v", r.Duration, r.DurationKnown)
	}
	r = c.Check(context.Background(), s.URL+"/late.mp4", video)
	if !r.DurationKnown || r.Duration != 9 || r.BytesRead > HeadBytes+maxFurtherBytes {
		t.Errorf("moov-last: duration %v known=%v, %d bytes read, %+v", r.Duration, r.DurationKnown, r.BytesRead, r.Problems)
	}
	r = c.Check(context.Background(), s.URL+"/a.wav", Spec{Media: "audio"})
	if !r.DurationKnown || r.Duration != 3 {
		t.Errorf("wav duration %v known=%v", r.Duration, r.DurationKnown)
	}
}

func TestRetries(t *testing.T) {
	png := makePNG(t, 10, 10, false)
	var n500, n429 atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if n500.Add(1) == 1 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		serve("x.png", "", png)(w, r)
	})
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		if n429.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		serve("x.png", "", png)(w, r)
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	s := newServer(t, mux)
	ctx := context.Background()

	c := testChecker(s)
	if r := c.Check(ctx, s.URL+"/flaky", Spec{}); r.Verdict != OK || r.Attempts != 2 {
		t.Errorf("500 then 200: %v after %d attempts %+v", r.Verdict, r.Attempts, r.Problems)
	}

	start := time.Now()
	r := c.Check(ctx, s.URL+"/limited", Spec{})
	if el := time.Since(start); r.Verdict != OK || el < 900*time.Millisecond {
		t.Errorf("429 Retry-After 1: %v after %v; want OK after ≥ 1s", r.Verdict, el)
	}

	r = c.Check(ctx, s.URL+"/down", Spec{})
	if r.Verdict != Unverified || rules(r.Problems) != "warning:url-unverified" || r.Attempts != 4 {
		t.Errorf("503 always: %v %q after %d attempts", r.Verdict, rules(r.Problems), r.Attempts)
	}
	req := testChecker(s)
	req.RequireNetwork, req.MaxRetries = true, -1
	if r := req.Check(ctx, s.URL+"/down", Spec{}); r.Verdict != Unverified || rules(r.Problems) != "error:url-unverified" || r.Attempts != 1 {
		t.Errorf("required network: %v %q after %d attempts", r.Verdict, rules(r.Problems), r.Attempts)
	}

	fast := testChecker(s)
	fast.Timeout, fast.MaxRetries = 50*time.Millisecond, 1
	r = fast.Check(ctx, s.URL+"/slow", Spec{})
	if r.Verdict != Unverified || !strings.Contains(r.Err, "timed out") {
		t.Errorf("timeout: %v %q", r.Verdict, r.Err)
	}

	cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	start = time.Now()
	quick := testChecker(s)
	quick.Timeout = 200 * time.Millisecond // the shared fetch outlives the caller; keep it short
	r = quick.Check(cctx, s.URL+"/slow", Spec{})
	if r.Verdict != Unverified || time.Since(start) > time.Second {
		t.Errorf("canceled: %v after %v", r.Verdict, time.Since(start))
	}
}

// fakeResolver answers from a map, standing in for DNS.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestDialGuard(t *testing.T) {
	png := makePNG(t, 10, 10, false)
	target := newServer(t, serve("x.png", "", png))
	_, port, _ := net.SplitHostPort(target.host())
	loop := []netip.Addr{netip.MustParseAddr("127.0.0.1")}

	// A public-looking name that resolves to loopback: refused, no connection.
	c := testChecker()
	c.Resolver = fakeResolver{"images.example.com": loop}
	r := c.Check(context.Background(), "http://images.example.com:"+port+"/x.png", Spec{})
	if r.Verdict != Failed || rules(r.Problems) != "error:url-not-public" || r.Problems[0].FailCode != FailInvalidImageURL {
		t.Fatalf("rebinding: %v %+v", r.Verdict, r.Problems)
	}
	if !strings.Contains(r.Err, "resolves to 127.0.0.1, a loopback address") {
		t.Errorf("message %q", r.Err)
	}
	if n := target.conns.Load(); n != 0 {
		t.Errorf("target saw %d connections, want 0", n)
	}

	// The same name, allowed by name, goes through.
	c = testChecker()
	c.Resolver = fakeResolver{"images.example.com": loop}
	c.AllowHosts = []string{"images.example.com:" + port}
	if r := c.Check(context.Background(), "http://images.example.com:"+port+"/x.png", Spec{}); r.Verdict != OK {
		t.Errorf("allowed name: %v %+v", r.Verdict, r.Problems)
	}

	// A public address answered (an IP literal, or a proxy), but the
	// resolver says "no such host" for every name, the API's own host too:
	// the route works, the resolver is what fails (a sandbox with no
	// outside DNS), so the URL is not checked rather than failed.
	c = testChecker()
	c.Resolver = fakeResolver{}
	c.netOK.Store(true)
	if r := c.Check(context.Background(), "https://nowhere.example.com/x.png", Spec{}); r.Verdict != Unverified ||
		!strings.Contains(r.Err, "network unavailable (DNS: no such host") {
		t.Errorf("NXDOMAIN, route proven, resolver not: %v %+v %q", r.Verdict, r.Problems, r.Err)
	}
	// A resolver that finds the API's own host works: its "no such host"
	// is authoritative before anything else answered.
	c = testChecker()
	c.Resolver = fakeResolver{canaryHost: {netip.MustParseAddr("104.18.1.1")}}
	if r := c.Check(context.Background(), "https://nowhere.example.com/x.png", Spec{}); rules(r.Problems) != "error:image-download-failed" {
		t.Errorf("NXDOMAIN, resolver proven: %+v", r.Problems)
	}
	// Before anything outside answered, the resolver may be what is broken.
	c = testChecker()
	c.Resolver = fakeResolver{}
	if r := c.Check(context.Background(), "https://nowhere.example.com/x.png", Spec{}); r.Verdict != Unverified ||
		rules(r.Problems) != "warning:url-unverified" || !strings.Contains(r.Err, "network unavailable") || c.Stats().NoNetwork != 1 {
		t.Errorf("NXDOMAIN, network unproven: %v %+v %+v", r.Verdict, r.Problems, c.Stats())
	}

	// The socket-level check refuses what the resolver path might miss.
	if err := controlPublic(context.Background(), "tcp4", "127.0.0.1:80", nil); err == nil {
		t.Error("controlPublic allowed loopback")
	}
	if err := controlPublic(context.WithValue(context.Background(), allowedKey{}, true), "tcp4", "127.0.0.1:80", nil); err != nil {
		t.Errorf("controlPublic refused an allowed host: %v", err)
	}
	if err := controlPublic(context.Background(), "tcp4", "8.8.8.8:443", nil); err != nil {
		t.Errorf("controlPublic refused a public address: %v", err)
	}
}

func TestRedirects(t *testing.T) {
	png := makePNG(t, 10, 10, false)
	target := newServer(t, serve("x.png", "", png))
	mux := http.NewServeMux()
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/x.png", http.StatusFound)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			serve("x.png", "", png)(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusMovedPermanently)
	})
	s := newServer(t, mux)

	c := testChecker(s) // target is not allowed
	r := c.Check(context.Background(), s.URL+"/to-private", Spec{})
	if rules(r.Problems) != "error:url-not-public" || target.conns.Load() != 0 {
		t.Errorf("redirect to loopback: %+v, target conns %d", r.Problems, target.conns.Load())
	}
	c = testChecker(s, target)
	if r := c.Check(context.Background(), s.URL+"/to-private", Spec{}); r.Verdict != OK || r.FinalURL != target.URL+"/x.png" {
		t.Errorf("redirect to allowed host: %v final %q", r.Verdict, r.FinalURL)
	}
	if r := c.Check(context.Background(), s.URL+"/hop/5", Spec{}); r.Verdict != OK {
		t.Errorf("5 redirects: %v %+v", r.Verdict, r.Problems)
	}
	if r := c.Check(context.Background(), s.URL+"/hop/6", Spec{}); rules(r.Problems) != "error:image-download-failed" {
		t.Errorf("6 redirects: %+v", r.Problems)
	}
}

func TestConnectionFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	c := &Checker{AllowHosts: []string{closed}, MaxRetries: -1}
	c.netOK.Store(true) // as if a public host had answered earlier in the run
	r := c.Check(context.Background(), "http://"+closed+"/x.png", Spec{})
	if rules(r.Problems) != "error:image-download-failed" || !strings.Contains(r.Err, "refused") {
		t.Errorf("refused: %+v %q", r.Problems, r.Err)
	}
	// A refusal before the network was seen working may be a local firewall.
	c = &Checker{AllowHosts: []string{closed}, MaxRetries: -1}
	r = c.Check(context.Background(), "http://"+closed+"/x.png", Spec{})
	if r.Verdict != Unverified || !strings.Contains(r.Err, "network unavailable (connection refused)") {
		t.Errorf("refused, network unproven: %v %+v %q", r.Verdict, r.Problems, r.Err)
	}

	tlsSrv := httptest.NewTLSServer(serve("x.png", "", makePNG(t, 4, 4, false)))
	defer tlsSrv.Close()
	c = &Checker{AllowHosts: []string{strings.TrimPrefix(tlsSrv.URL, "https://")}, MaxRetries: -1}
	r = c.Check(context.Background(), tlsSrv.URL+"/x.png", Spec{})
	if rules(r.Problems) != "error:image-download-failed" || !strings.Contains(r.Err, "TLS") {
		t.Errorf("untrusted cert: %+v %q", r.Problems, r.Err)
	}

	// Offline rejection: nothing is fetched.
	r = (&Checker{}).Check(context.Background(), "file:///etc/passwd", Spec{})
	if rules(r.Problems) != "error:url-not-public" {
		t.Errorf("file URL: %+v", r.Problems)
	}
}

func TestDedupe(t *testing.T) {
	png := makePNG(t, 10, 10, false)
	release := make(chan struct{})
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // hold the first request so every caller joins it
		serve("x.png", "", png)(w, r)
	}))
	var progress atomic.Int64
	c := testChecker(s)
	c.OnProgress = func(done, total int) { progress.Add(1) }
	const n = 25
	var wg sync.WaitGroup
	results := make([]Result, n)
	for i := range n {
		wg.Go(func() { results[i] = c.Check(context.Background(), s.URL+"/x.png", Spec{}) })
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, r := range results {
		if r.Verdict != OK {
			t.Fatalf("caller %d: %v %+v", i, r.Verdict, r.Problems)
		}
	}
	if got := s.requests.Load(); got != 1 {
		t.Errorf("%d callers made %d requests, want 1", n, got)
	}
	if r := c.Check(context.Background(), s.URL+"/x.png", Spec{NoAlpha: true}); !r.FromCache || s.requests.Load() != 1 {
		t.Errorf("second check: fromCache=%v requests=%d", r.FromCache, s.requests.Load())
	}
	if progress.Load() != 1 {
		t.Errorf("OnProgress called %d times for one unique URL, want 1", progress.Load())
	}

	rs := c.CheckAll(context.Background(), []Request{{URL: s.URL + "/x.png"}, {URL: "ftp://x.example.com/a"}})
	if rs[0].Verdict != OK || rs[1].Verdict != Failed {
		t.Errorf("CheckAll: %v %v", rs[0].Verdict, rs[1].Verdict)
	}
}

func TestPerHostLimit(t *testing.T) {
	var inFlight, peak atomic.Int64
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		w.Write(tinyWebP)
	}))
	c := testChecker(s)
	c.PerHost = 2
	var reqs []Request
	for i := range 10 {
		reqs = append(reqs, Request{URL: fmt.Sprintf("%s/%d.webp", s.URL, i)})
	}
	for _, r := range c.CheckAll(context.Background(), reqs) {
		if r.Verdict != OK {
			t.Fatalf("%v %+v", r.Verdict, r.Problems)
		}
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("peak %d requests in flight to one host, want ≤ 2", p)
	}
}
