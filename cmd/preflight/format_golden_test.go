package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// checkGolden compares got with the file golden, or rewrites it with
// -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff)\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

// TestFormatGolden runs every output format on testdata/format/input.jsonl
// and compares with testdata/format/input.FORMAT.golden. (SARIF has its own
// golden, input.sarif, compared without its rules.)
func TestFormatGolden(t *testing.T) {
	t.Chdir("../..")
	for _, format := range []string{"text", "concise", "json", "github", "junit", "gitlab"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := run(t, "", nil, "lint", "--offline", "--format", format, "testdata/format/input.jsonl")
			if code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, "testdata/format/input."+format+".golden", []byte(out))
		})
	}
}

// TestFrameGolden checks the code frames of the text format: a short line,
// a 20,000-character line (windowed around each column), CJK and emoji
// before the column. Each testdata/frames/NAME.* has NAME.golden.
func TestFrameGolden(t *testing.T) {
	t.Chdir("../..")
	cases, _ := filepath.Glob("testdata/frames/*.json*")
	if len(cases) < 3 {
		t.Fatalf("frame cases: %v", cases)
	}
	for _, in := range cases {
		name := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
		t.Run(name, func(t *testing.T) {
			code, out, errOut := run(t, "", nil, "lint", "--offline", in)
			if code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, "testdata/frames/"+name+".golden", []byte(out))
		})
	}
}

// Frames of standard input come from what the linter read.
func TestFrameStdin(t *testing.T) {
	code, out, _ := run(t, "{\n  \"model\": \"nano-banana\",\n  \"input\": {\"prompt\": \"\"}\n}\n", nil,
		"lint", "--offline", "--stdin-filename", "req.json", "-")
	want := "req.json:3:23: error: prompt is empty [prompt-empty]\n" +
		"  3 |   \"input\": {\"prompt\": \"\"}\n" +
		"    |                       ^^\n"
	if code != ExitFindings || !strings.HasPrefix(out, want) {
		t.Errorf("exit %d:\n%s\nwant prefix:\n%s", code, out, want)
	}
}

// A FIFO named in a finding is never opened to draw a frame (it would
// hang); the finding still prints.
func TestFrameSourceSkipsNonRegular(t *testing.T) {
	s := &frameSource{}
	if got := s.lines(os.DevNull, []int{1}); len(got) != 0 {
		t.Errorf("lines of %s: %v", os.DevNull, got)
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "a.jsonl", "l1\n\nl3\nl4\n")
	got := s.lines(p, []int{1, 3})
	if got[1] != "l1" || got[3] != "l3" || len(got) != 2 {
		t.Errorf("lines 1,3: %v", got)
	}
	// Later lines continue without re-reading; an earlier one reopens.
	if got := s.lines(p, []int{4}); got[4] != "l4" {
		t.Errorf("line 4: %v", got)
	}
	if got := s.lines(p, []int{2}); got[2] != "" || len(got) != 1 {
		t.Errorf("line 2 after 4: %v", got)
	}
}

func TestFrame(t *testing.T) {
	plain := func(s string) string { return s }
	long := strings.Repeat("x", 300) + `"bad"` + strings.Repeat("y", 300)
	for _, tc := range []struct {
		name             string
		line             string
		col, endCol      int
		wantSrc, wantMrk string
	}{
		{"string token", `  "a": "bc",`, 8, 0, `  "a": "bc",`, `       ^^^^`},
		{"number token", `{"n": -1.5e3}`, 7, 0, `{"n": -1.5e3}`, `      ^^^^^^`},
		{"literal", `{"t": true}`, 7, 0, `{"t": true}`, `      ^^^^`},
		{"object", `{"i": {}}`, 7, 0, `{"i": {}}`, `      ^`},
		{"span", `{"p": "abcdefgh"}`, 10, 14, `{"p": "abcdefgh"}`, `         ^^^^`},
		{"past the end", `{"a": `, 7, 0, `{"a": `, `      ^`},
		{"CJK before", `{"p":"雪の","r":"7:3"}`, 15, 0, `{"p":"雪の","r":"7:3"}`, `                ^^^^^`},
		{"emoji before", `{"p":"🦊","r":1}`, 14, 0, `{"p":"🦊","r":1}`, `              ^`},
		{"combining mark", "{\"p\":\"e\u0301\",\"r\":1}", 15, 0, "{\"p\":\"e\u0301\",\"r\":1}", `             ^`},
		{"control escaped", "{\"p\":\"\x1b\",\"r\":1}", 14, 0, `{"p":"\x1b","r":1}`, `                ^`},
		{"long line windowed", long, 301, 0,
			"…" + strings.Repeat("x", 33) + `"bad"` + strings.Repeat("y", 62) + "…",
			" " + strings.Repeat(" ", 33) + "^^^^^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := frame(7, tc.line, tc.col, tc.endCol, plain)
			want := "  7 | " + tc.wantSrc + "\n    | " + tc.wantMrk + "\n"
			if got != want {
				t.Errorf("frame:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	if got := frame(1, "short", 40, 0, plain); got != "" {
		t.Errorf("column beyond the line kept: %q", got)
	}
}

// A finding about a span (EndLine/EndColumn, such as the excess of an
// overlong prompt) has the span underlined, not only the token at Column.
func TestFrameFindingSpan(t *testing.T) {
	f := validate.Finding{Line: 1, Column: 7, EndLine: 1, EndColumn: 10}
	dir := t.TempDir()
	p := writeFile(t, dir, "r.json", `{"p": "abcdefgh"}`+"\n")
	f.File, f.Rule, f.Severity, f.Message = p, "prompt-too-long", validate.SeverityError, "too long"
	var buf bytes.Buffer
	tp := &textPrinter{w: &buf, src: &frameSource{}}
	if err := tp.file(runner.Result{File: p, Findings: []validate.Finding{f}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\n    |       ^^^\n") {
		t.Errorf("span not underlined:\n%s", buf.String())
	}
}

// FuzzFrame draws frames of arbitrary lines at arbitrary columns.
// Properties: no panic; either nothing or exactly two lines; valid UTF-8
// without raw controls; the window bounds the width whatever the line.
func FuzzFrame(f *testing.F) {
	f.Add(`  "prompt": "ab",`, 13, 0)
	f.Add("{\"p\":\"雪の🦊\u200d👩\",\"r\":\"\x1b\"}", 12, 15)
	f.Add(strings.Repeat("é", 5000)+`"x"`, 5001, 0)
	f.Add("\xff\xfe\r", 2, 1)
	f.Fuzz(func(t *testing.T, line string, col, endCol int) {
		out := frame(1, line, col, endCol, func(s string) string { return s })
		if out == "" {
			return
		}
		if n := strings.Count(out, "\n"); n != 2 || !strings.HasSuffix(out, "\n") {
			t.Fatalf("%d lines: %q", n, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		for _, r := range strings.TrimSuffix(out, "\n") {
			if r != '\n' && escapeRune(r) {
				t.Fatalf("raw control %U in %q", r, out)
			}
		}
		// The source window is at most frameWidth cells, plus the gutter,
		// two ellipses and one escape or wide rune past the edge.
		src, _, _ := strings.Cut(out, "\n")
		if n := utf8.RuneCountInString(src); n > frameWidth+16 {
			t.Fatalf("source line of %d runes", n)
		}
	})
}
