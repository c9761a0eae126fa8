package fiximage

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// Colours of the test pictures: a red mark in the top-left corner on blue,
// far enough apart that JPEG and resampling cannot confuse them.
var (
	red  = color.NRGBA{R: 230, G: 20, B: 20, A: 255}
	blue = color.NRGBA{R: 20, G: 40, B: 220, A: 255}
)

// marked is a w×h blue picture with a red top-left quarter.
func marked(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(blue), image.Point{}, draw.Src)
	draw.Draw(m, image.Rect(0, 0, w/2, h/2), image.NewUniform(red), image.Point{}, draw.Src)
	return m
}

// noisy is a w×h picture of random opaque pixels: no encoder can shrink
// it, so its PNG takes about 3 bytes a pixel.
func noisy(w, h int) *image.NRGBA {
	r := rand.New(rand.NewPCG(7, 9))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.UintN(256))
		if i%4 == 3 {
			m.Pix[i] = 0xff
		}
	}
	return m
}

func encodeWith(t testing.TB, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, m image.Image) []byte {
	return encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, m) })
}

func jpegOf(t testing.TB, m image.Image) []byte {
	return encodeWith(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, m, &jpeg.Options{Quality: 95}) })
}

func tiffOf(t testing.TB, m image.Image) []byte {
	return encodeWith(t, func(b *bytes.Buffer) error { return tiff.Encode(b, m, nil) })
}

func bmpOf(t testing.TB, m image.Image) []byte {
	return encodeWith(t, func(b *bytes.Buffer) error { return bmp.Encode(b, m) })
}

// animatedGIF has a marked first frame and an all-green second one.
func animatedGIF(t testing.TB, w, h int) []byte {
	pal := color.Palette{red, blue, color.NRGBA{G: 200, A: 255}}
	f1 := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	draw.Draw(f1, f1.Bounds(), marked(w, h), image.Point{}, draw.Src)
	f2 := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	draw.Draw(f2, f2.Bounds(), image.NewUniform(pal[2]), image.Point{}, draw.Src)
	g := &gif.GIF{Image: []*image.Paletted{f1, f2}, Delay: []int{10, 10}}
	return encodeWith(t, func(b *bytes.Buffer) error { return gif.EncodeAll(b, g) })
}

// withOrientation inserts an EXIF APP1 segment holding only the
// Orientation tag right after a JPEG's SOI marker, written by hand in
// big-endian ("MM") TIFF layout.
func withOrientation(jpg []byte, o uint16) []byte {
	var tiffData []byte
	tiffData = append(tiffData, "MM\x00\x2a"...)
	tiffData = binary.BigEndian.AppendUint32(tiffData, 8) // IFD0 offset
	tiffData = binary.BigEndian.AppendUint16(tiffData, 1) // one entry
	tiffData = binary.BigEndian.AppendUint16(tiffData, 0x0112)
	tiffData = binary.BigEndian.AppendUint16(tiffData, 3) // SHORT
	tiffData = binary.BigEndian.AppendUint32(tiffData, 1) // count
	tiffData = binary.BigEndian.AppendUint16(tiffData, o)
	tiffData = append(tiffData, 0, 0)                     // value padding
	tiffData = binary.BigEndian.AppendUint32(tiffData, 0) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiffData...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(payload)))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// hugePNGHeader is a valid PNG signature and IHDR claiming w×h pixels,
// with no image data: a decompression bomb's header.
func hugePNGHeader(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
	return b
}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	return m
}

// near reports whether c is within tol of want on every channel.
func near(c color.Color, want color.NRGBA, tol int) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	d := func(a, b uint8) bool { x := int(a) - int(b); return x <= tol && -x <= tol }
	return d(n.R, want.R) && d(n.G, want.G) && d(n.B, want.B) && d(n.A, want.A)
}
