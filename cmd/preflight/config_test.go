package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/internal/config"
	"github.com/preflight-dev/preflight/validate"
)

// run runs the CLI in-process in the current directory.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := Command{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = cmd.Main(append([]string{"preflight"}, args...))
	return code, out.String(), errb.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	okReq          = `{"model":"nano-banana","input":{"prompt":"a cat"}}`
	emptyPromptReq = `{"model":"nano-banana","input":{"prompt":""}}`
	unknownReq     = `{"model":"nano-banana","input":{"prompt":"a cat","colour":"red"}}`
	badEnumReq     = `{"model":"nano-banana","input":{"prompt":"a cat","aspect_ratio":"7:3"}}`
)

// fixtureRepo makes a repository with a config and fixtures and changes
// into its subdirectory sub (config discovery walks up).
func fixtureRepo(t *testing.T, config string) string {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".git/HEAD":                      "ref: refs/heads/main\n",
		".preflight.yaml":                config,
		"fixtures/good/ok.json":          okReq,
		"fixtures/bad/empty-prompt.json": emptyPromptReq,
		"fixtures/bad/enum.json":         badEnumReq,
		"fixtures/legacy/unknown.json":   unknownReq,
	})
	return root
}

func TestLintExpectFlow(t *testing.T) {
	root := fixtureRepo(t, `version: 1
expect:
  "fixtures/bad/empty-prompt.json": [prompt-empty]
  "fixtures/bad/enum.json": [field-enum]
`)
	t.Chdir(filepath.Join(root, "fixtures"))
	// Relative to the config's directory, whatever the working directory.
	code, out, errs := runCLI(t, "lint", "--offline", "bad", "good")
	if code != ExitOK {
		t.Fatalf("expected fixtures: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out, "prompt-empty") {
		t.Errorf("expected findings were printed:\n%s", out)
	}
	// A fixture that stops failing is a regression of the validator.
	writeFiles(t, root, map[string]string{"fixtures/bad/enum.json": okReq})
	code, out, errs = runCLI(t, "lint", "--offline", "bad/enum.json")
	if code != ExitFindings || !strings.Contains(errs, "- field-enum (expected, did not fire)") {
		t.Errorf("missing expectation: exit %d\n%s%s", code, out, errs)
	}
	// An unexpected rule fails with a diff that shows the finding.
	writeFiles(t, root, map[string]string{"fixtures/bad/enum.json": unknownReq})
	code, out, errs = runCLI(t, "lint", "--offline", "--fail-level", "error", "bad/enum.json")
	if code != ExitFindings || !strings.Contains(errs, "+ field-unknown (fired, not expected)") ||
		!strings.Contains(errs, `bad/enum.json:1:59: warning: nano-banana does not document an input field "colour" [field-unknown]`) {
		t.Errorf("unexpected rule: exit %d\n%s%s", code, out, errs)
	}
}

func TestLintRulesAndIgnore(t *testing.T) {
	root := fixtureRepo(t, `version: 1
rules:
  field-enum: warning
ignore:
  "fixtures/bad/empty-prompt.json#/input": [prompt-empty]
`)
	t.Chdir(root)
	code, out, errs := runCLI(t, "lint", "--offline", "--format", "json", "fixtures")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out, "prompt-empty") || !strings.Contains(out, `"rule":"field-enum","severity":"warning"`) {
		t.Errorf("config not applied:\n%s", out)
	}
	// --no-config and --config override discovery.
	if code, _, _ := runCLI(t, "lint", "--offline", "--no-config", "fixtures"); code != ExitFindings {
		t.Errorf("--no-config: exit %d", code)
	}
	writeFiles(t, root, map[string]string{"other.yaml": "version: 1\nrules: {prompt-empty: off, field-enum: off}\n"})
	if code, out, _ := runCLI(t, "lint", "--offline", "--config", "other.yaml", "fixtures"); code != ExitOK {
		t.Errorf("--config: exit %d\n%s", code, out)
	}
	writeFiles(t, root, map[string]string{"bad.yaml": "version: 1\nrule: {}\n"})
	if code, _, errs := runCLI(t, "lint", "--offline", "--config", "bad.yaml", "fixtures"); code != ExitUsage || !strings.Contains(errs, `bad.yaml:2:1: unknown field "rule"`) {
		t.Errorf("bad config: exit %d %s", code, errs)
	}
}

func TestLintBaseline(t *testing.T) {
	root := fixtureRepo(t, "version: 1\n")
	t.Chdir(root)
	code, _, errs := runCLI(t, "lint", "--offline", "--baseline-write", "base.json", "fixtures")
	if code != ExitOK || !strings.Contains(errs, "wrote 3 findings") {
		t.Fatalf("write: exit %d %s", code, errs)
	}
	var b baseline
	data, _ := os.ReadFile(filepath.Join(root, "base.json"))
	if err := json.Unmarshal(data, &b); err != nil || len(b.Findings) != 3 || b.Findings[0].File != "fixtures/bad/empty-prompt.json" {
		t.Fatalf("baseline %s: %v", data, err)
	}
	if code, out, _ := runCLI(t, "lint", "--offline", "--baseline", "base.json", "fixtures"); code != ExitOK || strings.Contains(out, "prompt-empty") {
		t.Errorf("known findings reported: exit %d\n%s", code, out)
	}
	// Reformatting keeps the findings known (keys are pointers, not lines);
	// a new finding is reported.
	writeFiles(t, root, map[string]string{
		"fixtures/bad/empty-prompt.json": "{\n  \"model\": \"nano-banana\",\n  \"input\": {\n    \"prompt\": \"\"\n  }\n}\n",
		"fixtures/good/ok.json":          badEnumReq,
	})
	code, out, _ := runCLI(t, "lint", "--offline", "--baseline", "base.json", "fixtures")
	if code != ExitFindings || strings.Contains(out, "prompt-empty") || !strings.Contains(out, "fixtures/good/ok.json") {
		t.Errorf("new finding: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "lint", "--offline", "--baseline", "missing.json", "fixtures"); code != ExitUsage {
		t.Errorf("missing baseline: exit %d", code)
	}
}

func TestConfigVerifyCommand(t *testing.T) {
	t.Chdir("../..")
	if code, out, _ := runCLI(t, "config", "verify", "testdata/config/full.yaml"); code != ExitOK || !strings.Contains(out, "valid") {
		t.Errorf("full.yaml: exit %d %s", code, out)
	}
	code, _, errs := runCLI(t, "config", "verify", "testdata/config/bad-rule.yaml")
	if code != ExitUsage || !strings.Contains(errs, "bad-rule.yaml:3:3: unknown rule") || !strings.Contains(errs, "bad-rule.yaml:4:15:") {
		t.Errorf("bad-rule.yaml: exit %d %s", code, errs)
	}
	if code, _, _ := runCLI(t, "config", "verify", "testdata/config/nope.yaml"); code != ExitUsage {
		t.Errorf("missing file: exit %d", code)
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	t.Chdir(dir)
	if code, _, errs := runCLI(t, "config", "verify"); code != ExitUsage || !strings.Contains(errs, "no .preflight.yaml") {
		t.Errorf("no config: exit %d %s", code, errs)
	}
}

func TestSchemaCommand(t *testing.T) {
	t.Chdir("../..")
	code, out, errs := runCLI(t, "schema", "--no-config", "nano-banana")
	if code != ExitOK {
		t.Fatalf("exit %d %s", code, errs)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil || s["$schema"] != validate.SchemaDraft {
		t.Errorf("not a schema: %v", err)
	}
	if code, _, _ := runCLI(t, "schema", "--no-config"); code != ExitOK {
		t.Errorf("all models: exit %d", code)
	}
	if code, _, errs := runCLI(t, "schema", "--no-config", "nano-bananna"); code != ExitUsage || !strings.Contains(errs, "did you mean") {
		t.Errorf("unknown model: exit %d %s", code, errs)
	}
	// The config's limits and models reach the schema.
	code, out, _ = runCLI(t, "schema", "--config", "testdata/config/full.yaml", "my-model")
	if code != ExitOK || !strings.Contains(out, `"maxLength": 100`) {
		t.Errorf("config model: exit %d", code)
	}
}

func TestNetworkConfigUnderFlags(t *testing.T) {
	var f lintFlags
	fl := pflag.NewFlagSet("lint", pflag.ContinueOnError)
	fl.BoolVar(&f.offline, "offline", false, "")
	f.network.register(fl)
	if err := fl.Parse([]string{"--timeout", "3s"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadConfig("../../testdata/config/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	applyConfig(fl, &f, cfg)
	// A relative cache dir is the config file's, not the working directory's.
	wantCache, _ := filepath.Abs("../../testdata/config/.cache/preflight")
	if !f.offline || f.network.concurrency != 4 || f.network.timeout != 3*time.Second ||
		f.network.cacheDir != wantCache || f.network.cacheTTL != 24*time.Hour ||
		len(f.network.allowHosts) != 1 {
		t.Errorf("got %+v offline=%v", f.network, f.offline)
	}
}
