package imagecheck

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/preflight-dev/preflight/internal/digits"
)

// canvasCheck is what the frame header of an extended (VP8X) WebP says
// about the canvas size the VP8X chunk states.
type canvasCheck int

const (
	canvasNA       canvasCheck = iota // not a still VP8X WebP: nothing to confirm
	canvasOK                          // the frame header agrees
	canvasMismatch                    // the frame header says another size
	canvasMissing                     // no frame header in the bytes given
)

// webpCanvas checks the canvas a VP8X chunk states (which is what image
// decoders report without decoding) against the VP8 or VP8L frame header
// that follows, since only the frame says how large the image really is.
// Animated WebPs are not checked: their frames may be smaller than the
// canvas. It returns the frame's size when it found one.
func webpCanvas(b []byte) (canvasCheck, int, int) {
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" || string(b[12:16]) != "VP8X" {
		return canvasNA, 0, 0
	}
	if b[20]&0x02 != 0 { // animation flag
		return canvasNA, 0, 0
	}
	cw := int(uint32(b[24])|uint32(b[25])<<8|uint32(b[26])<<16) + 1
	ch := int(uint32(b[27])|uint32(b[28])<<8|uint32(b[29])<<16) + 1
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		n := int64(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		var w, h int
		switch id {
		case "VP8 ":
			// frame tag (3 bytes), start code 9d 01 2a, 14-bit width and height
			if len(body) < 10 {
				return canvasMissing, 0, 0
			}
			if body[3] != 0x9d || body[4] != 0x01 || body[5] != 0x2a {
				return canvasMismatch, 0, 0
			}
			w = int(binary.LittleEndian.Uint16(body[6:]) & 0x3fff)
			h = int(binary.LittleEndian.Uint16(body[8:]) & 0x3fff)
		case "VP8L":
			if len(body) < 5 {
				return canvasMissing, 0, 0
			}
			if body[0] != 0x2f {
				return canvasMismatch, 0, 0
			}
			bits := binary.LittleEndian.Uint32(body[1:])
			w, h = int(bits&0x3fff)+1, int(bits>>14&0x3fff)+1
		case "ANMF", "ANIM":
			return canvasNA, 0, 0
		}
		if id == "VP8 " || id == "VP8L" {
			if w != cw || h != ch {
				return canvasMismatch, w, h
			}
			return canvasOK, w, h
		}
		next := int64(p) + 8 + n + n&1
		if next > int64(len(b)) {
			break
		}
		p = int(next)
	}
	return canvasMissing, 0, 0
}

// confirmWebPCanvas keeps s's dimensions only when the frame header
// confirms them, reading further once (readOn) when the frame is past the
// head. It returns the sniff, its size cleared when unconfirmed, and why.
func (c *Checker) confirmWebPCanvas(ctx context.Context, raw string, head []byte, s, f Facts) (Facts, string) {
	st, w, h := webpCanvas(head)
	n := len(head)
	var readErr error
	if st == canvasMissing && !(f.SizeKnown && f.Size <= int64(n)) {
		more, err := c.readOn(ctx, raw, head)
		if err == nil {
			st, w, h = webpCanvas(more)
			n = len(more)
		}
		readErr = err
	}
	var note string
	switch st {
	case canvasMismatch:
		note = fmt.Sprintf("the WebP's VP8X canvas says %d×%d but its frame header says %d×%d", s.Width, s.Height, w, h)
		if w == 0 {
			note = fmt.Sprintf("the WebP's VP8X canvas says %d×%d but its frame header cannot be read", s.Width, s.Height)
		}
	case canvasMissing:
		note = fmt.Sprintf("the frame header that would confirm the WebP's VP8X canvas (%d×%d) is not in the first %s bytes", s.Width, s.Height, digits.Commas(int64(n)))
		if readErr != nil {
			note += "; reading further failed: " + cleanText(readErr.Error(), maxErrText)
		}
	default:
		return s, ""
	}
	s.Width, s.Height = 0, 0
	return s, note
}
