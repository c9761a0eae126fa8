package fiximage

import (
	"bytes"
	"context"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/preflight-dev/preflight/imagecheck"
)

// FuzzFix feeds untrusted bytes to the decoder entry. Whatever the bytes,
// Fix must not panic, must keep to its pixel budget, and anything it
// returns must pass the image checks under the limit.
func FuzzFix(f *testing.F) {
	small := marked(16, 8)
	for _, seed := range [][]byte{
		pngOf(f, small), jpegOf(f, small), tiffOf(f, small), bmpOf(f, small), animatedGIF(f, 8, 8), tinyWebP,
		withOrientation(jpegOf(f, small), 6), hugePNGHeader(1<<20, 1<<20), []byte("<svg></svg>"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opt := Options{MaxPixels: 1 << 16, MaxBytes: 1 << 20}
		out, res, err := Fix(context.Background(), data, opt)
		if res == nil {
			t.Fatal("nil Result")
		}
		if err != nil {
			if out != nil {
				t.Fatalf("output with error %v", err)
			}
			return
		}
		if int64(len(out)) > opt.MaxBytes {
			t.Fatalf("%d bytes over the %d limit", len(out), opt.MaxBytes)
		}
		if v, ps := imagecheck.Evaluate(factsOf(out), imagecheck.Spec{MaxFileBytes: opt.MaxBytes}); v != imagecheck.OK {
			t.Fatalf("output fails the checks: %+v", ps)
		}
		if _, err := imaging.Decode(bytes.NewReader(out)); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
	})
}

func FuzzOrientation(f *testing.F) {
	f.Add(withOrientation(jpegOf(f, marked(4, 4)), 6))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := orientation(data); o < 0 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
