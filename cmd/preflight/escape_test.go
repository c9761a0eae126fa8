package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// hostileNames are file names a pull request can create.
var hostileNames = []string{
	"a\x1b[31mred.json",
	"b\n::error file=x::forged.json",
	"c\u202egnp.json",
	"d\r\x85\x7f\u2066e.json",
	"f\xff\xfe.json",
	"g\U000e0001.json", // a Cf tag character outside the BMP
	strings.Repeat("h", 2*maxNameBytes) + ".json",
}

func TestPrintableName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"req.json", "req.json"},
		{"dir/ünïcødé 名前.json", "dir/ünïcødé 名前.json"},
		{"a\x1b[31mred.json", `a\x1b[31mred.json`},
		{"b\n::error x", `b\n::error x`},
		{"c\u202egnp.json", `c\u202egnp.json`},
		{"\u0085\x7f\t", `\u0085\x7f\t`},
		{"f\xff.json", `f\xff.json`},
	}
	for _, tt := range tests {
		if got := printableName(tt.in); got != tt.want {
			t.Errorf("printableName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := printableName(strings.Repeat("x", 10000))
	if len(long) > maxNameBytes+32 || !strings.HasSuffix(long, "…(10000 bytes)") {
		t.Errorf("long name: %d bytes, ends %q", len(long), long[len(long)-20:])
	}
}

// assertSafe fails when out holds a byte or rune a terminal or a CI log acts
// on: C0 controls but newline, DEL, C1 and format characters.
func assertSafe(t *testing.T, format, out string) {
	t.Helper()
	for i, r := range out {
		if r == '\n' {
			continue
		}
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ' {
			t.Errorf("%s: raw %U at byte %d in %q", format, r, i, out)
			return
		}
	}
}

// TestHostileNamesInEveryFormat: a file name from the input can neither
// forge a line nor reach the terminal raw, in text, github, json and sarif;
// json and sarif still decode to the exact name.
func TestHostileNamesInEveryFormat(t *testing.T) {
	for _, name := range hostileNames {
		f := validate.Finding{File: name, Line: 1, Column: 2, Rule: "prompt-empty",
			Severity: validate.SeverityError, Message: "prompt is empty", Fix: "Provide a prompt"}
		res := runner.Result{Findings: []validate.Finding{f}}

		var text bytes.Buffer
		if err := (&textPrinter{w: &text}).file(res); err != nil {
			t.Fatal(err)
		}
		assertSafe(t, "text", text.String())
		if n := strings.Count(text.String(), "\n"); n != 2 {
			t.Errorf("text: %d lines for one finding: %q", n, text.String())
		}

		gh := githubCommand("", f)
		assertSafe(t, "github", gh)
		if n := strings.Count(gh, "\n"); n != 1 || !strings.HasPrefix(gh, "::error file=") {
			t.Errorf("github: %d lines for one finding: %q", n, gh)
		}

		var js bytes.Buffer
		n := 0
		if err := writeElement(&js, &n, f); err != nil {
			t.Fatal(err)
		}
		assertSafe(t, "json", js.String())
		var back validate.Finding
		if err := json.Unmarshal(bytes.TrimSpace(js.Bytes()), &back); err != nil {
			t.Fatalf("json: %v in %q", err, js.String())
		}
		if utf8.ValidString(name) && back.File != name {
			t.Errorf("json: file decodes to %q, want %q", back.File, name)
		}
	}
}

func TestEscapeJSONControlsRoundTrip(t *testing.T) {
	for _, s := range []string{"plain", "ü名", "\u202e\u0085\u007f", "\U000e0001x", "\u2028"} {
		b, _ := json.Marshal(s)
		e := escapeJSONControls(b)
		var back string
		if err := json.Unmarshal(e, &back); err != nil || back != s {
			t.Errorf("%q: %s decodes to %q, %v", s, e, back, err)
		}
		assertSafe(t, "json", string(e))
	}
}

// TestDiagnosticsEscaped: what standard error quotes from the input (a
// path in a usage error, the globs of a repository config in the notice of
// what it relaxes) reaches a terminal or a CI log with its controls escaped.
func TestDiagnosticsEscaped(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "ok.json", `{"model":"nano-banana","input":{"prompt":"a fox"}}`)
	hostile := "d\x1b]0;pwned\x07\u202e\n::error x"
	if err := os.Mkdir(filepath.Join(dir, hostile), 0o755); err != nil {
		t.Skip(err) // a file system that refuses such names
	}
	tests := []struct {
		name, config string
		args         []string
		code         int
		want         string
	}{
		{"usage error quoting a path", "", []string{"lint", "--offline", "--no-config", hostile}, ExitUsage,
			`no request files in d\x1b]0;pwned\a\u202e\n::error x`},
		{"config notice", "version: 1\nexclude: [\"\\e]0;pwned\\a\", \"x\\u202ey\"]\n", []string{"lint", "--offline", "ok.json"}, ExitOK,
			`excludes: \x1b]0;pwned\a, x\u202ey`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, ".preflight.yaml"))
			if tt.config != "" {
				writeFile(t, dir, ".preflight.yaml", tt.config)
			}
			code, _, errOut := run(t, "", nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
			assertSafe(t, "stderr", errOut)
		})
	}
}

// TestLongMessageCut: a message quoting a 1 MB key (validate echoes an
// unknown key whole) is cut in every format, with its byte count. JSON and
// SARIF keep the pointer whole (it is the finding's identity), so the key
// appears there once; text and github print no pointer.
func TestLongMessageCut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	key := strings.Repeat("k", 1<<20)
	writeFile(t, dir, "big.json", `{"model":"nano-banana","input":{"prompt":"x","`+key+`":1}}`)
	for _, tc := range []struct {
		format string
		max    int
	}{{"text", 64 << 10}, {"github", 64 << 10}, {"json", len(key) + 64<<10}, {"sarif", len(key) + 128<<10}} {
		_, out, _ := run(t, "", nil, "lint", "--offline", "--no-config", "--max-request-bytes", "2000000", "--format", tc.format, "big.json")
		if len(out) > tc.max || !regexp.MustCompile(`…\(1\d{6} bytes\)`).MatchString(out) {
			t.Errorf("%s: message not cut: %d bytes of output, want at most %d", tc.format, len(out), tc.max)
		}
	}
}

// TestCutTwice: a string escaped and cut once (by fanOut for all printers)
// is left as it is by a printer that escapes and cuts again; its byte
// count stays that of the input.
func TestCutTwice(t *testing.T) {
	for _, in := range []string{strings.Repeat("k", 1<<20), strings.Repeat("\x1b", 1<<20), strings.Repeat("é", 3000), "x…(99999 bytes)"} {
		once := printableName(in)
		if twice := printableName(once); twice != once {
			t.Errorf("printableName twice: %q, once %q", twice[max(0, len(twice)-30):], once[max(0, len(once)-30):])
		}
		if clip := clipText(once, maxNameBytes); clip != once {
			t.Errorf("clipText after printableName: ends %q", clip[max(0, len(clip)-30):])
		}
		if line := printableLine(once); line != once {
			t.Errorf("printableLine after printableName changed it")
		}
	}
}
