package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Timeouts bound every connection of the gateway; zero values are the
// defaults below. Slow-loris clients are cut off by ReadHeader and Read.
type Timeouts struct {
	// ReadHeader bounds reading the request headers (default 10 s).
	ReadHeader time.Duration
	// Read bounds reading the whole request, body included (default 60 s).
	Read time.Duration
	// Write bounds the response, from the end of the request headers:
	// the check and the upstream's answer included (default 120 s).
	Write time.Duration
	// Idle bounds a keep-alive connection between requests (default 120 s).
	Idle time.Duration
	// Shutdown bounds the wait for in-flight requests once shutdown begins
	// (default 30 s); requests still running then are cut.
	Shutdown time.Duration
}

// maxHeaderBytes bounds request headers: the API needs a few hundred bytes.
const maxHeaderBytes = 64 << 10

// Serve serves h on ln until ctx is done, then shuts down gracefully: the
// listener closes (new connections are refused), /healthz answers 503 if h
// is a *Proxy, and in-flight requests get up to t.Shutdown to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, t Timeouts, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cmpOr(t.ReadHeader, 10*time.Second),
		ReadTimeout:       cmpOr(t.Read, 60*time.Second),
		WriteTimeout:      cmpOr(t.Write, 120*time.Second),
		IdleTimeout:       cmpOr(t.Idle, 120*time.Second),
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("proxy: serve: %w", err)
	case <-ctx.Done():
	}
	if p, ok := h.(*Proxy); ok {
		p.SetDraining(true)
	}
	log.Info("shutting down: refusing new connections, finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), cmpOr(t.Shutdown, 30*time.Second))
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		return fmt.Errorf("proxy: serve: %w", serr)
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("proxy: shutdown: requests still running after %s were cut: %w", cmpOr(t.Shutdown, 30*time.Second), err)
	}
	log.Info("shut down")
	return nil
}
