package fiximage

import (
	"context"
	"testing"
)

// BenchmarkFixJPEGSearch is the common case of a photo over its limit:
// decode, then the JPEG quality search.
func BenchmarkFixJPEGSearch(b *testing.B) {
	in := jpegOf(b, noisy(512, 512))
	opt := Options{MaxBytes: int64(len(in)) / 2}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, _, err := Fix(context.Background(), in, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFixBomb is the cost of refusing a header that claims 10
// gigapixels: it must stay near nothing.
func BenchmarkFixBomb(b *testing.B) {
	in := hugePNGHeader(100_000, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Fix(context.Background(), in, Options{}); err == nil {
			b.Fatal("accepted")
		}
	}
}
