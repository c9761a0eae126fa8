package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSection returns README.md from its <!-- readme:NAME --> marker on.
func readmeSection(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "<!-- readme:"+name+" -->")
	if i < 0 {
		t.Fatalf("README.md has no <!-- readme:%s --> block", name)
	}
	return s[i:]
}

// readmeFence returns the fenced block after <!-- readme:NAME --> in README.md.
func readmeFence(t *testing.T, name string) string {
	t.Helper()
	s := readmeSection(t, name)
	start := strings.Index(s, "```")
	s = s[start:]
	s = s[strings.Index(s, "\n")+1:]
	return s[:strings.Index(s, "```")]
}

// The library snippet in the README is the one ExampleNewTransport runs.
func TestReadmeTransportSnippet(t *testing.T) {
	example, err := os.ReadFile("../../validate/example_transport_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(readmeFence(t, "transport"), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.Contains(string(example), line) {
			t.Errorf("README line not in ExampleNewTransport: %s", line)
		}
	}
}

// The workflow's lint step, run as GitHub Actions would: annotations on
// stdout, and a SARIF file that passes the schema.
func TestReadmeGitHubActionsSnippet(t *testing.T) {
	sch := compileSARIFSchema(t)
	var args []string
	for _, line := range strings.Split(readmeFence(t, "github-actions"), "\n") {
		if cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "- run: preflight "); ok {
			args = strings.Fields(cmd)
		}
	}
	if len(args) == 0 {
		t.Fatal("no `- run: preflight ...` step in the workflow")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "fixtures/bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	writeFile(t, dir, "fixtures/ok.json", validReq)
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": dir}
	code, out, errOut := run(t, "", env, append(args[:1:1], append([]string{"--offline"}, args[1:]...)...)...)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "::error file=fixtures/bad.json,line=1,col=42,title=prompt-empty::") {
		t.Errorf("annotations:\n%s", out)
	}
	sarif, err := os.ReadFile(filepath.Join(dir, "preflight.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateSARIF(t, sch, sarif); err != nil {
		t.Errorf("preflight.sarif fails the schema: %v", err)
	}
	if !strings.Contains(string(sarif), `"uri":"fixtures/bad.json"`) {
		t.Errorf("SARIF uri not relative to the workspace")
	}
}
