package main

import (
	"context"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// Every example must fire its rule offline, and every offline rule has one.
func TestExplainExamples(t *testing.T) {
	network := map[string]bool{}
	for _, r := range validate.Rules() {
		if _, ok := ruleExamples()[r.ID]; !ok {
			network[r.ID] = true
		}
	}
	for id, body := range ruleExamples() {
		if _, ok := ruleByID(id); !ok {
			t.Errorf("example for unknown rule %s", id)
			continue
		}
		rep, err := validate.Request(context.Background(), "", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || f.Rule == id
		}
		if !found {
			t.Errorf("example for %s does not fire it; findings: %+v", id, rep.Findings)
		}
	}
	// Rules without an example must be ones offline checks never report:
	// run every example and every golden case; none may report them.
	for id := range network {
		for _, body := range ruleExamples() {
			rep, _ := validate.Request(context.Background(), "", []byte(body))
			for _, f := range rep.Findings {
				if f.Rule == id {
					t.Errorf("rule %s fires offline but has no example", id)
				}
			}
		}
	}
}

func TestExplain(t *testing.T) {
	code, out, errOut := run(t, "", nil, "explain", "prompt-empty")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"prompt-empty (error)", "The prompt is an empty string.", "failCode INVALID_PROMPT",
		"Fix:       Provide a valid prompt", "docs/rules.md#prompt-empty",
		`{"model": "nano-banana", "input": {"prompt": ""}}`, "example.json:1:46: error: prompt is empty [prompt-empty]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	_, out, _ = run(t, "", nil, "explain", "image-too-large")
	if !strings.Contains(out, "IMAGE_TOO_LARGE") || !strings.Contains(out, "without --offline") {
		t.Errorf("network rule:\n%s", out)
	}
	_, out, _ = run(t, "", nil, "explain", "field-unknown")
	if !strings.Contains(out, "a risk, not a certain failure") {
		t.Errorf("warning rule:\n%s", out)
	}
}

func TestExplainUnknownRule(t *testing.T) {
	for arg, want := range map[string]string{
		"promt-empty":   `did you mean "prompt-empty"?`,
		"image-too-big": `did you mean "image-too-large"?`,
		"zzz":           "rules: callback-url-invalid,",
	} {
		code, _, errOut := run(t, "", nil, "explain", arg)
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("explain %s: exit %d, stderr %s", arg, code, errOut)
		}
	}
	if code, _, _ := run(t, "", nil, "explain"); code != ExitUsage {
		t.Errorf("explain without a rule: exit %d", code)
	}
}

// Completion comes with cobra; check the bash script and that rule IDs
// complete for explain.
func TestCompletion(t *testing.T) {
	code, out, errOut := run(t, "", nil, "completion", "bash")
	if code != ExitOK || !strings.Contains(out, "__start_preflight") {
		t.Fatalf("completion bash: exit %d, %s\n%.200s", code, errOut, out)
	}
	_, out, _ = run(t, "", nil, "__complete", "explain", "prompt-t")
	for _, want := range []string{"prompt-too-long", "prompt-too-short", "prompt-too-many-bytes"} {
		if !strings.Contains(out, want) {
			t.Errorf("completing explain prompt-t: no %s in\n%s", want, out)
		}
	}
	_, out, _ = run(t, "", nil, "__complete", "")
	for _, want := range []string{"lint", "models", "explain", "version"} {
		if !strings.Contains(out, want) {
			t.Errorf("subcommand %s does not complete:\n%s", want, out)
		}
	}
}
