package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// TestPrintableNameCut: controls, bidi characters and bad UTF-8 are spelled as
// Go escapes; a 1 MB string is cut at maxNameBytes with its byte count.
func TestPrintableNameCut(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\rc\td", `a\nb\rc\td`},
		{"esc \x1b[31m red", `esc \x1b[31m red`},
		{"del \x7f", `del \x7f`},
		{"c1 \u0085 \u009b", `c1 \u0085 \u009b`},
		{"bidi \u202e \u2066 \u200f \u061c", `bidi \u202e \u2066 \u200f \u061c`},
		{"bad \xff utf8", `bad \xff utf8`},
		{"雪 🦊 é", "雪 🦊 é"},
	} {
		if got := printableName(tc.in); got != tc.want {
			t.Errorf("printableName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("k", 1<<20)
	got := printableName(long)
	want := strings.Repeat("k", maxNameBytes) + "…(1048576 bytes)"
	if got != want {
		t.Errorf("1 MB string: %d bytes, ends %q", len(got), got[len(got)-30:])
	}
	if s := strings.Repeat("é", maxNameBytes/2); printableName(s) != s {
		t.Errorf("a string of exactly maxNameBytes bytes is cut")
	}
}

// hostileDir holds a request file whose name carries an ESC and a newline
// followed by a forged workflow command, and whose values carry C1, DEL and
// bidi controls, and a 1 MB unknown key.
func hostileDir(t *testing.T) (dir, name string) {
	dir = t.TempDir()
	t.Chdir(dir)
	name = "x\x1b[2J\n::error file=forged.json,line=1::forged\u202e.json"
	// Raw C1, DEL and U+202E are valid inside JSON strings.
	writeFile(t, dir, name, "{\"model\":\"nano-banana\",\"input\":{\"prompt\":\"a red fox\",\"aspect_ratio\":\"\u0085\x7f\u202e\",\""+
		strings.Repeat("k", 1<<20)+"\":1}}")
	return dir, name
}

// Output hygiene, in every format: nothing from the input reaches the
// output raw.
func TestOutputHygiene(t *testing.T) {
	_, name := hostileDir(t)
	raw := []string{"\x1b", "\u0085", "\x7f", "\u202e", "\n::error file=forged"}
	for _, format := range []string{"text", "concise", "json", "sarif", "github", "junit", "gitlab"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := run(t, "", nil, "lint", "--offline", "--max-request-bytes", "4194304", "--format", format, name)
			if code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, r := range raw {
				if strings.Contains(out, r) {
					t.Errorf("raw %q in output", r)
				}
			}
			for _, esc := range [][]string{{`\x1b[2J\n`, `%5Cx1b%5B2J%5Cn`}, {`\u0085`}, {`\x7f`, `\u007f`}, {`\u202e`}} {
				// JSON formats hold the escapes JSON-escaped once more.
				if !slices.ContainsFunc(esc, func(e string) bool {
					return strings.Contains(out, e) || strings.Contains(out, strings.ReplaceAll(e, `\`, `\\`))
				}) {
					t.Errorf("no %q in output", esc)
				}
			}
			// The message holding the 1 MB key is cut, with its byte count.
			m := regexp.MustCompile(`…\((\d+) bytes\)`).FindStringSubmatch(out)
			if len(m) < 2 {
				t.Errorf("no cut with the byte count")
			} else if n, _ := strconv.Atoi(m[1]); n < 1<<20 {
				t.Errorf("no cut with the byte count: %v", m)
			}
			if len(out) > 64<<10 {
				t.Errorf("output is %d bytes: the 1 MB key was not cut", len(out))
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "::error file=x") && !strings.HasPrefix(line, "::warning file=x") {
					t.Errorf("forged workflow command: %.120q", line)
				}
			}
		})
	}
}

// FuzzPrinters feeds findings with arbitrary strings to every printer.
// Properties: one finding is one line in concise and github output (and
// the fixed three lines of text without a frame: position, fix); json,
// sarif and gitlab output parse back as JSON, junit as XML; the output is
// valid UTF-8.
func FuzzPrinters(f *testing.F) {
	f.Add("req.json", "prompt is empty", "/input/prompt", "Fix it.", 3, 15)
	f.Add("a\nb.json", "x\r\n::error::y", "/a\x1b", "\u202e", 1, 1)
	f.Add("\xff\xfe", "\u0085\x7f", "", "%0A", 0, 0)
	f.Add(strings.Repeat("é", 1200), "<![CDATA[]]>&", "/&lt;", "]]>", 2, 9)
	f.Fuzz(func(t *testing.T, file, msg, pointer, fix string, line, col int) {
		fd := validate.Finding{File: file, Line: line, Column: col, Pointer: pointer, Rule: "field-enum",
			Severity: validate.SeverityError, HTTPStatus: 400, Message: msg, Fix: fix, Model: "nano-banana"}
		res := runner.Result{File: file, Requests: 1, Findings: []validate.Finding{fd, fd}}
		sum := summary{Files: 1, Requests: 1, Errors: 2}
		c := &Command{Getenv: func(string) string { return "" }}
		lf := &lintFlags{color: "never"}
		for _, format := range formatNames() {
			var buf bytes.Buffer
			fo := &fanOut{targets: []target{{p: formats[format](&buf, c, lf)}}}
			if err := fo.file(res); err != nil {
				t.Fatal(err)
			}
			if err := fo.finish(sum); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !utf8.ValidString(out) {
				t.Errorf("%s: output is not valid UTF-8", format)
			}
			lines := strings.Count(out, "\n")
			switch format {
			case "concise", "github":
				if lines != 3 { // two findings and the summary
					t.Errorf("%s: %d lines for two findings:\n%s", format, lines, out)
				}
			case "text":
				if lines != 5 {
					t.Errorf("text: %d lines for two findings without frames:\n%s", lines, out)
				}
			case "json", "sarif", "gitlab":
				var v any
				if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
					t.Errorf("%s does not parse: %v\n%s", format, err, out)
				}
			case "junit":
				var v struct {
					Suites []junitSuite `xml:"testsuite"`
				}
				if err := xml.Unmarshal(buf.Bytes(), &v); err != nil || len(v.Suites) != 1 || v.Suites[0].Failures != 1 {
					t.Errorf("junit does not parse back: %v %+v\n%s", err, v, out)
				}
			default:
				t.Errorf("format %s has no property here", format)
			}
		}
	})
}

// Errors on standard error are escaped too: it is the same CI log.
func TestErrorHygiene(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, errOut := run(t, "", nil, "lint", "--offline", "no\n::error file=x::forged.json")
	if code != ExitUsage || strings.Contains(errOut, "\n::error") || !strings.Contains(errOut, `no\n::error`) {
		t.Errorf("exit %d: %q", code, errOut)
	}
}
