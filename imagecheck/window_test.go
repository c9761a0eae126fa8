package imagecheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

func TestWindow(t *testing.T) {
	w := newWindow[int](3)
	for k := range uint64(5) {
		w.put(k, int(k))
	}
	if len(w.m) != 3 || len(w.ring) != 3 {
		t.Fatalf("%d entries, %d in the ring, want 3", len(w.m), len(w.ring))
	}
	for k := range uint64(5) {
		_, ok := w.get(k)
		if want := k >= 2; ok != want {
			t.Errorf("key %d kept %v, want %v (the oldest go first)", k, ok, want)
		}
	}
	w.put(3, 30) // an update keeps its place
	w.put(5, 5)
	if v, ok := w.get(3); !ok || v != 30 {
		t.Errorf("updated key: %d %v", v, ok)
	}
	if _, ok := w.get(2); ok {
		t.Errorf("key 2 kept past a full window")
	}
}

// fakeImages answers every request with one small PNG, with no network.
type fakeImages struct{ png []byte }

func (f fakeImages) RoundTrip(r *http.Request) (*http.Response, error) {
	h := http.Header{"Content-Type": {"image/png"}, "Content-Length": {strconv.Itoa(len(f.png))}}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, ContentLength: int64(len(f.png)),
		Body: io.NopCloser(bytes.NewReader(f.png)), Request: r}, nil
}

// heapAfterGC is the live heap.
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A run of a million unique URLs keeps what it remembers to MemoryURLs of
// them: after the first windows the live heap stays put, where a map of
// every URL grew it by about a hundred bytes per URL. These are refused
// before any fetch (private addresses: the offline path), which is all
// the progress counts see; TestFetchedURLsBoundedMemory fetches.
func TestMillionURLsBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a million checks")
	}
	const window = 4096
	n := 1_000_000
	if raceEnabled {
		n = 50_000
	}
	c := &Checker{MemoryURLs: window}
	ctx := context.Background()
	var base uint64
	for i := range n {
		u := fmt.Sprintf("http://10.%d.%d.%d/img.png", i>>16&255, i>>8&255, i&255)
		if r := c.Check(ctx, u, Spec{Media: "image"}); r.Verdict != Failed {
			t.Fatalf("%s: %v %+v", u, r.Verdict, r.Problems)
		}
		if i == 2*window {
			base = heapAfterGC()
		}
	}
	grown := int64(heapAfterGC()) - int64(base)
	t.Logf("%d unique URLs, window %d: live heap grew %d bytes after the first two windows", n, window, grown)
	if grown > 1<<20 {
		t.Errorf("live heap grew %d bytes over %d URLs: memory follows the run, not the window", grown, n)
	}
	if st := c.Stats(); st.Seen != n || st.Done != n {
		t.Errorf("stats %+v, want %d seen and done", st, n)
	}
}

// Fetched URLs too: their facts are remembered for the window and then
// forgotten, one host each (hosts leave the per-host map with their last
// fetch). The fetches are answered by a fake transport: public IP
// literals, nothing resolved, nothing dialled. A URL met again within the
// window is not fetched again; past it, it is.
func TestFetchedURLsBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of fetches")
	}
	const window = 512
	n := 10_000
	if raceEnabled {
		n = 3_000
	}
	fetches := 0
	png := makePNG(t, 2, 2, false)
	c := &Checker{MemoryURLs: window, Client: &http.Client{Transport: countingTransport{fakeImages{png}, &fetches}}}
	ctx := context.Background()
	url := func(i int) string { return fmt.Sprintf("https://8.%d.%d.%d/img/%d.png", i>>16&255, i>>8&255, i&255, i) }
	var base uint64
	for i := range n {
		r := c.Check(ctx, url(i), Spec{Media: "image"})
		if r.Verdict != OK {
			t.Fatalf("%s: %v %+v", url(i), r.Verdict, r.Problems)
		}
		if i == 2*window {
			base = heapAfterGC()
		}
	}
	grown := int64(heapAfterGC()) - int64(base)
	t.Logf("%d unique fetched URLs, window %d: live heap grew %d bytes after the first two windows", n, window, grown)
	if grown > 512<<10 {
		t.Errorf("live heap grew %d bytes over %d URLs: memory follows the run, not the window", grown, n)
	}
	if st := c.Stats(); st.Seen != n || st.Done != n || fetches != n || len(c.hostSem) != 0 {
		t.Errorf("stats %+v, %d fetches, %d hosts held; want %d, %d, 0", st, fetches, len(c.hostSem), n, n)
	}
	before := fetches
	c.Check(ctx, url(n-1), Spec{Media: "image"})
	if fetches != before {
		t.Errorf("a URL of the window was fetched again")
	}
	c.Check(ctx, url(0), Spec{Media: "image"})
	if fetches != before+1 || c.Stats().Seen != n+1 {
		t.Errorf("a forgotten URL: %d fetches (want %d), stats %+v", fetches, before+1, c.Stats())
	}
}

type countingTransport struct {
	next http.RoundTripper
	n    *int
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	*c.n++ // Check runs one URL at a time here
	return c.next.RoundTrip(r)
}
