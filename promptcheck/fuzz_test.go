package promptcheck

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", " ", "\t\n", "a cat", "漢字😀", "e\u0301", "\x00", "\x7f", "\u0085", "\u00a0",
		"\u2028", "\uFEFF", "\xff", "\xed\xa0\x80", "a --ar 16:9", "--", strings.Repeat("x", 40)} {
		f.Add(s, 3, 10, 20, "--")
	}
	f.Add("abc", 0, 0, 0, "")
	f.Add("😀😀😀😀", 1, 3, 12, "😀")
	f.Fuzz(func(t *testing.T, prompt string, minChars, maxChars, maxBytes int, strip string) {
		lim := Limits{MinChars: minChars, MaxChars: maxChars, MaxBytes: maxBytes, StripFrom: strip}
		got := Check(prompt, lim)
		chars, bytes := Length(prompt)
		if bytes != len(prompt) || chars != utf8.RuneCountInString(prompt) {
			t.Fatalf("Length(%q) = %d, %d", prompt, chars, bytes)
		}

		if n := scan(prompt).chars; n != chars {
			t.Fatalf("scan counts %d code points in %q, utf8 %d", n, prompt, chars)
		}

		prev := Kind(0)
		for _, p := range got {
			if p.Kind <= prev {
				t.Fatalf("problems out of order or repeated: %+v", got)
			}
			prev = p.Kind
			if p.Offset < -1 || p.Offset > len(prompt) {
				t.Fatalf("%v: Offset %d out of range [-1, %d]", p.Kind, p.Offset, len(prompt))
			}
			if p.Offset >= 0 && !strings.HasPrefix(prompt[p.Offset:], p.Text) {
				t.Fatalf("%v: Text %q not at Offset %d", p.Kind, p.Text, p.Offset)
			}
			if p.Message() == "" || p.Fix() == "" {
				t.Fatalf("%v: empty Message or Fix", p.Kind)
			}
			switch p.Kind {
			case TooLong:
				// Cutting at Offset must leave exactly MaxChars code points.
				if n := utf8.RuneCountInString(prompt[:p.Offset]); n != lim.MaxChars || p.Count != chars {
					t.Fatalf("TooLong %+v: prefix has %d chars, prompt %d", p, n, chars)
				}
			case TooManyBytes:
				if p.Offset > lim.MaxBytes || p.Count != bytes {
					t.Fatalf("TooManyBytes %+v beyond limit", p)
				}
			case Stripped:
				if strings.Index(prompt, strip) != p.Offset {
					t.Fatalf("Stripped %+v: marker not first found at Offset", p)
				}
			}
		}

		// A clean prompt within its limits yields nothing.
		clean := prompt != "" && utf8.ValidString(prompt) &&
			strings.IndexFunc(prompt, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) < 0 &&
			strings.IndexFunc(prompt, func(r rune) bool { return !unicode.IsSpace(r) }) >= 0 &&
			(minChars <= 0 || chars >= minChars) &&
			(maxChars <= 0 || chars <= maxChars) &&
			(maxBytes <= 0 || bytes <= maxBytes) &&
			(strip == "" || !strings.Contains(prompt, strip))
		if clean != (got == nil) {
			t.Fatalf("Check(%q, %+v) = %+v, want clean=%v", prompt, lim, got, clean)
		}
	})
}
