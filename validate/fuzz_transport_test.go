package validate_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// FuzzNewTransport sends any body, path and declared length through the
// transport: it never panics, and either refuses with the API's error
// envelope (which parses back, with the finding it names) or passes the
// exact bytes on, declared at their true length.
func FuzzNewTransport(f *testing.F) {
	for _, s := range []struct {
		path, body string
		lie        int8
	}{
		{"/api/v1/generateTask/flux-2", `{"input":{"prompt":"a red fox in snow"}}`, 0},
		{"/api/v1/generateTask/flux-2", `{"input":{"prompt":""}}`, 0},
		{"/api/v1/generateTask/no-such-model", `{}`, 0},
		{"/api/v1/generateTask/flux-2", `{"input":{"prompt":"a red fox in snow"}}`, 5},
		{"/api/v1/generateTask/flux-2", `{"input":`, -3},
		{"/api/v1/generateTask/", `[]`, 0},
		{"/api/v1/other", `{"model":1}`, 0},
		{"/generateTask/%2F", "\xef\xbb\xbf{}", -1},
	} {
		f.Add(s.path, []byte(s.body), s.lie)
	}
	f.Fuzz(func(t *testing.T, path string, body []byte, lie int8) {
		var got []byte
		var gotLen int64
		forwarded := false
		next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			forwarded = true
			gotLen = r.ContentLength
			if r.Body != nil {
				got, _ = io.ReadAll(io.LimitReader(r.Body, int64(len(body))+1))
			}
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
		})
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Path = path
		req.ContentLength = int64(len(body)) + int64(lie)
		// Only POST .../generateTask/{model} with a body is checked
		// (http.NewRequest makes an empty body http.NoBody).
		i := strings.LastIndexByte(path, '/')
		checked := i >= 0 && i < len(path)-1 && strings.HasSuffix(path[:i], "/generateTask") && req.Body != http.NoBody
		resp, err := validate.NewTransport(next).RoundTrip(req)
		if err != nil {
			if !checked || lie <= 0 {
				// Only a body shorter than its declared length fails to read.
				t.Fatalf("path %q, %d bytes declared %d: %v", path, len(body), req.ContentLength, err)
			}
			return
		}
		defer resp.Body.Close()
		if forwarded {
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("forwarded, then status %d", resp.StatusCode)
			}
			if checked && req.ContentLength > 0 && (!bytes.Equal(got, body) || gotLen != int64(len(body))) {
				t.Fatalf("path %q: sent %q (length %d), want %q", path, got, gotLen, body)
			}
			return
		}
		if resp.Header.Get("X-Preflight") != "rejected" || (resp.StatusCode != 400 && resp.StatusCode != 404) {
			t.Fatalf("not forwarded, yet status %d, X-Preflight %q", resp.StatusCode, resp.Header.Get("X-Preflight"))
		}
		var env struct {
			Code int `json:"code"`
			Data struct {
				Findings []validate.Finding `json:"findings"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Code != resp.StatusCode || len(env.Data.Findings) == 0 {
			t.Fatalf("rejection %+v does not parse back: %v", env, err)
		}
	})
}
