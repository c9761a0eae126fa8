package imagecheck

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Seeds live in testdata/fuzz/<Name>; `go test` runs them, and
// `go test -run '^$' -fuzz FuzzX ./imagecheck` explores further.

// FuzzCacheEntry: whatever a cache file holds, the reader neither panics
// nor accepts an entry for another URL, without hops, or of another
// version; what it accepts re-encodes.
func FuzzCacheEntry(f *testing.F) {
	u := "https://a.example.com/x.png"
	key := []byte("fuzz key, fixed so seeds stay valid")
	good, _ := sealEntry(key, Facts{URL: u, Format: "png", Size: 10, SizeKnown: true,
		CheckedAt: time.Now(), Hops: []Hop{{URL: u, Addr: "93.184.215.14:443"}}})
	f.Add(good, u)
	f.Add([]byte(`{"v":1,"facts":{"url":"https://a.example.com/x.png"}}`), u)
	f.Add([]byte(`{"v":2,"facts":{"url":"https://a.example.com/x.png","hops":[{"url":"http://127.0.0.1/","addr":"127.0.0.1:80"}],"err":"\u001b[31m\u202e"}}`), u)
	f.Add([]byte(`[`), "")
	f.Fuzz(func(t *testing.T, b []byte, url string) {
		fa, ok := decodeEntry(bytes.NewReader(b), url, key)
		if !ok {
			return
		}
		if fa.URL != url || len(fa.Hops) == 0 {
			t.Fatalf("accepted %+v for %q", fa, url)
		}
		if _, err := sealEntry(key, fa); err != nil {
			t.Fatal(err)
		}
		// Cached text reaches messages only through Evaluate, cleaned.
		_, ps := Evaluate(fa, Spec{})
		for _, p := range ps {
			if hasControl(p.Message) {
				t.Fatalf("control character in %q", p.Message)
			}
		}
		// A cached hop to a non-public address is never served to a run
		// that does not allow it.
		c := &Checker{}
		if c.hopsAllowed(fa) {
			for _, h := range fa.Hops {
				if ap, err := netip.ParseAddrPort(h.Addr); err == nil && !IsPublicAddr(ap.Addr()) {
					t.Fatalf("hop %+v passed without an allow list", h)
				}
			}
		}
	})
}

func hasControl(s string) bool {
	for _, r := range s {
		if r == 0x7f || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return true
		}
	}
	return false
}

// pipeTransport answers every connection over net.Pipe with the same raw
// bytes, as a hostile server would, without any socket. It is not an
// *http.Transport, so the Checker uses it as given: the probe's reading,
// bounding and classification are what is exercised.
type pipeTransport struct{ t *http.Transport }

func (p pipeTransport) RoundTrip(r *http.Request) (*http.Response, error) { return p.t.RoundTrip(r) }

func newPipeTransport(resp []byte) pipeTransport {
	return pipeTransport{&http.Transport{
		DisableCompression: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			client, server := net.Pipe()
			go func() {
				defer server.Close()
				br := bufio.NewReader(server)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				server.SetWriteDeadline(time.Now().Add(2 * time.Second))
				server.Write(resp)
			}()
			return client, nil
		},
		MaxResponseHeaderBytes: maxHeaderBytes,
	}}
}

// FuzzFetch feeds the probe hostile HTTP responses. Whatever comes, it
// returns in bounded time, reads at most the limit, prints no control
// characters, and never calls a response OK when the body did not match
// what the response promised.
func FuzzFetch(f *testing.F) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6")
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 33\r\n\r\n" + string(png)))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + string(png)))
	f.Add([]byte("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-65535/9999999\r\nContent-Length: 65536\r\n\r\n" + string(png)))
	f.Add([]byte("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-32/*\r\n\r\n" + string(png)))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n21\r\n" + string(png) + "\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffff\r\n" + string(png)))
	f.Add([]byte("HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/x\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 404 \x1b[31mNot\u202eFound\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 503 Busy\r\nRetry-After: 99999999\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */0\r\n\r\n"))
	f.Add([]byte("garbage\r\n\r\n"))
	lying := makeVP8X(300, 300, 100)
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(lying)) + "\r\n\r\n" + string(lying)))
	f.Fuzz(func(t *testing.T, resp []byte) {
		c := &Checker{
			Client:      &http.Client{Transport: newPipeTransport(resp)},
			Resolver:    fakeResolver{},
			MaxRetries:  -1,
			Timeout:     time.Second,
			RetryBudget: 2 * time.Second,
		}
		done := make(chan Result, 1)
		go func() { done <- c.Check(context.Background(), "http://img.example.com/x.png", Spec{MinPixels: 8}) }()
		var r Result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no result after 10s")
		}
		if r.BytesRead > ImageMaxBytes+1 {
			t.Fatalf("read %d bytes", r.BytesRead)
		}
		for _, p := range r.Problems {
			if hasControl(p.Message) || len(p.Message) > 4*maxErrText {
				t.Fatalf("unsafe message %q", p.Message)
			}
		}
		if r.Verdict == OK && (!r.SizeKnown || r.ErrKind != ErrNone || r.Width == 0) {
			t.Fatalf("OK without the facts to back it: %+v", r.Facts)
		}
	})
}

// FuzzHostClassification: a host spelled any way, and an allow-list entry
// spelled any way, are judged alike offline (CheckURL, AllowList) and by
// the dialer, given the address net/http hands it.
func FuzzHostClassification(f *testing.F) {
	for _, s := range [][2]string{
		{"127.0.0.1", "127.0.0.1"}, {"127.0.0.１", "[::1]"}, {"LOCALHOST.", "localhost"}, {"[::1]", "::1"},
		{"example.com", "Example.COM.:80"}, {"[::ffff:10.0.0.1]", "10.0.0.1"}, {"bücher.com", "xn--bcher-kva.com"},
		{"10.0.0.1:8080", "10.0.0.1:08080"}, {"0x7f.1", ""}, {"１０.0.0.1", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, host, entry string) {
		raw := "http://" + host + "/x.png"
		u, err := url.Parse(raw)
		if err != nil || u.Host != host || strings.ContainsAny(host, "/?#@") {
			return
		}
		allow := []string{entry}
		// Names resolve to loopback: the dialer lets a URL through only when
		// it is allowed or a public literal, which is what offline says.
		loop := allNames{netip.MustParseAddr("127.0.0.1")}
		online, err := dialVerdict(t, loop, allow, raw)
		if err != nil {
			return // net/http itself refuses this spelling
		}
		h, _ := NormalizeHost(u.Hostname())
		a, lit := netip.ParseAddr(h)
		offline := AllowList(allow).AllowsURL(raw) || (lit == nil && CheckURL(raw) == nil && IsPublicAddr(a))
		if online != offline {
			t.Fatalf("allow %q, %s: offline %v, dialer %v", entry, raw, offline, online)
		}
		// Names resolve to a public address: what offline passes, the
		// dialer passes.
		if CheckURL(raw) == nil {
			pub := allNames{netip.MustParseAddr("93.184.215.14")}
			if ok, err := dialVerdict(t, pub, nil, raw); err == nil && !ok {
				t.Fatalf("%s: offline passes it, the dialer refuses it", raw)
			}
		}
	})
}

// allNames resolves every name to one address.
type allNames []netip.Addr

func (a allNames) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) { return a, nil }

// TestPipeFetch keeps the fuzz harness honest: over the pipe, a good
// response passes and a cut-short one is unverified.
func TestPipeFetch(t *testing.T) {
	png := makePNG(t, 16, 16, false)
	for _, tc := range []struct {
		resp string
		want Verdict
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: " + itoa(len(png)) + "\r\n\r\n" + string(png), OK},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + string(png), Unverified},
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", Failed},
	} {
		c := &Checker{Client: &http.Client{Transport: newPipeTransport([]byte(tc.resp))}, MaxRetries: -1}
		if r := c.Check(context.Background(), "http://img.example.com/x.png", Spec{}); r.Verdict != tc.want {
			t.Errorf("%.40q: %v %+v", tc.resp, r.Verdict, r.Problems)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestContentRangeSpan(t *testing.T) {
	for _, tc := range []struct {
		h           string
		first, last int64
		ok          bool
	}{
		{"bytes 0-65535/1234567", 0, 65535, true},
		{"bytes 0-32/*", 0, 32, true},
		{"bytes 65536-1048575/2000000", 65536, 1048575, true},
		{"bytes */0", 0, 0, false},
		{"bytes 9-1/10", 0, 0, false},
		{"bytes -1-5/10", 0, 0, false},
		{"items 0-1/2", 0, 0, false},
	} {
		f, l, ok := contentRangeSpan(tc.h)
		if f != tc.first || l != tc.last || ok != tc.ok {
			t.Errorf("%q: %d %d %v", tc.h, f, l, ok)
		}
	}
	// A 206 without Content-Length, its length given by the range only.
	png := makePNG(t, 16, 16, false)
	resp := "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-" + itoa(len(png)-1) + "/" + itoa(len(png)) + "\r\nConnection: close\r\n\r\n" + string(png)
	c := &Checker{Client: &http.Client{Transport: newPipeTransport([]byte(resp))}, MaxRetries: -1}
	if r := c.Check(context.Background(), "http://img.example.com/x.png", Spec{}); r.Verdict != OK {
		t.Errorf("close-delimited 206: %v %+v", r.Verdict, r.Problems)
	}
}
