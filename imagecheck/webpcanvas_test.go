package imagecheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
)

// makeVP8X wraps tinyWebP's 1×1 lossless frame in an extended WebP whose
// VP8X chunk states a w×h canvas, with an ICC profile of pad bytes before
// the frame, as some encoders write.
func makeVP8X(w, h, pad int) []byte {
	le24 := func(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }
	chunk := func(id string, body []byte) []byte {
		b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		b = append(b, body...)
		if len(body)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	vp8x := append([]byte{0x20, 0, 0, 0}, append(le24(w-1), le24(h-1)...)...)
	body := bytes.Join([][]byte{[]byte("WEBP"), chunk("VP8X", vp8x), chunk("ICCP", make([]byte, pad)), tinyWebP[12:]}, nil)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

func TestWebPCanvasMustBeConfirmed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		data     []byte
		width    int
		rules    string
		note     string
		requests int64
	}{
		{"honest canvas", makeVP8X(1, 1, 100), 1, "error:image-dimensions", "", 1},
		{"lying canvas", makeVP8X(300, 300, 100), 0, "warning:url-unverified", "VP8X canvas says 300×300 but its frame header says 1×1", 1},
		{"frame past the head", makeVP8X(1, 1, 70000), 1, "error:image-dimensions", "", 2},
		{"lying, frame past the head", makeVP8X(300, 300, 70000), 0, "warning:url-unverified", "frame header says 1×1", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s := Sniff(tc.data); s.Format != "webp" {
				t.Fatalf("fixture sniffs as %q", s.Format)
			}
			s := newServer(t, serve("x.webp", "", tc.data))
			c := testChecker(s)
			r := c.Check(context.Background(), s.URL+"/x.webp", Spec{MinPixels: 240})
			if r.Width != tc.width || rules(r.Problems) != tc.rules {
				t.Errorf("%d×%d %+v", r.Width, r.Height, r.Problems)
			}
			if tc.note != "" && !strings.Contains(r.DimsNote, tc.note) {
				t.Errorf("note %q, want %q", r.DimsNote, tc.note)
			}
			if n := s.requests.Load(); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestWebPCanvasParser(t *testing.T) {
	if st, _, _ := webpCanvas(tinyWebP); st != canvasNA {
		t.Errorf("simple lossless WebP: %v", st)
	}
	if st, w, h := webpCanvas(makeVP8X(1, 1, 0)); st != canvasOK || w != 1 || h != 1 {
		t.Errorf("honest: %v %d %d", st, w, h)
	}
	if st, _, _ := webpCanvas(makeVP8X(1, 1, 200)[:100]); st != canvasMissing {
		t.Errorf("cut before the frame: %v", st)
	}
}
