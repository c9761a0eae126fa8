package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/internal/config"
	"github.com/preflight-dev/preflight/internal/runner"
)

// readmeBlock returns the fenced code block after the marker comment
// <!-- readme:NAME --> in README.md.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	b, err := readmeBlockAt("README.md", name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readmeBlockAt(path, name string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := string(data)
	i := strings.Index(s, "<!-- readme:"+name+" -->")
	if i < 0 {
		return "", fmt.Errorf("%s lacks <!-- readme:%s -->", path, name)
	}
	s = s[i:]
	start := strings.Index(s, "```")
	if start < 0 {
		return "", fmt.Errorf("no code block after readme:%s", name)
	}
	body := s[start:]
	body = body[strings.Index(body, "\n")+1:]
	end := strings.Index(body, "```")
	if end < 0 {
		return "", fmt.Errorf("no code block after readme:%s", name)
	}
	return body[:end], nil
}

// TestReadmeConfig parses the README's example .preflight.yaml.
func TestReadmeConfig(t *testing.T) {
	t.Chdir("../..")
	cfg, err := config.ParseConfig([]byte(readmeBlock(t, "config")), "README.md/.preflight.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Rules) == 0 || len(cfg.Limits) == 0 || len(cfg.Models) == 0 || len(cfg.Ignore) == 0 ||
		len(cfg.Expect) == 0 || cfg.Network.Timeout == nil || cfg.Network.Cache == nil {
		t.Errorf("README config leaves a section out: %+v", cfg)
	}
	if _, ok := cfg.Catalog().Model("my-model"); !ok {
		t.Error("README model not merged")
	}
	if len(cfg.Files) == 0 || len(cfg.Exclude) == 0 {
		t.Error("README config leaves out files: or exclude:")
	}
	// The example is for a repository: it must work without --trust-config.
	cfg.Dir = t.TempDir()
	for _, w := range cfg.Widenings(cfg.Dir, "", runner.DefaultMaxBytes) {
		t.Errorf("README config needs --trust-config: %v", w)
	}
	// The user config example holds what only a user config may.
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(readmeBlock(t, "user-config")), 0o644); err != nil {
		t.Fatal(err)
	}
	user, err := config.ParseUser(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(user.Widenings(t.TempDir(), "", runner.DefaultMaxBytes)) == 0 {
		t.Error("README user config shows nothing a repository config could not set")
	}
}

var fullCommitID = regexp.MustCompile(`^[0-9a-f]{40}$`)

// TestReadmePreCommit checks the README's .pre-commit-config.yaml snippet
// names this repository and hooks that exist.
func TestReadmePreCommit(t *testing.T) {
	t.Chdir("../..")
	var cfg struct {
		Repos []struct {
			Repo  string `yaml:"repo"`
			Rev   string `yaml:"rev"`
			Hooks []struct {
				ID string `yaml:"id"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	if err := yaml.UnmarshalWithOptions([]byte(readmeBlock(t, "pre-commit")), &cfg, yaml.Strict()); err != nil {
		t.Fatal(err)
	}
	hooks := readHooks(t, ".pre-commit-hooks.yaml")
	if len(cfg.Repos) != 1 || cfg.Repos[0].Repo != "https://github.com/preflight-dev/preflight" || cfg.Repos[0].Rev == "" {
		t.Fatalf("snippet: %+v", cfg)
	}
	// No release tag exists yet: a rev pre-commit can check out is a full
	// commit id, shown as the placeholder the text explains.
	if rev := cfg.Repos[0].Rev; rev != "<40-hex commit id>" && !fullCommitID.MatchString(rev) {
		t.Errorf("snippet rev %q: want a full commit id (or its placeholder) until a release tag exists", rev)
	}
	for _, h := range cfg.Repos[0].Hooks {
		if _, ok := hooks[h.ID]; !ok {
			t.Errorf("README names hook %q, not in .pre-commit-hooks.yaml", h.ID)
		}
	}
}

// TestReadmeVSCode runs the README's schema command and checks the settings
// snippet points at the file it writes (the schema's agreement with the
// linter is tested in package validate).
func TestReadmeVSCode(t *testing.T) {
	t.Chdir("../..")
	var settings struct {
		Schemas []struct {
			FileMatch []string `json:"fileMatch"`
			URL       string   `json:"url"`
		} `json:"json.schemas"`
	}
	if err := json.Unmarshal([]byte(readmeBlock(t, "vscode")), &settings); err != nil {
		t.Fatal(err)
	}
	if len(settings.Schemas) != 1 || settings.Schemas[0].URL != "./.vscode/apixo-request.schema.json" {
		t.Fatalf("settings: %+v", settings)
	}
	readme, _ := os.ReadFile("README.md")
	if !strings.Contains(string(readme), "preflight schema > .vscode/apixo-request.schema.json") {
		t.Error("README lost the schema command")
	}
	code, out, errs := run(t, "", nil, "schema", "--no-config")
	if code != ExitOK {
		t.Fatalf("schema: exit %d %s", code, errs)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil || s["$schema"] != catalog.SchemaDraft {
		t.Fatalf("schema output: %v", err)
	}
}
