package promptcheck

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var (
	nanoBanana = Limits{MinChars: 1, MaxChars: 5000}
	flux2      = Limits{MinChars: 3, MaxChars: 5000}
	midjourney = Limits{MinChars: 1, MaxChars: 2000, MaxBytes: 7500, StripFrom: "--"}
	small      = Limits{MinChars: 3, MaxChars: 5, MaxBytes: 12}
)

func TestCheck(t *testing.T) {
	emoji := "😀" // 1 code point, 4 bytes
	cjk := "漢"   // 1 code point, 3 bytes
	tests := []struct {
		name   string
		prompt string
		lim    Limits
		want   []Problem
	}{
		// Valid prompts.
		{"plain", "a cat on a mat", nanoBanana, nil},
		{"zero limits", "x", Limits{}, nil},
		{"tab newline cr allowed", "line one\n\tline two\r\n", nanoBanana, nil},
		{"combining mark", "cafe\u0301", small, nil}, // 5 code points, 6 bytes
		{"BOM inside text", "a\uFEFFb", small, nil},  // U+FEFF is Cf, not Cc
		{"leading BOM", "\uFEFFabc", small, nil},
		{"U+2028 inside text", "ab\u2028cd", small, nil},
		{"U+FFFD is valid", "a\uFFFDb", small, nil},
		{"exact MaxChars", "abcde", small, nil},
		{"exact MinChars", "abc", small, nil},
		{"exact MaxChars emoji", strings.Repeat(emoji, 3), Limits{MaxChars: 3}, nil},
		{"exact MaxBytes emoji", strings.Repeat(emoji, 3), small, nil},
		{"exact MaxBytes CJK", strings.Repeat(cjk, 4), small, nil},
		{"single dash kept", "a - b -c", midjourney, nil},
		{"em dash is not --", "a — b", midjourney, nil},
		{"midjourney 2000 CJK is 6000 bytes", strings.Repeat(cjk, 2000), midjourney, nil},

		// Empty and blank.
		{"empty", "", nanoBanana, []Problem{{Kind: Empty, Offset: -1}}},
		{"empty no limits", "", Limits{}, []Problem{{Kind: Empty, Offset: -1}}},
		{"spaces", "   ", flux2, []Problem{{Kind: Blank, Offset: -1, Count: 3}}},
		{"tab newline only", "\t\n", flux2, []Problem{{Kind: Blank, Offset: -1, Count: 2}}},
		{"NBSP only", "\u00a0\u00a0", nanoBanana, []Problem{{Kind: Blank, Offset: -1, Count: 2}}},
		{"U+2028 only", "\u2028", nanoBanana, []Problem{{Kind: Blank, Offset: -1, Count: 1}}},
		{"ideographic space only", "\u3000", nanoBanana, []Problem{{Kind: Blank, Offset: -1, Count: 1}}},
		{"blank and too long", "      ", small, []Problem{
			{Kind: Blank, Offset: -1, Count: 6},
			{Kind: TooLong, Offset: 5, Count: 6, Limit: 5},
		}},
		{"vertical tab only is blank and control", "\v", nanoBanana, []Problem{
			{Kind: Blank, Offset: -1, Count: 1},
			{Kind: ControlChar, Offset: 0, Count: 1, Text: "\v"},
		}},
		{"NEL only is blank and control", "\u0085", nanoBanana, []Problem{
			{Kind: Blank, Offset: -1, Count: 1},
			{Kind: ControlChar, Offset: 0, Count: 1, Text: "\u0085"},
		}},
		{"zero width space is not White_Space", "\u200b", nanoBanana, nil},

		// Invalid UTF-8.
		{"invalid byte", "ab\xffcd", nanoBanana, []Problem{{Kind: InvalidUTF8, Offset: 2, Count: 1, Text: "\xff"}}},
		{"invalid only", "\xff", nanoBanana, []Problem{{Kind: InvalidUTF8, Offset: 0, Count: 1, Text: "\xff"}}},
		{"truncated emoji", "ab" + emoji[:3], nanoBanana, []Problem{{Kind: InvalidUTF8, Offset: 2, Count: 3, Text: "\xf0"}}},
		{"surrogate half", "a\xed\xa0\x80", nanoBanana, []Problem{{Kind: InvalidUTF8, Offset: 1, Count: 3, Text: "\xed"}}},
		{"overlong NUL", "a\xc0\x80", nanoBanana, []Problem{{Kind: InvalidUTF8, Offset: 1, Count: 2, Text: "\xc0"}}},
		{"invalid bytes count as chars", "ab\xff\xfe", Limits{MaxChars: 3}, []Problem{
			{Kind: InvalidUTF8, Offset: 2, Count: 2, Text: "\xff"},
			{Kind: TooLong, Offset: 3, Count: 4, Limit: 3},
		}},

		// Control characters.
		{"NUL", "a\x00b", nanoBanana, []Problem{{Kind: ControlChar, Offset: 1, Count: 1, Text: "\x00"}}},
		{"NUL only", "\x00", nanoBanana, []Problem{{Kind: ControlChar, Offset: 0, Count: 1, Text: "\x00"}}},
		{"DEL", "abc\x7f", nanoBanana, []Problem{{Kind: ControlChar, Offset: 3, Count: 1, Text: "\x7f"}}},
		{"ESC twice", "\x1b[1mbold\x1b[0m", nanoBanana, []Problem{{Kind: ControlChar, Offset: 0, Count: 2, Text: "\x1b"}}},
		{"C1 control", "a\u0080b\u009f", nanoBanana, []Problem{{Kind: ControlChar, Offset: 1, Count: 2, Text: "\u0080"}}},
		{"form feed in text", "a\fb", nanoBanana, []Problem{{Kind: ControlChar, Offset: 1, Count: 1, Text: "\f"}}},

		// Length limits.
		{"too short", "ab", flux2, []Problem{{Kind: TooShort, Offset: -1, Count: 2, Limit: 3}}},
		{"too short emoji", emoji + emoji, flux2, []Problem{{Kind: TooShort, Offset: -1, Count: 2, Limit: 3}}},
		{"too short counts combining mark", "e\u0301", flux2, []Problem{{Kind: TooShort, Offset: -1, Count: 2, Limit: 3}}},
		{"MaxChars+1", "abcdef", small, []Problem{{Kind: TooLong, Offset: 5, Count: 6, Limit: 5}}},
		{"MaxChars+1 emoji", strings.Repeat(emoji, 4), Limits{MaxChars: 3}, []Problem{{Kind: TooLong, Offset: 12, Count: 4, Limit: 3}}},
		{"MaxChars+1 CJK offset", "ab" + strings.Repeat(cjk, 4), Limits{MaxChars: 5}, []Problem{{Kind: TooLong, Offset: 11, Count: 6, Limit: 5}}},
		{"MaxBytes+1 emoji", strings.Repeat(emoji, 3) + "a", small, []Problem{{Kind: TooManyBytes, Offset: 12, Count: 13, Limit: 12}}},
		{"MaxBytes crossed inside a char", "ab" + strings.Repeat(emoji, 3), small, []Problem{{Kind: TooManyBytes, Offset: 10, Count: 14, Limit: 12}}},
		{"too long in chars and bytes", strings.Repeat(cjk, 6), small, []Problem{
			{Kind: TooLong, Offset: 15, Count: 6, Limit: 5},
			{Kind: TooManyBytes, Offset: 12, Count: 18, Limit: 12},
		}},
		{"midjourney 2001 chars", strings.Repeat("a", 2001), midjourney, []Problem{{Kind: TooLong, Offset: 2000, Count: 2001, Limit: 2000}}},
		{"midjourney 1900 emoji over bytes", strings.Repeat(emoji, 1900), midjourney, []Problem{{Kind: TooManyBytes, Offset: 7500, Count: 7600, Limit: 7500}}},
		{"negative limits are none", "abc", Limits{MinChars: -1, MaxChars: -1, MaxBytes: -1}, nil},

		// Stripped marker.
		{"--ar", "a cat --ar 16:9", midjourney, []Problem{{Kind: Stripped, Offset: 6, Count: 6, Text: "--ar"}}},
		{"leading --v", "--v 7", midjourney, []Problem{{Kind: Stripped, Offset: 0, Count: 0, Text: "--v"}}},
		{"bare --", "well -- known", midjourney, []Problem{{Kind: Stripped, Offset: 5, Count: 5, Text: "--"}}},
		{"first marker wins", "漢 --stylize 100 --chaos 5", midjourney, []Problem{{Kind: Stripped, Offset: 4, Count: 2, Text: "--stylize"}}},
		{"marker at end", "cat--", midjourney, []Problem{{Kind: Stripped, Offset: 3, Count: 3, Text: "--"}}},
		{"no marker without StripFrom", "a --ar 1:1", nanoBanana, nil},

		// Several at once, in Kind order.
		{"everything", "\x00\xff" + strings.Repeat("x", 10) + " --ar", Limits{MaxChars: 5, MaxBytes: 8, StripFrom: "--"}, []Problem{
			{Kind: InvalidUTF8, Offset: 1, Count: 1, Text: "\xff"},
			{Kind: ControlChar, Offset: 0, Count: 1, Text: "\x00"},
			{Kind: TooLong, Offset: 5, Count: 17, Limit: 5},
			{Kind: TooManyBytes, Offset: 8, Count: 17, Limit: 8},
			{Kind: Stripped, Offset: 13, Count: 13, Text: "--ar"},
		}},
		{"too short and NUL", "a\x00", flux2, []Problem{
			{Kind: ControlChar, Offset: 1, Count: 1, Text: "\x00"},
			{Kind: TooShort, Offset: -1, Count: 2, Limit: 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.prompt, tt.lim)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check(%q, %+v)\n got %+v\nwant %+v", tt.prompt, tt.lim, got, tt.want)
			}
			for _, p := range got {
				if p.Message() == "" || p.Fix() == "" {
					t.Errorf("%v: empty Message or Fix", p.Kind)
				}
				if p.Offset >= 0 && p.Text != "" && !strings.HasPrefix(tt.prompt[p.Offset:], p.Text) {
					t.Errorf("%v: Text %q is not at Offset %d", p.Kind, p.Text, p.Offset)
				}
			}
		})
	}
}

func TestLength(t *testing.T) {
	tests := []struct {
		prompt       string
		chars, bytes int
	}{
		{"", 0, 0},
		{"abc", 3, 3},
		{"😀", 1, 4},
		{"漢字", 2, 6},
		{"e\u0301", 2, 3},
		{"a\xffb", 3, 3},
	}
	for _, tt := range tests {
		c, b := Length(tt.prompt)
		if c != tt.chars || b != tt.bytes {
			t.Errorf("Length(%q) = %d, %d; want %d, %d", tt.prompt, c, b, tt.chars, tt.bytes)
		}
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		k  Kind
		id string
	}{
		{Empty, "prompt-empty"},
		{Blank, "prompt-blank"},
		{InvalidUTF8, "prompt-invalid-utf8"},
		{ControlChar, "prompt-control-char"},
		{TooShort, "prompt-too-short"},
		{TooLong, "prompt-too-long"},
		{TooManyBytes, "prompt-too-many-bytes"},
		{Stripped, "prompt-param-stripped"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.id {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.id)
		}
	}
	if got := Kind(0).String(); got != "promptcheck.Kind(0)" {
		t.Errorf("Kind(0).String() = %q", got)
	}
	if got := Kind(200).String(); got != "promptcheck.Kind(200)" {
		t.Errorf("Kind(200).String() = %q", got)
	}
}

func TestMessageAndFix(t *testing.T) {
	tests := []struct {
		p        Problem
		msg, fix string
	}{
		{Problem{Kind: Empty, Offset: -1}, "prompt is empty", "Provide a valid prompt: a non-empty text"},
		{Problem{Kind: Blank, Offset: -1, Count: 1}, "prompt contains only whitespace (1 character)", "Provide a valid prompt: it must contain text other than whitespace"},
		{Problem{Kind: InvalidUTF8, Offset: 2, Count: 3, Text: "\xf0"},
			"prompt is not valid UTF-8: byte 0xF0 at offset 2 (3 invalid bytes in total)",
			"Provide a valid prompt: send it as UTF-8 text (remove or re-encode the byte at offset 2)"},
		{Problem{Kind: ControlChar, Offset: 1, Count: 1, Text: "\x00"},
			"prompt contains control character U+0000 at byte offset 1",
			"Provide a valid prompt: remove control characters such as U+0000 (tabs and line breaks are fine)"},
		{Problem{Kind: ControlChar, Offset: 1234, Count: 2, Text: "\u009b"},
			"prompt contains control character U+009B at byte offset 1,234 (2 control characters in total)",
			"Provide a valid prompt: remove control characters such as U+009B (tabs and line breaks are fine)"},
		{Problem{Kind: TooShort, Offset: -1, Count: 2, Limit: 3},
			"prompt is 2 characters; at least 3 required", "Provide a valid prompt of at least 3 characters"},
		{Problem{Kind: TooLong, Offset: 5000, Count: 5123, Limit: 5000},
			"prompt is 5,123 characters; at most 5,000 allowed (the excess starts at character 5,001)",
			"Shorten your prompt to at most 5,000 characters"},
		{Problem{Kind: TooManyBytes, Offset: 7499, Count: 7600, Limit: 7500},
			"prompt is 7,600 UTF-8 bytes; at most 7,500 allowed",
			"Shorten your prompt to at most 7,500 UTF-8 bytes (characters outside ASCII take 2 to 4 bytes each)"},
		{Problem{Kind: Stripped, Offset: 6, Count: 6, Text: "--ar"},
			`prompt contains "--ar" at byte offset 6: the backend drops everything from there on and uses only the first 6 characters`,
			"Remove --ar from the prompt and set the aspect_ratio field instead"},
		{Problem{Kind: Stripped, Offset: 0, Count: 0, Text: "--v"},
			`prompt starts with "--v": the backend drops the prompt from there on, so nothing of it is used`,
			"Remove --v from the prompt and set the version field instead"},
	}
	for _, tt := range tests {
		if got := tt.p.Message(); got != tt.msg {
			t.Errorf("%+v Message()\n got %q\nwant %q", tt.p, got, tt.msg)
		}
		if got := tt.p.Fix(); got != tt.fix {
			t.Errorf("%+v Fix()\n got %q\nwant %q", tt.p, got, tt.fix)
		}
	}
}

func TestStrippedFix(t *testing.T) {
	generic := `Keep "--" out of the prompt: use the aspect_ratio, stylization, variety or weirdness fields instead of --ar/--stylize/--chaos/--weird flags`
	tests := []struct{ text, want string }{
		{"--ar", "aspect_ratio"},
		{"--AR", "aspect_ratio"},
		{"--aspect", "aspect_ratio"},
		{"--s", "stylization"},
		{"--stylize", "stylization"},
		{"--c", "variety"},
		{"--chaos", "variety"},
		{"--w", "weirdness"},
		{"--weird", "weirdness"},
		{"--v", "version"},
		{"--version", "version"},
		{"--sref", ""},
		{"--style", ""},
		{"--", ""},
	}
	for _, tt := range tests {
		got := Problem{Kind: Stripped, Text: tt.text}.Fix()
		if tt.want == "" {
			if got != generic {
				t.Errorf("Fix for %q = %q, want generic %q", tt.text, got, generic)
			}
		} else if !strings.Contains(got, "Remove "+tt.text+" ") || !strings.Contains(got, " "+tt.want+" field") {
			t.Errorf("Fix for %q = %q, want it to name %s", tt.text, got, tt.want)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}

// The orchestrator calls Check for every request; a valid prompt must not
// allocate, with or without a reused buffer.
func TestZeroAllocs(t *testing.T) {
	prompts := []string{
		"a cat on a mat",
		strings.Repeat("漢字😀 e\u0301 ", 200),
		strings.Repeat("x", 4999),
	}
	buf := make([]Problem, 0, 8)
	for _, p := range prompts {
		allocs := testing.AllocsPerRun(100, func() {
			buf = AppendCheck(buf[:0], p, midjourney)
		})
		if allocs != 0 {
			t.Errorf("AppendCheck(%.20q…) allocates %v times", p, allocs)
		}
		allocs = testing.AllocsPerRun(100, func() {
			if Check(p, Limits{MinChars: 1, MaxChars: 20000, MaxBytes: 80000, StripFrom: "--"}) != nil {
				t.Fatal("unexpected problem")
			}
		})
		if allocs != 0 {
			t.Errorf("Check(%.20q…) allocates %v times", p, allocs)
		}
	}
	// With findings, a reused buffer keeps AppendCheck allocation-free.
	bad := "\x00\xff" + strings.Repeat("x", 6000) + " --ar 1:1"
	allocs := testing.AllocsPerRun(100, func() {
		buf = AppendCheck(buf[:0], bad, midjourney)
	})
	if allocs != 0 {
		t.Errorf("AppendCheck with findings into a reused buffer allocates %v times", allocs)
	}
	if len(buf) != 4 {
		t.Errorf("got %d problems, want 4: %+v", len(buf), buf)
	}
}

func TestAppendCheckKeepsDst(t *testing.T) {
	dst := []Problem{{Kind: Empty, Offset: -1}}
	got := AppendCheck(dst, "ok", nanoBanana)
	if len(got) != 1 {
		t.Fatalf("AppendCheck on valid prompt changed dst: %+v", got)
	}
	got = AppendCheck(dst, "", nanoBanana)
	if len(got) != 2 || got[1].Kind != Empty {
		t.Fatalf("AppendCheck did not append: %+v", got)
	}
	if c, _ := Length("e\u0301"); c != utf8.RuneCountInString("e\u0301") {
		t.Fatal("Length disagrees with utf8")
	}
}
