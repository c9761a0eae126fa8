package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preflight-dev/preflight/internal/proxy"
)

// TestReadmeProxyClients runs the README's Python and JavaScript clients
// against the proxy in front of a loopback fake API: once as written (the
// request is forwarded and the task ID printed) and once with an empty
// prompt (refused, the finding printed, never forwarded).
func TestReadmeProxyClients(t *testing.T) {
	var hits atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer readme-key" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"code":401,"message":"Invalid or missing API key"}`)
			return
		}
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"task_readme"}}`)
	}))
	defer api.Close()
	up, _ := url.Parse(api.URL)
	p, err := proxy.New(proxy.Config{Upstream: up})
	if err != nil {
		t.Fatal(err)
	}
	px := httptest.NewServer(p)
	defer px.Close()

	clients := []struct {
		name, fence string
		cmd         []string
		available   func() bool
	}{
		{"python", "proxy-python", []string{"python3", "-"}, func() bool {
			return exec.Command("python3", "-c", "import requests").Run() == nil
		}},
		{"js", "proxy-js", []string{"node", "--input-type=module"}, func() bool {
			_, err := exec.LookPath("node")
			return err == nil
		}},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			src := readmeFence(t, c.fence)
			if !c.available() {
				t.Skipf("%s is not installed", c.cmd[0])
			}
			run := func(src string) (string, error) {
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, c.cmd[0], c.cmd[1:]...)
				cmd.Stdin = strings.NewReader(src)
				cmd.Env = append(os.Environ(), "APIXO_BASE_URL="+px.URL, "APIXO_API_KEY=readme-key", "NO_PROXY=*", "no_proxy=*")
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			before := hits.Load()
			out, err := run(src)
			if err != nil || strings.TrimSpace(out) != "task_readme" || hits.Load() != before+1 {
				t.Errorf("as written: %v, output %q, %d forwarded", err, out, hits.Load()-before)
			}
			doomed := strings.Replace(src, "a red fox in fresh snow", "", 1)
			out, err = run(doomed)
			if err == nil || !strings.Contains(out, "[prompt-empty]") || !strings.Contains(out, "preflight: request would fail") || hits.Load() != before+1 {
				t.Errorf("empty prompt: %v, output %q, %d forwarded", err, out, hits.Load()-before-1)
			}
		})
	}
}
