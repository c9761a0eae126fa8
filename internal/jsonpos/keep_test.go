package jsonpos

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// keepInput keeps what preflight's rules read: the envelope's members and
// input down to the members of its array items.
func keepInput(depth int, name []byte) bool {
	switch depth {
	case 0:
		return true
	case 1:
		return string(name) == "input"
	}
	return depth <= 4
}

// flagged lists the nodes a checker reports wherever they are, as
// "pointer@start:flags".
func flagged(d *Doc) []string {
	var out []string
	for i := range d.Nodes {
		n := &d.Nodes[i]
		if n.Flags&reported != 0 {
			out = append(out, fmt.Sprintf("%s@%d:%d", d.Pointer(int32(i)), n.Start, n.Flags&reported))
		}
	}
	return out
}

// Values the rules do not read get no Node, yet duplicates and bad UTF-8
// deep inside them are found at the same pointer and offset, and counts
// and indexes stay exact.
func TestKeepChildren(t *testing.T) {
	for _, tc := range []struct {
		src     string
		nodes   int // with keepInput
		flagged string
	}{
		{`{"x":[1,2,3,4],"input":{"u":[1,2]}}`, 6, ""},
		{`{"x":[1,2,{"a":1,"b":[0,{"a":1,"a":2}]}],"input":{}}`, 7, "/x/2/b/1/a@35:4"},
		{`{"x":{"k":1,"k":2},"x":[]}`, 4, "/x/k@16:4 /x@23:4"},
		{"{\"x\":[[1,\"\xff\"]]}", 4, "/x/0/1@9:2"},
		{"{\"x\":[{\"\xfe\":1}]}", 4, "/x/0/\uFFFD@11:8"},
		{`{"input":{"a":{"b":{"c":{"d":{"e":[1,2]}}}}}}`, 6, ""},
	} {
		var full, slim Parser
		slim.KeepChildren = keepInput
		df, errF := full.Parse([]byte(tc.src))
		want := strings.Join(flagged(df), " ")
		ds, errS := slim.Parse([]byte(tc.src))
		if (errF == nil) != (errS == nil) {
			t.Fatalf("%s: errors %v, %v", tc.src, errF, errS)
		}
		if got := strings.Join(flagged(ds), " "); got != want || got != tc.flagged {
			t.Errorf("%s: flagged %q, full parse %q, want %q", tc.src, got, want, tc.flagged)
		}
		if len(ds.Nodes) != tc.nodes {
			t.Errorf("%s: %d nodes, want %d", tc.src, len(ds.Nodes), tc.nodes)
		}
		// Every node the slim parse kept agrees with the full parse.
		for i := range ds.Nodes {
			n := &ds.Nodes[i]
			ptr := ds.Pointer(int32(i))
			j := findNode(df, ptr, n.Start)
			if j < 0 {
				t.Fatalf("%s: node %s@%d not in the full parse", tc.src, ptr, n.Start)
			}
			m := &df.Nodes[j]
			if n.End != m.End || n.Children != m.Children || n.Index != m.Index || n.Kind != m.Kind || n.Flags != m.Flags {
				t.Errorf("%s: node %s: %+v, full parse %+v", tc.src, ptr, *n, *m)
			}
		}
	}
}

func findNode(d *Doc, ptr string, start int32) int32 {
	for i := range d.Nodes {
		if d.Nodes[i].Start == start && d.Pointer(int32(i)) == ptr {
			return int32(i)
		}
	}
	return -1
}

// shapes are request bodies of about n bytes, each one shape a hostile
// file can take.
func shapes(n int) map[string][]byte {
	fill := func(head, unit, tail string) []byte {
		k := max((n-len(head)-len(tail))/len(unit), 1)
		return []byte(head + strings.Repeat(unit, k) + tail)
	}
	deep := min(n/2-64, MaxNesting-2)
	return map[string][]byte{
		"numbers":        fill(`{"x":[`, `1,`, `1]}`),
		"strings":        fill(`{"x":[`, `"",`, `""]}`),
		"objects":        fill(`{"x":[`, `{},`, `{}]}`),
		"distinct names": distinctNames(n),
		"duplicates":     fill(`{"x":{`, `"a":1,`, `"a":1}}`),
		"long string":    fill(`{"x":"`, `a`, `"}`),
		"deep":           []byte(`{"x":` + strings.Repeat("[", deep) + strings.Repeat("]", deep) + `}`),
		"input numbers":  fill(`{"input":{"u":[`, `1,`, `1]}}`),
	}
}

func distinctNames(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"x":{`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `"%x":1,`, i)
	}
	b.WriteString(`"":1}}`)
	return []byte(b.String())
}

// parseBytes is the heap a cold parse of src allocates.
func parseBytes(src []byte) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := Parser{KeepChildren: keepInput}
	_, _ = p.Parse(src)
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(&p)
	return after.TotalAlloc - before.TotalAlloc
}

// The parser's memory is within a multiple of the input plus a constant
// for every shape, so --max-request-bytes bounds it: a node per element of
// a 100 MB array took 10 GB. It counts every byte allocated, garbage of
// the node slice's growth included, so it is above the peak. Values a rule
// reports or reads (duplicates; "input numbers") still cost a node each:
// 44 bytes per 6 or 2 source bytes.
func TestMemoryByShape(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates tens of megabytes")
	}
	const size = 1 << 20
	const constant = 8 << 20 // the nesting stack, decoder state
	for name, src := range shapes(size) {
		limit := uint64(48*len(src) + constant)
		if name == "input numbers" {
			limit = uint64(128*len(src) + constant)
		}
		if got := parseBytes(src); got > limit {
			t.Errorf("%s: %d bytes parsing %d (%.1fx), want at most %d", name, got, len(src), float64(got)/float64(len(src)), limit)
		} else {
			t.Logf("%s: %d bytes parsing %d (%.1fx)", name, got, len(src), float64(got)/float64(len(src)))
		}
	}
}
