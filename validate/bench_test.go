package validate_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// The benchmarks here are the per-call budget of issue 6 (a typical ~1 KB
// valid request under 5 us and 10 allocations) and the engine's throughput
// over a JSONL stream. They never assert timing: CI runs them once with
// -benchtime=1x so they keep compiling and passing. For numbers:
//
//	go test -run '^$' -bench . -benchmem -count 10 ./validate/ | tee new.txt
//	benchstat old.txt new.txt

// benchTypical is a ~1 KB valid request with non-ASCII in the prompt, two
// reference images, a callback and four optional fields.
var benchTypical = []byte(`{
  "model": "seedream-4-5",
  "request_type": "callback",
  "callback_url": "https://hooks.example.com/apixo/done?job=8f3a2c",
  "provider": "auto",
  "input": {
    "mode": "image-to-image",
    "prompt": "A quiet harbour town at dawn, fishing boats resting on glassy water, soft pastel sky with thin clouds, gulls circling the lighthouse, warm light on whitewashed houses with blue shutters, morning mist drifting over the hills behind the town, cinematic composition, shallow depth of field, 35mm film look, gentle grain, rich but natural colours, highly detailed reflections in the water, a lone fisherman coiling rope on the pier, crates of fresh catch stacked beside him, a cat watching from a bollard. 港の朝、漁船が静かな水面に浮かぶ。 🌅",
    "image_urls": ["https://images.example.com/ref/harbour-01.jpg", "https://images.example.com/ref/harbour-02.png"],
    "aspect_ratio": "16:9",
    "resolution": "2K",
    "max_images": 2,
    "sequential_image_generation": "disabled"
  }
}`)

// benchInvalid is the same request with five realistic mistakes: enum case,
// wrong type, out of range, an unknown field and a typo in the envelope.
var benchInvalid = []byte(`{
  "model": "seedream-4-5",
  "request_type": "Callback",
  "callback_url": "https://hooks.example.com/apixo/done?job=8f3a2c",
  "input": {
    "mode": "image-to-image",
    "prompt": "A quiet harbour town at dawn, fishing boats resting on glassy water, soft pastel sky with thin clouds, gulls circling the lighthouse, warm light on whitewashed houses with blue shutters, morning mist drifting over the hills behind the town, cinematic composition, shallow depth of field, 35mm film look, gentle grain. 港の朝。",
    "image_urls": ["https://images.example.com/ref/harbour-01.jpg"],
    "aspect_ratio": "16:9",
    "resolution": "2k",
    "max_images": "2",
    "sequential_image_generation": "disabled",
    "seed": 42
  }
}`)

// benchShort is a minimal valid request, for the fixed cost of a call.
var benchShort = []byte(`{"model":"nano-banana","input":{"prompt":"a red fox in fresh snow"}}`)

func BenchmarkRequestTypical(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		body []byte
	}{
		{"valid-1KB", benchTypical},
		{"valid-short", benchShort},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rep, err := validate.Request(ctx, "", bc.body)
			if err != nil || len(rep.Findings) != 0 {
				b.Fatalf("want a clean request, got %v %v", err, rep.Findings)
			}
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = validate.Request(ctx, "", bc.body)
			}
		})
	}
}

func BenchmarkRequestInvalid(b *testing.B) {
	ctx := context.Background()
	rep, err := validate.Request(ctx, "", benchInvalid)
	if err != nil || rep.Errors() < 3 {
		b.Fatalf("want several errors, got %v %v", err, rep.Findings)
	}
	b.SetBytes(int64(len(benchInvalid)))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = validate.Request(ctx, "", benchInvalid)
	}
}

// BenchmarkParse is the document pass alone: the typical body wrapped in an
// array parses in full and then stops at request-not-object, before any
// model rule runs (one finding is built).
func BenchmarkParse(b *testing.B) {
	body := append(append([]byte("["), benchTypical...), ']')
	ctx := context.Background()
	rep, _ := validate.Request(ctx, "", body)
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "request-not-object" {
		b.Fatalf("want one request-not-object finding, got %v", rep.Findings)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = validate.Request(ctx, "", body)
	}
}

// coldBodies returns n variants of benchTypical, each with its own callback
// URL and reference URLs, so no per-value cache can help: the library cold
// path (issue 9), for bodies a service sees once.
func coldBodies(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b := bytes.Replace(benchTypical, []byte("job=8f3a2c"), fmt.Appendf(nil, "job=%06x", i), 1)
		b = bytes.Replace(b, []byte("harbour-01"), fmt.Appendf(nil, "h%08d", i), 1)
		b = bytes.Replace(b, []byte("harbour-02"), fmt.Appendf(nil, "k%08d", i), 1)
		out[i] = b
	}
	return out
}

// BenchmarkRequestCold checks bodies never seen before (distinct URLs and
// callback each); BenchmarkRequestTypical is the warm figure beside it.
func BenchmarkRequestCold(b *testing.B) {
	ctx := context.Background()
	bodies := coldBodies(1 << 14)
	for _, body := range bodies[:4] {
		if rep, err := validate.Request(ctx, "", body); err != nil || len(rep.Findings) != 0 {
			b.Fatalf("want a clean request, got %v %v", err, rep.Findings)
		}
	}
	b.SetBytes(int64(len(bodies[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = validate.Request(ctx, "", bodies[i&(len(bodies)-1)])
		i++
	}
}
