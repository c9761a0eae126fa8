package imagecheck

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDirCacheHitMakesNoRequest(t *testing.T) {
	s := newServer(t, serve("x.png", "", makePNG(t, 20, 20, true)))
	cache := &DirCache{Dir: t.TempDir()}
	url := s.URL + "/x.png"

	first := testChecker(s)
	first.Cache = cache
	if r := first.Check(context.Background(), url, Spec{}); r.Verdict != OK || r.FromCache {
		t.Fatalf("first run: %v fromCache=%v", r.Verdict, r.FromCache)
	}
	// A new run (new Checker) with the same cache: zero requests, and the
	// cached facts are judged against a different spec locally.
	second := testChecker(s)
	second.Cache = cache
	r := second.Check(context.Background(), url, Spec{NoAlpha: true})
	if !r.FromCache || s.requests.Load() != 1 {
		t.Fatalf("second run: fromCache=%v, server requests %d (want 1)", r.FromCache, s.requests.Load())
	}
	if rules(r.Problems) != "error:image-alpha" || r.Width != 20 {
		t.Errorf("cached facts re-judged: %+v %+v", r.Facts, r.Problems)
	}
}

func TestDirCacheTTL(t *testing.T) {
	dir := t.TempDir()
	c := &DirCache{Dir: dir, TTL: time.Hour, FailTTL: time.Minute}
	ok := Facts{URL: "https://a.example.com/x.png", Format: "png", Size: 10, SizeKnown: true, CheckedAt: time.Now().Add(-30 * time.Minute), Hops: []Hop{{URL: "https://a.example.com/x.png"}}}
	failed := Facts{URL: "https://b.example.com/x.png", ErrKind: ErrDownload, Err: "HTTP 404", CheckedAt: time.Now().Add(-30 * time.Minute), Hops: []Hop{{URL: "https://b.example.com/x.png"}}}
	for _, f := range []Facts{ok, failed} {
		if err := c.Put(f); err != nil {
			t.Fatal(err)
		}
	}
	if got, hit := c.Get(ok.URL); !hit || got.Format != "png" {
		t.Errorf("fresh success: hit=%v %+v", hit, got)
	}
	if _, hit := c.Get(failed.URL); hit {
		t.Error("failure older than FailTTL was served")
	}
	if _, hit := c.Get("https://c.example.com/"); hit {
		t.Error("miss reported as hit")
	}
	// Corrupt entries are misses, not errors.
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, e := range entries {
		os.WriteFile(e, []byte("{not json"), 0o644)
	}
	if _, hit := c.Get(ok.URL); hit {
		t.Error("corrupt entry served")
	}
	// Negative FailTTL: failures are never written.
	nf := &DirCache{Dir: t.TempDir(), FailTTL: -1}
	nf.Put(Facts{URL: "https://d.example.com/", ErrKind: ErrTransient, CheckedAt: time.Now(), Hops: []Hop{{URL: "https://d.example.com/"}}})
	if _, hit := nf.Get("https://d.example.com/"); hit {
		t.Error("failure cached despite negative FailTTL")
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	d, err := DefaultCacheDir()
	if err != nil {
		t.Skip("no user cache dir:", err)
	}
	if filepath.Base(filepath.Dir(d)) != "preflight" {
		t.Errorf("DefaultCacheDir = %q, want …/preflight/imagecheck", d)
	}
}
