package promptcheck

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/internal/utf8seq"
)

// Limits are one model's prompt limits. The zero value only checks that the
// prompt is non-empty, non-blank, valid UTF-8 and free of control characters.
// Zero or negative numbers mean "no limit".
type Limits struct {
	MinChars  int    // minimum length in code points; emptiness is checked regardless
	MaxChars  int    // maximum length in code points
	MaxBytes  int    // maximum length in UTF-8 bytes (midjourney: 7500)
	StripFrom string // marker from which the backend drops the rest (midjourney: "--")
}

// Problem is one finding about a prompt.
type Problem struct {
	Kind Kind

	// Offset is the byte offset in the prompt where the problem starts: the
	// first invalid byte or control character, the first code point past
	// MaxChars or MaxBytes, or the StripFrom marker. It is -1 when the
	// problem concerns the whole prompt (Empty, Blank, TooShort).
	Offset int

	// Count is the measured value: code points for Blank, TooShort and
	// TooLong; bytes for TooManyBytes; the number of occurrences for
	// InvalidUTF8 and ControlChar; for Stripped, the code points before the
	// marker, i.e. the length of the prompt the backend actually uses.
	Count int

	// Limit is the limit Count was measured against (MinChars, MaxChars or
	// MaxBytes), 0 for the other kinds.
	Limit int

	// Text is the offending text as a substring of the prompt (not a
	// copy): the invalid byte, the control character, or for Stripped the
	// marker and the flag name that follows it, e.g. "--ar". It is "" for
	// the whole-prompt and length kinds.
	Text string
}

// Check returns every problem of prompt under lim, in Kind order, or nil if
// there is none. A valid prompt costs no allocation.
func Check(prompt string, lim Limits) []Problem {
	return AppendCheck(nil, prompt, lim)
}

// AppendCheck is Check appending to dst, so a caller reusing dst[:0] across
// requests does not allocate even when it finds problems.
func AppendCheck(dst []Problem, prompt string, lim Limits) []Problem {
	if prompt == "" {
		return append(dst, Problem{Kind: Empty, Offset: -1})
	}
	s := scan(prompt)
	if !s.nonSpace {
		dst = append(dst, Problem{Kind: Blank, Offset: -1, Count: s.chars})
	}
	if s.badN > 0 {
		dst = append(dst, Problem{Kind: InvalidUTF8, Offset: s.badOff, Count: s.badN,
			Text: prompt[s.badOff : s.badOff+1]})
	}
	if s.ctlN > 0 {
		_, size := utf8.DecodeRuneInString(prompt[s.ctlOff:])
		dst = append(dst, Problem{Kind: ControlChar, Offset: s.ctlOff, Count: s.ctlN,
			Text: prompt[s.ctlOff : s.ctlOff+size]})
	}
	if s.nonSpace && lim.MinChars > 0 && s.chars < lim.MinChars {
		dst = append(dst, Problem{Kind: TooShort, Offset: -1, Count: s.chars, Limit: lim.MinChars})
	}
	if lim.MaxChars > 0 && s.chars > lim.MaxChars {
		dst = append(dst, Problem{Kind: TooLong, Offset: charOffset(prompt, lim.MaxChars),
			Count: s.chars, Limit: lim.MaxChars})
	}
	if lim.MaxBytes > 0 && len(prompt) > lim.MaxBytes {
		dst = append(dst, Problem{Kind: TooManyBytes, Offset: byteCut(prompt, lim.MaxBytes),
			Count: len(prompt), Limit: lim.MaxBytes})
	}
	if lim.StripFrom != "" {
		if i := strings.Index(prompt, lim.StripFrom); i >= 0 {
			end := i + len(lim.StripFrom)
			for end < len(prompt) && isASCIILetter(prompt[end]) {
				end++
			}
			dst = append(dst, Problem{Kind: Stripped, Offset: i,
				Count: utf8.RuneCountInString(prompt[:i]), Text: prompt[i:end]})
		}
	}
	return dst
}

// Length returns the prompt's length in code points (an invalid byte counts
// as one) and in bytes, as Check measures them.
func Length(prompt string) (chars, bytes int) {
	return utf8.RuneCountInString(prompt), len(prompt)
}

// stats is what the single pass over the prompt learns.
type stats struct {
	chars    int
	nonSpace bool // some code point is not White_Space
	badOff   int  // first invalid byte
	badN     int
	ctlOff   int // first disallowed control character
	ctlN     int
}

// scan makes the one pass over the bytes that every prompt costs. Runs of
// printable ASCII, the bulk of most prompts, are checked eight bytes at a
// time; once some character is not white space, a valid multi-byte
// sequence that is not a C1 control (the only controls above ASCII) is
// counted without decoding it, which is most of CJK text. Everything else
// is decoded and classified by package unicode, so that the definitions of
// validity, White_Space and Cc stay the standard ones.
func scan(p string) stats {
	var s stats
	i := 0
	for i < len(p) {
		for i+8 <= len(p) {
			x := load8(p, i)
			if m := unprintable8(x); m != 0 {
				// The bytes below the first flagged one are printable.
				k := bits.TrailingZeros64(m) >> 3
				if (x^spaces8)&(1<<(8*k)-1) != 0 {
					s.nonSpace = true
				}
				i += k
				s.chars += k
				break
			}
			if x != spaces8 {
				s.nonSpace = true
			}
			i += 8
			s.chars += 8
		}
		if i >= len(p) {
			break
		}
		c := p[i]
		if ' ' <= c && c < 0x7f {
			if c != ' ' {
				s.nonSpace = true
			}
			s.chars++
			i++
			continue
		}
		if c >= utf8.RuneSelf && s.nonSpace {
			if 0xE1 <= c && c <= 0xEC && i+2 < len(p) && p[i+1]&0xC0 == 0x80 && p[i+2]&0xC0 == 0x80 {
				s.chars++ // most of CJK: no overlong or surrogate forms start here
				i += 3
				continue
			}
			// C2 80..C2 9F are U+0080..U+009F, Cc.
			if n := seqLen(p, i); n > 0 && !(c == 0xC2 && p[i+1] < 0xA0) {
				s.chars++
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(p[i:])
		s.chars++
		if r == utf8.RuneError && size == 1 {
			// An invalid byte counts as one code point, as in
			// utf8.RuneCountInString.
			if s.badN == 0 {
				s.badOff = i
			}
			s.badN++
			s.nonSpace = true
			i++
			continue
		}
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			if s.ctlN == 0 {
				s.ctlOff = i
			}
			s.ctlN++
		}
		// White_Space includes NBSP, U+2028 and U+3000 (and \v, \f and
		// U+0085, which are also Cc). The table lookup is paid only
		// until the first other character.
		if !s.nonSpace && !unicode.IsSpace(r) {
			s.nonSpace = true
		}
		i += size
	}
	return s
}

// seqLen is utf8seq.Len, named for this file's loops.
func seqLen(p string, i int) int { return utf8seq.Len(p, i) }

const (
	lsb8    = 0x0101010101010101
	msb8    = 0x8080808080808080
	spaces8 = 0x2020202020202020
)

// load8 reads p[i:i+8] as a little-endian word; the compiler turns it
// into a single load.
func load8(p string, i int) uint64 {
	p = p[i : i+8]
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// unprintable8 flags the bytes of x outside ' '..'~' with their high bit:
// the high bit set, below ' ' (subtracting ' ' borrows into the high bit)
// or DEL (adding 1 carries into the high bit). Only the lowest flagged byte
// is exact: a borrow or carry from it may flag the bytes after it.
func unprintable8(x uint64) uint64 {
	return (x | (x - spaces8) | (x + lsb8)) & msb8
}

// charOffset returns the byte offset of code point number n (0-based), the
// first one past a limit of n; only called when the prompt is longer.
func charOffset(p string, n int) int {
	for i := range p {
		if n == 0 {
			return i
		}
		n--
	}
	return len(p)
}

// byteCut returns the start of the first code point that does not fit
// entirely in limit bytes, so that p[:byteCut(p, limit)] is the longest prefix
// within the limit that does not split a character.
func byteCut(p string, limit int) int {
	i := 0
	for i < len(p) {
		_, size := utf8.DecodeRuneInString(p[i:])
		if i+size > limit {
			break
		}
		i += size
	}
	return i
}

func isASCIILetter(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}
