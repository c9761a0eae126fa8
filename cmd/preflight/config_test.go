package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/internal/config"
)

func TestConfigVerifyCommand(t *testing.T) {
	t.Chdir("../..")
	if code, out, _ := run(t, "", nil, "config", "verify", "testdata/config/full.yaml"); code != ExitOK || !strings.Contains(out, "valid") {
		t.Errorf("full.yaml: exit %d %s", code, out)
	}
	code, _, errs := run(t, "", nil, "config", "verify", "testdata/config/bad-rule.yaml")
	if code != ExitUsage || !strings.Contains(errs, "bad-rule.yaml:3:3: unknown rule") || !strings.Contains(errs, "bad-rule.yaml:4:15:") {
		t.Errorf("bad-rule.yaml: exit %d %s", code, errs)
	}
	if code, _, _ := run(t, "", nil, "config", "verify", "testdata/config/nope.yaml"); code != ExitUsage {
		t.Errorf("missing file: exit %d", code)
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	t.Chdir(dir)
	if code, _, errs := run(t, "", nil, "config", "verify"); code != ExitUsage || !strings.Contains(errs, "no .preflight.yaml") {
		t.Errorf("no config: exit %d %s", code, errs)
	}
}

func TestSchemaCommand(t *testing.T) {
	t.Chdir("../..")
	code, out, errs := run(t, "", nil, "schema", "--no-config", "nano-banana")
	if code != ExitOK {
		t.Fatalf("exit %d %s", code, errs)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil || s["$schema"] != catalog.SchemaDraft {
		t.Errorf("not a schema: %v", err)
	}
	if code, _, _ := run(t, "", nil, "schema", "--no-config"); code != ExitOK {
		t.Errorf("all models: exit %d", code)
	}
	if code, _, errs := run(t, "", nil, "schema", "--no-config", "nano-bananna"); code != ExitUsage || !strings.Contains(errs, "did you mean") {
		t.Errorf("unknown model: exit %d %s", code, errs)
	}
	// The config's limits and models reach the schema.
	code, out, _ = run(t, "", nil, "schema", "--config", "testdata/config/full.yaml", "my-model")
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

// Every problem of a config is listed, one line each, by `config verify`
// and by lint; text from the file is escaped.
func TestConfigEveryProblemEscaped(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "c.yaml", "version: 1\nrules:\n  \"\\e[31mx\": off\n  prompt-empty: mute\nnetwork:\n  timeot: 5s\n")
	code, _, stderr := run(t, "", nil, "config", "verify", p)
	want := p + ":3:3: unknown rule \"\\x1b[31mx\"\n" +
		p + ":4:17: rule prompt-empty: severity \"mute\" is not off, warning or error\n" +
		p + ":6:3: unknown field \"timeot\"\n"
	if code != ExitUsage || stderr != want {
		t.Errorf("config verify: exit %d, stderr\n%s\nwant\n%s", code, stderr, want)
	}
	code, _, stderr = run(t, "", nil, "lint", "--offline", "--config", p, "-")
	if code != ExitUsage || strings.Count(stderr, "\nconfig: ") != 2 || strings.Contains(stderr, "\x1b") {
		t.Errorf("lint: exit %d, stderr\n%s", code, stderr)
	}
}

// The expectation diff names files from input: escaped, like findings.
func TestExpectDiffEscaped(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "g/a\x1b[1mb.json", `{"model":"nano-banana","input":{"prompt":"\u001b[31m"}}`)
	cfg := writeFile(t, dir, "c.yaml", "version: 1\nexpect:\n  \"g/*.json\": [prompt-empty]\n")
	code, _, stderr := run(t, "", nil, "lint", "--offline", "--config", cfg, filepath.Join(dir, "g"))
	if code == ExitOK || !strings.Contains(stderr, `a\x1b[1mb.json: expectation not met`) ||
		!strings.Contains(stderr, "+ prompt-control-char (fired, not expected)") || strings.Contains(stderr, "\x1b") {
		t.Errorf("exit %d, stderr\n%s", code, stderr)
	}
}
