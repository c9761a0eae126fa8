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
func ordered[T, R any](ctx context.Context, workers, window int,
	produce func(ctx context.Context, yield func(T) bool) error,
	work func(ctx context.Context, item T) R,
	emit func(R) error,
) error {
	workers, window = max(workers, 1), max(window, workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type slot struct {
		done chan struct{}
		res  R
	}
	queue := make(chan *slot, window-1) // plus the one being awaited: window
	var pool errgroup.Group
	pool.SetLimit(workers)
	var produceErr error
	go func() {
		defer close(queue)
		produceErr = produce(ctx, func(item T) bool {
			s := &slot{done: make(chan struct{})}
			select {
			case queue <- s:
			case <-ctx.Done():
				return false
			}
			pool.Go(func() error { // takes a worker before it spawns
				s.res = work(ctx, item)
				close(s.done)
				return nil
			})
			return ctx.Err() == nil
		})
	}()
	var err error
	for s := range queue {
		if err != nil {
			continue // drain, so the producer can finish
		}
		<-s.done // work always finishes; it sees ctx
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
