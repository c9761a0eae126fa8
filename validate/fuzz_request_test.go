package validate_test

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/validate"
)

// FuzzRequest feeds arbitrary bytes to the parser and engine. For any input
// it must not panic, and every finding must be usable by an editor or a
// SARIF consumer: a known rule, a severity, line and column >= 1 inside the
// text, and a well-formed RFC 6901 pointer. Seeds are the golden cases.
func FuzzRequest(f *testing.F) {
	for _, pat := range []string{"../testdata/lint/*.json", "../testdata/lint/*.jsonl"} {
		files, _ := filepath.Glob(pat)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			if strings.HasSuffix(name, ".jsonl") {
				for _, line := range bytes.Split(b, []byte("\n")) {
					f.Add("", line)
				}
				continue
			}
			f.Add("", b)
		}
	}
	f.Add("midjourney", []byte(`{"input":{"prompt":"a\u0000b --ar 1:1","image_urls":["http://[::1]/"]}}`))
	f.Add("", []byte("\xef\xbb\xbf{}"))
	f.Add("", []byte(`{"model":"nano-banana","input":{"prompt":"x","prompt":null,"a/b~":[1,{}]}} x`))
	var v validate.Validator
	one := validate.Validator{MaxFindingsPerRule: 1}
	known := map[string]bool{}
	for _, r := range validate.Rules() {
		known[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, model string, body []byte) {
		rep, err := v.Check(context.Background(), validate.Input{File: "f.json", Model: model, Body: body})
		if err != nil {
			t.Fatalf("error without cancellation: %v", err)
		}
		lines := bytes.Split(body, []byte("\n"))
		for _, fd := range rep.Findings {
			if !known[fd.Rule] {
				t.Errorf("unknown rule %q", fd.Rule)
			}
			if fd.Severity != validate.SeverityError && fd.Severity != validate.SeverityWarning {
				t.Errorf("%s: severity %q", fd.Rule, fd.Severity)
			}
			if fd.Line < 1 || fd.Column < 1 {
				t.Fatalf("%s: position %d:%d", fd.Rule, fd.Line, fd.Column)
			}
			if fd.Line > len(lines) {
				t.Errorf("%s: line %d past the %d lines of the body", fd.Rule, fd.Line, len(lines))
			} else if n := utf8.RuneCount(lines[fd.Line-1]); fd.Column > n+1 {
				t.Errorf("%s: column %d past the end of line %d (%d code points)", fd.Rule, fd.Column, fd.Line, n)
			}
			if fd.EndLine != 0 && (fd.EndLine < fd.Line || fd.EndLine == fd.Line && fd.EndColumn < fd.Column || fd.EndLine > len(lines)) {
				t.Errorf("%s: span %d:%d-%d:%d", fd.Rule, fd.Line, fd.Column, fd.EndLine, fd.EndColumn)
			}
			if !validPointer(fd.Pointer) {
				t.Errorf("%s: invalid JSON pointer %q", fd.Rule, fd.Pointer)
			}
			if fd.Message == "" || fd.Fix == "" || fd.File != "f.json" {
				t.Errorf("%s: incomplete finding %+v", fd.Rule, fd)
			}
			if !utf8.ValidString(fd.Message) {
				t.Errorf("%s: message is not UTF-8: %q", fd.Rule, fd.Message)
			}
		}
		if !slices.IsSortedFunc(rep.Findings, func(a, b validate.Finding) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		}) {
			t.Error("findings are not sorted")
		}
		// A cap of one per rule and severity lists fewer findings but
		// counts the same, with at most one closing finding per rule and
		// severity, each standing for at least one left out.
		capped, err := one.Check(context.Background(), validate.Input{File: "f.json", Model: model, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if capped.Errors() != rep.Errors() || capped.Warnings() != rep.Warnings() {
			t.Errorf("capped at 1: %d errors, %d warnings; with 50: %d, %d", capped.Errors(), capped.Warnings(), rep.Errors(), rep.Warnings())
		}
		seen := map[string]int{}
		for _, fd := range capped.Findings {
			seen[fd.Rule+" "+string(fd.Severity)]++
			if fd.More < 0 || !validPointer(fd.Pointer) {
				t.Errorf("capped: %+v", fd)
			}
		}
		for k, n := range seen {
			if n > 2 {
				t.Errorf("capped at 1: %d findings of %s", n, k)
			}
		}
	})
}

// validPointer reports whether p is "" or an RFC 6901 pointer: "/"-separated
// tokens in which "~" only appears as "~0" or "~1".
func validPointer(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' || !utf8.ValidString(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 == len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return false
		}
	}
	return true
}
