package jsonpos

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"testing"
	"unicode/utf8"
)

// fastCases are bodies the fast path must take, with what it must give up
// on beside them.
var fastCases = []struct {
	src  string
	fast bool
}{
	{`{"model":"nano-banana","input":{"prompt":"a fox","image_urls":["https://x/a.png"]}}`, true},
	{` {"a" : [ 1 , -0.5e+3 , true , false , null , "" , {} , [] ] } ` + "\r\n\t", true},
	{`{"p":"港の朝、漁船 🌅 \"q\" \\ \/ \b\f\n\r\t \u00e9 \uFFFD end of a longer run"}`, true},
	{`{"a":1,"a":2,"\u0061":3}`, true},
	{`"x"`, true},
	{`0`, true},
	{`-12.25E-7`, true},
	{`{"x":[1,{"a":[{"b":1,"b":2}]}],"input":{"u":[{"v":{"w":{"z":1,"z":1}}}]}}`, true},
	{`"\ud83d\ude00"`, false}, // surrogates: jsontext judges the pair
	{"{\"x\":\"\xff\"}", false},
	{"\xef\xbb\xbf{}", false},
	{`[1,2,]`, false},
	{`{"a":1,}`, false},
	{`{} {}`, false},
	{`{"a" 1}`, false},
	{`{"a":}`, false},
	{`[}`, false},
	{`{]`, false},
	{`01`, false},
	{`1.`, false},
	{`1e`, false},
	{`-`, false},
	{`tru`, false},
	{`nulll`, false},
	{`"a` + "\x01" + `"`, false},
	{`"\x"`, false},
	{`"\u12G4"`, false},
	{`"abc`, false},
	{``, false},
	{` `, false},
	{`[[[[`, false},
}

// sameParse parses src on both paths and fails the test when the fast one
// gives a result the slow one does not.
func sameParse(t *testing.T, keep func(int, []byte) bool, src []byte) bool {
	t.Helper()
	fast := Parser{KeepChildren: keep}
	slow := Parser{KeepChildren: keep}
	if !fast.parseFast(src) {
		return false
	}
	d, err := slow.parseSlow(src)
	if err != nil {
		t.Fatalf("%q: fast path accepted what jsontext rejects: %v", src, err)
	}
	if !slices.Equal(fast.doc.Nodes, d.Nodes) {
		t.Fatalf("%q: nodes differ:\nfast %+v\nslow %+v", src, fast.doc.Nodes, d.Nodes)
	}
	return true
}

func TestFastPath(t *testing.T) {
	for _, tc := range fastCases {
		for _, keep := range []func(int, []byte) bool{nil, keepInput} {
			if got := sameParse(t, keep, []byte(tc.src)); got != tc.fast {
				t.Errorf("%q: fast path taken %v, want %v", tc.src, got, tc.fast)
			}
		}
	}
}

// The fast path gives up before jsontext's depth limit, so the limit's
// message stays jsontext's.
func TestFastPathDepth(t *testing.T) {
	deep := make([]byte, 0, 2*fastMaxDepth+2)
	for range fastMaxDepth + 1 {
		deep = append(deep, '[')
	}
	for range fastMaxDepth + 1 {
		deep = append(deep, ']')
	}
	if sameParse(t, nil, deep) {
		t.Errorf("fast path took %d levels of nesting", fastMaxDepth+1)
	}
	if !sameParse(t, nil, deep[1:len(deep)-1]) {
		t.Errorf("fast path refused %d levels of nesting", fastMaxDepth)
	}
}

// FuzzFastMatchesSlow holds the hand-written scan to jsontext: whatever it
// accepts, jsontext accepts with the same Nodes, kept or not.
func FuzzFastMatchesSlow(f *testing.F) {
	for _, tc := range fastCases {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sameParse(t, nil, src)
		sameParse(t, keepInput, src)
	})
}

// utf8Seq agrees with utf8.DecodeRune on every sequence of up to four bytes
// that starts with a non-ASCII byte.
func TestUTF8Seq(t *testing.T) {
	var b [4]byte
	for c := 0x80; c <= 0xFF; c++ {
		for x := 0; x < 1<<16; x++ {
			b = [4]byte{byte(c), byte(x), byte(x >> 8), byte(x>>8) ^ 0x3F}
			for n := 1; n <= 4; n++ {
				r, size := utf8.DecodeRune(b[:n])
				want := size
				if r == utf8.RuneError && size == 1 {
					want = 0
				}
				if got := utf8Seq(b[:n], 0); got != want {
					t.Fatalf("% x: utf8Seq %d, DecodeRune size %d", b[:n], got, want)
				}
			}
		}
	}
}

// special8's lowest flagged byte is the first byte a string scan must look
// at, for every byte value in every lane after plain bytes.
func TestSpecial8(t *testing.T) {
	isSpecial := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			for _, fill := range []byte{'a', ' ', '~', 0x21, 0x7f} {
				var w [8]byte
				for k := range w {
					w[k] = fill
				}
				w[lane] = byte(c)
				for k := lane + 1; k < 8; k++ {
					w[k] = byte(c*7 + k) // anything after
				}
				want := 8
				for k := range w {
					if isSpecial(w[k]) {
						want = k
						break
					}
				}
				m := special8(binary.LittleEndian.Uint64(w[:]))
				got := 8
				if m != 0 {
					got = bits.TrailingZeros64(m) >> 3
				}
				if got != want {
					t.Fatalf("% x: first special byte %d, want %d", w, got, want)
				}
			}
		}
	}
}
