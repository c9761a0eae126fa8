package jsonpos

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/preflight-dev/preflight/internal/utf8seq"
)

// The fast path. Almost every request is well-formed JSON, and for it a
// scan of the bytes by hand gives the same Nodes as jsontext at about half
// the cost: strings, the bulk of a request, are checked eight bytes at a
// time, and nothing is validated twice (jsontext's ReadValue re-checks what
// PeekKind saw). parseFast accepts only what it is sure of; at anything else
// (a syntax fault, bytes that are not UTF-8, a \u escape of a surrogate,
// deep nesting) it gives up and Parse parses again with jsontext, which
// reports the fault in its words. FuzzFastMatchesSlow holds the two paths
// to the same Nodes.

// fastMaxDepth is the nesting the fast path handles; deeper bodies take
// the jsontext path, which owns the MaxNesting limit and its message.
const fastMaxDepth = 512

// parseFast parses src into p.doc and reports whether it could; false
// leaves p.doc in an unspecified state for the slow path to reset.
func (p *Parser) parseFast(src []byte) bool {
	if len(src) > math.MaxInt32 {
		return false
	}
	p.reset(src)
	d := &p.doc
	i := skipSpace(src, 0)
	pendingName := [2]int32{-1, -1}
	pendingEscaped := false
	// comma is set after a ',' inside a container: a value (or a member
	// name) must follow, not the container's end.
	comma := false
	for {
		if i >= len(src) {
			return false
		}
		c := src[i]
		var top *frame
		if len(p.frames) > 0 {
			top = &p.frames[len(p.frames)-1]
		}
		if top != nil && (c == '}' || c == ']') {
			if comma || (c == '}') != (top.n.Kind == '{') || pendingName[0] >= 0 {
				return false
			}
			i++
			if top.node >= 0 {
				d.Nodes[top.node].End = int32(i)
				d.Nodes[top.node].Children = top.children
			}
			p.frames = p.frames[:len(p.frames)-1]
			var ok bool
			if i, comma, ok = p.afterValue(src, i); !ok {
				return false
			}
			if len(p.frames) == 0 {
				return true
			}
			continue
		}
		if top != nil && top.n.Kind == '{' && pendingName[0] < 0 {
			// A member name, then ':'.
			if c != '"' {
				return false
			}
			end, escaped, ok := scanString(src, i)
			if !ok {
				return false
			}
			pendingName = [2]int32{int32(i), int32(end)}
			pendingEscaped = escaped
			i = skipSpace(src, end)
			if i >= len(src) || src[i] != ':' {
				return false
			}
			i = skipSpace(src, i+1)
			comma = false
			continue
		}
		comma = false
		n := Node{Parent: -1, NameStart: pendingName[0], NameEnd: pendingName[1],
			FirstChild: -1, NextSibling: -1}
		pendingName = [2]int32{-1, -1}
		if pendingEscaped {
			n.Flags |= EscapedName
			pendingEscaped = false
		}
		end := 0
		switch c {
		case '{', '[':
			n.Kind = jsontext.Kind(c)
			n.Start = int32(i)
		case '"':
			e, escaped, ok := scanString(src, i)
			if !ok {
				return false
			}
			n.Kind, end = '"', e
			if escaped {
				n.Flags |= Escaped
			}
		case 't':
			n.Kind, end = 't', literal(src, i, "true")
		case 'f':
			n.Kind, end = 'f', literal(src, i, "false")
		case 'n':
			n.Kind, end = 'n', literal(src, i, "null")
		default:
			n.Kind, end = '0', scanNumber(src, i)
		}
		scalar := n.Kind != '{' && n.Kind != '['
		if scalar {
			if end <= i {
				return false
			}
			n.Start, n.End = int32(i), int32(end)
		}
		kept := top == nil || top.keep
		if top != nil {
			if n.NameStart >= 0 && top.n.Kind == '{' && p.isDuplicate(top, &n) {
				n.Flags |= Duplicate
			}
			n.Index = top.children
			top.children++
		}
		idx := int32(-1)
		if kept || n.Flags&reported != 0 {
			idx = p.add(n)
		}
		if scalar {
			var ok bool
			if i, comma, ok = p.afterValue(src, end); !ok {
				return false
			}
			if len(p.frames) == 0 {
				return true
			}
			continue
		}
		if len(p.frames) >= fastMaxDepth {
			return false
		}
		keep := idx >= 0 && kept
		if keep && p.KeepChildren != nil {
			var name []byte
			if n.NameStart >= 0 {
				name = d.text(n.NameStart, n.NameEnd, n.Flags&EscapedName != 0)
			}
			keep = p.KeepChildren(len(p.frames), name)
		}
		p.push(n, idx, keep)
		i = skipSpace(src, i+1)
	}
}

// afterValue reads past a value that ended at i: at the top level only
// white space may follow; inside a container a ',' (then comma is true)
// or the container's end, which is left for the caller.
func (p *Parser) afterValue(src []byte, i int) (next int, comma, ok bool) {
	i = skipSpace(src, i)
	if len(p.frames) == 0 {
		return i, false, i == len(src)
	}
	if i >= len(src) {
		return i, false, false
	}
	switch src[i] {
	case ',':
		return skipSpace(src, i+1), true, true
	case '}', ']':
		return i, false, true
	}
	return i, false, false
}

func skipSpace(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// literal returns the end of word at src[i:], or -1.
func literal(src []byte, i int, word string) int {
	if len(src)-i < len(word) || string(src[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// scanNumber returns the end of the RFC 8259 number at src[i:], or -1. What
// follows it is afterValue's to judge ("01" ends after "0" and fails there).
func scanNumber(src []byte, i int) int {
	if i < len(src) && src[i] == '-' {
		i++
	}
	switch {
	case i >= len(src):
		return -1
	case src[i] == '0':
		i++
	case '1' <= src[i] && src[i] <= '9':
		i = digits(src, i+1)
	default:
		return -1
	}
	if i < len(src) && src[i] == '.' {
		j := digits(src, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		j := digits(src, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(src []byte, i int) int {
	for i < len(src) && '0' <= src[i] && src[i] <= '9' {
		i++
	}
	return i
}

const (
	ones8  = 0x0101010101010101
	highs8 = 0x8080808080808080
)

// special8 flags the bytes of x (eight bytes of a string, little-endian)
// that end or escape a string or need a closer look: '"', '\\', control
// bytes and non-ASCII bytes get their high bit set in the result. Only the
// lowest flagged byte is exact (a borrow from it may flag the bytes after
// it), which is the one the caller wants.
func special8(x uint64) uint64 {
	q := x ^ (ones8 * '"')
	b := x ^ (ones8 * '\\')
	return ((x - ones8*0x20) | x | (q - ones8) | (b - ones8)) & highs8
}

// scanString returns the end (past the closing quote) of the string whose
// opening quote is src[i], and whether it has escapes; ok is false for
// anything jsontext's strict mode would reject and for \u escapes of
// surrogates, which jsontext judges in pairs.
func scanString(src []byte, i int) (end int, escaped, ok bool) {
	j := i + 1
	for {
		for j+8 <= len(src) {
			if m := special8(binary.LittleEndian.Uint64(src[j:])); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j >= len(src) {
			return 0, false, false
		}
		switch c := src[j]; {
		case c == '"':
			return j + 1, escaped, true
		case c == '\\':
			if j+1 >= len(src) {
				return 0, false, false
			}
			escaped = true
			switch src[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(src) {
					return 0, false, false
				}
				r := rune(0)
				for _, h := range src[j+2 : j+6] {
					switch {
					case '0' <= h && h <= '9':
						r = r<<4 | rune(h-'0')
					case 'a' <= h && h <= 'f':
						r = r<<4 | rune(h-'a'+10)
					case 'A' <= h && h <= 'F':
						r = r<<4 | rune(h-'A'+10)
					default:
						return 0, false, false
					}
				}
				if 0xD800 <= r && r < 0xE000 {
					return 0, false, false
				}
				j += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		case c < utf8.RuneSelf:
			j++
		case 0xE1 <= c && c <= 0xEC && j+2 < len(src) && src[j+1]&0xC0 == 0x80 && src[j+2]&0xC0 == 0x80:
			j += 3 // most of CJK: no overlong or surrogate forms start here
		default:
			size := utf8Seq(src, j)
			if size == 0 {
				return 0, false, false
			}
			j += size
		}
	}
}

// utf8Seq is utf8seq.Len, named for this file's loops.
func utf8Seq(src []byte, i int) int { return utf8seq.Len(src, i) }
