package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

const validReq = `{"model":"nano-banana","input":{"prompt":"a red fox in snow"}}`

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.json", validReq)
	bad := writeFile(t, dir, "bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	warn := writeFile(t, dir, "warn.json", `{"model":"nano-banana","input":{"prompt":"a fox","colour":"red"}}`)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"clean", []string{"lint", good}, ExitOK},
		{"error finding", []string{"lint", bad}, ExitFindings},
		{"warning passes", []string{"lint", warn}, ExitOK},
		{"warning fails with fail-level", []string{"lint", "--fail-level", "warning", warn}, ExitFindings},
		{"missing path", []string{"lint", filepath.Join(dir, "nope.json")}, ExitUsage},
		{"unknown flag", []string{"lint", "--frobnicate", good}, ExitUsage},
		{"unknown format", []string{"lint", "--format", "xml", good}, ExitUsage},
		{"bad fail level", []string{"lint", "--fail-level", "info", good}, ExitUsage},
		{"no paths", []string{"lint"}, ExitUsage},
		{"unknown command", []string{"frobnicate"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, "", nil, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.want, out, errOut)
			}
		})
	}
}

func TestStdinFilename(t *testing.T) {
	code, out, _ := run(t, `{"model":"nano-banana","input":{"prompt":"  "}}`, nil,
		"lint", "--format", "json", "--stdin-filename", "fixtures/x.json", "-")
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Findings []struct{ File, Rule string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 1 || doc.Findings[0].File != "fixtures/x.json" || doc.Findings[0].Rule != "prompt-blank" {
		t.Errorf("findings = %+v", doc.Findings)
	}
}

func TestModelFlagOverrides(t *testing.T) {
	// The file says nano-banana (prompt up to 5000); --model kling-2-6 allows 1000.
	long := strings.Repeat("a", 1500)
	code, out, _ := run(t, `{"model":"nano-banana","input":{"mode":"text-to-video","prompt":"`+long+`","sound":true}}`, nil,
		"lint", "--model", "kling-2-6", "-")
	if code != ExitFindings || !strings.Contains(out, "[prompt-too-long]") || !strings.Contains(out, "PROMPT_TOO_LONG") {
		t.Errorf("exit %d, out:\n%s", code, out)
	}
}

func TestJSONContract(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b/two.jsonl", "\n"+validReq+"\n"+`{"model":"nope","input":{}}`+"\n")
	writeFile(t, dir, "a.json", validReq)
	writeFile(t, dir, "notes.txt", "ignored")
	code, out, _ := run(t, "", nil, "lint", "--format", "json", dir)
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Version  int
		Findings []map[string]any
		Summary  map[string]int
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Version != 1 {
		t.Errorf("version %d", doc.Version)
	}
	if doc.Summary["files"] != 2 || doc.Summary["requests"] != 3 || doc.Summary["errors"] != 1 {
		t.Errorf("summary %v", doc.Summary)
	}
	if len(doc.Findings) != 1 {
		t.Fatalf("findings %v", doc.Findings)
	}
	f := doc.Findings[0]
	for _, k := range []string{"file", "line", "column", "pointer", "rule", "severity", "failCode", "httpStatus", "message", "fix", "model", "source"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	if f["line"].(float64) != 3 || f["rule"] != "model-unknown" || f["httpStatus"].(float64) != 404 {
		t.Errorf("finding %v", f)
	}
}

func TestEmptyFindingsIsArray(t *testing.T) {
	_, out, _ := run(t, validReq, nil, "lint", "--format", "json", "-")
	if !strings.Contains(out, `"findings":[]`) {
		t.Errorf("want an empty array, got %s", out)
	}
}

func TestColor(t *testing.T) {
	bad := `{"model":"nano-banana","input":{"prompt":""}}`
	_, plain, _ := run(t, bad, nil, "lint", "-")
	_, tty, _ := run(t, bad, map[string]string{"TTY": "1"}, "lint", "-")
	_, noColor, _ := run(t, bad, map[string]string{"TTY": "1", "NO_COLOR": "1"}, "lint", "-")
	if strings.Contains(plain, "\x1b[") {
		t.Error("color without a terminal")
	}
	if !strings.Contains(tty, "\x1b[") {
		t.Error("no color on a terminal")
	}
	if strings.Contains(noColor, "\x1b[") {
		t.Error("color despite NO_COLOR")
	}
	if !strings.Contains(plain, "<stdin>:1:") || !strings.Contains(plain, "  -> INVALID_PROMPT: ") {
		t.Errorf("text format:\n%s", plain)
	}
}

func TestInvalidJSONDoesNotStopOtherFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.json", `{"model":"nano-banana","input":{"prompt":"x"`)
	writeFile(t, dir, "b.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	code, out, _ := run(t, "", nil, "lint", dir)
	if code != ExitFindings || !strings.Contains(out, "[json-syntax]") || !strings.Contains(out, "[prompt-empty]") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestPrunedRootSame checks a run that builds only its subcommand (Main)
// prints and exits as one on the whole tree: help, usage errors, a lint.
func TestPrunedRootSame(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.json", validReq)
	bad := writeFile(t, dir, "bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	full := (&Command{}).newRoot()
	var names []string
	for _, sub := range (&Command{}).subcommands() {
		names = append(names, sub.name)
		if c, _, err := full.Find([]string{sub.name}); err != nil || c.Name() != sub.name {
			t.Errorf("subcommand %q builds command %q (%v)", sub.name, c.Name(), err)
		}
	}
	if len(full.Commands()) != len(names) {
		t.Errorf("root has %d commands, subcommands lists %d", len(full.Commands()), len(names))
	}
	runs := [][]string{
		{"lint", good}, {"lint", "--offline", bad}, {"lint", "--format", "json", bad}, {"lint"},
		{"lint", "--formt", "json", good}, {"version", "extra"}, {"models", "--format", "json"},
		{"explain", "prompt-empty"}, {"explain"}, {"rules"}, {"schema", "nano-banan"},
		{"config", "verify", filepath.Join(dir, "nope.yaml")}, {"config", "nope"},
		{"fix-image"}, {"proxy", "--nope"},
	}
	for _, name := range names {
		runs = append(runs, []string{name, "--help"})
	}
	for _, args := range runs {
		args = append([]string{"preflight"}, args...)
		var out1, err1, out2, err2 strings.Builder
		c1 := &Command{Stdin: strings.NewReader(""), Stdout: &out1, Stderr: &err1, Getenv: func(string) string { return "" }}
		code1 := c1.main(args, func(string) *cobra.Command { return c1.newRoot() })
		c2 := &Command{Stdin: strings.NewReader(""), Stdout: &out2, Stderr: &err2, Getenv: func(string) string { return "" }}
		code2 := c2.Main(args)
		if code1 != code2 || out1.String() != out2.String() || err1.String() != err2.String() {
			t.Errorf("%q: whole tree: exit %d\n%s%s\npruned: exit %d\n%s%s", args, code1, out1.String(), err1.String(), code2, out2.String(), err2.String())
		}
	}
}
