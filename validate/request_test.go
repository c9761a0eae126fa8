package validate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// want is one expected finding: rule, pointer and 1-based position. Line
// and column 0 mean "not checked".
type want struct {
	rule    string
	pointer string
	line    int
	column  int
}

func (w want) String() string {
	return fmt.Sprintf("%d:%d %s %s", w.line, w.column, w.pointer, w.rule)
}

func got(fs []validate.Finding) []want {
	out := make([]want, len(fs))
	for i, f := range fs {
		out[i] = want{f.Rule, f.Pointer, f.Line, f.Column}
	}
	return out
}

func sameFindings(t *testing.T, fs []validate.Finding, wants []want) {
	t.Helper()
	g := got(fs)
	if len(g) != len(wants) {
		t.Fatalf("got %d findings %v, want %d %v\n%s", len(g), g, len(wants), wants, dump(fs))
	}
	for i, w := range wants {
		if g[i].rule != w.rule || g[i].pointer != w.pointer ||
			(w.line != 0 && g[i].line != w.line) || (w.column != 0 && g[i].column != w.column) {
			t.Errorf("finding %d = %v, want %v\n%s", i, g[i], w, dump(fs))
		}
	}
}

func dump(fs []validate.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

// TestRequestEngine covers the parser and engine through the public API:
// positions in code points, RFC 6901 pointers, null as absent, duplicate
// names, and every kind of broken JSON text.
func TestRequestEngine(t *testing.T) {
	const nb = `"model":"nano-banana",`
	tests := []struct {
		name  string
		model string
		body  string
		want  []at
	}{
		{name: "valid", body: `{` + nb + `"input":{"prompt":"a red fox"}}`},
		{name: "model from argument", model: "nano-banana", body: `{"input":{"prompt":"a red fox"}}`},
		{name: "argument overrides member", model: "flux-2", body: `{` + nb + `"input":{"prompt":"ab"}}`,
			want: []at{{"prompt-too-short", "/input/prompt", `"ab"`}}},
		{name: "no model", body: `{"input":{"prompt":"a red fox"}}`,
			want: []at{{"model-missing", "/model", `{"input"`}}},
		{name: "columns count code points", body: "{" + nb + `"input":{"prompt":"日本語の狐🦊","aspect_ratio":"16:10"}}`,
			want: []at{{"field-enum", "/input/aspect_ratio", `"16:10"`}}},
		{name: "lines and columns after newlines", body: "{\n  " + nb + "\n  \"input\": {\n\t\"prompt\": \"\"\n  }\n}",
			want: []at{{"prompt-empty", "/input/prompt", `""`}}},
		{name: "CRLF line ends", body: "{\r\n" + nb + "\r\n\"input\":{\"prompt\":\" \"}}",
			want: []at{{"prompt-blank", "/input/prompt", `" "`}}},
		{name: "pointer escapes ~ and /", body: `{` + nb + `"input":{"prompt":"a fox","a/b~c":1},"x~/y":true}`,
			want: []at{{"field-unknown", "/input/a~1b~0c", `1}`}, {"envelope-unknown-field", "/x~0~1y", `true`}}},
		{name: "pointer of a name that is not UTF-8", body: "{" + nb + "\"input\":{\"prompt\":\"a fox\"},\"x\xff\":1}",
			want: []at{{"json-invalid-utf8", "/x\uFFFD", "\"x\xff"}, {"envelope-unknown-field", "/x\uFFFD", "1}"}}},
		{name: "pointer into arrays", body: `{` + nb + `"input":{"mode":"image-to-image","prompt":"a fox","image_urls":["https://e.com/a.png","file:///tmp/b.png"]}}`,
			want: []at{{"url-invalid", "/input/image_urls/1", `"file:`}}},
		{name: "null prompt is absent", body: `{` + nb + `"input":{"prompt":null}}`,
			want: []at{{"prompt-missing", "/input/prompt", `{"prompt"`}}},
		{name: "null optional field is absent", body: `{` + nb + `"input":{"prompt":"a fox","aspect_ratio":null,"image_urls":null}}`},
		{name: "null array entry", body: `{` + nb + `"input":{"mode":"image-to-image","prompt":"a fox","image_urls":[null]}}`,
			want: []at{{"field-type", "/input/image_urls/0", `null`}}},
		{name: "duplicate name, last wins", body: `{` + nb + `"input":{"prompt":"","prompt":"a fox"}}`,
			want: []at{{"json-duplicate-key", "/input/prompt", `"a fox"`}}},
		{name: "duplicate name, last is empty", body: `{` + nb + `"input":{"prompt":"a fox","prompt":""}}`,
			want: []at{{"json-duplicate-key", "/input/prompt", `""`}, {"prompt-empty", "/input/prompt", `""`}}},
		{name: "duplicate name spelled with escapes", body: `{` + nb + `"input":{"prompt":"a fox","pr\u006fmpt":"a cat"}}`,
			want: []at{{"json-duplicate-key", "/input/prompt", `"a cat"`}}},
		{name: "duplicate model", body: `{"model":"sora-2",` + nb + `"input":{"prompt":"a fox"}}`,
			want: []at{{"json-duplicate-key", "/model", `"nano-banana"`}}},
		{name: "trailing object", body: `{` + nb + `"input":{"prompt":"a fox"}} {}`,
			want: []at{{"json-syntax", "", `{}`}}},
		{name: "trailing garbage after newline", body: "{" + nb + "\"input\":{\"prompt\":\"a fox\"}}\n\nEOF",
			want: []at{{"json-syntax", "", `EOF`}}},
		{name: "trailing white space is fine", body: "{" + nb + "\"input\":{\"prompt\":\"a fox\"}}\n\t \r\n"},
		{name: "byte order mark", body: "\ufeff{" + nb + `"input":{"prompt":"a fox"}}`,
			want: []at{{"json-syntax", "", "\ufeff"}}},
		{name: "truncated", body: "{" + nb + "\n\"input\":{\"prompt\":\"a f",
			want: []at{{"json-syntax", "", "$"}}},
		{name: "truncated after a complete member", body: "{" + nb + "\n",
			want: []at{{"json-syntax", "", "$"}}},
		{name: "empty body", body: "",
			want: []at{{"json-syntax", "", "$"}}},
		{name: "trailing comma", body: `{` + nb + `"input":{"prompt":"a fox",}}`,
			want: []at{{"json-syntax", "", `,}`}}},
		{name: "raw control character is a syntax error", body: "{" + nb + "\"input\":{\"prompt\":\"a fox\x1b[0m\"}}",
			want: []at{{"json-syntax", "", "\x1b"}}},
		{name: "invalid UTF-8 outside the prompt", body: "{" + nb + "\"input\":{\"prompt\":\"a fox\",\"output_format\":\"pn\xffg\"}}",
			want: []at{{"field-enum", "/input/output_format", `"pn`}, {"json-invalid-utf8", "/input/output_format", `"pn`}}},
		{name: "invalid UTF-8 in the prompt points at the byte", body: "{" + nb + "\"input\":{\"prompt\":\"caf\xe9\"}}",
			want: []at{{"prompt-invalid-utf8", "/input/prompt", "\xe9"}}},
		{name: "control char escape points at the string", body: `{` + nb + `"input":{"prompt":"a\u0000fox"}}`,
			want: []at{{"prompt-control-char", "/input/prompt", `"a\u`}}},
		{name: "midjourney -- points at the dashes", body: `{"model":"midjourney","input":{"prompt":"a fox --ar 16:9"}}`,
			want: []at{{"prompt-param-stripped", "/input/prompt", `--ar`}}},
		{name: "not an object", body: `["nano-banana"]`,
			want: []at{{"request-not-object", "", `[`}}},
		{name: "input not an object", body: `{` + nb + `"input":"a fox"}`,
			want: []at{{"input-not-object", "/input", `"a fox"`}}},
		{name: "model not a string", body: `{"model":7,"input":{}}`,
			want: []at{{"field-type", "/model", `7`}}},
		{name: "deep nesting", body: `{` + nb + `"input":{"prompt":"a fox","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`,
			want: []at{{"field-unknown", "/input/x", `[[`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := validate.Request(context.Background(), tt.model, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			wants := make([]want, len(tt.want))
			for i, a := range tt.want {
				line, col := locate(t, tt.body, a.at)
				wants[i] = want{a.rule, a.pointer, line, col}
			}
			sameFindings(t, rep.Findings, wants)
		})
	}
}

// at is an expected finding placed at the first occurrence of a marker in
// the body ("$" is the end of the body).
type at struct {
	rule, pointer, at string
}

// locate computes the 1-based line and code point column of marker in
// body, independently of the engine's own position code.
func locate(t *testing.T, body, marker string) (line, col int) {
	t.Helper()
	off := len(body)
	if marker != "$" {
		off = strings.Index(body, marker)
		if off < 0 {
			t.Fatalf("marker %q not in body", marker)
		}
	}
	line, col = 1, 1
	for _, r := range body[:off] { // invalid bytes count as one each
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// TestRequestLineOffset checks that a body starting on line N of a JSONL
// file reports findings on line N (and below, for a multi-line body).
func TestRequestLineOffset(t *testing.T) {
	var v validate.Validator
	ctx := context.Background()
	for _, tt := range []struct {
		line, wantLine int
		body           string
	}{
		{0, 1, `{"model":"nano-banana","input":{"prompt":""}}`},
		{1, 1, `{"model":"nano-banana","input":{"prompt":""}}`},
		{7, 7, `{"model":"nano-banana","input":{"prompt":""}}`},
		{7, 8, "{\"model\":\"nano-banana\",\n\"input\":{\"prompt\":\"\"}}"},
	} {
		rep, err := v.Check(ctx, validate.Input{File: "batch.jsonl", Line: tt.line, Body: []byte(tt.body)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 1 {
			t.Fatalf("line %d: %v", tt.line, dump(rep.Findings))
		}
		f := rep.Findings[0]
		if f.Line != tt.wantLine || f.File != "batch.jsonl" || f.Rule != "prompt-empty" {
			t.Errorf("Input.Line %d: got %s, want line %d", tt.line, f, tt.wantLine)
		}
	}
	// The Request option does the same.
	rep, _ := validate.Request(ctx, "", []byte(`{"model":"nano-banana","input":{"prompt":""}}`),
		validate.WithFile("b.jsonl"), validate.WithLine(12))
	if len(rep.Findings) != 1 || rep.Findings[0].Line != 12 || rep.Findings[0].File != "b.jsonl" {
		t.Errorf("WithLine(12): %v", dump(rep.Findings))
	}
}

// TestFindingFields checks every field of one finding, as the JSON output
// contract lists them.
func TestFindingFields(t *testing.T) {
	rep, err := validate.Request(context.Background(), "", []byte(`{"model":"flux-2","input":{"prompt":"ab"}}`), validate.WithFile("req.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Model != "flux-2" || rep.OK() || rep.Errors() != 1 || rep.Warnings() != 0 {
		t.Fatalf("report %+v", rep)
	}
	f := rep.Findings[0]
	wantF := validate.Finding{
		File: "req.json", Line: 1, Column: 37, Pointer: "/input/prompt", Rule: "prompt-too-short",
		Severity: validate.SeverityError, FailCode: "INVALID_PROMPT", HTTPStatus: 0,
		Message: "prompt is 2 characters; at least 3 required (flux-2)",
		Fix:     "Provide a valid prompt of at least 3 characters", Model: "flux-2",
		Source: "https://apixo.ai/fr/docs/models/image/flux-2",
	}
	if f != wantF {
		t.Errorf("finding\n got %+v\nwant %+v", f, wantF)
	}
	if s := f.String(); s != "req.json:1:37: error: prompt is 2 characters; at least 3 required (flux-2) [prompt-too-short]" {
		t.Errorf("String() = %q", s)
	}
	if p := f.Predicts(); p != "INVALID_PROMPT" {
		t.Errorf("Predicts() = %q", p)
	}
}

// TestValue validates Go values: structs with json tags and maps. Findings
// carry pointers but no positions.
func TestValue(t *testing.T) {
	type input struct {
		Mode        string   `json:"mode,omitempty"`
		Prompt      string   `json:"prompt"`
		ImageURLs   []string `json:"image_urls,omitempty"`
		AspectRatio string   `json:"aspect_ratio,omitempty"`
	}
	type request struct {
		Provider string `json:"provider,omitempty"`
		Input    input  `json:"input"`
	}
	ctx := context.Background()
	tests := []struct {
		name  string
		model string
		v     any
		want  []want
	}{
		{"struct ok", "nano-banana", request{Input: input{Prompt: "a red fox", AspectRatio: "16:9"}}, nil},
		{"struct findings", "nano-banana", request{Provider: "cheap", Input: input{Mode: "image-to-image", Prompt: "", ImageURLs: []string{"http://10.0.0.1/a.png"}}},
			[]want{{"provider-invalid", "/provider", 0, 0}, {"prompt-empty", "/input/prompt", 0, 0}, {"url-not-public", "/input/image_urls/0", 0, 0}}},
		{"map", "sora-2", map[string]any{"provider": "official", "input": map[string]any{"prompt": "a cat", "duration": "8"}},
			[]want{{"field-type", "/input/duration", 0, 0}}},
		{"map with model member", "", map[string]any{"model": "kling-2-6", "input": map[string]any{"prompt": "a cat"}},
			[]want{{"field-required", "/input/sound", 0, 0}}},
		{"raw JSON", "nano-banana", []byte(nil), []want{{"request-not-object", "", 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := validate.Value(ctx, tt.model, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.Line != 0 || f.Column != 0 {
					t.Errorf("Value finding has a position: %s", f)
				}
			}
			sameFindings(t, rep.Findings, tt.want)
		})
	}
	if _, err := validate.Value(ctx, "nano-banana", map[string]any{"f": func() {}}); err == nil {
		t.Error("Value of an unmarshalable value: no error")
	}
}

// TestRequestCancelled: a cancelled context is a tool failure, not a finding.
func TestRequestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := validate.Request(ctx, "nano-banana", []byte(`{}`)); err == nil {
		t.Error("no error for a cancelled context")
	}
}

// TestRulesRegistry checks that every rule has what docs/rules.md needs.
func TestRulesRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range validate.Rules() {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Fix == "" || !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("rule %s lacks summary, fix or source: %+v", r.ID, r)
		}
		if r.Severity != validate.SeverityError && r.Severity != validate.SeverityWarning {
			t.Errorf("rule %s: severity %q", r.ID, r.Severity)
		}
	}
}
