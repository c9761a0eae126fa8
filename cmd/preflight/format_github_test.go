package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

func TestGitHubEscaping(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"%0A literal", "%250A literal", "%250A literal"},
		{"a\nb", "a%0Ab", "a%0Ab"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v", "k: v", "k%3A v"},
		{"a,b", "a,b", "a%2Cb"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
		{"c:\\dir,1\n%", "c:\\dir,1%0A%25", "c%3A\\dir%2C1%0A%25"},
		{"雪 🦊", "雪 🦊", "雪 🦊"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestGitHubCommand(t *testing.T) {
	base := filepath.FromSlash("/ws/repo")
	f := validate.Finding{
		File: filepath.FromSlash("/ws/repo/fixtures/a,b.json"), Line: 3, Column: 15,
		Pointer: "/input/prompt", Rule: "prompt-empty", Severity: validate.SeverityError,
		FailCode: "INVALID_PROMPT", Message: "prompt is 100% empty", Fix: "Provide a valid prompt",
	}
	want := "::error file=fixtures/a%2Cb.json,line=3,col=15,title=prompt-empty::prompt is 100%25 empty (INVALID_PROMPT)%0AFix: Provide a valid prompt%0A" +
		ruleDocURL("prompt-empty") + "\n"
	if got := githubCommand(base, f); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	f.Severity, f.Line, f.Column = validate.SeverityWarning, 0, 0
	if got := githubCommand(base, f); !strings.HasPrefix(got, "::warning file=fixtures/a%2Cb.json,line=1,col=1,") {
		t.Errorf("warning: %q", got)
	}
}

func TestGitHubFormatAuto(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "sub/bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	gha := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": dir}

	code, out, _ := run(t, "", gha, "lint", "--offline", "sub/bad.json")
	if code != ExitFindings || !strings.HasPrefix(out, "::error file=sub/bad.json,line=1,col=42,title=prompt-empty::") {
		t.Errorf("in Actions without --format: exit %d\n%s", code, out)
	}
	// An explicit --format wins, even --format text.
	_, out, _ = run(t, "", gha, "lint", "--offline", "--format", "text", "sub/bad.json")
	if strings.Contains(out, "::error") {
		t.Errorf("--format text in Actions gave workflow commands:\n%s", out)
	}
	// Outside Actions the default stays text.
	_, out, _ = run(t, "", nil, "lint", "--offline", "sub/bad.json")
	if strings.Contains(out, "::error") {
		t.Errorf("outside Actions:\n%s", out)
	}
	// Paths are relative to GITHUB_WORKSPACE, not the working directory.
	t.Chdir(filepath.Join(dir, "sub"))
	_, out, _ = run(t, "", gha, "lint", "--offline", "bad.json")
	if !strings.HasPrefix(out, "::error file=sub/bad.json,") {
		t.Errorf("from a subdirectory: %s", out)
	}
}
