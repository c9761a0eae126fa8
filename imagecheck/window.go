package imagecheck

import "hash/maphash"

// DefaultMemoryURLs is how many unique URLs a Checker remembers when
// MemoryURLs is 0: their facts (a fetch is shared by every request of the
// run that names the URL within this window) and whether their progress
// was counted. At some 500 bytes for a 60-character URL and its facts,
// about 16 MB.
const DefaultMemoryURLs = 1 << 15

// window is a map of at most max entries keyed by a URL's 64-bit hash,
// forgetting the oldest entry to make room for a new one: a million unique
// URLs cost max entries, not a million. A URL forgotten and met again is
// checked again (through the Cache, if any). Not safe for concurrent use.
type window[V any] struct {
	max  int
	m    map[uint64]V
	ring []uint64 // keys in insertion order, oldest at next once full
	next int
}

func newWindow[V any](max int) *window[V] {
	return &window[V]{max: max, m: make(map[uint64]V, min(max, 1024))}
}

func (w *window[V]) get(k uint64) (V, bool) {
	v, ok := w.m[k]
	return v, ok
}

// put sets k's value; a new key evicts the oldest once the window is full.
func (w *window[V]) put(k uint64, v V) {
	if _, ok := w.m[k]; ok {
		w.m[k] = v
		return
	}
	if len(w.ring) < w.max {
		w.ring = append(w.ring, k)
	} else {
		delete(w.m, w.ring[w.next])
		w.ring[w.next] = k
		w.next = (w.next + 1) % w.max
	}
	w.m[k] = v
}

// urlKey hashes a URL for the windows; the seed is the Checker's, so keys
// cannot be aimed at one another from outside.
func urlKey(seed maphash.Seed, rawURL string) uint64 {
	return maphash.String(seed, rawURL)
}
