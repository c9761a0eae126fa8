package jsonpos

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/internal/shapes"
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

// The parser's memory is within one multiple of the input plus a constant
// for every shape, so --max-request-bytes bounds it: a node per element of
// a 100 MB array took 10 GB. It counts every byte allocated, garbage of
// the node slice's growth included, so it is above the peak. Values the
// rules read (the "input" shapes) and values that carry a finding
// (duplicates) cost a 40-byte Node each, at most one per two source
// bytes, and the slices outgrown add at most as much again. Names cost
// one hash and offset each.
func TestMemoryByShape(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates tens of megabytes")
	}
	const size = 1 << 20
	for name, src := range shapes.Of(size) {
		limit := uint64(MemoryMultiple*len(src) + MemoryConstant)
		if d, err := (&Parser{}).Parse(src); err != nil && name != "invalid utf-8" {
			t.Fatalf("%s: %v", name, err)
		} else if len(d.Nodes) == 0 {
			t.Fatalf("%s: no nodes", name)
		}
		if got := parseBytes(src); got > limit {
			t.Errorf("%s: %d bytes parsing %d (%.1fx), want at most %d", name, got, len(src), float64(got)/float64(len(src)), limit)
		} else {
			t.Logf("%s: %d bytes parsing %d (%.1fx)", name, got, len(src), float64(got)/float64(len(src)))
		}
	}
}

// Trim lets a pooled Parser go of a large parse's nodes and names, and the
// Parser still parses afterwards.
func TestTrim(t *testing.T) {
	var p Parser
	big := shapes.Of(1 << 20)
	if _, err := p.Parse(big["input numbers"]); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse(big["distinct names"]); err != nil {
		t.Fatal(err)
	}
	p.Trim()
	if cap(p.doc.Nodes) > keepNodes || len(p.names) > keepNodes/8 || p.doc.Src != nil {
		t.Errorf("after Trim: %d nodes' room, %d names, %d source bytes", cap(p.doc.Nodes), len(p.names), len(p.doc.Src))
	}
	d, err := p.Parse([]byte(`{"a":1,"a":2}`))
	if err != nil || len(d.Nodes) != 3 || d.Nodes[2].Flags&Duplicate == 0 {
		t.Fatalf("parse after Trim: %v %+v", err, d)
	}
}

// A body whose first half is one long string and second half a dense
// array fools the prediction of the node count: the slice then doubles,
// and what the parse allocates stays within the bound.
func TestMemoryPredictionFooled(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates tens of megabytes")
	}
	half := 1 << 19
	src := []byte(`{"x":"` + strings.Repeat("a", half) + `","input":{"u":[` + strings.Repeat("1,", half/2) + `1]}}`)
	got := parseBytes(src)
	if limit := uint64(MemoryMultiple*len(src) + MemoryConstant); got > limit {
		t.Errorf("%d bytes parsing %d, want at most %d", got, len(src), limit)
	}
	t.Logf("%d bytes parsing %d (%.1fx)", got, len(src), float64(got)/float64(len(src)))
}
