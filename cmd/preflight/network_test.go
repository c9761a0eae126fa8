package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/gif"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// mediaServer serves test files on loopback and counts the requests that
// reach it.
type mediaServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newMediaServer(t *testing.T) *mediaServer {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	var pngBuf, gifBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	big := append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 11<<20)...)
	files := map[string][]byte{"/ok.png": pngBuf.Bytes(), "/named.jpg": pngBuf.Bytes(), "/anim.gif": gifBuf.Bytes(), "/big.jpg": big}
	s := &mediaServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(s.Close)
	return s
}

type jsonReport struct {
	Findings []struct {
		Pointer, Rule, Severity, FailCode string
	}
	Summary struct{ Files, Requests, Errors, Warnings, Unverified int }
}

func lintJSON(t *testing.T, args ...string) (int, jsonReport) {
	t.Helper()
	code, out, errOut := run(t, "", nil, append([]string{"lint", "--format", "json"}, args...)...)
	var rep jsonReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", code, err, out, errOut)
	}
	return code, rep
}

// TestNetworkFailCodes runs the CLI against a loopback server and checks each
// predicted failCode lands on the right URL.
func TestNetworkFailCodes(t *testing.T) {
	srv := newMediaServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	req := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"make it blue","image_urls":[%q,%q,%q,%q,%q]}}`,
		srv.URL+"/ok.png", srv.URL+"/named.jpg", srv.URL+"/anim.gif", srv.URL+"/big.jpg", srv.URL+"/missing.png")
	path := writeFile(t, dir, "req.json", req)
	code, rep := lintJSON(t, "--no-cache", "--allow-host", host, path)
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Severity == "error" {
			got[f.Pointer] = f.FailCode
		}
	}
	want := map[string]string{
		"/input/image_urls/2": "UNSUPPORTED_FORMAT",
		"/input/image_urls/3": "IMAGE_TOO_LARGE",
		"/input/image_urls/4": "IMAGE_DOWNLOAD_FAILED",
	}
	for ptr, fc := range want {
		if got[ptr] != fc {
			t.Errorf("%s: failCode %q, want %q (all: %v)", ptr, got[ptr], fc, got)
		}
	}
	if _, bad := got["/input/image_urls/1"]; bad {
		t.Error("a PNG named .jpg must pass: format comes from the bytes")
	}
	if rep.Summary.Errors != 3 {
		t.Errorf("summary %+v", rep.Summary)
	}
}

// TestNetworkDedupeAndCache: a URL named by many requests is fetched once,
// and a second run with the cache makes no request at all.
func TestNetworkDedupeAndCache(t *testing.T) {
	srv := newMediaServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	var lines []string
	for i := range 20 {
		lines = append(lines, fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"variant %d","image_urls":[%q]}}`, i, srv.URL+"/ok.png"))
	}
	path := writeFile(t, dir, "batch.jsonl", strings.Join(lines, "\n")+"\n")
	cache := t.TempDir()
	if code, rep := lintJSON(t, "--cache", cache, "--allow-host", host, path); code != ExitOK || len(rep.Findings) != 0 {
		t.Fatalf("exit %d, findings %+v", code, rep.Findings)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("first run: %d requests for one unique URL, want 1", n)
	}
	if code, _ := lintJSON(t, "--cache", cache, "--allow-host", host, path); code != ExitOK {
		t.Fatalf("second run exit %d", code)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("second run with cache made %d more requests, want 0", n-1)
	}
}

// TestOfflineMakesNoRequests: --offline checks URL syntax only.
func TestOfflineMakesNoRequests(t *testing.T) {
	srv := newMediaServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	req := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"x y z","image_urls":[%q]}}`, srv.URL+"/missing.png")
	path := writeFile(t, t.TempDir(), "r.json", req)
	if code, _ := lintJSON(t, "--offline", "--allow-host", host, path); code != ExitOK {
		t.Errorf("exit %d", code)
	}
	if srv.hits.Load() != 0 {
		t.Error("--offline fetched a URL")
	}
}

// TestUnverifiedIsNeverAPass: a server that keeps failing yields a warning
// counted in summary.unverified, and an error with --network required.
func TestUnverifiedIsNeverAPass(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	req := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"x y z","image_urls":[%q]}}`, srv.URL+"/a.png")
	path := writeFile(t, t.TempDir(), "r.json", req)
	code, rep := lintJSON(t, "--no-cache", "--allow-host", u.Host, path)
	if code != ExitOK || rep.Summary.Unverified != 1 || rep.Summary.Warnings != 1 {
		t.Errorf("best-effort: exit %d, summary %+v", code, rep.Summary)
	}
	code, rep = lintJSON(t, "--no-cache", "--network", "required", "--allow-host", u.Host, path)
	if code != ExitFindings || rep.Summary.Errors != 1 {
		t.Errorf("required: exit %d, summary %+v", code, rep.Summary)
	}
}

// TestPrivateRedirectRefused: without --allow-host for the target, a URL is
// refused before any connection.
func TestPrivateURLRefusedWithoutAllowHost(t *testing.T) {
	srv := newMediaServer(t)
	req := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"x y z","image_urls":[%q]}}`, srv.URL+"/ok.png")
	path := writeFile(t, t.TempDir(), "r.json", req)
	code, rep := lintJSON(t, "--no-cache", path)
	if code != ExitFindings || len(rep.Findings) != 1 || rep.Findings[0].Rule != "url-not-public" || rep.Findings[0].FailCode != "INVALID_IMAGE_URL" {
		t.Errorf("exit %d, findings %+v", code, rep.Findings)
	}
	if srv.hits.Load() != 0 {
		t.Error("a loopback URL was fetched without --allow-host")
	}
}

// TestNetworkDeadline: with a whole-run budget, a server slower than the
// budget leaves the URL unverified instead of stalling the run.
func TestNetworkDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	u, _ := url.Parse(srv.URL)
	req := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"x y z","image_urls":[%q]}}`, srv.URL+"/slow.png")
	path := writeFile(t, t.TempDir(), "r.json", req)
	start := time.Now()
	code, rep := lintJSON(t, "--no-cache", "--network-deadline", "300ms", "--allow-host", u.Host, path)
	if code != ExitOK || rep.Summary.Unverified != 1 {
		t.Errorf("exit %d, summary %+v", code, rep.Summary)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run took %v despite a 300ms network deadline", d)
	}
}

// TestUnknownSizeCountsAsUnverified: a server that answers the range request
// without a total ("bytes 0-N/*") leaves the 10 MB rule unchecked; the URL is
// counted as unverified, not passed.
func TestUnknownSizeCountsAsUnverified(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/*", buf.Len()-1))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(buf.Bytes())
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	req := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"x y z","image_urls":[%q]}}`, srv.URL+"/a.png")
	path := writeFile(t, t.TempDir(), "r.json", req)
	code, rep := lintJSON(t, "--no-cache", "--allow-host", u.Host, path)
	if code != ExitOK || rep.Summary.Unverified != 1 || len(rep.Findings) != 1 || rep.Findings[0].Rule != "url-unverified" {
		t.Errorf("exit %d, summary %+v, findings %+v", code, rep.Summary, rep.Findings)
	}
}
