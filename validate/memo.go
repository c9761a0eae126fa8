package validate

import "sync"

// memo remembers the results of a pure function of a small key. Batches
// repeat the same envelope and the same reference URLs across thousands of
// requests; remembering their verdicts keeps url.Parse and validator/v10's
// reflection off the per-request path. It is bounded: when full it starts
// over, which costs only recomputation.
type memo[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
}

func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *memo[K, V]) put(k K, v V) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[K]V, 64)
	}
	c.m[k] = v
	c.mu.Unlock()
}
