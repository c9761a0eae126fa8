package promptcheck

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refScan is scan as plainly as it can be written: one rune at a time,
// classified by package unicode. scan must agree with it on every input.
func refScan(p string) stats {
	var s stats
	for i, r := range p {
		s.chars++
		if r == utf8.RuneError && !strings.HasPrefix(p[i:], "\uFFFD") {
			if s.badN == 0 {
				s.badOff = i
			}
			s.badN++
			s.nonSpace = true
			continue
		}
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			if s.ctlN == 0 {
				s.ctlOff = i
			}
			s.ctlN++
		}
		if !unicode.IsSpace(r) {
			s.nonSpace = true
		}
	}
	return s
}

var scanCases = []string{
	"", " ", "        \u3000", "a cat in the snow, 35mm, golden hour, long enough for words",
	"雪の中の赤い狐、夕暮れ 🦊❄️ 電影感、35mm。", "x\u0085y\u0080\u009f\u00a0", "\u00a0\u00a0\u2028 x",
	"ok \xff\xfe bad", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 past", "\xc0\xaf overlong",
	"\xe0\x80\xaf overlong3", "\xf0\x80\x80\xaf overlong4", "trunc \xe3\x81", "trunc \xf0\x9f\xa6",
	"tab\there\nnewline\rcr \x00 nul \x1b esc \x7f del", "a\u0301 combining", "\uFFFD literal",
}

func TestScanMatchesReference(t *testing.T) {
	for _, p := range scanCases {
		if got, want := scan(p), refScan(p); got != want {
			t.Errorf("scan(%q) = %+v, want %+v", p, got, want)
		}
	}
}

// seqLen agrees with utf8.DecodeRuneInString on every sequence of up to
// four bytes that starts with a non-ASCII byte.
func TestSeqLen(t *testing.T) {
	for c := 0x80; c <= 0xFF; c++ {
		for x := 0; x < 1<<16; x++ {
			b := string([]byte{byte(c), byte(x), byte(x >> 8), byte(x>>8) ^ 0x3F})
			for n := 1; n <= 4; n++ {
				r, size := utf8.DecodeRuneInString(b[:n])
				want := size
				if r == utf8.RuneError && size == 1 {
					want = 0
				}
				if got := seqLen(b[:n], 0); got != want {
					t.Fatalf("% x: seqLen %d, DecodeRuneInString size %d", b[:n], got, want)
				}
			}
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, p := range scanCases {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := scan(p), refScan(p); got != want {
			t.Fatalf("scan(%q) = %+v, want %+v", p, got, want)
		}
	})
}
