package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// TestRulesDoc builds docs/rules.md from validate.Rules() and the golden
// cases: for each rule, testdata/lint/<rule-id>.json (or .jsonl) is the
// example request, and its output is what `preflight lint --offline` prints
// for it, run in-process. It also refreshes the rule table in README.md
// between the "rules:begin" and "rules:end" markers. The test fails when
// either file is stale; `go test ./cmd/preflight -run RulesDoc -update`
// rewrites them.
func TestRulesDoc(t *testing.T) {
	t.Chdir("../..")
	rules := validate.Rules()
	doc := rulesDoc(t, rules)
	checkOrUpdate(t, "docs/rules.md", []byte(doc))

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := rulesTable(rules, "docs/rules.md")
	newReadme, ok := replaceBetween(string(readme), "<!-- rules:begin -->\n", "<!-- rules:end -->", table)
	if !ok {
		t.Fatal("README.md lacks the <!-- rules:begin --> / <!-- rules:end --> markers")
	}
	checkOrUpdate(t, "README.md", []byte(newReadme))
}

// TestRulesHaveExamples keeps every rule the offline lint can produce
// backed by a golden case that actually produces it.
func TestRulesHaveExamples(t *testing.T) {
	t.Chdir("../..")
	for _, r := range validate.Rules() {
		path := examplePath(r.ID)
		if path == "" {
			if !networkOnly(r) && !runnerOnly(r) {
				t.Errorf("rule %s has no example testdata/lint/%s.json", r.ID, r.ID)
			}
			continue
		}
		out, _ := runLint(t, "--format", "json", path)
		if !strings.Contains(out, `"rule":"`+r.ID+`"`) {
			t.Errorf("%s does not produce rule %s:\n%s", path, r.ID, out)
		}
	}
}

func checkOrUpdate(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/preflight -run RulesDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./cmd/preflight -run RulesDoc -update and review the diff", path)
	}
}

// networkOnly reports whether a rule is found only by the network checks
// of imagecheck, which the offline golden cases cannot show. (url-not-public
// is also an offline rule.)
func networkOnly(r validate.Rule) bool {
	switch r.ID {
	case imagecheck.RuleDownloadFailed, imagecheck.RuleTooLarge, imagecheck.RuleSizeAmbiguous,
		imagecheck.RuleUnsupportedFormat, imagecheck.RuleContentTypeMismatch, imagecheck.RuleDimensions,
		imagecheck.RuleAlpha, imagecheck.RuleMediaTooLarge, imagecheck.RuleMediaDuration, imagecheck.RuleUnverified:
		return true
	}
	return false
}

// runnerOnly reports whether a rule is found only by the file runner's
// bounds, which a golden case cannot show (a FIFO, a file over the size
// limit); internal/runner tests them.
func runnerOnly(r validate.Rule) bool {
	return r.ID == runner.RuleTooLarge || r.ID == runner.RuleNotRegular
}

func examplePath(id string) string {
	for _, ext := range []string{".json", ".jsonl"} {
		p := filepath.Join("testdata", "lint", id+ext)
		if _, err := os.Stat(p); err == nil {
			return filepath.ToSlash(p)
		}
	}
	return ""
}

// moreExamples lists the other golden cases of a rule: <rule-id>-*.json.
func moreExamples(id string, all map[string]bool) []string {
	var out []string
	for _, ext := range []string{"json", "jsonl"} {
		m, _ := filepath.Glob(filepath.Join("testdata", "lint", id+"-*."+ext))
		for _, p := range m {
			base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
			if !all[base] { // not another rule's own example
				out = append(out, filepath.ToSlash(p))
			}
		}
	}
	slices.Sort(out)
	return out
}

func runLint(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := Command{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false }}
	code := cmd.Main(append([]string{"preflight", "lint", "--offline"}, args...))
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("preflight lint %v: exit %d, stderr: %s", args, code, stderr.String())
	}
	return stdout.String(), code
}

func predicts(r validate.Rule) string {
	switch {
	case r.FailCode != "" && r.HTTPStatus != 0:
		return fmt.Sprintf("`%s`, HTTP %d", r.FailCode, r.HTTPStatus)
	case r.FailCode != "":
		return fmt.Sprintf("task failCode `%s`", r.FailCode)
	case r.HTTPStatus != 0:
		return fmt.Sprintf("HTTP %d on submit", r.HTTPStatus)
	}
	if r.Severity == validate.SeverityError {
		return "no documented failCode or HTTP status"
	}
	return "no failure code: a risk, not a certain failure"
}

func rulesDoc(t *testing.T, rules []validate.Rule) string {
	var b strings.Builder
	b.WriteString(`# preflight rules

<!-- Generated by TestRulesDoc (cmd/preflight/rulesdoc_test.go) from
validate.Rules() and the golden cases in testdata/lint. Do not edit by hand:
run go test ./cmd/preflight -run RulesDoc -update. -->

Every finding of ` + "`preflight lint`" + ` names one of these rules. Each section
says what the rule checks, its default severity, what the APIXO API would
answer (a task ` + "`failCode`" + ` from the error-codes page, or the HTTP status of
the submit), the fix, and the docs page it comes from; then an example request
from ` + "`testdata/lint`" + ` and the real output of
` + "`preflight lint --offline`" + ` for it.

Severity is the rule's default. A finding whose catalog fact is inferred or
conflicting (see docs/catalog.md) is reported as a warning even when the rule
is an error rule; the example output shows the severity actually printed.

`)
	b.WriteString(rulesTable(rules, ""))
	all := map[string]bool{}
	for _, r := range rules {
		all[r.ID] = true
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n\n## %s\n\n%s\n\n", r.ID, r.ID, r.Summary)
		fmt.Fprintf(&b, "- Severity: %s\n", r.Severity)
		fmt.Fprintf(&b, "- Predicts: %s\n", predicts(r))
		fmt.Fprintf(&b, "- Fix: %s\n", r.Fix)
		fmt.Fprintf(&b, "- Source: <%s>\n\n", r.Source)
		path := examplePath(r.ID)
		if path == "" {
			b.WriteString("This rule comes from the network check of media URLs (`preflight lint` without\n" +
				"`--offline`), so it has no offline example here. Its findings look like this,\n" +
				"at the position of the URL string:\n\n```text\n")
			fmt.Fprintf(&b, "FILE:LINE:COL: %s: image_urls entry \"https://...\": <what the check measured> [%s]\n", r.Severity, r.ID)
			pred := r.Fix
			if r.FailCode != "" {
				pred = r.FailCode + ": " + r.Fix
			}
			fmt.Fprintf(&b, "  -> %s\n```\n", pred)
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		shown, notes := displayInput(src)
		lang := "json"
		if strings.HasSuffix(path, ".jsonl") {
			lang = "text"
		}
		fmt.Fprintf(&b, "Example request ([%s](../%s)):\n\n```%s\n%s```\n\n", path, path, lang, shown)
		for _, n := range notes {
			fmt.Fprintf(&b, "%s\n\n", n)
		}
		out, _ := runLint(t, path)
		fmt.Fprintf(&b, "Output of `preflight lint --offline %s`:\n\n```text\n%s```\n", path, out)
		if more := moreExamples(r.ID, all); len(more) > 0 {
			b.WriteString("\nMore cases:")
			for i, p := range more {
				sep := ","
				if i == 0 {
					sep = ""
				}
				fmt.Fprintf(&b, "%s [%s](../%s)", sep, filepath.Base(p), p)
			}
			b.WriteString(".\n")
		}
	}
	return b.String()
}

// rulesTable is the index of rules, linking to their anchors in docs (""
// means the same document).
func rulesTable(rules []validate.Rule, docs string) string {
	var b strings.Builder
	b.WriteString("| Rule | Severity | Predicts | Checks |\n|---|---|---|---|\n")
	for _, r := range rules {
		pred := "-"
		switch {
		case r.FailCode != "":
			pred = "`" + r.FailCode + "`"
		case r.HTTPStatus != 0:
			pred = fmt.Sprintf("HTTP %d", r.HTTPStatus)
		}
		fmt.Fprintf(&b, "| [%s](%s#%s) | %s | %s | %s |\n", r.ID, docs, r.ID, r.Severity, pred,
			strings.ReplaceAll(r.Summary, "|", `\|`))
	}
	return b.String()
}

// displayInput renders a request file for a Markdown code block: bytes that
// are not UTF-8 and a byte order mark are spelled out, very long lines are
// cut. The notes say what was changed.
func displayInput(src []byte) (string, []string) {
	var notes []string
	var b strings.Builder
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		src = src[3:]
		b.WriteString("<U+FEFF>")
		notes = append(notes, "The file starts with a UTF-8 byte order mark, shown as `<U+FEFF>`.")
	}
	invalid, cut := false, false
	for _, line := range strings.SplitAfter(string(src), "\n") {
		var lb strings.Builder
		for len(line) > 0 {
			r, size := utf8.DecodeRuneInString(line)
			if r == utf8.RuneError && size == 1 {
				fmt.Fprintf(&lb, `\x%02X`, line[0])
				invalid = true
			} else {
				lb.WriteString(line[:size])
			}
			line = line[size:]
		}
		l := lb.String()
		if n := utf8.RuneCountInString(l); n > 200 {
			runes := []rune(l)
			l = string(runes[:150]) + fmt.Sprintf("… (%d more characters)", n-150)
			if strings.HasSuffix(string(runes), "\n") {
				l += "\n"
			}
			cut = true
		}
		b.WriteString(l)
	}
	if invalid {
		notes = append(notes, "Bytes that are not UTF-8 are shown as `\\xNN`; the file holds the raw byte.")
	}
	if cut {
		notes = append(notes, "Lines longer than 200 characters are cut here; the file holds the full text.")
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
		notes = append(notes, "The file does not end with a newline.")
	}
	return s, notes
}

func replaceBetween(s, begin, end, with string) (string, bool) {
	i := strings.Index(s, begin)
	if i < 0 {
		return s, false
	}
	j := strings.Index(s[i+len(begin):], end)
	if j < 0 {
		return s, false
	}
	j += i + len(begin)
	return s[:i+len(begin)] + with + s[j:], true
}
