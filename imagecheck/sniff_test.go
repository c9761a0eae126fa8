package imagecheck

import (
	"bytes"
	"image"
	"testing"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		format   string
		w, h     int
		alpha    bool
		dur      float64
		durKnown bool
	}{
		{"jpeg", makeJPEG(t, 120, 80), "jpeg", 120, 80, false, 0, false},
		{"png", makePNG(t, 64, 32, false), "png", 64, 32, false, 0, false},
		{"png alpha", makePNG(t, 16, 16, true), "png", 16, 16, true, 0, false},
		{"webp", tinyWebP, "webp", 1, 1, true, 0, false}, // its VP8L header sets alpha_is_used
		{"gif", makeGIF(t), "gif", 8, 8, false, 0, false},
		{"bmp", makeBMP(t), "bmp", 8, 8, false, 0, false},
		{"tiff", makeTIFF(t), "tiff", 8, 8, false, 0, false},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "svg", 0, 0, false, 0, false},
		{"bare svg", []byte(`<svg width="10" height="10"></svg>`), "svg", 0, 0, false, 0, false},
		{"html", []byte("<!DOCTYPE html><html><body>Not Found</body></html>"), "html", 0, 0, false, 0, false},
		{"html no doctype", []byte("\n  <html><head><title>Login</title>"), "html", 0, 0, false, 0, false},
		{"json", []byte(`{"error":"not found"}`), "text", 0, 0, false, 0, false},
		{"empty", nil, "", 0, 0, false, 0, false},
		{"binary junk", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "unknown", 0, 0, false, 0, false},
		{"mp4", makeMP4("isom", 5500, 100), "mp4", 0, 0, false, 5.5, true},
		{"mov", makeMP4("qt  ", 2000, 100), "mov", 0, 0, false, 2, true},
		{"m4v", makeMP4("M4V ", 1000, 100), "m4v", 0, 0, false, 1, true},
		{"m4a", makeMP4("M4A ", 30000, 100), "m4a", 0, 0, false, 30, true},
		{"heic", mp4Box("ftyp", []byte("heic"), make([]byte, 4), []byte("mif1heic")), "heic", 0, 0, false, 0, false},
		{"avif", mp4Box("ftyp", []byte("avif"), make([]byte, 4), []byte("avifmif1")), "avif", 0, 0, false, 0, false},
		{"mp4 moov last", makeMP4MoovLast(9000)[:HeadBytes], "mp4", 0, 0, false, 0, false},
		{"wav", makeWAV(8000, 3), "wav", 0, 0, false, 3, true},
		{"mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 100)...), "mp3", 0, 0, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := tt.data
			if len(head) > HeadBytes {
				head = head[:HeadBytes]
			}
			f := Sniff(head)
			if f.Format != tt.format || f.Width != tt.w || f.Height != tt.h || f.HasAlpha != tt.alpha ||
				f.Duration != tt.dur || f.DurationKnown != tt.durKnown {
				t.Errorf("Sniff = format %q %d×%d alpha=%v dur=%v/%v (%s); want %q %d×%d alpha=%v dur=%v/%v",
					f.Format, f.Width, f.Height, f.HasAlpha, f.Duration, f.DurationKnown, f.DurationNote,
					tt.format, tt.w, tt.h, tt.alpha, tt.dur, tt.durKnown)
			}
		})
	}
}

func TestTinyWebPIsValid(t *testing.T) {
	cfg, name, err := image.DecodeConfig(bytes.NewReader(tinyWebP))
	if err != nil || name != "webp" || cfg.Width != 1 {
		t.Fatalf("DecodeConfig = %v %q %v", cfg, name, err)
	}
	if _, _, err := image.Decode(bytes.NewReader(tinyWebP)); err != nil {
		t.Fatalf("Decode: %v", err)
	}
}

func TestMP4DurationNotes(t *testing.T) {
	if _, err := mp4Duration(makeMP4MoovLast(9000)[:HeadBytes]); err != errMoovNotInHead {
		t.Errorf("moov-last: err = %v, want errMoovNotInHead", err)
	}
	v1 := bytes.Join([][]byte{mp4Box("ftyp", []byte("isom"), make([]byte, 4)), mp4Box("moov", mp4Box("mvhd", mvhdV1(90000, 90000*12)))}, nil)
	if d, err := mp4Duration(v1); err != nil || d != 12 {
		t.Errorf("mvhd v1: %v, %v; want 12 s", d, err)
	}
	zero := bytes.Join([][]byte{mp4Box("moov", mp4Box("mvhd", mvhdV0(0, 5)))}, nil)
	if _, err := mp4Duration(zero); err == nil {
		t.Error("timescale 0: want error")
	}
	// A 64-bit largesize box before moov.
	large := append([]byte{0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 24}, make([]byte, 8)...)
	withLarge := append(large, mp4Box("moov", mp4Box("mvhd", mvhdV0(10, 25)))...)
	if d, err := mp4Duration(withLarge); err != nil || d != 2.5 {
		t.Errorf("largesize: %v, %v; want 2.5 s", d, err)
	}
}

func TestWAVDurationErrors(t *testing.T) {
	w := makeWAV(8000, 1)
	for name, b := range map[string][]byte{
		"not riff":  []byte("RIFX0000WAVE"),
		"truncated": w[:30],
	} {
		if _, err := wavDuration(b); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	streamed := bytes.Clone(w)
	i := bytes.Index(streamed, []byte("data"))
	copy(streamed[i+4:], []byte{0xff, 0xff, 0xff, 0xff})
	if _, err := wavDuration(streamed); err == nil {
		t.Error("streamed WAV: want error")
	}
}

func TestWebPAlpha(t *testing.T) {
	vp8x := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	if !webpHasAlpha(vp8x) {
		t.Error("VP8X with alpha flag: want alpha")
	}
	noAlpha := bytes.Clone(tinyWebP)
	noAlpha[24] &^= 0x10 // clear VP8L alpha_is_used
	if webpHasAlpha(noAlpha) || !webpHasAlpha(tinyWebP) {
		t.Error("VP8L alpha_is_used bit not read")
	}
}

func FuzzSniff(f *testing.F) {
	for _, b := range [][]byte{makePNG(f, 4, 4, true), makeJPEG(f, 4, 4), tinyWebP, makeGIF(f), makeBMP(f), makeTIFF(f),
		makeMP4("isom", 1000, 10), makeWAV(8000, 0.01), []byte("<svg/>"), []byte("<html>"),
		makeMP3(3, true, 20), makeVBRI(5), makeM4A(1000, false)} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Sniff(b)
		if s.Width < 0 || s.Height < 0 || s.Duration < 0 {
			t.Fatalf("negative measurement: %+v", s)
		}
		if len(b) > 0 && s.Format == "" {
			t.Fatal("non-empty input with empty format")
		}
	})
}

func FuzzMP4Duration(f *testing.F) {
	f.Add(makeMP4("isom", 5500, 10))
	f.Add(makeMP4MoovLast(100)[:2000])
	f.Add(bytes.Join([][]byte{mp4Box("moov", mp4Box("mvhd", mvhdV1(1, 1)))}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := mp4Duration(b); err == nil && (d < 0 || d != d) {
			t.Fatalf("duration %v", d)
		}
	})
}

func FuzzWAVDuration(f *testing.F) {
	f.Add(makeWAV(8000, 0.5))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := wavDuration(b); err == nil && (d < 0 || d != d) {
			t.Fatalf("duration %v", d)
		}
	})
}

func FuzzPNGAlpha(f *testing.F) {
	f.Add(makePNG(f, 2, 2, true))
	f.Add(makePNG(f, 2, 2, false))
	f.Fuzz(func(t *testing.T, b []byte) { _ = pngHasAlpha(b); _ = webpHasAlpha(b) })
}

func FuzzContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-65535/12345678", "bytes */0", "bytes 0-1/*", "", "/", "bytes 0-1/-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := contentRangeTotal(s); ok && n < 0 {
			t.Fatalf("negative total %d from %q", n, s)
		}
		_ = retryAfter(s)
	})
}

func benchSniff(b *testing.B, data []byte) {
	if len(data) > HeadBytes {
		data = data[:HeadBytes]
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Sniff(data)
	}
}

func BenchmarkSniffJPEG(b *testing.B) { benchSniff(b, makeJPEG(b, 1024, 768)) }
func BenchmarkSniffPNG(b *testing.B)  { benchSniff(b, makePNG(b, 1024, 768, true)) }
func BenchmarkSniffWebP(b *testing.B) { benchSniff(b, tinyWebP) }
func BenchmarkSniffMP4(b *testing.B)  { benchSniff(b, makeMP4("isom", 5000, 100<<10)) }
func BenchmarkSniffWAV(b *testing.B)  { benchSniff(b, makeWAV(44100, 2)) }
func BenchmarkSniffMP3(b *testing.B)  { benchSniff(b, makeMP3(200, true, 2000)) }
func BenchmarkSniffM4A(b *testing.B)  { benchSniff(b, makeM4A(60000, false)) }
func BenchmarkSniffHTML(b *testing.B) {
	benchSniff(b, []byte("<!DOCTYPE html><html><body>404 Not Found</body></html>"))
}
