package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/validate"
)

// OnInputRead fires only once every request's URLs reached the checker,
// so a progress total shown from then on never grows. The server holds
// every fetch until OnInputRead has fired: no URL finishes first, and the
// URLs counted at that moment are all there will ever be.
func TestInputReadAfterURLsHanded(t *testing.T) {
	const files = 8
	released := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-released:
		case <-r.Context().Done():
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	chk := &imagecheck.Checker{AllowHosts: []string{strings.TrimPrefix(srv.URL, "http://")}, Timeout: 5 * time.Second}
	chk.OnExpect = URLsHanded

	dir := t.TempDir()
	var paths []string
	for i := range files {
		p := filepath.Join(dir, fmt.Sprintf("r%d.json", i))
		body := fmt.Sprintf(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"a fox","image_urls":["%s/%d-a.png","%s/%d-b.png"]}}`, srv.URL, i, srv.URL, i)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var calls atomic.Int32
	seenAtRead := -1
	r := &Runner{Validator: &validate.Validator{Network: chk, AllowHosts: chk.AllowHosts}, Workers: files, BatchLines: 1}
	r.OnInputRead = func() {
		if calls.Add(1) == 1 {
			seenAtRead = chk.Stats().Seen
			close(released)
		}
	}
	err := r.Run(context.Background(), paths, nil, "", func(res Result) error { return res.Err })
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("OnInputRead called %d times", calls.Load())
	}
	if seenAtRead != 2*files {
		t.Errorf("OnInputRead with %d URLs known, want all %d", seenAtRead, 2*files)
	}
	if st := chk.Stats(); st.Seen != 2*files || st.Done != 2*files {
		t.Errorf("stats %+v, want %d seen and done", st, 2*files)
	}
}

// Without the checker's hook wired, OnInputRead still fires, once every
// unit was checked, and URLsHanded outside a run does nothing.
func TestInputReadWithoutHook(t *testing.T) {
	URLsHanded(context.Background())
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	if err := os.WriteFile(p, []byte(`{"model":"nano-banana","input":{"prompt":"x"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	r := &Runner{OnInputRead: func() { calls.Add(1) }}
	if err := r.Run(context.Background(), []string{p, p}, nil, "", func(Result) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Errorf("OnInputRead called %d times, want 1", calls.Load())
	}
}
