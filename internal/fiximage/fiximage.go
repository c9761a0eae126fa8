// Package fiximage rewrites an image so that an APIXO model's image field
// accepts it: JPEG or PNG, upright, within the field's pixel bounds, without
// alpha where alpha is refused, and under the byte limit, with the least
// loss it can find. It checks what it wrote with package imagecheck, the
// same checks the linter runs on a URL, before it reports success.
//
// It serves `preflight fix-image`; the catalog lookup stays in the CLI, so
// this package only knows an imagecheck.Spec.
package fiximage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // first frame of a GIF
	"image/jpeg"
	"image/png"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/internal/digits"
)

// DefaultMaxPixels is the decode budget when Options.MaxPixels is 0:
// 100 megapixels, about 400 MB as 8-bit RGBA and twice that while a copy
// is made. The largest image any model accepts is 8000×8000 (64 MP).
const DefaultMaxPixels = 100_000_000

// SafeImageBytes is the target when neither the field nor the caller names a
// byte limit: the docs' "10 MB" may mean 10,000,000 or 10,485,760 bytes, and
// only the smaller passes under both readings.
const SafeImageBytes = imagecheck.ImageAmbiguousBytes

// JPEG qualities the search moves between: it takes the highest quality in
// [minQuality, maxQuality] that fits; below minQuality it shrinks the image
// instead, encoded at resizeQuality, since blocking artefacts then cost more
// than pixels do.
const (
	maxQuality    = 95
	minQuality    = 70
	resizeQuality = 85
)

// Errors Fix returns, wrapped with detail.
var (
	ErrUnsupported   = errors.New("not an image fix-image can read")
	ErrTooManyPixels = errors.New("image is above the pixel budget")
	ErrCannotFit     = errors.New("no image within the field's bounds fits")
)

// Options say what to produce. The zero value targets the API's defaults
// for an image field: JPEG, PNG or WebP accepted, 10 MB.
type Options struct {
	// Spec is what the target field accepts; its MaxFileBytes, pixel
	// bounds, NoAlpha and Formats are honoured.
	Spec imagecheck.Spec
	// Format is "jpeg", "png" or "" to choose: PNG for lossless sources
	// unless it does not fit and JPEG would, JPEG for lossy ones.
	Format string
	// MaxBytes caps the output below the field's limit; 0 means the
	// field's limit, or SafeImageBytes when it states none.
	MaxBytes int64
	// MaxPixels is the largest width×height decoded; 0 means
	// DefaultMaxPixels. It is checked from the header, before decoding.
	MaxPixels int64
	// AspectRatios are the model's aspect_ratio values, to say which is
	// nearest to the image's shape; values that are not "W:H" are skipped.
	AspectRatios []string
}

// Info describes one image file.
type Info struct {
	Format   string `json:"format"`
	Bytes    int64  `json:"bytes"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	HasAlpha bool   `json:"hasAlpha"`
}

func (i Info) String() string {
	if i.Width == 0 || i.Height == 0 {
		return fmt.Sprintf("%s, %s bytes", strings.ToUpper(i.Format), digits.Commas(i.Bytes))
	}
	return fmt.Sprintf("%s %d×%d, %s bytes", strings.ToUpper(i.Format), i.Width, i.Height, digits.Commas(i.Bytes))
}

// Ratio is the output's shape against the model's aspect_ratio values.
type Ratio struct {
	Image   string `json:"image"`             // the image's ratio, reduced ("16:9") or to 1 ("1.78:1")
	Match   string `json:"match,omitempty"`   // the allowed value of the same shape (within 1%)
	Nearest string `json:"nearest,omitempty"` // the closest allowed value, when none matches
}

// Result is what Fix did and what the checks say about its output.
type Result struct {
	Before    Info     `json:"before"`
	After     *Info    `json:"after,omitempty"`   // nil until an image was written
	Limit     int64    `json:"limit"`             // the byte limit aimed for
	Quality   int      `json:"quality,omitempty"` // JPEG quality written
	Unchanged bool     `json:"unchanged"`         // the input already passed and was copied as it was
	Actions   []string `json:"actions"`           // what was done, in order
	Ratio     *Ratio   `json:"aspectRatio,omitempty"`
	// Problems are the image checks' findings on the written bytes; Fix
	// returns an error when one of them is an error.
	Problems []imagecheck.Problem `json:"problems"`
}

// Fix reads an image in any format imagecheck sniffs and decodes (JPEG,
// PNG, WebP, GIF's first frame, BMP, TIFF) and returns the bytes of one the
// field accepts, with what it did. On error the Result holds what was
// learned and done before it.
func Fix(ctx context.Context, data []byte, opt Options) ([]byte, *Result, error) {
	res := &Result{Limit: opt.limit(), Actions: []string{}, Problems: []imagecheck.Problem{}}
	in := imagecheck.Sniff(data)
	res.Before = Info{Format: in.Format, Bytes: int64(len(data)), Width: in.Width, Height: in.Height, HasAlpha: in.HasAlpha}
	switch in.Format {
	case "jpeg", "png", "webp", "gif", "bmp", "tiff":
	case "", "unknown":
		return nil, res, fmt.Errorf("%w: unrecognised bytes", ErrUnsupported)
	default:
		return nil, res, fmt.Errorf("%w: %s (readable: JPEG, PNG, WebP, GIF, BMP, TIFF)", ErrUnsupported, strings.ToUpper(in.Format))
	}
	if opt.Format != "" && opt.Format != "jpeg" && opt.Format != "png" {
		return nil, res, fmt.Errorf("unknown output format %q (want jpeg or png)", opt.Format)
	}
	spec := opt.Spec
	spec.MaxFileBytes = res.Limit
	formats := allowedOutputs(spec, opt.Format)
	if len(formats) == 0 {
		return nil, res, fmt.Errorf("%w: the field accepts %s, and fix-image writes only JPEG or PNG", ErrCannotFit, strings.ToUpper(strings.Join(specFormats(spec), ", ")))
	}

	// The header alone says how much a decode would allocate.
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, res, fmt.Errorf("%w: %s header: %v", ErrUnsupported, strings.ToUpper(in.Format), err)
	}
	budget := opt.MaxPixels
	if budget <= 0 {
		budget = DefaultMaxPixels
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > budget || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, res, fmt.Errorf("%w: %d×%d is %s pixels; the budget is %s", ErrTooManyPixels, cfg.Width, cfg.Height, digits.Commas(px), digits.Commas(budget))
	}

	orient := orientation(data)
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, res, fmt.Errorf("%w: decode %s: %v", ErrUnsupported, strings.ToUpper(in.Format), err)
	}
	// Least loss is none: a file that decodes and already passes is copied.
	if (in.Format == "jpeg" || in.Format == "png") && orient <= 1 && slices.Contains(formats, in.Format) {
		if ps, ok := verify(data, spec); ok && len(ps) == 0 {
			before := res.Before
			res.After, res.Unchanged, res.Problems = &before, true, ps
			res.Actions = append(res.Actions, "none: the image already passes; copied unchanged")
			res.Ratio = ratioOf(in.Width, in.Height, opt.AspectRatios)
			return data, res, nil
		}
	}

	if orient > 1 {
		res.Actions = append(res.Actions, "turned upright (EXIF orientation "+strconv.Itoa(orient)+": "+orientNames[orient]+")")
	}
	if in.Format == "gif" {
		res.Actions = append(res.Actions, "took the first frame of the GIF")
	}
	if err := ctx.Err(); err != nil {
		return nil, res, err
	}

	alpha := !opaque(img)
	format := chooseFormat(in.Format, alpha && !spec.NoAlpha, formats)
	flatten := func(why string) {
		if alpha {
			img = onWhite(img)
			alpha = false
			res.Actions = append(res.Actions, "flattened transparency onto white ("+why+")")
		}
	}
	if spec.NoAlpha {
		flatten("the field accepts no alpha")
	} else if format == "jpeg" {
		flatten("JPEG has no alpha")
	}

	b := img.Bounds()
	w, h, err := fitPixels(b.Dx(), b.Dy(), spec.MinPixels, spec.MaxPixels)
	if err != nil {
		return nil, res, err
	}
	if w != b.Dx() || h != b.Dy() {
		res.Actions = append(res.Actions, fmt.Sprintf("resized %d×%d to %d×%d (Lanczos) for the %s", b.Dx(), b.Dy(), w, h, boundsText(spec)))
	}

	// When PNG was only a preference, JPEG at high quality loses less
	// than fewer pixels would: PNG may shrink only if JPEG is ruled out.
	switchable := format == "png" && opt.Format == "" && slices.Contains(formats, "jpeg")
	out, q, err := encodeUnder(ctx, img, w, h, format, res.Limit, spec.MinPixels, !switchable)
	if errors.Is(err, errOverLimit) && switchable {
		format = "jpeg"
		res.Actions = append(res.Actions, "chose JPEG: PNG does not fit under "+digits.Commas(res.Limit)+" bytes")
		flatten("JPEG has no alpha")
		out, q, err = encodeUnder(ctx, img, w, h, format, res.Limit, spec.MinPixels, true)
	}
	if err != nil {
		if errors.Is(err, errOverLimit) {
			err = fmt.Errorf("%w: even at the smallest allowed size the %s is over %s bytes", ErrCannotFit, strings.ToUpper(format), digits.Commas(res.Limit))
		}
		return nil, res, err
	}
	if nb := imageSize(out); nb != image.Pt(w, h) {
		res.Actions = append(res.Actions, fmt.Sprintf("resized %d×%d to %d×%d (Lanczos) to fit under %s bytes", w, h, nb.X, nb.Y, digits.Commas(res.Limit)))
	}
	if format == "jpeg" {
		res.Quality = q
		res.Actions = append(res.Actions, fmt.Sprintf("encoded JPEG at quality %d", q))
	} else {
		res.Actions = append(res.Actions, "encoded PNG (lossless)")
	}

	after := imagecheck.Sniff(out)
	res.After = &Info{Format: after.Format, Bytes: int64(len(out)), Width: after.Width, Height: after.Height, HasAlpha: after.HasAlpha}
	res.Ratio = ratioOf(after.Width, after.Height, opt.AspectRatios)
	ps, ok := verify(out, spec)
	res.Problems = ps
	if !ok {
		msg := "no OK verdict"
		for _, p := range ps {
			if p.Severity == imagecheck.SeverityError {
				msg = p.Rule + ": " + p.Message
				break
			}
		}
		return nil, res, fmt.Errorf("%w: the written image fails the image checks: %s", ErrCannotFit, msg)
	}
	return out, res, nil
}

func (o Options) limit() int64 {
	l := o.Spec.MaxFileBytes
	if l <= 0 {
		l = SafeImageBytes
	}
	if o.MaxBytes > 0 && o.MaxBytes < l {
		l = o.MaxBytes
	}
	return l
}

// verify runs imagecheck on bytes as the linter would on a URL serving them.
func verify(b []byte, spec imagecheck.Spec) ([]imagecheck.Problem, bool) {
	f := imagecheck.Sniff(b)
	f.Size, f.SizeKnown = int64(len(b)), true
	v, ps := imagecheck.Evaluate(f, spec)
	if ps == nil {
		ps = []imagecheck.Problem{}
	}
	return ps, v == imagecheck.OK
}

func specFormats(s imagecheck.Spec) []string {
	if len(s.Formats) > 0 {
		return s.Formats
	}
	media := s.Media
	if media == "" {
		media = "image"
	}
	return imagecheck.DefaultFormats[media]
}

// allowedOutputs are the formats fix-image may write for the field, in
// the caller's choice when there is one.
func allowedOutputs(s imagecheck.Spec, want string) []string {
	var out []string
	for _, f := range []string{"jpeg", "png"} {
		if (want == "" || want == f) && slices.Contains(specFormats(s), f) {
			out = append(out, f)
		}
	}
	return out
}

// chooseFormat keeps lossless sources lossless and lossy ones JPEG, unless
// alpha must survive, which only PNG keeps.
func chooseFormat(src string, keepAlpha bool, allowed []string) string {
	want := "png"
	if (src == "jpeg" || src == "webp") && !keepAlpha {
		want = "jpeg"
	}
	if slices.Contains(allowed, want) {
		return want
	}
	return allowed[0]
}

var orientNames = [...]string{2: "mirrored", 3: "rotated 180°", 4: "flipped", 5: "transposed",
	6: "rotated 90° clockwise", 7: "transversed", 8: "rotated 90° counter-clockwise"}

// fitPixels scales w×h, keeping its ratio, so both sides are within
// [lo, hi] (0: no bound), changing it as little as possible.
func fitPixels(w, h, lo, hi int) (int, int, error) {
	short, long := min(w, h), max(w, h)
	s := 1.0
	switch {
	case hi > 0 && long > hi:
		s = float64(hi) / float64(long)
	case lo > 0 && short < lo:
		s = float64(lo) / float64(short)
	}
	if s == 1 {
		return w, h, nil
	}
	nw, nh := scaleDims(w, h, s)
	if (lo > 0 && min(nw, nh) < lo) || (hi > 0 && max(nw, nh) > hi) {
		return 0, 0, fmt.Errorf("%w: %d×%d cannot be scaled to width and height within %d..%d px without changing its aspect ratio; crop it first", ErrCannotFit, w, h, lo, hi)
	}
	return nw, nh, nil
}

// scaleDims scales w×h by s, rounding so neither side passes a bound the
// exact product meets: down when shrinking, up when growing.
func scaleDims(w, h int, s float64) (int, int) {
	r := func(x float64) int { return int(math.Floor(x * (1 + 1e-9))) }
	if s > 1 {
		r = func(x float64) int { return int(math.Ceil(x * (1 - 1e-9))) }
	}
	return max(1, r(float64(w)*s)), max(1, r(float64(h)*s))
}

func boundsText(s imagecheck.Spec) string {
	switch {
	case s.MinPixels > 0 && s.MaxPixels > 0:
		return fmt.Sprintf("field's %d..%d px bounds", s.MinPixels, s.MaxPixels)
	case s.MaxPixels > 0:
		return fmt.Sprintf("field's %d px maximum", s.MaxPixels)
	}
	return fmt.Sprintf("field's %d px minimum", s.MinPixels)
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// onWhite composites img over an opaque white background.
func onWhite(img image.Image) *image.NRGBA {
	b := img.Bounds()
	bg := imaging.New(b.Dx(), b.Dy(), color.White)
	return imaging.Overlay(bg, img, image.Pt(0, 0), 1)
}

// errOverLimit means the image did not fit even at its smallest allowed size.
var errOverLimit = errors.New("over the byte limit")

// encodeUnder encodes src, resized to w×h, in format under limit bytes with
// the least loss: for JPEG the highest quality from maxQuality down to
// minQuality; then, for either format, the largest size that fits, keeping
// both sides at least minSide, unless shrink is false. Every size is
// resampled (Lanczos) from src, never from an earlier resize. It returns
// the JPEG quality used, or errOverLimit.
func encodeUnder(ctx context.Context, src image.Image, w, h int, format string, limit int64, minSide int, shrink bool) ([]byte, int, error) {
	sized := func(nw, nh int) image.Image {
		if b := src.Bounds(); b.Dx() == nw && b.Dy() == nh {
			return src
		}
		return imaging.Resize(src, nw, nh, imaging.Lanczos)
	}
	enc := func(m image.Image, q int) ([]byte, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		var err error
		if format == "jpeg" {
			err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: q})
		} else {
			err = png.Encode(&buf, m)
		}
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", format, err)
		}
		return buf.Bytes(), nil
	}
	fits := func(b []byte) bool { return int64(len(b)) <= limit }

	base := sized(w, h)
	q := maxQuality
	out, err := enc(base, q)
	if err != nil || fits(out) {
		return out, q, err
	}
	if format == "jpeg" {
		// The highest quality that fits (size grows with quality), if
		// the lowest one does.
		low, err := enc(base, minQuality)
		if err != nil {
			return nil, 0, err
		}
		if fits(low) {
			best, q := low, minQuality
			lo, hi := minQuality+1, maxQuality-1
			for lo <= hi {
				mid := (lo + hi) / 2
				b, err := enc(base, mid)
				if err != nil {
					return nil, 0, err
				}
				if fits(b) {
					best, q, lo = b, mid, mid+1
				} else {
					hi = mid - 1
				}
			}
			return best, q, nil
		}
		if !shrink {
			return nil, 0, errOverLimit
		}
		q = resizeQuality
		if out, err = enc(base, q); err != nil {
			return nil, 0, err
		}
	} else if !shrink {
		return nil, 0, errOverLimit
	}

	// The largest scale that fits. Bytes go with the pixel count, so each
	// try predicts the next (secant on bytes ∝ scale²); a prediction that
	// leaves the bracket between a fitting and a failing scale is replaced
	// by the midpoint. Two percent of a side is where the search stops.
	minScale := 0.0
	if minSide > 0 {
		minScale = float64(minSide) / float64(min(w, h))
	}
	var best []byte
	lo, hi := 0.0, 1.0 // lo fits (0: none found yet), hi does not
	predict := func(s float64, n int) float64 { return s * math.Sqrt(float64(limit)/float64(n)) * 0.99 }
	s := predict(1, len(out))
	for range 8 {
		s = max(s, minScale)
		b, err := enc(sized(scaleDims(w, h, s)), q)
		if err != nil {
			return nil, 0, err
		}
		if fits(b) {
			best, lo = b, s
		} else {
			if s <= minScale {
				break // the smallest allowed size does not fit
			}
			hi = s
		}
		if lo > 0 && hi-lo < 0.02 {
			break
		}
		if s = predict(s, len(b)); s <= lo || s >= hi {
			s = (max(lo, minScale) + hi) / 2
		}
	}
	if best == nil {
		return nil, 0, errOverLimit
	}
	return best, q, nil
}

func imageSize(b []byte) image.Point {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return image.Point{}
	}
	return image.Pt(cfg.Width, cfg.Height)
}

// ratioOf compares w:h with the model's aspect_ratio values; nil when
// there are none to compare with.
func ratioOf(w, h int, allowed []string) *Ratio {
	if w <= 0 || h <= 0 || len(allowed) == 0 {
		return nil
	}
	want := math.Log(float64(w) / float64(h))
	r := &Ratio{Image: simpleRatio(w, h, want)}
	best, bestD := "", math.Inf(1)
	for _, a := range allowed {
		x, y, ok := strings.Cut(a, ":")
		fx, err1 := strconv.ParseFloat(x, 64)
		fy, err2 := strconv.ParseFloat(y, 64)
		if !ok || err1 != nil || err2 != nil || !(fx > 0) || !(fy > 0) || math.IsInf(fx, 0) || math.IsInf(fy, 0) {
			continue
		}
		if d := math.Abs(math.Log(fx/fy) - want); d < bestD {
			best, bestD = a, d
		}
	}
	switch {
	case best == "":
		return nil
	case bestD < 0.01:
		r.Match = best
	default:
		r.Nearest = best
	}
	return r
}

// simpleRatio names w:h by the smallest terms within 0.5% of it (1600×1067
// is "3:2"), or as a decimal to 1 when none up to 32 is that close.
func simpleRatio(w, h int, logRatio float64) string {
	for b := 1; b <= 32; b++ {
		a := int(math.Round(float64(b) * float64(w) / float64(h)))
		if a >= 1 && a <= 32 && math.Abs(math.Log(float64(a)/float64(b))-logRatio) < 0.005 {
			g := gcd(a, b)
			return fmt.Sprintf("%d:%d", a/g, b/g)
		}
	}
	return strconv.FormatFloat(float64(w)/float64(h), 'f', 2, 64) + ":1"
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
