package imagecheck

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// tinyWebP is a valid 1×1 lossless WebP; x/image has no WebP encoder.
var tinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// noisy returns a w×h image of random pixels, so encoders cannot shrink it
// and files are larger than the probe's 64 KiB head.
func noisy(w, h int, alpha bool) image.Image {
	r := rand.New(rand.NewPCG(1, 2))
	if alpha {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := range m.Pix {
			m.Pix[i] = uint8(r.UintN(256))
		}
		return m
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.UintN(256))
		if i%4 == 3 {
			m.Pix[i] = 0xff
		}
	}
	return m
}

func encode(t testing.TB, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func makeJPEG(t testing.TB, w, h int) []byte {
	return encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, noisy(w, h, false), &jpeg.Options{Quality: 90}) })
}

func makePNG(t testing.TB, w, h int, alpha bool) []byte {
	return encode(t, func(b *bytes.Buffer) error { return png.Encode(b, noisy(w, h, alpha)) })
}

func makeGIF(t testing.TB) []byte {
	m := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
	return encode(t, func(b *bytes.Buffer) error { return gif.Encode(b, m, nil) })
}

func makeBMP(t testing.TB) []byte {
	return encode(t, func(b *bytes.Buffer) error { return bmp.Encode(b, noisy(8, 8, false)) })
}

func makeTIFF(t testing.TB) []byte {
	return encode(t, func(b *bytes.Buffer) error { return tiff.Encode(b, noisy(8, 8, false), nil) })
}

// mp4Box builds one ISO-BMFF box.
func mp4Box(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// mvhdV0 is a version-0 mvhd payload with the given timescale and duration.
func mvhdV0(scale, dur uint32) []byte {
	p := make([]byte, 100)
	binary.BigEndian.PutUint32(p[12:], scale)
	binary.BigEndian.PutUint32(p[16:], dur)
	return p
}

func mvhdV1(scale uint32, dur uint64) []byte {
	p := make([]byte, 112)
	p[0] = 1
	binary.BigEndian.PutUint32(p[20:], scale)
	binary.BigEndian.PutUint64(p[24:], dur)
	return p
}

// makeMP4 returns a fast-start MP4 (moov before mdat) of the given duration
// in milliseconds, padded with mdat bytes.
func makeMP4(brand string, ms uint32, mdat int) []byte {
	ftyp := mp4Box("ftyp", []byte(brand), []byte{0, 0, 2, 0}, []byte("isomiso2mp41"))
	moov := mp4Box("moov", mp4Box("mvhd", mvhdV0(1000, ms)), mp4Box("trak", make([]byte, 64)))
	return bytes.Join([][]byte{ftyp, moov, mp4Box("mdat", make([]byte, mdat))}, nil)
}

// makeMP4MoovLast puts a large mdat first, as non-fast-start encoders do.
func makeMP4MoovLast(ms uint32) []byte {
	ftyp := mp4Box("ftyp", []byte("isom"), []byte{0, 0, 2, 0}, []byte("isomiso2mp41"))
	return bytes.Join([][]byte{ftyp, mp4Box("mdat", make([]byte, 200<<10)), mp4Box("moov", mp4Box("mvhd", mvhdV0(1000, ms)))}, nil)
}

// makeWAV returns a 16-bit mono PCM WAV of the given length, with a LIST
// chunk before data as many encoders write.
func makeWAV(rate uint32, seconds float64) []byte {
	byteRate := rate * 2
	n := uint32(float64(byteRate) * seconds)
	fmtc := binary.LittleEndian.AppendUint16(nil, 1) // PCM
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 1)
	fmtc = binary.LittleEndian.AppendUint32(fmtc, rate)
	fmtc = binary.LittleEndian.AppendUint32(fmtc, byteRate)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 2)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 16)
	chunk := func(id string, body []byte) []byte {
		b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		b = append(b, body...)
		if len(body)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	body := bytes.Join([][]byte{[]byte("WAVE"), chunk("fmt ", fmtc), chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00")), chunk("data", make([]byte, n))}, nil)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}
