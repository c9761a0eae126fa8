package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestProxyUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"proxy", "--upstream", "ftp://api.apixo.ai"},
		{"proxy", "--upstream", "https://user:pw@api.apixo.ai"},
		{"proxy", "--log-level", "loud"},
		{"proxy", "--log-format", "xml"},
		{"proxy", "--fail-level", "info"},
		{"proxy", "--network", "sometimes"},
		{"proxy", "--max-body", "0"},
		{"proxy", "extra-arg"},
	} {
		code, _, stderr := run(t, "", nil, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, stderr)
		}
		if strings.Contains(stderr, "pw@") {
			t.Errorf("%v: stderr shows the password: %s", args, stderr)
		}
	}
}

func TestProxyWarnings(t *testing.T) {
	https, _ := url.Parse("https://api.apixo.ai")
	plain, _ := url.Parse("http://api.example.com")
	local, _ := url.Parse("http://127.0.0.1:9000")
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8787}
	any := &net.TCPAddr{IP: net.IPv4zero, Port: 8787}
	lan := &net.TCPAddr{IP: net.ParseIP("192.168.1.10"), Port: 8787}
	v6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 8787}
	for _, c := range []struct {
		addr net.Addr
		up   *url.URL
		want int
	}{
		{loop, https, 0}, {v6, https, 0}, {loop, local, 0},
		{any, https, 1}, {lan, https, 1}, {loop, plain, 1}, {any, plain, 2},
	} {
		if got := proxyWarnings(c.addr, c.up); len(got) != c.want {
			t.Errorf("%s -> %s: %q, want %d warnings", c.addr, c.up, got, c.want)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProxyCommand runs `preflight proxy --listen 127.0.0.1:0 ARGS...`
// in-process and returns its address, its standard error, and a stop that
// ends its context, as SIGINT does, and returns its error.
func startProxyCommand(t *testing.T, args ...string) (string, *lockedBuffer, func() error) {
	t.Helper()
	stderr := &lockedBuffer{}
	c := &Command{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
	root := c.newRoot()
	root.SetArgs(append([]string{"proxy", "--listen", "127.0.0.1:0"}, args...))
	root.SetOut(io.Discard)
	root.SetErr(stderr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("the proxy did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	re := regexp.MustCompile(`listening on http://(\S+),`)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr, stop
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy did not start:\n%s", stderr)
		}
	}
}

// TestProxyCommandNetwork checks media URLs over the network through the
// proxy: a URL that cannot be fetched is refused before the API sees it.
func TestProxyCommandNetwork(t *testing.T) {
	var hits atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"t1"}}`)
	}))
	defer api.Close()
	media := httptest.NewServer(http.NotFoundHandler())
	defer media.Close()
	addr, stderr, stop := startProxyCommand(t, "--upstream", api.URL, "--allow-host", media.Listener.Addr().String(), "--no-cache", "--timeout", "2s")
	body := `{"input":{"mode":"image-to-image","prompt":"a fox","image_urls":["` + media.URL + `/missing.jpg"]}}`
	resp, err := http.Post("http://"+addr+"/api/v1/generateTask/nano-banana", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(resp.Header.Get("X-Preflight-Rules"), "image-download-failed") || hits.Load() != 0 {
		t.Errorf("missing image: %d, rules %q, %d forwarded", resp.StatusCode, resp.Header.Get("X-Preflight-Rules"), hits.Load())
	}
	if err := stop(); err != nil {
		t.Errorf("proxy: %v\n%s", err, stderr)
	}
}

// TestProxyCommand runs `preflight proxy` in-process against a loopback
// upstream and stops it the way SIGINT does: by ending its context.
func TestProxyCommand(t *testing.T) {
	var hits atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer sk-cli-secret" || string(b) != validReq {
			w.WriteHeader(http.StatusTeapot)
		}
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"t1"}}`)
	}))
	defer api.Close()

	addr, stderr, stop := startProxyCommand(t, "--upstream", api.URL, "--offline", "--log-format", "json", "--log-level", "debug")
	if strings.Contains(stderr.String(), "WARNING") {
		t.Errorf("a loopback listener was warned about:\n%s", stderr)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/generateTask/nano-banana", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk-cli-secret")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(validReq); resp.StatusCode != 200 {
		t.Errorf("valid request: %d", resp.StatusCode)
	}
	if resp := post(`{"input":{"prompt":""}}`); resp.StatusCode != 400 || resp.Header.Get("X-Preflight-Rules") != "prompt-empty" {
		t.Errorf("doomed request: %d %v", resp.StatusCode, resp.Header)
	}
	if hits.Load() != 1 {
		t.Errorf("upstream saw %d requests, want 1", hits.Load())
	}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`preflight_proxy_rejections_total{rule="prompt-empty"} 1`, "process_resident_memory_bytes", "go_goroutines"} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("proxy: %v", err)
	}
	if s := stderr.String(); strings.Contains(s, "sk-cli-secret") || !strings.Contains(s, `"outcome":"rejected"`) || !strings.Contains(s, "shut down") {
		t.Errorf("log:\n%s", s)
	}
}
