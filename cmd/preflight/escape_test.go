package main

import (
	"bytes"
	"encoding/json"
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
		if err := newTextPrinter(&text, false).file(res); err != nil {
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
