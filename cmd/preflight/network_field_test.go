package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/preflight-dev/preflight/imagecheck"
)

// mapResolver answers from a map; every other name fails as dead is told:
// "not found" (NXDOMAIN) or a resolver that cannot be reached.
type mapResolver struct {
	m    map[string][]netip.Addr
	dead bool
}

func (r mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r.m[host]; ok {
		return a, nil
	}
	if r.dead {
		return nil, &net.DNSError{Err: "connect: network is unreachable", Name: host, IsTemporary: true}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func withResolver(t *testing.T, r imagecheck.Resolver) {
	t.Helper()
	testResolver = r
	t.Cleanup(func() { testResolver = nil })
}

func imageReq(urls ...string) string {
	q := make([]string, len(urls))
	for i, u := range urls {
		q[i] = fmt.Sprintf("%q", u)
	}
	return `{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"x y z","image_urls":[` + strings.Join(q, ",") + `]}}`
}

// TestNoResolverIsNotADownloadFailure: on a machine whose resolver answers
// nothing (sandboxed CI), public URLs are not checked, not failed, and the
// run says so once.
func TestNoResolverIsNotADownloadFailure(t *testing.T) {
	path := writeFile(t, t.TempDir(), "r.json", imageReq("https://upload.wikimedia.org/a.png", "https://cdn.example.com/b.png"))
	for _, dead := range []bool{false, true} {
		withResolver(t, mapResolver{dead: dead})
		code, out, errOut := run(t, "", nil, "lint", "--format", "json", "--no-cache", path)
		var rep jsonReport
		mustJSON(t, out, &rep)
		if code != ExitOK || rep.Summary.Unverified != 2 || rep.Summary.Errors != 0 {
			t.Errorf("dead=%v: exit %d, summary %+v", dead, code, rep.Summary)
		}
		for _, f := range rep.Findings {
			if f.Rule != "url-unverified" {
				t.Errorf("dead=%v: finding %+v", dead, f)
			}
		}
		want := "network unavailable: 2 URLs not checked (use --offline to skip network checks, --network required to fail)"
		if strings.Count(errOut, want) != 1 {
			t.Errorf("dead=%v: stderr %q, want the line once: %q", dead, errOut, want)
		}

		code, out, errOut = run(t, "", nil, "lint", "--format", "json", "--no-cache", "--network", "required", path)
		mustJSON(t, out, &rep)
		if code != ExitFindings || rep.Summary.Errors != 2 {
			t.Errorf("dead=%v, --network required: exit %d, summary %+v", dead, code, rep.Summary)
		}
		// The hint fits the mode: no advice to use the flag already given.
		want = "network unavailable: 2 URLs not checked (they fail the run under --network required; use --offline to skip network checks)"
		if strings.Count(errOut, want) != 1 || strings.Contains(errOut, "--network required to fail") {
			t.Errorf("dead=%v, --network required: stderr %q, want the line once: %q", dead, errOut, want)
		}
	}
}

// TestNotFoundWithWorkingResolver: a name that resolves and a host that
// answers 404 is IMAGE_DOWNLOAD_FAILED, as the API would report.
func TestNotFoundWithWorkingResolver(t *testing.T) {
	srv := newMediaServer(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	withResolver(t, mapResolver{m: map[string][]netip.Addr{"cdn.example.com": {netip.MustParseAddr("127.0.0.1")}}})
	path := writeFile(t, t.TempDir(), "r.json", imageReq("http://cdn.example.com:"+port+"/missing.png"))
	code, rep := lintJSON(t, "--no-cache", "--allow-host", "cdn.example.com", path)
	if code != ExitFindings || len(rep.Findings) != 1 || rep.Findings[0].Rule != "image-download-failed" ||
		rep.Findings[0].FailCode != "IMAGE_DOWNLOAD_FAILED" {
		t.Errorf("exit %d, findings %+v", code, rep.Findings)
	}
}

// cliProxy is a loopback forward proxy that answers itself, so the public
// address a URL names is never dialed.
type cliProxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
	hits atomic.Int64
}

func newCLIProxy(t *testing.T, status int) *cliProxy {
	p := &cliProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.RequestURI)
		p.mu.Unlock()
		if r.Method == http.MethodConnect {
			http.Error(w, "no tunnels here", http.StatusForbidden)
			return
		}
		http.Error(w, "from the proxy", status)
	}))
	t.Cleanup(p.Close)
	return p
}

func TestProxyFlagAndEnvironment(t *testing.T) {
	withResolver(t, mapResolver{dead: true}) // local DNS resolves nothing: the proxy does
	path := writeFile(t, t.TempDir(), "r.json", imageReq("http://93.184.215.14/a.png"))

	p := newCLIProxy(t, http.StatusNotFound)
	code, rep := lintJSON(t, "--no-cache", "--proxy", p.URL, path)
	if code != ExitFindings || len(rep.Findings) != 1 || rep.Findings[0].Rule != "image-download-failed" {
		t.Errorf("--proxy: exit %d, findings %+v", code, rep.Findings)
	}
	if p.hits.Load() != 1 || p.seen[0] != "GET http://93.184.215.14/a.png" {
		t.Errorf("--proxy: the proxy saw %q", p.seen)
	}

	// The environment, in lower case too.
	for _, env := range []map[string]string{{"HTTP_PROXY": p.URL}, {"http_proxy": p.URL}} {
		before := p.hits.Load()
		code, rep = lintJSONEnv(t, env, "--no-cache", path)
		if code != ExitFindings || p.hits.Load() != before+1 || rep.Findings[0].Rule != "image-download-failed" {
			t.Errorf("%v: exit %d, proxy hits %d, findings %+v", env, code, p.hits.Load()-before, rep.Findings)
		}
	}
	// NO_PROXY: a name that resolves to a loopback test server is fetched
	// directly, the proxy never asked.
	srv := newMediaServer(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	withResolver(t, mapResolver{m: map[string][]netip.Addr{"cdn.example.com": {netip.MustParseAddr("127.0.0.1")}}})
	direct := writeFile(t, t.TempDir(), "d.json", imageReq("http://cdn.example.com:"+port+"/ok.png"))
	before := p.hits.Load()
	code, rep = lintJSONEnv(t, map[string]string{"HTTP_PROXY": p.URL, "NO_PROXY": "cdn.example.com"}, "--no-cache", "--allow-host", "cdn.example.com", direct)
	if code != ExitOK || p.hits.Load() != before || srv.hits.Load() != 1 {
		t.Errorf("NO_PROXY: exit %d, proxy hits %d, direct hits %d, findings %+v", code, p.hits.Load()-before, srv.hits.Load(), rep.Findings)
	}

	// A private literal is refused before the proxy is asked.
	before = p.hits.Load()
	priv := writeFile(t, t.TempDir(), "p.json", imageReq("http://10.0.0.7/a.png", "http://[::ffff:192.168.0.1]/b.png"))
	code, rep = lintJSON(t, "--no-cache", "--proxy", p.URL, priv)
	if code != ExitFindings || len(rep.Findings) != 2 || rep.Findings[0].Rule != "url-not-public" || p.hits.Load() != before {
		t.Errorf("private literal: exit %d, proxy hits %d, findings %+v", code, p.hits.Load()-before, rep.Findings)
	}

	if code, _, errOut := run(t, "", nil, "lint", "--proxy", "ftp://x", path); code != ExitUsage {
		t.Errorf("--proxy ftp://x: exit %d %s", code, errOut)
	}
}

// TestProgressLine: on a terminal, the line counts unique URLs once, with
// its total once every input has been read (n/? before), and is erased
// before anything else is written.
func TestProgressLine(t *testing.T) {
	srv := newMediaServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	writeFile(t, dir, "a.json", imageReq(srv.URL+"/ok.png", srv.URL+"/missing.png"))
	writeFile(t, dir, "b.json", imageReq(srv.URL+"/ok.png", srv.URL+"/anim.gif"))
	_, _, errOut := run(t, "", map[string]string{"TTY": "1"}, "lint", "--color", "never", "--no-cache", "--allow-host", host, dir)
	draws := strings.Split(errOut, "\r\x1b[K")
	var last string
	for _, d := range draws {
		if d == "" {
			continue
		}
		if !strings.HasPrefix(d, "checking URLs ") || !(strings.HasSuffix(d, "/3") || strings.HasSuffix(d, "/?")) {
			t.Errorf("draw %q: want checking URLs n/3 or n/?", d)
		}
		last = d
	}
	if last != "checking URLs 3/3" {
		t.Errorf("last draw %q, want 3/3 (stderr %q)", last, errOut)
	}
	if !strings.HasSuffix(errOut, "\r\x1b[K") {
		t.Errorf("progress not erased at the end: %q", errOut)
	}
}

func lintJSONEnv(t *testing.T, env map[string]string, args ...string) (int, jsonReport) {
	t.Helper()
	code, out, errOut := run(t, "", env, append([]string{"lint", "--format", "json"}, args...)...)
	var rep jsonReport
	if out == "" {
		t.Fatalf("exit %d, no output: %s", code, errOut)
	}
	mustJSON(t, out, &rep)
	return code, rep
}

func mustJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
