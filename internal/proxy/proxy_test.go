package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// envelope is the API's error envelope as the proxy answers it.
type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    *struct {
		Model    string             `json:"model"`
		Findings []validate.Finding `json:"findings"`
	} `json:"data"`
}

func TestForwardedByteForByte(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{})
	bodies := []string{
		goodBody,
		"{\n  \"input\" : {\"prompt\":\"caf\\u00e9 \u732b \U0001F98A\"}  }\n", // odd spacing, escapes, a trailing newline
		`{"input":{"prompt":"a fox","aspect_ratio":"16:9"},"request_type":"async"}`,
	}
	for i, body := range bodies {
		h := http.Header{"X-Custom": {"kept"}, "Content-Type": {"application/json"}}
		resp, got := tp.do(t, http.MethodPost, genPath+"?trace=1", body, h)
		if resp.StatusCode != 200 || !bytes.Contains(got, []byte("task_1")) {
			t.Fatalf("body %d: status %d, %s", i, resp.StatusCode, got)
		}
		reqs := api.requests()
		if len(reqs) != i+1 {
			t.Fatalf("upstream saw %d requests, want %d", len(reqs), i+1)
		}
		r := reqs[i]
		if string(r.body) != body {
			t.Errorf("upstream body %q, want %q", r.body, body)
		}
		if r.method != http.MethodPost || r.path != genPath || r.query != "trace=1" {
			t.Errorf("upstream got %s %s?%s", r.method, r.path, r.query)
		}
		if r.header.Get("Authorization") != secret || r.header.Get("X-Custom") != "kept" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("headers not intact: %v", r.header)
		}
		if want := api.Listener.Addr().String(); r.host != want {
			t.Errorf("upstream Host %q, want %q", r.host, want)
		}
		if resp.Header.Get("X-Upstream-Body-Sha256") == "" || resp.Header.Get(PreflightHeader) != "" {
			t.Errorf("response headers not the upstream's: %v", resp.Header)
		}
	}
}

func TestOtherRequestsForwardedUnchanged(t *testing.T) {
	api := newFakeAPI(t)
	api.handle = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Upstream", "yes")
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte(`{"code":418}`))
	}
	tp := newTestProxy(t, api.URL, Config{})
	cases := []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/statusTask/task_1", ""},
		{http.MethodGet, "/api/v1/generateTask/nano-banana", ""}, // not a POST: not checked
		{http.MethodPut, "/api/v1/other", badBody},
		{http.MethodDelete, "/x", ""},
	}
	for i, c := range cases {
		resp, b := tp.do(t, c.method, c.path, c.body, nil)
		if resp.StatusCode != http.StatusTeapot || string(b) != `{"code":418}` || resp.Header.Get("X-Upstream") != "yes" {
			t.Errorf("%s %s: got %d %q", c.method, c.path, resp.StatusCode, b)
		}
		r := api.requests()[i]
		if r.method != c.method || r.path != c.path || string(r.body) != c.body || r.header.Get("Authorization") != secret {
			t.Errorf("%s %s: upstream saw %s %s %q", c.method, c.path, r.method, r.path, r.body)
		}
	}
}

func TestDoomedNeverForwarded(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{})
	cases := []struct {
		name, path, body string
		status           []int // what the API would answer
		rule             string
	}{
		{"empty prompt", genPath, badBody, []int{400}, "prompt-empty"},
		{"bad enum", genPath, `{"input":{"prompt":"a fox","aspect_ratio":"16:10"}}`, []int{400}, ""},
		{"invalid JSON", genPath, `{"input":`, []int{400}, "json-syntax"},
		{"no body", genPath, "", []int{400}, ""},
		{"not an object", genPath, `[1,2]`, []int{400}, "request-not-object"},
		// 404 once NewTransport answers an unknown model as the API does.
		{"unknown model", "/api/v1/generateTask/nano-bananaa", goodBody, []int{400, 404}, "model-unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := api.hits.Load()
			resp, b := tp.do(t, http.MethodPost, c.path, c.body, nil)
			if n := api.hits.Load() - before; n != 0 {
				t.Fatalf("%d requests reached the upstream", n)
			}
			if !slices.Contains(c.status, resp.StatusCode) {
				t.Errorf("status %d, want %v", resp.StatusCode, c.status)
			}
			var env envelope
			if err := json.Unmarshal(b, &env); err != nil {
				t.Fatalf("not the API's envelope: %v: %s", err, b)
			}
			if env.Code != resp.StatusCode || !strings.HasPrefix(env.Message, "preflight: ") || env.Data == nil || len(env.Data.Findings) == 0 {
				t.Errorf("envelope %s", b)
			}
			rules := strings.Split(resp.Header.Get(RulesHeader), ",")
			if rules[0] == "" || c.rule != "" && !slices.Contains(rules, c.rule) {
				t.Errorf("%s: %q, want it to name %q", RulesHeader, resp.Header.Get(RulesHeader), c.rule)
			}
			for _, f := range env.Data.Findings {
				if !slices.Contains(rules, f.Rule) {
					t.Errorf("%s %q misses finding rule %s", RulesHeader, rules, f.Rule)
				}
			}
			if resp.Header.Get(PreflightHeader) != "rejected" {
				t.Errorf("%s: %q", PreflightHeader, resp.Header.Get(PreflightHeader))
			}
		})
	}
	m := tp.metrics(t)
	for _, want := range []string{
		`preflight_proxy_rejections_total{rule="prompt-empty"} 1`,
		`preflight_proxy_rejections_total{rule="json-syntax"} 2`, // invalid JSON and no body
		`preflight_proxy_requests_total{outcome="rejected",route="generate"} 6`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(m, "preflight_proxy_re"))
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestFailLevelWarningAndWarningsForwarded(t *testing.T) {
	api := newFakeAPI(t)
	warn := `{"input": {"prompt": "a red fox", "colour": "red"}}`
	tp := newTestProxy(t, api.URL, Config{})
	if resp, _ := tp.do(t, http.MethodPost, genPath, warn, nil); resp.StatusCode != 200 || api.hits.Load() != 1 {
		t.Fatalf("a warning refused at fail level error: %d", resp.StatusCode)
	}
	if !strings.Contains(tp.log.String(), `"rules":["field-unknown"]`) {
		t.Errorf("the forwarded request's warning was not logged:\n%s", tp.log)
	}
	strict := newTestProxy(t, api.URL, Config{FailLevel: validate.SeverityWarning})
	resp, _ := strict.do(t, http.MethodPost, genPath, warn, nil)
	if resp.StatusCode != 400 || api.hits.Load() != 1 || resp.Header.Get(RulesHeader) != "field-unknown" {
		t.Errorf("fail level warning: %d, %d hits, rules %q", resp.StatusCode, api.hits.Load(), resp.Header.Get(RulesHeader))
	}
	if !strings.Contains(strict.metrics(t), `preflight_proxy_rejections_total{rule="field-unknown"} 1`) {
		t.Error("the warning's rule was not counted")
	}
}

func TestBodyOverLimit(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{MaxBodyBytes: 1000})
	big := `{"input":{"prompt":"` + strings.Repeat("a", 2000) + `"}}`
	for _, path := range []string{genPath, "/api/v1/other"} {
		// Content-Length says so: refused before reading.
		resp, b := tp.do(t, http.MethodPost, path, big, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(`"code":413`)) {
			t.Errorf("%s with Content-Length: %d %s", path, resp.StatusCode, b)
		}
		// Chunked: found while reading.
		req, _ := http.NewRequest(http.MethodPost, tp.srv.URL+path, struct{ *strings.Reader }{strings.NewReader(big)})
		req.ContentLength = -1
		resp, err := tp.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s chunked: status %d", path, resp.StatusCode)
		}
	}
	for _, r := range api.requests() {
		if len(r.body) > 1000 {
			t.Errorf("a %d-byte body reached the upstream", len(r.body))
		}
	}
	if api.hits.Load() != 0 {
		t.Errorf("%d requests reached the upstream", api.hits.Load())
	}
	if !strings.Contains(tp.metrics(t), `outcome="too_large",route="generate"} 2`) {
		t.Error("too_large not counted")
	}
}

func TestNoOpenProxy(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{})
	// An absolute-form request for another host still goes upstream.
	conn := dial(t, tp.srv.Listener.Addr().String())
	write(t, conn, "GET http://evil.invalid/steal?x=1 HTTP/1.1\r\nHost: evil.invalid\r\nConnection: close\r\n\r\n")
	if status := readStatus(t, conn); status != 200 {
		t.Errorf("absolute-form request: status %d", status)
	}
	reqs := api.requests()
	if len(reqs) != 1 || reqs[0].path != "/steal" || reqs[0].host != api.Listener.Addr().String() {
		t.Errorf("upstream saw %+v", reqs)
	}
	conn = dial(t, tp.srv.Listener.Addr().String())
	write(t, conn, "CONNECT evil.invalid:443 HTTP/1.1\r\nHost: evil.invalid:443\r\n\r\n")
	if status := readStatus(t, conn); status != http.StatusMethodNotAllowed {
		t.Errorf("CONNECT: status %d", status)
	}
	if api.hits.Load() != 1 {
		t.Errorf("CONNECT reached the upstream")
	}
}

func TestUpstreamPrefix(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL+"/prefix/", Config{})
	tp.do(t, http.MethodPost, genPath, goodBody, nil)
	if r := api.requests(); len(r) != 1 || r[0].path != "/prefix"+genPath {
		t.Errorf("upstream saw %+v", r)
	}
}

func TestCheckUpstream(t *testing.T) {
	for _, s := range []string{"", "ftp://x", "https://", "https://u:p@api.apixo.ai", "https://api.apixo.ai/?k=v", "api.apixo.ai"} {
		u, _ := url.Parse(s)
		if _, err := CheckUpstream(u); err == nil {
			t.Errorf("%q accepted", s)
		} else if strings.Contains(err.Error(), ":p@") {
			t.Errorf("%q: error shows the password: %v", s, err)
		}
	}
	if _, err := CheckUpstream(nil); err == nil {
		t.Error("nil accepted")
	}
}

func TestHealthzAndDraining(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{})
	if resp, b := tp.do(t, http.MethodGet, "/healthz", "", nil); resp.StatusCode != 200 || string(b) != "ok\n" {
		t.Errorf("healthz %d %q", resp.StatusCode, b)
	}
	tp.SetDraining(true)
	if resp, _ := tp.do(t, http.MethodGet, "/healthz", "", nil); resp.StatusCode != 503 {
		t.Errorf("draining healthz %d", resp.StatusCode)
	}
	if api.hits.Load() != 0 {
		t.Error("healthz was forwarded")
	}
}

func TestAuthorizationNeverLogged(t *testing.T) {
	api := newFakeAPI(t)
	tp := newTestProxy(t, api.URL, Config{MaxBodyBytes: 100})
	tp.do(t, http.MethodPost, genPath, goodBody, nil)
	tp.do(t, http.MethodPost, genPath, badBody, nil)
	tp.do(t, http.MethodPost, genPath, strings.Repeat(" ", 200), nil)
	tp.do(t, http.MethodGet, "/api/v1/statusTask/t?key=sk-query-secret", "", nil)
	api.Close()
	tp.do(t, http.MethodPost, genPath, goodBody, nil) // upstream down
	log := tp.log.String()
	if strings.Count(log, `"msg":"request"`) != 5 {
		t.Errorf("want 5 request records:\n%s", log)
	}
	for _, s := range []string{"sk-test", "never-log-me", "Authorization", "sk-query-secret"} {
		if strings.Contains(log, s) {
			t.Errorf("log contains %q:\n%s", s, log)
		}
	}
}
