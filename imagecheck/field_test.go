package imagecheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawServer answers every connection with the bytes resp, then closes: a
// server that lies about its framing.
func rawServer(t *testing.T, resp func(req string) []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				n, _ := conn.Read(buf)
				conn.Write(resp(string(buf[:n])))
			}()
		}
	}()
	return ln.Addr().String()
}

func TestCutShortIsUnverified(t *testing.T) {
	png := makePNG(t, 64, 64, false)
	for _, tc := range []struct {
		name string
		head string
		body []byte
	}{
		{"short 200", "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\nContent-Type: image/png\r\n\r\n", png[:1236]},
		{"truncated 206", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-65535/5000000\r\nContent-Length: 65536\r\n\r\n", png[:1000]},
		{"truncated chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", []byte("1000\r\n" + string(png[:100]))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := rawServer(t, func(string) []byte { return append([]byte(tc.head), tc.body...) })
			c := &Checker{AllowHosts: []string{addr}, MaxRetries: -1}
			r := c.Check(context.Background(), "http://"+addr+"/x.png", Spec{})
			if r.Verdict != Unverified || rules(r.Problems) != "warning:url-unverified" || !strings.Contains(r.Err, "cut short") {
				t.Errorf("%v %+v %q", r.Verdict, r.Problems, r.Err)
			}
			c.RequireNetwork = true
			if r := c.Check(context.Background(), "http://"+addr+"/x.png", Spec{}); rules(r.Problems) != "error:url-unverified" {
				t.Errorf("--network required: %+v", r.Problems)
			}
		})
	}
}

// jpegWithEXIF pushes the frame header past HeadBytes with two large APP1
// segments, as cameras' EXIF thumbnails and maker notes do.
func jpegWithEXIF(t *testing.T) []byte {
	img := makeJPEG(t, 300, 200)
	var b bytes.Buffer
	b.Write(img[:2]) // SOI
	for range 2 {
		seg := make([]byte, 40000)
		copy(seg, "Exif\x00\x00")
		b.Write([]byte{0xff, 0xe1})
		b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(seg)+2)))
		b.Write(seg)
	}
	b.Write(img[2:])
	return b.Bytes()
}

func TestDimensionsPastTheHead(t *testing.T) {
	data := jpegWithEXIF(t)
	if s := Sniff(data[:HeadBytes]); s.Width != 0 {
		t.Fatalf("fixture: frame header inside the head (%d×%d)", s.Width, s.Height)
	}
	s := newServer(t, serve("x.jpg", "", data))
	c := testChecker(s)
	r := c.Check(context.Background(), s.URL+"/x.jpg", Spec{MinPixels: 240})
	if r.Width != 300 || r.Height != 200 || rules(r.Problems) != "error:image-dimensions" {
		t.Errorf("second range: %d×%d %+v", r.Width, r.Height, r.Problems)
	}
	if n := s.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if n := s.sent.Load(); n > MoreBytes {
		t.Errorf("%d bytes sent, want at most %d", n, MoreBytes)
	}

	// A server that will not serve the second range: unverified, with why.
	var served atomic.Bool
	refuse := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !served.Swap(true) {
			serve("x.jpg", "", data)(w, r)
			return
		}
		http.Error(w, "nope", http.StatusForbidden)
	}))
	c = testChecker(refuse)
	r = c.Check(context.Background(), refuse.URL+"/x.jpg", Spec{MinPixels: 240})
	if r.Verdict != Unverified || rules(r.Problems) != "warning:url-unverified" || !strings.Contains(r.Problems[0].Message, "HTTP 403") {
		t.Errorf("refused second range: %v %+v", r.Verdict, r.Problems)
	}
	c.RequireNetwork = true
	if r := c.Check(context.Background(), refuse.URL+"/x.jpg", Spec{MinPixels: 240}); r.Verdict != Unverified || rules(r.Problems) != "error:url-unverified" {
		t.Errorf("--network required: %v %+v", r.Verdict, r.Problems)
	}
}

// TestDimensionsPastTheHeadNoRange: a server that ignores Range answers
// the second request with the file from its start; readRange skips the
// bytes already read and reads at most MoreBytes in all.
func TestDimensionsPastTheHeadNoRange(t *testing.T) {
	data := jpegWithEXIF(t)
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(data) // ignores Range
	}))
	c := testChecker(s)
	r := c.Check(context.Background(), s.URL+"/x.jpg", Spec{MinPixels: 240})
	if r.Width != 300 || r.Height != 200 || rules(r.Problems) != "error:image-dimensions" {
		t.Errorf("no-range server: %d×%d %+v (%s)", r.Width, r.Height, r.Problems, r.DimsNote)
	}
	if n := s.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// TestReadRange covers the one second-range reader's answers: a 206 from
// the asked offset, a 206 from elsewhere, a 200 near the start (skipped to
// the offset), a 200 for a far range (refused, never streamed) and errors.
func TestReadRange(t *testing.T) {
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i / 7)
	}
	mux := http.NewServeMux()
	mux.Handle("/range", serve("d.bin", "", data))
	mux.HandleFunc("/norange", func(w http.ResponseWriter, r *http.Request) { w.Write(data) })
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) { w.Write(data[:100]) })
	mux.HandleFunc("/other", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-9/%d", len(data)))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(data[:10])
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	s := newServer(t, mux)
	c := testChecker(s)
	c.init()
	for _, tc := range []struct {
		path string
		r    byteRange
		want []byte
		err  string
	}{
		{"/range", byteRange{Off: 2 << 20, Len: 1000}, data[2<<20 : 2<<20+1000], ""},
		{"/norange", byteRange{Off: HeadBytes, Len: MoreBytes - HeadBytes}, data[HeadBytes:MoreBytes], ""},
		{"/norange", byteRange{Off: 2 << 20, Len: 1000}, nil, "HTTP 200 OK for a range request"},
		{"/short", byteRange{Off: HeadBytes, Len: 1000}, nil, ""},
		{"/other", byteRange{Off: 500, Len: 10}, nil, "another range"},
		{"/gone", byteRange{Off: 0, Len: 10}, nil, "HTTP 410"},
		{"/range", byteRange{Off: 0, Len: maxFurtherBytes + 1}, nil, "out of bounds"},
		{"/range", byteRange{Off: -1, Len: 10}, nil, "out of bounds"},
	} {
		got, err := c.readRange(context.Background(), s.URL+tc.path, tc.r)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %+v: err %v, want %q", tc.path, tc.r, err, tc.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s %+v: %d bytes, err %v; want %d bytes", tc.path, tc.r, len(got), err, len(tc.want))
		}
	}
}

func TestDirCacheOwnership(t *testing.T) {
	u := "https://a.example.com/x.png"
	good := Facts{URL: u, Format: "png", Size: 10, SizeKnown: true, CheckedAt: time.Now(), Hops: []Hop{{URL: u}}}
	fresh := func(t *testing.T) (*DirCache, string) {
		c := &DirCache{Dir: filepath.Join(t.TempDir(), "c")}
		if err := c.Put(good); err != nil {
			t.Fatal(err)
		}
		if _, hit := c.Get(u); !hit {
			t.Fatal("own private entry not served")
		}
		p, _ := c.path(u)
		return c, p
	}
	t.Run("group-writable dir", func(t *testing.T) {
		c, _ := fresh(t)
		os.Chmod(c.Dir, 0o777)
		if _, hit := c.Get(u); hit {
			t.Error("entry in a world-writable directory served")
		}
	})
	t.Run("group-writable entry", func(t *testing.T) {
		c, p := fresh(t)
		os.Chmod(p, 0o664)
		if _, hit := c.Get(u); hit {
			t.Error("group-writable entry served")
		}
	})
	t.Run("other user's entry", func(t *testing.T) {
		if runtime.GOOS == "windows" || os.Geteuid() != 0 {
			t.Skip("needs root to give a file away")
		}
		c, p := fresh(t)
		if err := os.Lchown(p, 12345, 12345); err != nil {
			t.Skip(err)
		}
		if _, hit := c.Get(u); hit {
			t.Error("another user's entry served")
		}
		os.Lchown(p, 0, 0)
		os.Lchown(c.Dir, 12345, 12345)
		if _, hit := c.Get(u); hit {
			t.Error("entry in another user's directory served")
		}
	})
	// A cache directory inside a repository: a pull request commits an
	// entry, which the checkout makes the user's own and private. It is
	// served only if signed with this user's key.
	t.Run("planted entry", func(t *testing.T) {
		c, p := fresh(t)
		planted := good
		planted.Size = 1 // any change to the facts breaks the signature
		for name, b := range map[string][]byte{
			"unsigned, old version": []byte(`{"v":2,"facts":{"url":"` + u + `","format":"png","size":10,"sizeKnown":true,"hops":[{"url":"` + u + `"}],"checkedAt":"` + time.Now().Format(time.RFC3339) + `"}}`),
			"other key":             must(sealEntry([]byte("the attacker's key"), good)),
			"altered facts":         tamper(t, must(sealEntry(c.secret(), good)), planted),
		} {
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, hit := c.Get(u); hit {
				t.Errorf("%s: planted entry served", name)
			}
		}
		// The user's key is one key: another DirCache of this user reads it.
		other := &DirCache{Dir: c.Dir}
		c.Put(good)
		if _, hit := other.Get(u); !hit {
			t.Error("entry of the same user's key not served")
		}
	})
	t.Run("no hops", func(t *testing.T) {
		c, _ := fresh(t)
		f := good
		f.Hops = nil
		c.Put(f)
		if _, hit := c.Get(u); hit {
			t.Error("facts without hops served")
		}
	})
}

// TestCacheHitJudgedUnderThisRunsPolicy: a hit replays facts, and every hop
// they record is judged again under the allow list of the run reading it.
func TestCacheHitJudgedUnderThisRunsPolicy(t *testing.T) {
	cache := &DirCache{Dir: filepath.Join(t.TempDir(), "c")}
	u := "http://cdn.example.com/x.png"
	cache.Put(Facts{URL: u, Format: "png", Size: 100, SizeKnown: true, Width: 10, Height: 10, Status: 200,
		CheckedAt: time.Now(), Hops: []Hop{{URL: u, Addr: "10.0.0.5:80"}}})
	priv := fakeResolver{"cdn.example.com": {netip.MustParseAddr("10.0.0.5")}}

	c := &Checker{Cache: cache, Resolver: priv, MaxRetries: -1}
	r := c.Check(context.Background(), u, Spec{})
	if r.FromCache || rules(r.Problems) != "error:url-not-public" {
		t.Errorf("entry written under an allow list served without it: fromCache=%v %+v", r.FromCache, r.Problems)
	}
	c = &Checker{Cache: cache, Resolver: priv, MaxRetries: -1, AllowHosts: []string{"CDN.example.com."}}
	if r := c.Check(context.Background(), u, Spec{}); !r.FromCache || r.Verdict != OK {
		t.Errorf("same allow list: fromCache=%v %v %+v", r.FromCache, r.Verdict, r.Problems)
	}

	// A redirect hop the run refuses, recorded in the facts.
	u2 := "http://img.example.org/x.png"
	cache.Put(Facts{URL: u2, FinalURL: "http://10.0.0.9/x.png", Format: "png", Size: 100, SizeKnown: true, CheckedAt: time.Now(),
		Hops: []Hop{{URL: u2, Addr: "93.184.215.14:80"}, {URL: "http://10.0.0.9/x.png", Addr: "10.0.0.9:80"}}})
	c = &Checker{Cache: cache, Resolver: fakeResolver{}, MaxRetries: -1}
	if r := c.Check(context.Background(), u2, Spec{}); r.FromCache {
		t.Errorf("cached hop to a private literal served: %+v", r)
	}
}

// TestOneHostClassification generates spellings of hosts and of allow
// list entries and asserts that the offline check (CheckURL, AllowList)
// and the dialer (the address net/http hands it) judge each alike.
func TestOneHostClassification(t *testing.T) {
	res := fakeResolver{
		"example.com":          {netip.MustParseAddr("93.184.215.14")},
		"xn--bcher-kva.com":    {netip.MustParseAddr("93.184.215.15")},
		"internal.example.com": {netip.MustParseAddr("10.0.0.1")},
	}
	var hosts []string
	for _, h := range []string{"127.0.0.1", "10.0.0.1", "93.184.215.14", "example.com", "bücher.com"} {
		hosts = append(hosts, spellings(h)...)
	}
	hosts = append(hosts, "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[2606:4700::1111]", "[::FFFF:7F00:1]")
	entries := [][]string{nil, {"127.0.0.1"}, {"[::1]"}, {"::1"}, {"LOCALHOST."}, {"127.0.0.1:80"}, {"127.0.0.1:0080"},
		{"127.0.0.１"}, {"Internal.Example.COM."}, {"internal.example.com:443"}, {"10.0.0.1:8080"}}
	for _, allow := range entries {
		for _, h := range hosts {
			for _, port := range []string{"", ":80", ":8080"} {
				raw := "http://" + h + port + "/x.png"
				offline := CheckURL(raw) == nil || AllowList(allow).AllowsURL(raw)
				online, err := dialVerdict(t, res, allow, raw)
				if err != nil {
					continue // net/http itself refuses this spelling
				}
				if offline != online {
					t.Errorf("allow %q, %s: offline says public=%v, the dialer %v", allow, raw, offline, online)
				}
			}
		}
	}
}

// spellings returns ways to write h that URL parsers and net/http read as
// the same host.
func spellings(h string) []string {
	full := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, h)
	out := []string{h, strings.ToUpper(h), h + ".", full}
	if h != full {
		out = append(out, strings.Replace(h, "1", "１", 1))
	}
	return out
}

var errDialed = errors.New("dial reached: the guard let it through")

// dialVerdict sends raw through net/http to the Checker's DialContext, as
// the probe does, and reports whether the guard let it through. Nothing is
// connected: the dialer is given a canceled context.
func dialVerdict(t *testing.T, res Resolver, allow []string, raw string) (bool, error) {
	c := &Checker{Resolver: res, AllowHosts: allow}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	var reached atomic.Bool
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		reached.Store(true)
		// Through the guard, the canceled context is all that stops the
		// dial; any other error is a refusal.
		if _, err := c.DialContext(canceled, network, addr); !errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, errDialed
	}}
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return false, err
	}
	_, err = tr.RoundTrip(req)
	if !reached.Load() {
		return false, fmt.Errorf("net/http refused %s: %v", raw, err)
	}
	return errors.Is(err, errDialed), nil
}

// TestCheckAllBoundsGoroutines: a large batch costs Concurrency
// goroutines at a time, not one per URL.
func TestCheckAllBoundsGoroutines(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		http.NotFound(w, r)
	}))
	c := testChecker(s)
	c.Concurrency = 4
	reqs := make([]Request, 2000)
	for i := range reqs {
		reqs[i] = Request{URL: fmt.Sprintf("%s/%d.png", s.URL, i)}
	}
	before := runtime.NumGoroutine()
	done := make(chan struct{})
	go func() { c.CheckAll(context.Background(), reqs); close(done) }()
	time.Sleep(200 * time.Millisecond)
	if n := runtime.NumGoroutine() - before; n > 200 {
		t.Errorf("%d goroutines for a batch of %d with Concurrency 4", n, len(reqs))
	}
	close(release)
	<-done
	if st := c.Stats(); st.Seen != len(reqs) || st.Done != len(reqs) {
		t.Errorf("stats %+v", st)
	}
}

// TestRetryBudgetBoundsTheAttemptInFlight: one slow URL costs at most
// RetryBudget, however long Timeout is.
func TestRetryBudgetBoundsTheAttemptInFlight(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	c := testChecker(s)
	c.Timeout, c.RetryBudget = time.Hour, 300*time.Millisecond
	start := time.Now()
	r := c.Check(context.Background(), s.URL+"/slow.png", Spec{})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v with a 300ms budget", d)
	}
	if r.Verdict != Unverified {
		t.Errorf("%v %+v", r.Verdict, r.Problems)
	}
	if (&Checker{}).retryBudget() > 20*time.Second || (&Checker{}).timeout() > 10*time.Second {
		t.Error("default per-URL bound above 20s")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// tamper replaces the facts of a signed entry, keeping its signature.
func tamper(t *testing.T, entry []byte, f Facts) []byte {
	var e cacheEntry
	if err := json.Unmarshal(entry, &e); err != nil {
		t.Fatal(err)
	}
	e.Facts = must(json.Marshal(f))
	return must(json.Marshal(e))
}

// TestUnprovenFailureNotCached: a "no such host" from a run whose resolver
// is not seen working says nothing about the URL; cached, a later run with
// working DNS would replay it as image-download-failed.
func TestUnprovenFailureNotCached(t *testing.T) {
	cache := &DirCache{Dir: filepath.Join(t.TempDir(), "c")}
	const u = "https://nowhere.example.com/x.png"
	c := &Checker{Cache: cache, Resolver: fakeResolver{}, MaxRetries: -1}
	if r := c.Check(context.Background(), u, Spec{}); r.Verdict != Unverified {
		t.Fatalf("no DNS: %v %+v", r.Verdict, r.Problems)
	}
	if _, hit := cache.Get(u); hit {
		t.Error("a failure this run could not attribute was cached")
	}
	works := fakeResolver{canaryHost: {netip.MustParseAddr("104.18.1.1")}}
	c = &Checker{Cache: cache, Resolver: works, MaxRetries: -1}
	if r := c.Check(context.Background(), u, Spec{}); r.FromCache || rules(r.Problems) != "error:image-download-failed" {
		t.Errorf("working DNS: fromCache=%v %+v", r.FromCache, r.Problems)
	}
	if _, hit := cache.Get(u); !hit {
		t.Error("an authoritative failure was not cached")
	}
}
