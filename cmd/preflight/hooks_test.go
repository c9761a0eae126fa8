package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// hook is one entry of .pre-commit-hooks.yaml.
type hook struct {
	ID                      string   `yaml:"id"`
	Name                    string   `yaml:"name"`
	Description             string   `yaml:"description"`
	Entry                   string   `yaml:"entry"`
	Language                string   `yaml:"language"`
	Types                   []string `yaml:"types"`
	TypesOr                 []string `yaml:"types_or"`
	Files                   string   `yaml:"files"`
	PassFilenames           *bool    `yaml:"pass_filenames"`
	RequireSerial           bool     `yaml:"require_serial"`
	MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
}

func readHooks(t *testing.T, path string) map[string]hook {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var hooks []hook
	if err := yaml.UnmarshalWithOptions(data, &hooks, yaml.Strict()); err != nil {
		t.Fatal(err)
	}
	out := map[string]hook{}
	for _, h := range hooks {
		out[h.ID] = h
	}
	return out
}

// TestPreCommitHooks installs preflight from the working tree with go
// install (as language: golang does) into a temporary GOBIN, then runs each
// hook's entry the way pre-commit does: the entry's words, then the staged
// file names. It needs no network: the request files name no media URLs.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	t.Chdir("../..")
	hooks := readHooks(t, ".pre-commit-hooks.yaml")
	for _, id := range []string{"preflight", "preflight-network", "preflight-system", "preflight-config-verify"} {
		h, ok := hooks[id]
		if !ok {
			t.Fatalf("hook %s missing", id)
		}
		if !strings.HasPrefix(h.Entry, "preflight ") || h.MinimumPreCommitVersion != "3.0.0" ||
			(h.PassFilenames != nil && !*h.PassFilenames) {
			t.Errorf("hook %s: %+v", id, h)
		}
	}
	for _, id := range []string{"preflight", "preflight-network", "preflight-system"} {
		h := hooks[id]
		// identify has no jsonl/ndjson tag and types are ANDed with files:
		// only "text" (or no types) lets JSONL batches through.
		if len(h.TypesOr) > 0 || !slices.Equal(h.Types, []string{"text"}) || h.Files != `\.(json|jsonl|ndjson)$` {
			t.Errorf("hook %s selects types %v types_or %v files %q", id, h.Types, h.TypesOr, h.Files)
		}
	}
	if !strings.Contains(hooks["preflight"].Entry, "--offline") || strings.Contains(hooks["preflight-network"].Entry, "--offline") {
		t.Error("preflight must be offline and preflight-network not")
	}
	if hooks["preflight-system"].Language != "system" || hooks["preflight"].Language != "golang" {
		t.Error("languages")
	}

	gobin := t.TempDir()
	install := exec.Command(goBin, "install", "./cmd/preflight")
	install.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	bin := filepath.Join(gobin, "preflight")

	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		".preflight.yaml": `version: 1
expect:
  "fixtures/bad/empty-prompt.json": [prompt-empty]
`,
		"fixtures/good/ok.json":          okReq,
		"fixtures/good/lines.jsonl":      okReq + "\n" + okReq + "\n",
		"fixtures/bad/empty-prompt.json": emptyPromptReq,
		"fixtures/new/enum.json":         badEnumReq,
		"broken.yaml":                    "version: 1\nrule: {}\n",
	})
	run := func(h hook, files ...string) (int, string) {
		words := strings.Fields(h.Entry)
		words[0] = bin
		cmd := exec.Command(words[0], append(words[1:], files...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "GITHUB_ACTIONS=")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	for _, tc := range []struct {
		hook  string
		files []string
		want  int
	}{
		{"preflight", []string{"fixtures/good/ok.json", "fixtures/good/lines.jsonl"}, 0},
		// The negative fixture fails exactly as declared: the hook passes.
		{"preflight", []string{"fixtures/good/ok.json", "fixtures/bad/empty-prompt.json"}, 0},
		{"preflight", []string{"fixtures/bad/empty-prompt.json", "fixtures/new/enum.json"}, 1},
		{"preflight-network", []string{"fixtures/good/ok.json", "fixtures/bad/empty-prompt.json"}, 0},
		{"preflight-network", []string{"fixtures/new/enum.json"}, 1},
		{"preflight-system", []string{"fixtures/good/lines.jsonl"}, 0},
		{"preflight-system", []string{"fixtures/new/enum.json"}, 1},
		{"preflight-config-verify", []string{".preflight.yaml"}, 0},
		{"preflight-config-verify", []string{".preflight.yaml", "broken.yaml"}, 2},
	} {
		code, out := run(hooks[tc.hook], tc.files...)
		if code != tc.want {
			t.Errorf("%s %v: exit %d, want %d\n%s", tc.hook, tc.files, code, tc.want, out)
		}
	}
	// A fixture that stops failing is caught with a diff.
	writeFiles(t, repo, map[string]string{"fixtures/bad/empty-prompt.json": okReq})
	code, out := run(hooks["preflight"], "fixtures/bad/empty-prompt.json")
	if code != 1 || !strings.Contains(out, "- prompt-empty (expected, did not fire)") {
		t.Errorf("unmet expectation: exit %d\n%s", code, out)
	}
}
