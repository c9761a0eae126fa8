package runner

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// ordered runs work over the items produce yields, at most workers at once,
// and hands each result to emit in the order the items were produced. At
// most window items are in flight or waiting to be emitted, so memory is
// bounded however many items there are. An error from produce or emit, or
// ctx ending, stops the run; items already started finish first.
//
// The workers are long-lived goroutines of an errgroup (one per worker, not
// per item): a check runs deep, and a fresh goroutine per item would grow
// its stack again every time.
func ordered[T, R any](ctx context.Context, workers, window int,
	produce func(ctx context.Context, yield func(T) bool) error,
	work func(ctx context.Context, item T) R,
	emit func(R) error,
) error {
	workers, window = max(workers, 1), max(window, workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type slot struct {
		item T
		done chan struct{}
		res  R
	}
	queue := make(chan *slot, window-1) // plus the one being awaited: window
	todo := make(chan *slot)
	var pool errgroup.Group
	pool.SetLimit(workers)
	started := 0
	var produceErr error
	go func() {
		defer close(queue)
		defer close(todo)
		produceErr = produce(ctx, func(item T) bool {
			s := &slot{item: item, done: make(chan struct{})}
			select {
			case queue <- s:
			case <-ctx.Done():
				return false
			}
			// A slot in the queue is always worked on, so the emitter's
			// wait on it ends: hand it to an idle worker, or start one.
			select {
			case todo <- s:
			default:
				if started < workers {
					started++
					pool.Go(func() error {
						for s := range todo {
							s.res = work(ctx, s.item)
							close(s.done)
						}
						return nil
					})
				}
				todo <- s
			}
			return ctx.Err() == nil
		})
	}()
	var err error
	for s := range queue {
		if err != nil {
			continue // drain, so the producer can finish
		}
		<-s.done
		if err = emit(s.res); err != nil {
			cancel()
		}
	}
	_ = pool.Wait()
	if err != nil {
		return err
	}
	if produceErr != nil {
		return produceErr
	}
	return ctx.Err()
}
