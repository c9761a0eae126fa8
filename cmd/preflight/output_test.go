package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputFanOut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)

	code, out, errOut := run(t, "", map[string]string{"TTY": "1"}, "lint", "--offline", "--color", "always",
		"--output", "json=r.json", "-o", "sarif=r.sarif", "-o", "text=r.txt", "bad.json")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The stdout format is still --format (text), colored as asked.
	if !strings.Contains(out, "bad.json:1:42:") || !strings.Contains(out, "\x1b[") {
		t.Errorf("stdout:\n%q", out)
	}
	var doc struct {
		Findings []struct{ Rule string }
	}
	if err := json.Unmarshal(readFile(t, "r.json"), &doc); err != nil || len(doc.Findings) != 1 || doc.Findings[0].Rule != "prompt-empty" {
		t.Errorf("r.json: %v %+v", err, doc)
	}
	var log sarifLog
	if err := json.Unmarshal(readFile(t, "r.sarif"), &log); err != nil || len(log.Runs[0].Results) != 1 {
		t.Errorf("r.sarif: %v", err)
	}
	if txt := string(readFile(t, "r.txt")); !strings.Contains(txt, "bad.json:1:42:") || strings.Contains(txt, "\x1b[") {
		t.Errorf("r.txt (no color in files): %q", txt)
	}
}

func TestOutputBadPath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	// A path that cannot be created is an I/O failure (exit 3, no usage
	// hint), reported before any check runs.
	code, out, errOut := run(t, "", nil, "lint", "--offline", "-o", "json=missing/r.json", "bad.json")
	if code != ExitFailure || !strings.Contains(errOut, "missing/r.json") || strings.Contains(errOut, "--help") || out != "" {
		t.Errorf("bad --output path: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
}

func TestOutputStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)

	// FORMAT=- takes standard output instead of --format's default.
	_, out, _ := run(t, "", nil, "lint", "--offline", "-o", "json=-", "-o", "sarif=r.sarif", "bad.json")
	if !strings.HasPrefix(out, `{"version":1,`) {
		t.Errorf("stdout: %s", out)
	}
	for _, args := range [][]string{
		{"-o", "json=-", "-o", "sarif=-"},
		{"--format", "text", "-o", "json=-"},
		{"-o", "json"},
		{"-o", "=x"},
		{"-o", "xml=r.xml"},
	} {
		code, _, errOut := run(t, "", nil, append(append([]string{"lint", "--offline"}, args...), "bad.json")...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want usage error: %s", args, code, errOut)
		}
	}
}

func TestRelPath(t *testing.T) {
	base := filepath.FromSlash("/ws/repo")
	for in, want := range map[string]string{
		filepath.FromSlash("/ws/repo/a/b.json"): "a/b.json",
		filepath.FromSlash("/elsewhere/c.json"): "/elsewhere/c.json",
		filepath.FromSlash("/ws/repo2/c.json"):  "/ws/repo2/c.json",
		"<stdin>":                               "<stdin>",
	} {
		if got := relPath(base, in); got != filepath.ToSlash(want) {
			t.Errorf("relPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
