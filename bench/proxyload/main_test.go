package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs a tiny load test with the proxy in this process, so
// `make test` keeps the harness working: all its correctness checks apply.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	o := options{conns: []int{8}, requests: 200, rounds: 1, doomed: 0.2, phaseTimeout: 30 * time.Second}
	res, err := run(ctx, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tab := res.table(o)
	// The proxy's /metrics answered: its upstream connections are counted.
	if !strings.Contains(tab, "| 8 |") || !strings.Contains(tab, "| 40 / 160 |") || strings.Contains(tab, "| n/a |") {
		t.Errorf("table:\n%s", tab)
	}
	t.Log("\n" + tab)
}

func TestBodies(t *testing.T) {
	bs := bodies(100, 0.1, "t")
	doomed, seen := 0, map[string]bool{}
	for _, b := range bs {
		if b.doomed {
			doomed++
		}
		if seen[string(b.b)] {
			t.Fatalf("duplicate body %s", b.b)
		}
		seen[string(b.b)] = true
	}
	if doomed != 10 {
		t.Errorf("%d doomed of 100, want 10", doomed)
	}
}
