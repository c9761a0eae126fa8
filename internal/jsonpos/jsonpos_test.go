package jsonpos

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// An object of many distinct names parses in linear time: each member was
// compared with all earlier siblings, so 100k members took tens of seconds.
func TestParseManyMembersIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"a":{`)
	const n = 100_000
	for i := range n {
		fmt.Fprintf(&b, `"k%d":1,`, i)
	}
	b.WriteString(`"k7":2, "\u006b9":3, "k99999":4}}`)
	var p Parser
	start := time.Now()
	d, err := p.Parse([]byte(b.String()))
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("parse took %v", el)
	}
	if err != nil {
		t.Fatal(err)
	}
	var dups []string
	for i := range d.Nodes {
		if d.Nodes[i].Flags&Duplicate != 0 {
			dups = append(dups, string(d.Name(int32(i))))
		}
	}
	if strings.Join(dups, ",") != "k7,k9,k99999" {
		t.Errorf("duplicates %v", dups)
	}
	// Small objects and a reused parser: same answers, nothing stale.
	d, _ = p.Parse([]byte(`{"a":{"k7":1,"k7":2},"b":{"k7":1}}`))
	dups = dups[:0]
	for i := range d.Nodes {
		if d.Nodes[i].Flags&Duplicate != 0 {
			dups = append(dups, d.Pointer(int32(i)))
		}
	}
	if strings.Join(dups, ",") != "/a/k7" {
		t.Errorf("duplicates after reuse %v", dups)
	}
}

// doc.position agrees with position, in any call order.
func TestDocPositionMatches(t *testing.T) {
	src := []byte("{\n  \"prompt\": \"狐 fox é\",\r\n\n  \"x\": [1,\n2, \"日本\"]}\n")
	var p Parser
	d, err := p.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		off := r.IntN(len(src)+3) - 1
		l1, c1 := position(src, off)
		l2, c2 := d.Position(off)
		if l1 != l2 || c1 != c2 {
			t.Fatalf("offset %d: position %d:%d, doc.position %d:%d", off, l1, c1, l2, c2)
		}
	}
	empty, _ := p.Parse(nil)
	if l, c := empty.Position(0); l != 1 || c != 1 {
		t.Errorf("empty: %d:%d", l, c)
	}
}

// Many findings on a long single-line request: each position costs the
// code points since the previous one, not the whole prefix.
func TestDocPositionManyFindings(t *testing.T) {
	src := append(append([]byte(`{"prompt":"`), bytes.Repeat([]byte("狐"), 1<<20)...), `"}`...)
	var p Parser
	d, err := p.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for off := 0; off < len(src); off += 31 {
		d.Position(off)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("100k positions took %v", el)
	}
}

// position is the plain definition doc.position must agree with: the 1-based
// line and code-point column of off, rescanning the source on every call.
func position(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	prefix := src[:off]
	line = 1 + bytes.Count(prefix, []byte{'\n'})
	lineStart := bytes.LastIndexByte(prefix, '\n') + 1
	col = 1 + utf8.RuneCount(prefix[lineStart:])
	return line, col
}

// TestStrictParseFlagsInvalidUTF8 pins the decoder message the strict
// parse relies on to retry leniently, and checks the lenient parse flags
// the bad value and member name where they are.
func TestStrictParseFlagsInvalidUTF8(t *testing.T) {
	body := []byte("{\"a\":\"1:1\xff\",\"x\xfe\":1}")
	var p Parser
	_, perr := p.parseWith(body, false)
	if se, ok := perr.(*SyntaxError); !ok || !se.invalidUTF8 {
		t.Errorf("strict parse did not flag invalid UTF-8: %#v", perr)
	}
	d, err := p.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if d.Nodes[1].Flags&InvalidUTF8 == 0 || d.Nodes[2].Flags&InvalidName == 0 {
		t.Errorf("flags %#v", d.Nodes)
	}
}
