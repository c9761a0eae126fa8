package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// uxInput has an error (prompt-empty), an error (field-enum) and a warning
// (field-unknown).
func uxInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "r.json", `{"model":"nano-banana","input":{"prompt":"","aspect_ratio":"7:3","colour":"red"}}`)
}

func rulesOf(t *testing.T, out string) []string {
	t.Helper()
	var doc struct{ Findings []validate.Finding }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var rules []string
	for _, f := range doc.Findings {
		rules = append(rules, f.Rule+":"+string(f.Severity))
	}
	return rules
}

func TestSelectIgnoreWarn(t *testing.T) {
	uxInput(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitFindings, "prompt-empty:error field-enum:error field-unknown:warning"},
		{[]string{"--select", "field-enum"}, ExitFindings, "field-enum:error"},
		{[]string{"--select", "field-unknown,field-enum", "--ignore", "field-enum"}, ExitOK, "field-unknown:warning"},
		{[]string{"--ignore", "prompt-empty", "--ignore", "field-enum"}, ExitOK, "field-unknown:warning"},
		{[]string{"--warn", "prompt-empty,field-enum"}, ExitOK, "prompt-empty:warning field-enum:warning field-unknown:warning"},
		{[]string{"--error", "field-unknown", "--select", "field-unknown"}, ExitFindings, "field-unknown:error"},
	} {
		args := append([]string{"lint", "--offline", "-f", "json", "r.json"}, tc.args...)
		code, out, errOut := run(t, "", nil, args...)
		got := rulesOf(t, out)
		if code != tc.code || strings.Join(got, " ") != tc.want {
			t.Errorf("%v: exit %d, %v (%s); want exit %d, %s", tc.args, code, got, errOut, tc.code, tc.want)
		}
	}
	// One scheme: the flags layer over the config's rules: map.
	writeFile(t, ".", ".preflight.yaml", "version: 1\nrules:\n  field-unknown: error\n  prompt-empty: off\n")
	_, out, _ := run(t, "", nil, "lint", "--offline", "-f", "json", "--warn", "field-enum", "r.json")
	if got := strings.Join(rulesOf(t, out), " "); got != "field-enum:warning field-unknown:error" {
		t.Errorf("config + flags: %s", got)
	}
	code, _, errOut := run(t, "", nil, "lint", "--offline", "--ignore", "prompt-emty", "r.json")
	if code != ExitUsage || !strings.Contains(errOut, `did you mean "prompt-empty"`) {
		t.Errorf("unknown rule: exit %d: %s", code, errOut)
	}
}

func TestQuietStatisticsMaxWarnings(t *testing.T) {
	uxInput(t)
	_, out, _ := run(t, "", nil, "lint", "--offline", "--quiet", "--format", "concise", "r.json")
	if n := strings.Count(out, "\n"); n != 3 || strings.Contains(out, "in 1 file") {
		t.Errorf("--quiet: %d lines:\n%s", n, out)
	}
	code, out, _ := run(t, "", nil, "lint", "--offline", "--statistics", "r.json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitFindings || len(lines) != 4 || !strings.HasPrefix(lines[0], "1  field-enum     error    HTTP 400") ||
		!strings.Contains(lines[1], "field-unknown  warning  -") || lines[3] != "2 errors, 1 warning in 1 file (1 request)" {
		t.Errorf("--statistics: exit %d:\n%s", code, out)
	}
	// eslint's --max-warnings: more than N warnings fail the run.
	code, _, errOut := run(t, "", nil, "lint", "--offline", "--ignore", "prompt-empty,field-enum", "--max-warnings", "0", "r.json")
	if code != ExitFindings || !strings.Contains(errOut, "more than --max-warnings 0") {
		t.Errorf("--max-warnings 0: exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "", nil, "lint", "--offline", "--ignore", "prompt-empty,field-enum", "--max-warnings", "1", "r.json"); code != ExitOK {
		t.Errorf("--max-warnings 1: exit %d", code)
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, _ := run(t, "", nil, "rules")
	if code != ExitOK || !strings.HasPrefix(out, "RULE ") {
		t.Fatalf("rules: exit %d\n%s", code, out)
	}
	for _, r := range validate.Rules() {
		if !strings.Contains(out, "\n"+r.ID+" ") {
			t.Errorf("rules: no %s", r.ID)
		}
	}
	code, out, _ = run(t, "", nil, "rules", "--format", "json")
	var infos []ruleInfo
	if err := json.Unmarshal([]byte(out), &infos); code != ExitOK || err != nil || len(infos) != len(validate.Rules()) {
		t.Fatalf("rules --format json: exit %d, %v, %d rules", code, err, len(infos))
	}
	for _, r := range infos {
		if r.ID == "prompt-too-long" && (r.Severity != "error" || r.Predicts != "PROMPT_TOO_LONG" || r.Summary == "") {
			t.Errorf("prompt-too-long: %+v", r)
		}
		if r.ID == "model-unknown" && r.Predicts != "HTTP 404" {
			t.Errorf("model-unknown: %+v", r)
		}
	}
}

func TestUnknownFlagSuggests(t *testing.T) {
	code, _, errOut := run(t, "", nil, "lint", "--formt", "json", "x.json")
	if code != ExitUsage || !strings.Contains(errOut, "did you mean --format?") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	_, _, errOut = run(t, "", nil, "lint", "--max-warning=3", "x.json")
	if !strings.Contains(errOut, "did you mean --max-warnings?") {
		t.Errorf("--max-warning=3: %s", errOut)
	}
}

// A failure that is not the caller's does not tell them to read --help.
func TestIOErrorNoUsageHint(t *testing.T) {
	uxInput(t)
	code, _, errOut := run(t, "", nil, "lint", "--offline", "-o", "json=/missing/dir/x.json", "r.json")
	if code != ExitFailure || strings.Contains(errOut, "--help") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// Completion scripts for every shell cobra supports, and the values they
// ask the binary for.
func TestCompletionValues(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash": "__start_preflight", "zsh": "#compdef preflight", "fish": "complete -c preflight",
		"powershell": "Register-ArgumentCompleter",
	} {
		code, out, errOut := run(t, "", nil, "completion", shell)
		if code != ExitOK || !strings.Contains(out, marker) {
			t.Errorf("completion %s: exit %d %s, no %q", shell, code, errOut, marker)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"lint", "--model", "nano"}, []string{"nano-banana", "nano-banana-pro", "nano-banana-2"}},
		{[]string{"lint", "--format", ""}, []string{"text", "concise", "json", "sarif", "github", "junit", "gitlab"}},
		{[]string{"lint", "--select", "field-enum,prompt-t"}, []string{"field-enum,prompt-too-long"}},
		{[]string{"lint", "-o", ""}, []string{"sarif="}},
		{[]string{"schema", "sora"}, []string{"sora-2", "sora-2-pro"}},
		{[]string{"explain", "prompt-t"}, []string{"prompt-too-long", "prompt-too-short"}},
		{[]string{"rules", "--format", ""}, []string{"json"}},
	} {
		_, out, _ := run(t, "", nil, append([]string{"__complete"}, tc.args...)...)
		for _, w := range tc.want {
			if !strings.Contains("\n"+out, "\n"+w) {
				t.Errorf("__complete %v: no %s in\n%s", tc.args, w, out)
			}
		}
	}
}

// SARIF fingerprints are unique per finding: the same rule at the same
// pointer on two JSONL lines, and twice at one place.
func TestSARIFFingerprintsUniqueUX(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	bad := `{"model":"nano-banana","input":{"prompt":""}}`
	writeFile(t, dir, "b.jsonl", bad+"\n"+bad+"\n"+bad+"\n")
	_, out, _ := run(t, "", nil, "lint", "--offline", "-f", "sarif", "b.jsonl")
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		fp := r.PartialFingerprints[fingerprintKey]
		if seen[fp] {
			t.Errorf("fingerprint %s repeats", fp)
		}
		seen[fp] = true
	}
	if len(seen) != 3 {
		t.Errorf("%d results", len(seen))
	}
	var fp fingerprinter
	f := validate.Finding{File: "a.json", Pointer: "/input", Rule: "field-unknown"}
	if a, b := fp.of("a.json", f), fp.of("a.json", f); a == b {
		t.Errorf("a repeat at one place has the same fingerprint")
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	code, _, errOut := run(t, "", nil, "lnit", "x.json")
	if code != ExitUsage || !strings.Contains(errOut, "unknown command \"lnit\" for \"preflight\" (did you mean \"lint\"?)\nRun 'preflight --help'") {
		t.Errorf("exit %d: %q", code, errOut)
	}
}
