package fiximage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/preflight-dev/preflight/imagecheck"
)

// wan25video is the image field of wan-2-5-video as the catalog states it.
var wan25video = imagecheck.Spec{Media: "image", Formats: []string{"jpeg", "png", "bmp", "webp"},
	MinPixels: 240, MaxPixels: 8000, NoAlpha: true, MaxFileBytes: 20 << 20}

func TestFix(t *testing.T) {
	// An RGBA picture: transparent except for the red mark.
	rgba := image.NewNRGBA(image.Rect(0, 0, 120, 60))
	for y := range 30 {
		for x := range 60 {
			rgba.SetNRGBA(x, y, red)
		}
	}
	upright := marked(64, 32)

	tests := []struct {
		name       string
		in         []byte
		lazy       func() []byte // for an input too costly to build when skipped
		opt        Options
		format     string      // output format
		w, h       int         // output dimensions; 0: the input's
		limit      int64       // byte limit the output must respect
		corner     color.NRGBA // expected top-left pixel (zero: not checked)
		other      color.NRGBA // expected bottom-right pixel (zero: not checked)
		action     string      // an action that must be reported
		unchanged  bool
		skipInRace bool
	}{
		{name: "noisy PNG over 10 MB", lazy: func() []byte { return pngOf(t, noisy(1900, 1900)) }, format: "jpeg", limit: SafeImageBytes,
			action: "chose JPEG", skipInRace: true},
		{name: "TIFF", in: tiffOf(t, upright), format: "png", corner: red, other: blue, limit: SafeImageBytes},
		{name: "animated GIF keeps the first frame", in: animatedGIF(t, 64, 32), format: "png", corner: red, other: blue,
			action: "first frame", limit: SafeImageBytes},
		{name: "BMP", in: bmpOf(t, upright), format: "png", corner: red, other: blue, limit: SafeImageBytes},
		{name: "JPEG with EXIF orientation 6", in: withOrientation(jpegOf(t, imaging.Rotate90(upright)), 6),
			format: "jpeg", w: 64, h: 32, corner: red, other: blue, action: "EXIF orientation 6", limit: SafeImageBytes},
		{name: "JPEG with EXIF orientation 3", in: withOrientation(jpegOf(t, imaging.Rotate180(upright)), 3),
			format: "jpeg", w: 64, h: 32, corner: red, other: blue, action: "rotated 180°", limit: SafeImageBytes},
		{name: "RGBA PNG for a model without alpha, upscaled to 240 px", in: pngOf(t, rgba), opt: Options{Spec: wan25video},
			format: "png", w: 480, h: 240, corner: red, other: color.NRGBA{255, 255, 255, 255}, action: "flattened", limit: 20 << 20},
		{name: "too wide for 8000 px", lazy: func() []byte { return pngOf(t, marked(8800, 300)) }, opt: Options{Spec: wan25video},
			format: "png", w: 8000, h: 272, corner: red, other: blue, action: "8000 px", limit: 20 << 20, skipInRace: true},
		{name: "JPEG quality search under --max-bytes", in: jpegOf(t, noisy(300, 200)), opt: Options{MaxBytes: 60_000},
			format: "jpeg", w: 300, h: 200, limit: 60_000, action: "quality"},
		{name: "JPEG shrinks when quality is not enough", in: jpegOf(t, noisy(300, 200)), opt: Options{MaxBytes: 20_000},
			format: "jpeg", limit: 20_000, action: "to fit under 20,000 bytes"},
		{name: "PNG asked for shrinks", in: pngOf(t, noisy(200, 200)), opt: Options{Format: "png", MaxBytes: 40_000},
			format: "png", limit: 40_000, action: "to fit under 40,000 bytes"},
		{name: "a passing PNG is copied", in: pngOf(t, upright), format: "png", limit: SafeImageBytes, unchanged: true},
		{name: "WebP is rewritten", in: tinyWebP, format: "png", limit: SafeImageBytes},
		{name: "--format jpeg converts", in: pngOf(t, upright), opt: Options{Format: "jpeg"}, format: "jpeg",
			corner: red, other: blue, limit: SafeImageBytes},
		{name: "veo-3-1 takes JPEG and PNG", in: bmpOf(t, upright), opt: Options{Spec: imagecheck.Spec{Formats: []string{"jpeg", "png"}, MaxFileBytes: 10 << 20}},
			format: "png", limit: 10 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipInRace && raceEnabled {
				t.Skip("megapixel resampling under -race takes minutes; the plain run covers it")
			}
			if tt.lazy != nil {
				tt.in = tt.lazy()
			}
			out, res, err := Fix(context.Background(), tt.in, tt.opt)
			if err != nil {
				t.Fatalf("Fix: %v (actions %q)", err, res.Actions)
			}
			// The output passes the same checks a URL serving it would.
			spec := tt.opt.Spec
			v, ps := imagecheck.Evaluate(factsOf(out), spec)
			if v != imagecheck.OK {
				t.Errorf("output fails the image checks: %+v", ps)
			}
			if int64(len(out)) > tt.limit || res.After.Bytes != int64(len(out)) {
				t.Errorf("output is %d bytes (reported %d); limit %d", len(out), res.After.Bytes, tt.limit)
			}
			if res.After.Format != tt.format {
				t.Errorf("format %q, want %q", res.After.Format, tt.format)
			}
			m := decode(t, out)
			b := m.Bounds()
			if tt.w != 0 && (b.Dx() != tt.w || b.Dy() != tt.h) {
				t.Errorf("size %d×%d, want %d×%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
			if res.After.Width != b.Dx() || res.After.Height != b.Dy() {
				t.Errorf("reported %d×%d, wrote %d×%d", res.After.Width, res.After.Height, b.Dx(), b.Dy())
			}
			if s := spec; s.MinPixels > 0 && min(b.Dx(), b.Dy()) < s.MinPixels || s.MaxPixels > 0 && max(b.Dx(), b.Dy()) > s.MaxPixels {
				t.Errorf("%d×%d is outside %d..%d px", b.Dx(), b.Dy(), s.MinPixels, s.MaxPixels)
			}
			if in := decode(t, tt.in).Bounds(); tt.w == 0 && tt.unchanged && in != b {
				t.Errorf("size changed from %v to %v", in, b)
			}
			if tt.corner != (color.NRGBA{}) {
				if c := m.At(b.Min.X+2, b.Min.Y+2); !near(c, tt.corner, 40) {
					t.Errorf("top-left pixel %v, want about %v: not upright", c, tt.corner)
				}
			}
			if tt.other != (color.NRGBA{}) {
				if c := m.At(b.Max.X-3, b.Max.Y-3); !near(c, tt.other, 40) {
					t.Errorf("bottom-right pixel %v, want about %v", c, tt.other)
				}
			}
			if tt.action != "" && !slices.ContainsFunc(res.Actions, func(a string) bool { return strings.Contains(a, tt.action) }) {
				t.Errorf("actions %q lack %q", res.Actions, tt.action)
			}
			if res.Unchanged != tt.unchanged || tt.unchanged && !bytes.Equal(out, tt.in) {
				t.Errorf("unchanged = %v, want %v", res.Unchanged, tt.unchanged)
			}
		})
	}
}

func factsOf(b []byte) imagecheck.Facts {
	f := imagecheck.Sniff(b)
	f.Size, f.SizeKnown = int64(len(b)), true
	return f
}

// tinyWebP is a valid 1×1 lossless WebP; x/image has no WebP encoder.
var tinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestFixRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		opt  Options
		want error
	}{
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), Options{}, ErrUnsupported},
		{"empty", nil, Options{}, ErrUnsupported},
		{"truncated PNG", pngOf(t, marked(64, 64))[:60], Options{}, ErrUnsupported},
		{"decompression bomb", hugePNGHeader(100_000, 100_000), Options{}, ErrTooManyPixels},
		{"over a set budget", pngOf(t, marked(64, 64)), Options{MaxPixels: 64*64 - 1, Format: "jpeg"}, ErrTooManyPixels},
		{"ratio beyond 240..8000", pngOf(t, marked(9000, 100)), Options{Spec: wan25video}, ErrCannotFit},
		{"no output format allowed", pngOf(t, marked(8, 8)), Options{Spec: imagecheck.Spec{Formats: []string{"webp"}}}, ErrCannotFit},
		{"PNG of noise under 1 KB at 240 px", pngOf(t, noisy(300, 300)), Options{Spec: wan25video, Format: "png", MaxBytes: 1000}, ErrCannotFit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, res, err := Fix(context.Background(), tt.in, tt.opt)
			if !errors.Is(err, tt.want) || out != nil || res == nil {
				t.Fatalf("Fix = %d bytes, %v; want nil and %v", len(out), err, tt.want)
			}
		})
	}
}

// The pixel budget is checked before decoding: headers claiming billions
// of pixels, in each format whose header states its size, cost nothing like
// their memory.
func TestFixBombDoesNotAllocate(t *testing.T) {
	small := marked(16, 16)
	bombs := map[string][]byte{
		"PNG":  hugePNGHeader(100_000, 100_000),
		"GIF":  patch(animatedGIF(t, 16, 16), 6, le16(65535), le16(65535)),            // logical screen
		"BMP":  patch(bmpOf(t, small), 18, le32(100_000), le32(100_000)),              // BITMAPINFOHEADER
		"JPEG": patchAfter(jpegOf(t, small), "\xff\xc0", 5, be16(65000), be16(65000)), // SOF0 height, width
	}
	for name, bomb := range bombs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := Fix(context.Background(), bomb, Options{})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooManyPixels) {
			t.Errorf("%s: err = %v, want ErrTooManyPixels", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: refusing the bomb allocated %d bytes", name, n)
		}
	}
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// patch overwrites b at off with the parts, one after the other.
func patch(b []byte, off int, parts ...[]byte) []byte {
	b = bytes.Clone(b)
	for _, p := range parts {
		off += copy(b[off:], p)
	}
	return b
}

// patchAfter patches at skip bytes past the first marker.
func patchAfter(b []byte, marker string, skip int, parts ...[]byte) []byte {
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		panic("no marker " + marker)
	}
	return patch(b, i+skip, parts...)
}

func TestFixCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Fix(ctx, bmpOf(t, marked(32, 32)), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRatio(t *testing.T) {
	flux2 := []string{"1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "auto"}
	tests := []struct {
		w, h    int
		allowed []string
		want    *Ratio
	}{
		{1920, 1080, flux2, &Ratio{Image: "16:9", Match: "16:9"}},
		{1000, 700, flux2, &Ratio{Image: "10:7", Nearest: "3:2"}},
		{1921, 1080, flux2, &Ratio{Image: "16:9", Match: "16:9"}},
		{1000, 997, flux2, &Ratio{Image: "1:1", Match: "1:1"}},
		{1000, 331, flux2, &Ratio{Image: "3.02:1", Nearest: "16:9"}},
		{300, 1000, flux2, &Ratio{Image: "3:10", Nearest: "9:16"}},
		{100, 100, []string{"landscape", "portrait"}, nil},
		{100, 100, nil, nil},
	}
	for _, tt := range tests {
		got := ratioOf(tt.w, tt.h, tt.allowed)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("ratioOf(%d, %d) = %+v, want %+v", tt.w, tt.h, got, tt.want)
		}
	}
}

func TestFitPixels(t *testing.T) {
	tests := []struct {
		w, h, lo, hi int
		ww, wh       int
		err          bool
	}{
		{1000, 500, 240, 8000, 1000, 500, false},
		{100, 50, 240, 8000, 480, 240, false},
		{8800, 300, 240, 8000, 8000, 272, false},
		{16000, 9000, 240, 8000, 8000, 4500, false},
		{7, 3, 240, 0, 560, 240, false},
		{9000, 100, 240, 8000, 0, 0, true},
	}
	for _, tt := range tests {
		w, h, err := fitPixels(tt.w, tt.h, tt.lo, tt.hi)
		if w != tt.ww || h != tt.wh || (err != nil) != tt.err {
			t.Errorf("fitPixels(%d, %d, %d, %d) = %d, %d, %v; want %d, %d, err %v", tt.w, tt.h, tt.lo, tt.hi, w, h, err, tt.ww, tt.wh, tt.err)
		}
	}
}

func TestOrientation(t *testing.T) {
	jpg := jpegOf(t, marked(16, 8))
	for o := uint16(1); o <= 8; o++ {
		if got := orientation(withOrientation(jpg, o)); got != int(o) {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	for name, b := range map[string][]byte{"no EXIF": jpg, "PNG": pngOf(t, marked(4, 4)), "out of range": withOrientation(jpg, 9),
		"cut": withOrientation(jpg, 6)[:20]} {
		if got := orientation(b); got != 0 {
			t.Errorf("%s: orientation %d, want 0", name, got)
		}
	}
}
