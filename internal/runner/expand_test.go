package runner

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// tree writes files (path -> content) under a new directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func rel(t *testing.T, dir string, paths []string) []string {
	t.Helper()
	out := make([]string, len(paths))
	for i, p := range paths {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = filepath.ToSlash(r)
	}
	return out
}

func TestSelection(t *testing.T) {
	dir := tree(t, map[string]string{
		"package.json":                "{}",
		"tsconfig.json":               "{}",
		"node_modules/x/package.json": "{}",
		"vendor/v.json":               "{}",
		".hidden/h.json":              "{}",
		"fixtures/good.json":          "{}",
		"fixtures/bad.json":           "{}",
		"fixtures/gen/out.json":       "{}",
		"fixtures/batch.jsonl":        "",
		"notes.txt":                   "",
	})
	ctx := context.Background()
	cases := []struct {
		name  string
		sel   Selection
		paths []string
		want  []string
	}{
		{"defaults", Selection{NoGit: true}, []string{"."},
			[]string{"fixtures/bad.json", "fixtures/batch.jsonl", "fixtures/gen/out.json", "fixtures/good.json", "package.json", "tsconfig.json"}},
		{"files", Selection{NoGit: true, Files: []string{"fixtures/**"}}, []string{"."},
			[]string{"fixtures/bad.json", "fixtures/batch.jsonl", "fixtures/gen/out.json", "fixtures/good.json"}},
		{"exclude segment and path", Selection{NoGit: true, Exclude: []string{"gen", "*.jsonl", "tsconfig.json"}}, []string{"."},
			[]string{"fixtures/bad.json", "fixtures/good.json", "package.json"}},
		{"explicit paths kept", Selection{NoGit: true, Files: []string{"fixtures/**"}}, []string{"package.json", "notes.txt"},
			[]string{"package.json", "notes.txt"}},
		{"force-exclude filters explicit paths", Selection{NoGit: true, Files: []string{"fixtures/**"}, Force: true},
			[]string{"package.json", "fixtures/bad.json", "node_modules/x/package.json"}, []string{"fixtures/bad.json"}},
		{"force-exclude skips what a walk skips", Selection{NoGit: true, Force: true},
			[]string{"package.json", ".hidden/h.json", "vendor/v.json", "node_modules/x/package.json"}, []string{"package.json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(dir)
			c.sel.Root = dir
			got, err := c.sel.Expand(ctx, c.paths)
			if err != nil {
				t.Fatal(err)
			}
			got = rel(t, dir, absAll(got))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v\nwant %v", got, c.want)
			}
		})
	}
}

func absAll(ps []string) []string {
	for i, p := range ps {
		ps[i], _ = filepath.Abs(p)
	}
	return ps
}

func TestSelectionErrors(t *testing.T) {
	dir := tree(t, map[string]string{"docs/readme.md": "", "node_modules/a.json": "{}"})
	ctx := context.Background()
	_, err := Selection{NoGit: true}.Expand(ctx, []string{filepath.Join(dir, "docs")})
	if !errors.Is(err, ErrNoFiles) {
		t.Errorf("a directory without request files: %v, want ErrNoFiles", err)
	}
	_, err = Selection{NoGit: true}.Expand(ctx, []string{dir})
	if !errors.Is(err, ErrNoFiles) {
		t.Errorf("only node_modules: %v, want ErrNoFiles", err)
	}
	_, err = Selection{NoGit: true}.Expand(ctx, []string{filepath.Join(dir, "missing")})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: %v, want ErrNotExist", err)
	}
}

// A symlinked directory named as an argument is followed; a link to a
// directory inside the walk is not.
func TestSelectionSymlinkedDir(t *testing.T) {
	real := tree(t, map[string]string{"a.json": "{}", "sub/b.json": "{}"})
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink(filepath.Join(real, "sub"), filepath.Join(real, "inner")); err != nil {
		t.Fatal(err)
	}
	got, err := Selection{NoGit: true}.Expand(context.Background(), []string{link})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(link, "a.json"), filepath.Join(link, "sub", "b.json")}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// What git ignores (.gitignore, .git/info/exclude, the global excludes
// file) is skipped in a walk, and with Force among explicit paths.
func TestSelectionGitIgnore(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := tree(t, map[string]string{
		".gitignore":     "build/\n",
		"build/out.json": "{}",
		"local.json":     "{}",
		"global.json":    "{}",
		"keep/ok.json":   "{}",
		"home/excludes":  "global.json\n",
	})
	gitconfig := filepath.Join(dir, "home", "gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[core]\n\texcludesFile = "+filepath.Join(dir, "home", "excludes")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", gitconfig)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "info", "exclude"), []byte("local.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	ctx := context.Background()
	got, err := Selection{Exclude: []string{"home"}}.Expand(ctx, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"keep/ok.json"}; !slices.Equal(got, want) {
		t.Errorf("walk: got %v, want %v", got, want)
	}
	got, err = Selection{Force: true}.Expand(ctx, []string{"local.json", "keep/ok.json"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"keep/ok.json"}; !slices.Equal(got, want) {
		t.Errorf("force: got %v, want %v", got, want)
	}
	got, err = Selection{}.Expand(ctx, []string{"local.json"})
	if err != nil || !slices.Equal(got, []string{"local.json"}) {
		t.Errorf("explicit without force: got %v %v", got, err)
	}
}
