package jsonpos

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds the parser arbitrary bytes: it must never panic, a
// successful parse must give a consistent tree whose offsets stay in the
// source, and a parse that keeps Nodes only where rules read must find the
// same duplicates and bad UTF-8 at the same pointers.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"model":"nano-banana","input":{"prompt":"a fox","image_urls":["https://x/a.png"]}}`,
		`{"a":1,"a":2,"\u0061":3}`, `[1,2,]`, "\xef\xbb\xbf{}", `{} {}`, `"\ud83d\ude00"`,
		"{\"x\xfe\":\"\xff\"}", `[[[[[[[[[[`, ``, `nul`,
		`{"x":[1,{"a":[{"b":1,"b":2}]}],"input":{"u":[{"v":{"w":{"z":1,"z":1}}}]}}`,
	} {
		f.Add([]byte(s))
	}
	var p Parser
	slim := Parser{KeepChildren: keepInput}
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := p.Parse(src)
		// A parse that keeps fewer nodes reports the same faults at the
		// same places.
		ds, errS := slim.Parse(src)
		if (err == nil) != (errS == nil) || err != nil && err.Error() != errS.Error() {
			t.Fatalf("errors differ: %v, slim %v", err, errS)
		}
		if err == nil {
			if a, b := strings.Join(flagged(d), " "), strings.Join(flagged(ds), " "); a != b {
				t.Fatalf("flagged %q, slim %q", a, b)
			}
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(src) || se.Msg == "" {
				t.Fatalf("error %#v", err)
			}
			return
		}
		if len(d.Nodes) == 0 {
			t.Fatal("no nodes")
		}
		for i := range d.Nodes {
			n := &d.Nodes[i]
			if n.Start < 0 || n.Start > n.End || int(n.End) > len(src) {
				t.Fatalf("node %d: bytes %d..%d of %d", i, n.Start, n.End, len(src))
			}
			if i > 0 && (n.Parent < 0 || int(n.Parent) >= i) {
				t.Fatalf("node %d: parent %d", i, n.Parent)
			}
			if line, col := d.Position(int(n.Start)); line < 1 || col < 1 {
				t.Fatalf("node %d: position %d:%d", i, line, col)
			}
			_ = d.Pointer(int32(i))
			if n.Kind == '"' {
				_ = d.Str(int32(i))
			}
		}
	})
}

// A warm parse allocates nothing: strings stay in the source and the node
// slice is reused.
func TestParseAllocs(t *testing.T) {
	src := []byte(`{"model":"nano-banana","request_type":"callback","input":{"prompt":"a fox 🦊","image_urls":["https://x/a.png","https://x/b.png"],"n":3}}`)
	var p Parser
	if _, err := p.Parse(src); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Parse(src) }); n != 0 {
		t.Errorf("%v allocations per warm parse, want 0", n)
	}
}
