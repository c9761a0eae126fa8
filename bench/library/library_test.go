package library

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/preflight-dev/preflight/bench/internal/coldbody"
	"github.com/preflight-dev/preflight/validate"
)

// floor is the least any JSON validator must do: read every token of the
// body once. One decoder and one reader are reused, so the pass allocates
// nothing per body.
type floor struct {
	r   bytes.Reader
	dec *jsontext.Decoder
}

func newFloor() *floor {
	f := &floor{}
	f.dec = jsontext.NewDecoder(&f.r)
	return f
}

// pass reads body to its end and returns the number of tokens.
func (f *floor) pass(body []byte) (int, error) {
	f.r.Reset(body)
	f.dec.Reset(&f.r)
	n := 0
	for {
		if _, err := f.dec.ReadToken(); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		n++
	}
}

// TestBodies checks what the benchmarks rest on: the bodies are 921 bytes,
// valid for preflight, different each time, and the floor reads all of them.
func TestBodies(t *testing.T) {
	ctx := context.Background()
	src := coldbody.New()
	f := newFloor()
	seen := map[string]bool{}
	for range 100 {
		body := src.Next()
		if len(body) != coldbody.Size {
			t.Fatalf("body is %d bytes, want %d", len(body), coldbody.Size)
		}
		if seen[string(body)] {
			t.Fatalf("body repeated: %s", body)
		}
		seen[string(body)] = true
		rep, err := validate.Request(ctx, "", body)
		if err != nil || len(rep.Findings) != 0 {
			t.Fatalf("want a clean request, got %v %v\n%s", err, rep.Findings, body)
		}
		if n, err := f.pass(body); err != nil || n < 30 {
			t.Fatalf("floor read %d tokens, err %v", n, err)
		}
	}
	if n, err := f.pass([]byte(`{"a":[1,`)); err == nil {
		t.Errorf("floor accepted a truncated body (%d tokens)", n)
	}
	if !bytes.Equal(coldbody.Copy(7), coldbody.Copy(7)) || bytes.Equal(coldbody.Copy(7), coldbody.Copy(8)) {
		t.Error("Copy is not a function of its counter")
	}
}

// BenchmarkLibrary is the first row of issue 9's table. Compare ns/op of
// cold with floor (the ratio), allocs/op of cold, and warm beside cold.
func BenchmarkLibrary(b *testing.B) {
	ctx := context.Background()
	b.Run("floor", func(b *testing.B) {
		src, f := coldbody.New(), newFloor()
		b.SetBytes(coldbody.Size)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.pass(src.Next()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		src := coldbody.New()
		b.SetBytes(coldbody.Size)
		b.ReportAllocs()
		for b.Loop() {
			rep, err := validate.Request(ctx, "", src.Next())
			if err != nil || len(rep.Findings) != 0 {
				b.Fatal(err, rep.Findings)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		body := coldbody.Copy(1)
		b.SetBytes(coldbody.Size)
		b.ReportAllocs()
		for b.Loop() {
			rep, err := validate.Request(ctx, "", body)
			if err != nil || len(rep.Findings) != 0 {
				b.Fatal(err, rep.Findings)
			}
		}
	})
}
