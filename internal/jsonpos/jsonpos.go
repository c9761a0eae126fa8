// Package jsonpos parses one JSON text into a flat tree of nodes that keep
// their byte offsets, so a checker can report a finding at a line and a
// column and name it by JSON pointer. Strings stay in the source bytes and
// nodes in one reused slice: a parse allocates nothing once warm. It is
// built for untrusted input: duplicate names and bytes that are not UTF-8
// become flags on their nodes instead of ending the parse, nesting is
// bounded, and member lookups stay linear on hostile objects.
package jsonpos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Node is one JSON value of a parsed request. Nodes live in one slice and
// refer to each other by index, and strings stay in the source bytes, so a
// parse allocates nothing once the slice has grown. A Node is 40 bytes:
// it is what an array element the rules read costs.
//
// Indexes are int32 and -1 means none.
type Node struct {
	Kind        jsontext.Kind // '{', '[', '"', '0', 't', 'f' or 'n'
	Flags       uint8         // Escaped, InvalidUTF8, ...
	Parent      int32
	Start, End  int32 // the value's bytes: Src[Start:End]
	NameStart   int32 // for object members: the quoted name, Src[NameStart:NameEnd]
	NameEnd     int32
	Index       int32 // position among its siblings
	FirstChild  int32
	NextSibling int32
	Children    int32
}

// Flags of a Node.
const (
	Escaped     uint8 = 1 << iota // a string or name with backslash escapes
	InvalidUTF8                   // a string with bytes that are not UTF-8
	Duplicate                     // a member whose name an earlier sibling has
	InvalidName                   // a member whose name has bytes that are not UTF-8
	EscapedName                   // a member whose name has backslash escapes
)

// Doc is a parsed request: the source bytes and the value tree. Node 0 is
// the top-level value.
type Doc struct {
	Src   []byte
	Nodes []Node
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

// MemoryMultiple and MemoryConstant bound what one parse allocates, in
// bytes, for a body of n bytes of any shape: MemoryMultiple*n +
// MemoryConstant (TestMemoryByShape). The multiple is a 40-byte Node per
// 2-byte array element the rules read ("1,"), twice for the slices
// outgrown (see growth), plus the duplicate-name index; the constant is
// the nesting stack and the decoder.
const (
	MemoryMultiple = 48
	MemoryConstant = 8 << 20
)

// MaxNesting is the decoder's nesting limit (jsontext stops at it), so a
// hostile body of 100k '[' costs a finding, not a deep recursion.
const MaxNesting = 10000

// SyntaxError is a JSON syntax fault at a byte offset.
type SyntaxError struct {
	Offset int    // byte offset of the fault in the source
	Msg    string // what is wrong, without the offset
	// invalidUTF8 marks the strict parse's stop at bytes that are not
	// UTF-8: parse retries leniently to report them where they are.
	invalidUTF8 bool
}

func (e *SyntaxError) Error() string { return e.Msg }

// Parser holds what one parse reuses: the decoder, its reader, the node
// slice and the stack of open containers. The zero value is ready and keeps
// a Node for every value; a Parser is not safe for concurrent use (pool
// them).
type Parser struct {
	// KeepChildren, when set, decides which values get a Node, so memory
	// follows what the rules read, not the input's shape: a Node costs 44
	// bytes and an array element can be 2 ("1,"). It is asked once per
	// array or object that has a Node itself and was itself kept, with its
	// nesting depth (0 for the top-level value) and its member name
	// (decoded; nil in an array); false means its values are parsed for
	// syntax and UTF-8 only, counted (Children, Index stay exact) and get
	// a Node only when flagged Duplicate, InvalidUTF8 or InvalidName
	// (with their enclosing containers, so Pointer still works).
	KeepChildren func(depth int, name []byte) bool

	dec jsontext.Decoder
	buf bytes.Buffer
	doc Doc
	// frames are the open arrays and objects, at most MaxNesting, reused.
	frames []frame
	// names indexes the member names of objects with many members, so
	// finding duplicates stays linear: comparing each new member with all
	// earlier siblings made a 400 KB object of distinct names take seconds.
	// A name is kept as a 64-bit hash (of its object's serial number and
	// the decoded name) and its place in the source, not as a string:
	// about 40 bytes a name whatever its length. Names whose hashes
	// collide with a different name's go to collide, compared in full.
	names   map[uint64]nameSpan
	collide map[memberKey]struct{}
	seed    maphash.Seed
	objs    int32 // objects opened so far in this parse: memberKey.obj
}

// frame is one open array or object.
type frame struct {
	node     int32 // its Node, or -1 while it has none
	n        Node  // the Node it has or would get
	last     int32 // its last child's Node, or -1
	children int32 // values seen so far
	keep     bool  // its values get Nodes
	obj      int32 // its serial number, for names
	// first are the names of its first linearScanMembers members.
	first []nameSpan
}

// nameSpan is one quoted member name in the source.
type nameSpan struct {
	start, end int32
	escaped    bool
}

// memberKey is one member name (decoded) of one object, by serial number.
type memberKey struct {
	obj  int32
	name string
}

// linearScanMembers is how many members an object may have before its
// names are indexed in a map; below it a scan is cheaper and allocates
// nothing.
const linearScanMembers = 32

// reported are the flags a checker reports wherever they are, so a value
// that carries one always gets a Node.
const reported = Duplicate | InvalidUTF8 | InvalidName

var (
	// strictOptions parse almost every request: the decoder checks UTF-8
	// as it scans. Duplicates become findings at their place instead of
	// ending the parse.
	strictOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true)}
	// lenientOptions re-parse the rare body with bytes that are not UTF-8,
	// so each bad string becomes a finding and the rest is still checked.
	lenientOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}
)

// keepNodes is how many Nodes' room (2.5 MB) a Parser keeps between
// parses; Trim drops more, so a pooled Parser does not hold a hostile
// request's memory for the rest of the run.
const keepNodes = 1 << 16

// Trim lets go of what the last parse grew beyond the size of an ordinary
// request (its Doc must no longer be in use): call it before putting the
// Parser back in a pool.
func (p *Parser) Trim() {
	d := &p.doc
	d.Src = nil
	if cap(d.Nodes) > keepNodes {
		d.Nodes = nil
	}
	if cap(d.lines) > keepNodes {
		d.lines = nil
	}
	if len(p.names) > keepNodes/8 {
		p.names = nil // clear keeps a map's buckets
	}
	if len(p.collide) > 0 {
		p.collide = nil
	}
	if cap(p.frames) > 256 {
		p.frames = nil
	}
}

// Parse reads src as exactly one JSON value. The returned Doc is valid until
// the next parse with the same parser.
func (p *Parser) Parse(src []byte) (*Doc, error) {
	if p.parseFast(src) {
		return &p.doc, nil
	}
	return p.parseSlow(src)
}

// parseSlow parses src with jsontext: strictly, then leniently when the
// strict parse stopped at bytes that are not UTF-8.
func (p *Parser) parseSlow(src []byte) (*Doc, error) {
	d, err := p.parseWith(src, false)
	if se, ok := err.(*SyntaxError); ok && se.invalidUTF8 {
		return p.parseWith(src, true)
	}
	return d, err
}

// parseWith parses src; lenient accepts bytes that are not UTF-8 and flags
// the strings holding them.
func (p *Parser) parseWith(src []byte, lenient bool) (*Doc, error) {
	p.reset(src)
	d := &p.doc
	if len(src) > math.MaxInt32 {
		// Offsets are int32; a larger body would wrap them.
		return d, &SyntaxError{Offset: 0, Msg: fmt.Sprintf("request body is %d bytes; at most %d can be checked", len(src), math.MaxInt32)}
	}
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		return d, &SyntaxError{Offset: 0, Msg: "byte order mark (U+FEFF) before the JSON text; JSON sent over HTTP must not start with one"}
	}
	p.buf = *bytes.NewBuffer(src)
	if lenient {
		p.dec.Reset(&p.buf, lenientOptions...)
	} else {
		p.dec.Reset(&p.buf, strictOptions...)
	}
	pendingName := [2]int32{-1, -1}
	pendingEscaped := false
	// closeTop reads the '}' or ']' ending the innermost open container
	// and records where it ends and how many values it held.
	closeTop := func() error {
		if _, err := p.dec.ReadToken(); err != nil {
			return p.syntax(err)
		}
		f := &p.frames[len(p.frames)-1]
		if f.node >= 0 {
			d.Nodes[f.node].End = int32(p.dec.InputOffset())
			d.Nodes[f.node].Children = f.children
		}
		p.frames = p.frames[:len(p.frames)-1]
		return nil
	}
	for {
		var top *frame
		if len(p.frames) > 0 {
			top = &p.frames[len(p.frames)-1]
		}
		if top != nil && top.n.Kind == '{' && pendingName[0] < 0 {
			// Expecting a member name or the end of the object.
			if p.dec.PeekKind() == '}' {
				if err := closeTop(); err != nil {
					return d, err
				}
				if len(p.frames) == 0 {
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
			if err := closeTop(); err != nil {
				return d, err
			}
			if len(p.frames) == 0 {
				break
			}
			continue
		}
		n := Node{Kind: kind, Parent: -1, NameStart: pendingName[0], NameEnd: pendingName[1],
			FirstChild: -1, NextSibling: -1}
		pendingName = [2]int32{-1, -1}
		if pendingEscaped {
			n.Flags |= EscapedName
			pendingEscaped = false
		}
		switch kind {
		case '{', '[':
			if _, err := p.dec.ReadToken(); err != nil {
				return d, p.syntax(err)
			}
			n.Start = int32(p.dec.InputOffset()) - 1
		default:
			v, err := p.dec.ReadValue()
			if err != nil {
				return d, p.syntax(err)
			}
			n.End = int32(p.dec.InputOffset())
			n.Start = n.End - int32(len(v))
			if kind == '"' {
				n.Flags |= stringFlags(v, lenient)
			}
		}
		if lenient && n.NameStart >= 0 && !utf8.Valid(d.Src[n.NameStart:n.NameEnd]) {
			n.Flags |= InvalidName
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
		if kind != '{' && kind != '[' {
			if len(p.frames) == 0 {
				break
			}
			continue
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
	}
	// Exactly one value: anything after it (a second object, garbage) is an
	// error, since servers differ on whether they read or reject it.
	if _, err := p.dec.ReadToken(); err != io.EOF {
		// Report where the extra data starts: after the value and white
		// space. (The decoder's offset is past the extra token when that
		// token is valid JSON, as in "{} {}".)
		off := int(d.Nodes[0].End)
		off += len(src[off:]) - len(bytes.TrimLeft(src[off:], " \t\r\n"))
		return d, &SyntaxError{Offset: off, Msg: "unexpected data after the top-level JSON value"}
	}
	return d, nil
}

// reset starts a parse of src, keeping what was allocated.
func (p *Parser) reset(src []byte) {
	d := &p.doc
	d.Src = src
	d.Nodes = d.Nodes[:0]
	d.lines = d.lines[:0]
	d.cursor = posCursor{}
	p.frames = p.frames[:0]
	p.objs = 0
	if len(p.names) > 0 {
		clear(p.names)
	}
	if len(p.collide) > 0 {
		clear(p.collide)
	}
}

// push opens a container: n, with Node idx (or -1) whose values get Nodes
// when keep is set.
func (p *Parser) push(n Node, idx int32, keep bool) {
	obj := int32(-1)
	if n.Kind == '{' {
		obj = p.objs
		p.objs++
	}
	if len(p.frames) < cap(p.frames) {
		p.frames = p.frames[:len(p.frames)+1]
	} else {
		p.frames = append(p.frames, frame{})
	}
	f := &p.frames[len(p.frames)-1]
	*f = frame{node: idx, n: n, last: -1, keep: keep, obj: obj, first: f.first[:0]}
}

// add appends n as a Node under the innermost open container, first giving
// Nodes to the open containers that have none (a flagged value deep in an
// unread part), and returns its index.
func (p *Parser) add(n Node) int32 {
	j := len(p.frames)
	for j > 0 && p.frames[j-1].node < 0 {
		j--
	}
	for ; j < len(p.frames); j++ {
		p.frames[j].node = p.link(p.frames[j].n, j)
	}
	return p.link(n, len(p.frames))
}

// link appends n as a Node whose parent is frame depth-1 (which has a
// Node) and returns its index. Only an open container gets children, so
// its last child is kept in its frame, not in every Node.
func (p *Parser) link(n Node, depth int) int32 {
	d := &p.doc
	idx := int32(len(d.Nodes))
	if depth > 0 {
		f := &p.frames[depth-1]
		n.Parent = f.node
		if f.last >= 0 {
			d.Nodes[f.last].NextSibling = idx
		} else {
			d.Nodes[f.node].FirstChild = idx
		}
		f.last = idx
	}
	if len(d.Nodes) == cap(d.Nodes) {
		d.Nodes = slices.Grow(d.Nodes, p.growth(int(n.Start)+1)-len(d.Nodes))
	}
	d.Nodes = append(d.Nodes, n)
	return idx
}

// growth is the room for Nodes the slice grows to when full. append grows
// a large slice by a quarter, so a 500,000-node parse allocated five times
// its nodes and, while copying, held old and new: 2.25 times at once.
// Past a few thousand nodes it instead predicts the parse's total from
// the nodes per source byte so far (hostile bodies are uniform: one
// element repeated) and takes that at once, so a parse holds about its
// final size plus an eighth; a guess too low doubles, so all the slices a
// parse allocates add up to at most twice the last. It never exceeds one
// Node per two source bytes, the most a body can have ("1," or "[]" per
// value): a parse allocates at most 40 bytes of Nodes per source byte.
// read is how far the parse has read: the end of the value being added
// (both the fast scanner and the jsontext parse call link).
func (p *Parser) growth(read int) int {
	d := &p.doc
	n := len(d.Nodes)
	most := len(d.Src)/2 + 2
	want := max(2*n, 64)
	if n >= 4096 && read > 0 {
		predicted := int(int64(n) * int64(len(d.Src)) / int64(read))
		want = max(predicted+predicted/8, 2*n)
	}
	return max(min(want, most), n+1)
}

// isDuplicate reports whether member n of the object of frame f repeats
// the name of an earlier member, scanning small objects and indexing large
// ones. It keeps no Node of its own, so it works for objects whose members
// get none.
func (p *Parser) isDuplicate(f *frame, n *Node) bool {
	src := p.doc.Src
	s := nameSpan{n.NameStart, n.NameEnd, n.Flags&EscapedName != 0}
	if f.children < linearScanMembers {
		for _, e := range f.first {
			if sameName(src, e, s) {
				return true
			}
		}
		f.first = append(f.first, s)
		return false
	}
	if p.names == nil {
		p.names = map[uint64]nameSpan{}
		p.seed = maphash.MakeSeed()
	}
	if f.children == linearScanMembers {
		// Index the members seen so far, once.
		for _, e := range f.first {
			p.seen(f.obj, e)
		}
	}
	return p.seen(f.obj, s)
}

// seen records name s of object obj and reports whether it was recorded
// before.
func (p *Parser) seen(obj int32, s nameSpan) bool {
	src := p.doc.Src
	var h maphash.Hash
	h.SetSeed(p.seed)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(obj))
	h.Write(b[:])
	if raw := src[s.start:s.end]; !s.escaped {
		h.Write(raw[1 : len(raw)-1])
	} else {
		h.WriteString(unquote(raw))
	}
	k := h.Sum64()
	e, ok := p.names[k]
	if !ok {
		p.names[k] = s
		return false
	}
	if sameName(src, e, s) {
		return true
	}
	// Two names, one hash: rare enough to compare in full.
	if p.collide == nil {
		p.collide = map[memberKey]struct{}{}
	}
	mk := memberKey{obj, spanName(src, s)}
	if _, ok := p.collide[mk]; ok {
		return true
	}
	p.collide[mk] = struct{}{}
	return false
}

// spanName is a member's name as sameName compares it.
func spanName(src []byte, s nameSpan) string {
	raw := src[s.start:s.end]
	if !s.escaped {
		return string(raw[1 : len(raw)-1])
	}
	return unquote(raw)
}

// syntax turns a decoder error into a SyntaxError at the fault's offset.
func (p *Parser) syntax(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		msg := se.Err.Error()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "unexpected end of input: the JSON text is truncated"
		}
		if msg == "exceeded max depth" {
			msg = fmt.Sprintf("arrays and objects nest more than %d levels deep; no request needs that many", MaxNesting)
		}
		off := int(se.ByteOffset)
		if msg == "invalid UTF-8" {
			// jsontext exports no sentinel for this; the message is pinned
			// by TestStrictParseRetriesInvalidUTF8.
			return &SyntaxError{Offset: off, Msg: msg, invalidUTF8: true}
		}
		if c := trailingCommaBefore(p.doc.Src, off); c != 0 {
			// jsontext reports "invalid character ',' at start of value";
			// name what is really wrong.
			return &SyntaxError{Offset: off, Msg: fmt.Sprintf("trailing comma before '%c'; JSON allows no comma after the last member or element", c)}
		}
		return &SyntaxError{Offset: off, Msg: cleanSyntaxMessage(msg, se)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &SyntaxError{Offset: len(p.doc.Src), Msg: "unexpected end of input: the JSON text is truncated"}
	}
	return &SyntaxError{Offset: int(p.dec.InputOffset()), Msg: err.Error()}
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
		f |= Escaped
	}
	if lenient && !utf8.Valid(raw) {
		f |= InvalidUTF8
	}
	return f
}

func sameName(src []byte, a, b nameSpan) bool {
	na, nb := src[a.start:a.end], src[b.start:b.end]
	if !a.escaped && !b.escaped {
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

// Str returns the string value of a string node. Without escapes it is the
// source bytes themselves; with escapes it is decoded into a new slice.
func (d *Doc) Str(i int32) []byte {
	n := &d.Nodes[i]
	return d.text(n.Start, n.End, n.Flags&Escaped != 0)
}

// Name returns the member name of node i, like Str.
func (d *Doc) Name(i int32) []byte {
	n := &d.Nodes[i]
	return d.text(n.NameStart, n.NameEnd, n.Flags&EscapedName != 0)
}

// text returns the contents of the quoted string Src[start:end].
func (d *Doc) text(start, end int32, escaped bool) []byte {
	raw := d.Src[start:end]
	if !escaped {
		return raw[1 : len(raw)-1]
	}
	out, _ := jsontext.AppendUnquote(nil, raw)
	return out
}

// Member finds the last member named name in object Node obj (the last
// one, as most parsers keep), or -1.
func (d *Doc) Member(obj int32, name string) int32 {
	found := int32(-1)
	for c := d.Nodes[obj].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		if string(d.Name(c)) == name {
			found = c
		}
	}
	return found
}

// Raw returns the source bytes of Node i.
func (d *Doc) Raw(i int32) []byte { n := &d.Nodes[i]; return d.Src[n.Start:n.End] }

// Pointer builds the RFC 6901 pointer of Node i. Only findings need it.
func (d *Doc) Pointer(i int32) string {
	if i <= 0 {
		return ""
	}
	var parts []string
	for ; i > 0; i = d.Nodes[i].Parent {
		n := &d.Nodes[i]
		if d.Nodes[n.Parent].Kind == '[' {
			parts = append(parts, strconv.Itoa(int(n.Index)))
		} else {
			parts = append(parts, EscapePointer(string(d.Name(i))))
		}
	}
	var b strings.Builder
	for j := len(parts) - 1; j >= 0; j-- {
		b.WriteByte('/')
		b.WriteString(parts[j])
	}
	return b.String()
}

// EscapePointer escapes a member name as an RFC 6901 reference token.
func EscapePointer(s string) string {
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

// Position is the line and column of offset off, as the position function
// computes them, in O(log lines) plus the code points between this offset
// and the previous one on the same line: calling the position function
// once per finding costs O(findings × size), which a request with tens of
// thousands of findings turns into minutes.
func (d *Doc) Position(off int) (line, col int) {
	off = min(max(off, 0), len(d.Src))
	if len(d.lines) == 0 && len(d.Src) > 0 {
		d.lines = append(d.lines, 0) // line 1 starts at 0
		for i, b := range d.Src {
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
		col = c.col + utf8.RuneCount(d.Src[c.off:off])
	} else {
		col = 1 + utf8.RuneCount(d.Src[lineStart:off])
	}
	// Keep the cursor on a rune boundary at or before off: counting on from
	// inside a multi-byte sequence would count it twice.
	b := off
	for b > lineStart && b < len(d.Src) && !utf8.RuneStart(d.Src[b]) && off-b < utf8.UTFMax {
		b--
	}
	if b < len(d.Src) && !utf8.RuneStart(d.Src[b]) {
		c.col = 0 // no boundary near: next call counts from the line start
		return line, col
	}
	c.off, c.lineStart, c.col = b, lineStart, col-utf8.RuneCount(d.Src[b:off])
	return line, col
}
