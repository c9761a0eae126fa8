package main

import (
	"os"
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
	return readHooksFile(t.Fatalf, path)
}

func readHooksFile(fatalf func(string, ...any), path string) map[string]hook {
	data, err := os.ReadFile(path)
	if err != nil {
		fatalf("%v", err)
	}
	var hooks []hook
	if err := yaml.UnmarshalWithOptions(data, &hooks, yaml.Strict()); err != nil {
		fatalf("%s: %v", path, err)
	}
	out := map[string]hook{}
	for _, h := range hooks {
		out[h.ID] = h
	}
	return out
}

// TestPreCommitHooks checks the hook definitions; testdata/script/hooks.txtar
// runs each hook's entry the way pre-commit does, on a scratch repository.
func TestPreCommitHooks(t *testing.T) {
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
	for _, id := range []string{"preflight", "preflight-network", "preflight-system"} {
		// pre-commit passes every staged .json file: the repository's own
		// selection (files:, exclude:, .gitignore) must filter them.
		if !strings.Contains(hooks[id].Entry, "--force-exclude") {
			t.Errorf("hook %s: entry %q lacks --force-exclude", id, hooks[id].Entry)
		}
	}
	for id, h := range hooks {
		// pre-commit appends file names verbatim: one named like a flag
		// must stay a file name.
		if !strings.HasSuffix(h.Entry, " --") {
			t.Errorf("hook %s: entry %q does not end with --", id, h.Entry)
		}
	}
	if hooks["preflight-system"].Language != "system" || hooks["preflight"].Language != "golang" {
		t.Error("languages")
	}
}
