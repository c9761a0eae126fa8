package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

func TestOrdered(t *testing.T) {
	for _, tc := range []struct{ workers, window, n int }{
		{1, 1, 0}, {1, 1, 50}, {4, 8, 500}, {8, 2, 100}, {3, 100, 1000},
	} {
		t.Run(fmt.Sprintf("w%d-win%d-n%d", tc.workers, tc.window, tc.n), func(t *testing.T) {
			var inflight, peak, produced, emitted atomic.Int64
			var got []int
			err := ordered(context.Background(), tc.workers, tc.window,
				func(ctx context.Context, yield func(int) bool) error {
					for i := range tc.n {
						produced.Add(1)
						if !yield(i) {
							return nil
						}
					}
					return nil
				},
				func(_ context.Context, i int) int {
					n := inflight.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
					inflight.Add(-1)
					return i * i
				},
				func(r int) error {
					got = append(got, r)
					// Produced but not yet emitted stays within the window.
					if ahead := produced.Load() - emitted.Add(1); ahead > int64(max(tc.window, tc.workers)) {
						t.Errorf("producer ran %d items ahead, window %d", ahead, tc.window)
					}
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n {
				t.Fatalf("%d results, want %d", len(got), tc.n)
			}
			for i, r := range got {
				if r != i*i {
					t.Fatalf("result %d is %d: out of order", i, r)
				}
			}
			if peak.Load() > int64(tc.workers) {
				t.Errorf("%d workers at once, limit %d", peak.Load(), tc.workers)
			}
		})
	}
}

func TestOrderedStops(t *testing.T) {
	stop := errors.New("stop")
	var produced atomic.Int64
	err := ordered(context.Background(), 4, 8,
		func(ctx context.Context, yield func(int) bool) error {
			for i := 0; ; i++ {
				produced.Add(1)
				if !yield(i) {
					return nil
				}
			}
		},
		func(_ context.Context, i int) int { return i },
		func(r int) error {
			if r == 10 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) {
		t.Fatalf("err %v, want the emit error", err)
	}
	if n := produced.Load(); n > 10+8+2 {
		t.Errorf("produced %d items after the stop", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = ordered(ctx, 2, 2,
		func(ctx context.Context, yield func(int) bool) error {
			for i := 0; yield(i); i++ {
			}
			return nil
		},
		func(_ context.Context, i int) int { return i },
		func(int) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}
