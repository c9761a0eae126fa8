// Command latency is a loopback media server for the network benchmark: it
// answers every path with a small valid image after a fixed delay, counts
// the requests, and stops itself after -max (so a forgotten one never
// lingers).
//
//	go run ./bench/latency -addr 127.0.0.1:0 -delay 100ms [-addr-file F]
//
// It prints "listening on http://HOST:PORT" on stdout (and writes the
// address to -addr-file if set). GET /__count returns the number of media
// requests served so far; GET /__reset sets it to zero.
//
// Paths ending in .jpg or .jpeg get a JPEG, everything else a PNG (RGB, no
// alpha). With -hosts N it also listens on the next N-1 loopback addresses
// (127.0.0.2, ...) on the same port, to spread URLs over hosts the way a
// batch spreads over CDNs. Both images are 512x512, inside every model's pixel limits. Range
// requests are honoured (http.ServeContent), as the prober asks for the
// first bytes only.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		addr     = flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
		delay    = flag.Duration("delay", 100*time.Millisecond, "delay before every media answer")
		maxRun   = flag.Duration("max", 10*time.Minute, "stop after this long")
		addrFile = flag.String("addr-file", "", "write the listen address (host:port) to this file")
		size     = flag.Int("size", 512, "image side in pixels")
		hosts    = flag.Int("hosts", 1, "also listen on the next N-1 loopback addresses (127.0.0.2, ...) on the same port, so URLs can be spread over hosts")
	)
	flag.Parse()
	if err := run(*addr, *delay, *maxRun, *addrFile, *size, *hosts); err != nil {
		log.Fatal("latency: ", err)
	}
}

func images(side int) (pngData, jpegData []byte, err error) {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	// An opaque RGBA encodes as RGB PNG (no alpha channel).
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		return nil, nil, err
	}
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 70}); err != nil {
		return nil, nil, err
	}
	return p.Bytes(), j.Bytes(), nil
}

func run(addr string, delay, maxRun time.Duration, addrFile string, side, hosts int) error {
	pngData, jpegData, err := images(side)
	if err != nil {
		return err
	}
	var count atomic.Int64
	start := time.Now()
	mux := http.NewServeMux()
	mux.HandleFunc("/__count", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, count.Load())
	})
	mux.HandleFunc("/__reset", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, count.Swap(0))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		data, ctype := pngData, "image/png"
		p := strings.ToLower(r.URL.Path)
		if strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".jpeg") {
			data, ctype = jpegData, "image/jpeg"
		}
		w.Header().Set("Content-Type", ctype)
		http.ServeContent(w, r, "", start, bytes.NewReader(data))
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	host := ln.Addr().String()
	lns := []net.Listener{ln}
	if hosts > 1 {
		ip := ln.Addr().(*net.TCPAddr).IP.To4()
		port := ln.Addr().(*net.TCPAddr).Port
		if ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("-hosts needs an IPv4 loopback -addr")
		}
		for k := 1; k < hosts; k++ {
			next := net.IPv4(ip[0], ip[1], ip[2], ip[3]+byte(k))
			l, err := net.Listen("tcp", net.JoinHostPort(next.String(), fmt.Sprint(port)))
			if err != nil {
				return err
			}
			lns = append(lns, l)
		}
	}
	if addrFile != "" {
		if err := os.WriteFile(addrFile+".tmp", []byte(host+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(addrFile+".tmp", addrFile); err != nil {
			return err
		}
	}
	fmt.Printf("listening on http://%s\n", host)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, maxRun)
	defer cancel()
	go func() {
		<-ctx.Done()
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		_ = srv.Shutdown(sctx)
	}()
	errc := make(chan error, len(lns))
	for _, l := range lns {
		go func() { errc <- srv.Serve(l) }()
	}
	for range lns {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "latency: stopped after %s, %d requests\n", time.Since(start).Round(time.Millisecond), count.Load())
	return nil
}
