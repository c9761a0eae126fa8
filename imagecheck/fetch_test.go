package imagecheck

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFetch(t *testing.T) {
	body := makePNG(t, 16, 16, false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok.png":
			w.Write(body)
		case "/chunked.png": // no Content-Length: the limit is counted
			w.(http.Flusher).Flush()
			w.Write(body)
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/private":
			http.Redirect(w, r, "http://10.0.0.1/x.png", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Checker{AllowHosts: []string{host}}
	ctx := context.Background()

	got, err := c.Fetch(ctx, srv.URL+"/ok.png", 1<<20)
	if err != nil || string(got) != string(body) {
		t.Fatalf("ok: %d bytes, %v; want the %d-byte body", len(got), err, len(body))
	}
	for _, path := range []string{"/ok.png", "/chunked.png"} {
		if _, err := c.Fetch(ctx, srv.URL+path, int64(len(body)-1)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s over the limit: %v, want ErrTooLarge", path, err)
		}
	}
	if got, err := c.Fetch(ctx, srv.URL+"/chunked.png", int64(len(body))); err != nil || len(got) != len(body) {
		t.Errorf("chunked at exactly the limit: %d bytes, %v", len(got), err)
	}

	kinds := map[string]ErrKind{
		srv.URL + "/missing":        ErrDownload,
		srv.URL + "/busy":           ErrTransient,
		srv.URL + "/private":        ErrNotPublic,
		"http://127.0.0.1:1/x.png":  ErrNotPublic,
		"file:///etc/passwd":        ErrNotPublic,
		"http://localhost/\x1b[31m": ErrNotPublic,
	}
	for u, want := range kinds {
		_, err := c.Fetch(ctx, u, 1<<20)
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Kind != want {
			t.Errorf("Fetch(%q) = %v, want a FetchError of kind %q", u, err, want)
			continue
		}
		if strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("Fetch(%q): error prints a raw escape: %q", u, err)
		}
	}
}
