package imagecheck

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestDirCachePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	c := &DirCache{Dir: dir}
	if err := c.Put(Facts{URL: "https://a.example.com/x.png", Format: "png", CheckedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Entries name the URLs a user checks: other users may not list them.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, %v", d, st.Mode().Perm(), err)
		}
	}
	p, _ := c.path("https://a.example.com/x.png")
	if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("entry: mode %v, %v", st.Mode().Perm(), err)
	}
}

func TestDirCacheHostileEntries(t *testing.T) {
	dir := t.TempDir()
	c := &DirCache{Dir: dir}
	const u = "https://a.example.com/x.png"
	p, _ := c.path(u)
	write := func(f Facts) {
		b, _ := sealEntry(c.secret(), f)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// An entry from the future never expires by age: treat it as stale.
	write(Facts{URL: u, Format: "png", CheckedAt: time.Now().AddDate(100, 0, 0)})
	if _, hit := c.Get(u); hit {
		t.Error("entry checked in the future served")
	}

	// An enormous entry is not read whole.
	os.Remove(p)
	f, _ := os.Create(p)
	f.Truncate(64 << 20)
	f.Close()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, hit := c.Get(u)
	runtime.ReadMemStats(&m1)
	if hit || m1.TotalAlloc-m0.TotalAlloc > 8<<20 {
		t.Errorf("64 MB entry: hit=%v, allocated %d bytes", hit, m1.TotalAlloc-m0.TotalAlloc)
	}

	// A symlink planted in the cache is not followed.
	os.Remove(p)
	target := filepath.Join(t.TempDir(), "elsewhere.json")
	b, _ := sealEntry(c.secret(), Facts{URL: u, Format: "png", CheckedAt: time.Now(), Hops: []Hop{{URL: u, Addr: "93.184.215.14:443"}}})
	os.WriteFile(target, b, 0o600)
	if err := os.Symlink(target, p); err != nil {
		t.Skip(err)
	}
	if _, hit := c.Get(u); hit {
		t.Error("symlinked entry served")
	}
}

// Facts cached by a run that allowed a private redirect target must not
// pass a later run that does not allow it.
func TestCachedRedirectRecheckedAgainstPolicy(t *testing.T) {
	target := newServer(t, serve("x.png", "", makePNG(t, 4, 4, false)))
	src := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/x.png", http.StatusFound)
	}))
	cache := &DirCache{Dir: t.TempDir()}
	first := testChecker(src, target)
	first.Cache = cache
	if r := first.Check(context.Background(), src.URL+"/a", Spec{}); r.Verdict != OK {
		t.Fatalf("first run: %v %+v", r.Verdict, r.Problems)
	}
	second := testChecker(src)
	second.Cache = cache
	r := second.Check(context.Background(), src.URL+"/a", Spec{})
	if r.Verdict == OK || r.FromCache {
		t.Errorf("second run served the cached redirect to a host it does not allow: %v fromCache=%v", r.Verdict, r.FromCache)
	}
}

func TestDirCacheConcurrentPut(t *testing.T) {
	c := &DirCache{Dir: t.TempDir()}
	const u = "https://a.example.com/x.png"
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 20 {
				c.Put(Facts{URL: u, Format: "png", Width: i, CheckedAt: time.Now(), Hops: []Hop{{URL: u}}})
				if f, hit := c.Get(u); !hit || f.Format != "png" {
					t.Errorf("torn or missing entry: %v %+v", hit, f)
					return
				}
			}
		})
	}
	wg.Wait()
	if left, _ := filepath.Glob(filepath.Join(c.Dir, ".tmp-*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}
