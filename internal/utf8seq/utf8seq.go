// Package utf8seq measures one UTF-8 sequence without decoding it, for the
// scanners (the JSON parser's fast path, promptcheck's prompt scan) that see
// mostly valid multi-byte text and only need to know how far it goes.
package utf8seq

// Len returns the length of the valid UTF-8 sequence of two to four bytes at
// p[i], or 0: utf8.DecodeRune's checks (no overlong forms, surrogates or code
// points past U+10FFFF) inline, without assembling the rune.
func Len[T ~string | ~[]byte](p T, i int) int {
	c := p[i]
	switch {
	case c < 0xC2 || c > 0xF4:
		return 0
	case c < 0xE0:
		if i+1 < len(p) && p[i+1]&0xC0 == 0x80 {
			return 2
		}
	case c < 0xF0:
		if i+2 >= len(p) {
			return 0
		}
		b1, b2 := p[i+1], p[i+2]
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
		if lo <= b1 && b1 <= hi && b2&0xC0 == 0x80 {
			return 3
		}
	default:
		if i+3 >= len(p) {
			return 0
		}
		b1, b2, b3 := p[i+1], p[i+2], p[i+3]
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
		if lo <= b1 && b1 <= hi && b2&0xC0 == 0x80 && b3&0xC0 == 0x80 {
			return 4
		}
	}
	return 0
}
