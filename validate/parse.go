package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// node is one JSON value of a parsed request. Nodes live in one slice and
// refer to each other by index, and strings stay in the source bytes, so a
// parse allocates nothing once the slice has grown.
type node struct {
	kind        jsontext.Kind
	flags       uint8
	parent      int32
	start, end  int32 // the value's bytes: src[start:end]
	nameStart   int32 // for object members: the quoted name, src[nameStart:nameEnd]
	nameEnd     int32
	index       int32 // position among its siblings
	firstChild  int32
	nextSibling int32
	lastChild   int32
	children    int32
}

const (
	flagEscaped     uint8 = 1 << iota // a string or name with backslash escapes
	flagInvalidUTF8                   // a string with bytes that are not UTF-8
	flagDuplicate                     // a member whose name an earlier sibling has
	flagInvalidName                   // a member whose name has bytes that are not UTF-8
	flagEscapedName                   // a member whose name has backslash escapes
)

// doc is a parsed request: the source bytes and the value tree. Node 0 is
// the top-level value.
type doc struct {
	src   []byte
	nodes []node
	// lines and cursor make position cheap when a request has many
	// findings; both are built on the first call.
	lines  []int32 // offsets of line starts after the first
	cursor posCursor
}

// posCursor remembers the last position computed, so findings in source
// order count each line's code points once.
type posCursor struct {
	off, lineStart, col int
}

// maxNesting is the decoder's nesting limit (jsontext stops at it), so a
// hostile body of 100k '[' costs a finding, not a deep recursion.
const maxNesting = 10000

// syntaxError is a JSON syntax fault at a byte offset.
type syntaxError struct {
	offset int
	msg    string
	// invalidUTF8 marks the strict parse's stop at bytes that are not
	// UTF-8: parse retries leniently to report them where they are.
	invalidUTF8 bool
}

func (e *syntaxError) Error() string { return e.msg }

// docParser holds what one parse reuses: the decoder and its reader. It is
// pooled by Validator.
type docParser struct {
	dec jsontext.Decoder
	buf bytes.Buffer
	doc doc
	// names indexes the member names of objects with many members, so
	// finding duplicates stays linear: comparing each new member with all
	// earlier siblings made a 400 KB object of distinct names take seconds.
	names map[memberKey]struct{}
}

// memberKey is one member name (decoded) of one object node.
type memberKey struct {
	obj  int32
	name string
}

// linearScanMembers is how many members an object may have before its
// names are indexed in a map; below it a scan is cheaper and allocates
// nothing.
const linearScanMembers = 32

var (
	// strictOptions parse almost every request: the decoder checks UTF-8
	// as it scans. Duplicates become findings at their place instead of
	// ending the parse.
	strictOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true)}
	// lenientOptions re-parse the rare body with bytes that are not UTF-8,
	// so each bad string becomes a finding and the rest is still checked.
	lenientOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}
)

// parse reads src as exactly one JSON value. The returned doc is valid until
// the next parse with the same parser.
func (p *docParser) parse(src []byte) (*doc, error) {
	d, err := p.parseWith(src, false)
	if se, ok := err.(*syntaxError); ok && se.invalidUTF8 {
		return p.parseWith(src, true)
	}
	return d, err
}

// parseWith parses src; lenient accepts bytes that are not UTF-8 and flags
// the strings holding them.
func (p *docParser) parseWith(src []byte, lenient bool) (*doc, error) {
	d := &p.doc
	d.src = src
	d.nodes = d.nodes[:0]
	d.lines = d.lines[:0]
	d.cursor = posCursor{}
	if len(p.names) > 0 {
		clear(p.names)
	}
	if len(src) > math.MaxInt32 {
		// Offsets are int32; a larger body would wrap them.
		return d, &syntaxError{offset: 0, msg: fmt.Sprintf("request body is %d bytes; at most %d can be checked", len(src), math.MaxInt32)}
	}
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		return d, &syntaxError{offset: 0, msg: "byte order mark (U+FEFF) before the JSON text; JSON sent over HTTP must not start with one"}
	}
	p.buf = *bytes.NewBuffer(src)
	if lenient {
		p.dec.Reset(&p.buf, lenientOptions...)
	} else {
		p.dec.Reset(&p.buf, strictOptions...)
	}
	stack := [32]int32{}
	depth := 0
	var stackOverflow []int32
	pendingName := [2]int32{-1, -1}
	pendingEscaped := false
	push := func(i int32) {
		if depth < len(stack) {
			stack[depth] = i
		} else {
			stackOverflow = append(stackOverflow, i)
		}
		depth++
	}
	top := func() int32 {
		if depth == 0 {
			return -1
		}
		if depth <= len(stack) {
			return stack[depth-1]
		}
		return stackOverflow[depth-1-len(stack)]
	}
	pop := func() {
		depth--
		if depth >= len(stack) {
			stackOverflow = stackOverflow[:len(stackOverflow)-1]
		}
	}
	// closeContainer reads the '}' or ']' ending the open container and
	// records where it ends.
	closeContainer := func(open int32) error {
		if _, err := p.dec.ReadToken(); err != nil {
			return p.syntax(err)
		}
		d.nodes[open].end = int32(p.dec.InputOffset())
		pop()
		return nil
	}
	for {
		parent := top()
		if parent >= 0 && d.nodes[parent].kind == '{' && pendingName[0] < 0 {
			// Expecting a member name or the end of the object.
			if p.dec.PeekKind() == '}' {
				if err := closeContainer(parent); err != nil {
					return d, err
				}
				if depth == 0 {
					break
				}
				continue
			}
			name, err := p.dec.ReadValue()
			if err != nil {
				return d, p.syntax(err)
			}
			end := int32(p.dec.InputOffset())
			pendingName = [2]int32{end - int32(len(name)), end}
			pendingEscaped = bytes.IndexByte(name, '\\') >= 0
			continue
		}
		kind := p.dec.PeekKind()
		if kind == ']' {
			if err := closeContainer(parent); err != nil {
				return d, err
			}
			if depth == 0 {
				break
			}
			continue
		}
		n := node{kind: kind, parent: parent, nameStart: pendingName[0], nameEnd: pendingName[1],
			firstChild: -1, nextSibling: -1, lastChild: -1}
		pendingName = [2]int32{-1, -1}
		if pendingEscaped {
			n.flags |= flagEscapedName
			pendingEscaped = false
		}
		switch kind {
		case '{', '[':
			if _, err := p.dec.ReadToken(); err != nil {
				return d, p.syntax(err)
			}
			n.start = int32(p.dec.InputOffset()) - 1
		default:
			v, err := p.dec.ReadValue()
			if err != nil {
				return d, p.syntax(err)
			}
			n.end = int32(p.dec.InputOffset())
			n.start = n.end - int32(len(v))
			if kind == '"' {
				n.flags |= stringFlags(v, lenient)
			}
		}
		if lenient && n.nameStart >= 0 && !utf8.Valid(d.src[n.nameStart:n.nameEnd]) {
			n.flags |= flagInvalidName
		}
		idx := int32(len(d.nodes))
		if parent >= 0 {
			pn := &d.nodes[parent]
			if n.nameStart >= 0 && pn.kind == '{' {
				if p.isDuplicate(parent, &n) {
					n.flags |= flagDuplicate
				}
			}
			n.index = pn.children
			if pn.lastChild >= 0 {
				d.nodes[pn.lastChild].nextSibling = idx
			} else {
				pn.firstChild = idx
			}
			pn.lastChild = idx
			pn.children++
		}
		d.nodes = append(d.nodes, n)
		if kind == '{' || kind == '[' {
			push(idx)
		} else if depth == 0 {
			break
		}
	}
	// Exactly one value: anything after it (a second object, garbage) is an
	// error, since servers differ on whether they read or reject it.
	if _, err := p.dec.ReadToken(); err != io.EOF {
		// Report where the extra data starts: after the value and white
		// space. (The decoder's offset is past the extra token when that
		// token is valid JSON, as in "{} {}".)
		off := int(d.nodes[0].end)
		off += len(src[off:]) - len(bytes.TrimLeft(src[off:], " \t\r\n"))
		return d, &syntaxError{offset: off, msg: "unexpected data after the top-level JSON value"}
	}
	return d, nil
}

// isDuplicate reports whether member n of object obj repeats the name of
// an earlier member, scanning small objects and indexing large ones.
func (p *docParser) isDuplicate(obj int32, n *node) bool {
	d := &p.doc
	pn := &d.nodes[obj]
	if pn.children < linearScanMembers {
		for c := pn.firstChild; c >= 0; c = d.nodes[c].nextSibling {
			if sameName(d, &d.nodes[c], n) {
				return true
			}
		}
		return false
	}
	if p.names == nil {
		p.names = map[memberKey]struct{}{}
	}
	if pn.children == linearScanMembers {
		// Index the members seen so far, once.
		for c := pn.firstChild; c >= 0; c = d.nodes[c].nextSibling {
			p.names[memberKey{obj, memberName(d, &d.nodes[c])}] = struct{}{}
		}
	}
	k := memberKey{obj, memberName(d, n)}
	if _, ok := p.names[k]; ok {
		return true
	}
	p.names[k] = struct{}{}
	return false
}

// memberName is a member's name as sameName compares it.
func memberName(d *doc, n *node) string {
	raw := d.src[n.nameStart:n.nameEnd]
	if n.flags&flagEscapedName == 0 {
		return string(raw[1 : len(raw)-1])
	}
	return unquote(raw)
}

// syntax turns a decoder error into a syntaxError at the fault's offset.
func (p *docParser) syntax(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		msg := se.Err.Error()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "unexpected end of input: the JSON text is truncated"
		}
		if msg == "exceeded max depth" {
			msg = fmt.Sprintf("arrays and objects nest more than %d levels deep; no request needs that many", maxNesting)
		}
		off := int(se.ByteOffset)
		if msg == "invalid UTF-8" {
			// jsontext exports no sentinel for this; the message is pinned
			// by TestStrictParseRetriesInvalidUTF8.
			return &syntaxError{offset: off, msg: msg, invalidUTF8: true}
		}
		if c := trailingCommaBefore(p.doc.src, off); c != 0 {
			// jsontext reports "invalid character ',' at start of value";
			// name what is really wrong.
			return &syntaxError{offset: off, msg: fmt.Sprintf("trailing comma before '%c'; JSON allows no comma after the last member or element", c)}
		}
		return &syntaxError{offset: off, msg: cleanSyntaxMessage(msg, se)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &syntaxError{offset: len(p.doc.src), msg: "unexpected end of input: the JSON text is truncated"}
	}
	return &syntaxError{offset: int(p.dec.InputOffset()), msg: err.Error()}
}

// trailingCommaBefore returns '}' or ']' when src[off] is a comma that only
// white space separates from the end of its object or array, else 0.
func trailingCommaBefore(src []byte, off int) byte {
	if off < 0 || off >= len(src) || src[off] != ',' {
		return 0
	}
	rest := bytes.TrimLeft(src[off+1:], " \t\r\n")
	if len(rest) > 0 && (rest[0] == '}' || rest[0] == ']') {
		return rest[0]
	}
	return 0
}

func cleanSyntaxMessage(msg string, se *jsontext.SyntacticError) string {
	full := se.Error()
	// jsontext prefixes "jsontext: " and offsets; keep the reason only.
	if i := strings.Index(full, ": "); i >= 0 && msg == "" {
		return full[i+2:]
	}
	if msg == "" {
		return full
	}
	return msg
}

func stringFlags(raw []byte, lenient bool) uint8 {
	var f uint8
	if bytes.IndexByte(raw, '\\') >= 0 {
		f |= flagEscaped
	}
	if lenient && !utf8.Valid(raw) {
		f |= flagInvalidUTF8
	}
	return f
}

func sameName(d *doc, a, b *node) bool {
	na, nb := d.src[a.nameStart:a.nameEnd], d.src[b.nameStart:b.nameEnd]
	if (a.flags|b.flags)&flagEscapedName == 0 {
		return bytes.Equal(na, nb)
	}
	return unquote(na) == unquote(nb)
}

// unquote decodes a raw JSON string; it allocates, so the hot path calls it
// only for strings with escapes.
func unquote(raw []byte) string {
	out, err := jsontext.AppendUnquote(nil, raw)
	if err != nil && len(out) == 0 {
		return string(raw)
	}
	return string(out)
}

// str returns the string value of a string node. Without escapes it is the
// source bytes themselves.
func (d *doc) str(i int32) []byte {
	n := &d.nodes[i]
	raw := d.src[n.start:n.end]
	if n.flags&flagEscaped == 0 {
		return raw[1 : len(raw)-1]
	}
	out, _ := jsontext.AppendUnquote(nil, raw)
	return out
}

// name returns the member name of node i.
func (d *doc) name(i int32) []byte {
	n := &d.nodes[i]
	raw := d.src[n.nameStart:n.nameEnd]
	if n.flags&flagEscapedName == 0 {
		return raw[1 : len(raw)-1]
	}
	out, _ := jsontext.AppendUnquote(nil, raw)
	return out
}

// member finds the last member named name in object node obj (the last
// one, as most parsers keep), or -1.
func (d *doc) member(obj int32, name string) int32 {
	found := int32(-1)
	for c := d.nodes[obj].firstChild; c >= 0; c = d.nodes[c].nextSibling {
		if string(d.name(c)) == name {
			found = c
		}
	}
	return found
}

// raw returns the source bytes of node i.
func (d *doc) raw(i int32) []byte { n := &d.nodes[i]; return d.src[n.start:n.end] }

// pointer builds the RFC 6901 pointer of node i. Only findings need it.
func (d *doc) pointer(i int32) string {
	if i <= 0 {
		return ""
	}
	var parts []string
	for ; i > 0; i = d.nodes[i].parent {
		n := &d.nodes[i]
		if d.nodes[n.parent].kind == '[' {
			parts = append(parts, strconv.Itoa(int(n.index)))
		} else {
			parts = append(parts, escapePointer(string(d.name(i))))
		}
	}
	var b strings.Builder
	for j := len(parts) - 1; j >= 0; j-- {
		b.WriteByte('/')
		b.WriteString(parts[j])
	}
	return b.String()
}

func escapePointer(s string) string {
	if !utf8.ValidString(s) {
		// A member name with bytes that are not UTF-8 (json-invalid-utf8)
		// has no exact pointer; spell the bytes as U+FFFD, as every JSON
		// encoder of the finding would.
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// position is the line and column of offset off, as the position function
// computes them, in O(log lines) plus the code points between this offset
// and the previous one on the same line: calling the position function
// once per finding costs O(findings × size), which a request with tens of
// thousands of findings turns into minutes.
func (d *doc) position(off int) (line, col int) {
	off = min(max(off, 0), len(d.src))
	if len(d.lines) == 0 && len(d.src) > 0 {
		d.lines = append(d.lines, 0) // line 1 starts at 0
		for i, b := range d.src {
			if b == '\n' {
				d.lines = append(d.lines, int32(i+1))
			}
		}
	}
	line = 1
	if len(d.lines) > 0 {
		i, found := slices.BinarySearch(d.lines, int32(off))
		if !found {
			i--
		}
		line = i + 1
	}
	lineStart := 0
	if len(d.lines) > 0 {
		lineStart = int(d.lines[line-1])
	}
	c := &d.cursor
	if c.col > 0 && c.lineStart == lineStart && c.off <= off {
		col = c.col + utf8.RuneCount(d.src[c.off:off])
	} else {
		col = 1 + utf8.RuneCount(d.src[lineStart:off])
	}
	// Keep the cursor on a rune boundary at or before off: counting on from
	// inside a multi-byte sequence would count it twice.
	b := off
	for b > lineStart && b < len(d.src) && !utf8.RuneStart(d.src[b]) && off-b < utf8.UTFMax {
		b--
	}
	if b < len(d.src) && !utf8.RuneStart(d.src[b]) {
		c.col = 0 // no boundary near: next call counts from the line start
		return line, col
	}
	c.off, c.lineStart, c.col = b, lineStart, col-utf8.RuneCount(d.src[b:off])
	return line, col
}
