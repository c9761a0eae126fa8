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

// bestOf returns the shortest of three runs of f: the run least disturbed
// by other load on the machine.
func bestOf(f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		f()
		best = min(best, time.Since(start))
	}
	return best
}

// checkLinear fails unless large (ten times the input of small) costs about
// as much as ten runs of small. It compares equal amounts of work, not a
// time limit, so a loaded machine or -race does not fail it, while a
// quadratic cost (ten times as much) does.
func checkLinear(t *testing.T, what string, small, large func()) {
	t.Helper()
	tSmall := bestOf(func() {
		for range 10 {
			small()
		}
	})
	tLarge := bestOf(large)
	if r := float64(tLarge) / float64(max(tSmall, time.Microsecond)); r > 4 {
		t.Errorf("%s: ten times the input took %.1f times as long as ten small runs (%v vs %v)", what, r, tLarge, tSmall)
	}
}

func manyMembers(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"a":{`)
	for i := range n {
		fmt.Fprintf(&b, `"k%d":1,`, i)
	}
	fmt.Fprintf(&b, `"k7":2, "\u006b9":3, "k%d":4}}`, n-1)
	return []byte(b.String())
}

// An object of many distinct names parses in linear time: each member was
// compared with all earlier siblings, so 100k members took tens of seconds.
func TestParseManyMembersIsLinear(t *testing.T) {
	var p Parser
	small, large := manyMembers(10_000), manyMembers(100_000)
	checkLinear(t, "parse", func() { _, _ = p.Parse(small) }, func() { _, _ = p.Parse(large) })
	d, err := p.Parse(large)
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

// Doc.Position agrees with position, in any call order.
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
			t.Fatalf("offset %d: position %d:%d, Doc.Position %d:%d", off, l1, c1, l2, c2)
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
	positions := func(runes int) func() {
		src := append(append([]byte(`{"prompt":"`), bytes.Repeat([]byte("狐"), runes)...), `"}`...)
		d, err := new(Parser).Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		return func() {
			d.cursor = posCursor{} // each run starts cold
			for off := 0; off < len(src); off += 31 {
				d.Position(off)
			}
		}
	}
	checkLinear(t, "positions", positions(10_000), positions(100_000))
}

// position is the plain definition Doc.Position must agree with: the 1-based
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
