package main

import (
	"encoding/json"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

var encCases = []validate.Finding{
	{},
	{File: "a.jsonl", Line: 3, Column: 17, Pointer: "/input/prompt", Rule: "prompt-too-long", Severity: validate.SeverityError,
		FailCode: "PROMPT_TOO_LONG", HTTPStatus: 400, Message: `prompt is 5,001 characters; "flux-2" allows <= 5,000 & more`,
		Fix: "Shorten", Model: "flux-2", Source: "https://apixo.ai/docs?a=1&b=2", EndLine: 3, EndColumn: 900},
	{File: "港の朝 🌅.json", Message: "ctl \x00\x01\b\f\n\r\t\x1b\x7f \u2028\u2029 \u0085 \u202e bad \xff\xfe end", Fix: "\\ \"",
		Edit: &validate.Edit{Start: 10, End: 14, Text: `"2k"`}, Severity: validate.SeverityWarning, Line: -1, Column: 1 << 40},
	{EndColumn: 4, Edit: &validate.Edit{}},
}

func TestAppendFindingMatchesMarshal(t *testing.T) {
	for _, f := range encCases {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFinding(nil, &f); string(got) != string(want) {
			t.Errorf("appendFinding:\n got %s\nwant %s", got, want)
		}
	}
}

func FuzzAppendFinding(f *testing.F) {
	for _, c := range encCases {
		f.Add(c.File, c.Message, c.Line, c.EndColumn, c.Edit != nil)
	}
	f.Fuzz(func(t *testing.T, s, msg string, n, end int, edit bool) {
		fd := validate.Finding{File: s, Pointer: s, Message: msg, Fix: msg + s, Line: n, Column: -n, EndLine: end, EndColumn: n, Severity: validate.Severity(s)}
		if edit {
			fd.Edit = &validate.Edit{Start: n, End: end, Text: msg}
		}
		want, err := json.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFinding(nil, &fd); string(got) != string(want) {
			t.Fatalf("appendFinding:\n got %s\nwant %s", got, want)
		}
	})
}
