package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixCases lists the golden request files under testdata/fix: each
// NAME.json (or .jsonl) has NAME.fixed.json beside it, the file as
// `lint --fix` must leave it.
func fixCases(t *testing.T) []string {
	t.Helper()
	var cases []string
	for _, pat := range []string{"../../testdata/fix/*.json", "../../testdata/fix/*.jsonl"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			if !strings.Contains(filepath.Base(p), ".fixed.") {
				cases = append(cases, p)
			}
		}
	}
	if len(cases) == 0 {
		t.Fatal("no cases under testdata/fix")
	}
	return cases
}

func fixedPath(in string) string {
	ext := filepath.Ext(in)
	return strings.TrimSuffix(in, ext) + ".fixed" + ext
}

// copyCase copies a golden input into a temporary directory and returns
// the copy's path and the original bytes.
func copyCase(t *testing.T, in string) (string, []byte) {
	t.Helper()
	src, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(in))
	if err := os.WriteFile(p, src, 0o640); err != nil {
		t.Fatal(err)
	}
	return p, src
}

func TestLintFixGolden(t *testing.T) {
	for _, in := range fixCases(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			p, _ := copyCase(t, in)
			code, _, errOut := run(t, "", nil, "lint", "--offline", "--fix", p)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, fixedPath(in), got, nil)
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o640 {
				t.Errorf("mode %v after --fix, want 0640 kept", st.Mode().Perm())
			}
			// A second run finds nothing more to fix: the fixes converged.
			code2, _, errOut2 := run(t, "", nil, "lint", "--offline", "--fix", p)
			if !strings.Contains(errOut2, "applied 0 fixes in 0 files") {
				t.Errorf("second --fix still fixed something: %s", errOut2)
			}
			if code2 != code {
				t.Errorf("second run exit %d, first %d: the exit code must reflect what remains", code2, code)
			}
			again, _ := os.ReadFile(p)
			if !bytes.Equal(again, got) {
				t.Errorf("second --fix changed the file again")
			}
		})
	}
}

// TestLintFixDryRun: --dry-run prints the diff and leaves every file byte
// for byte as it was, mtime included.
func TestLintFixDryRun(t *testing.T) {
	for _, in := range fixCases(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			p, src := copyCase(t, in)
			old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(fixedPath(in))
			if err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run(t, "", nil, "lint", "--offline", "--fix", "--dry-run", p)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, src) {
				t.Errorf("--dry-run changed the file")
			}
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if !st.ModTime().Equal(old) {
				t.Errorf("--dry-run touched the file: mtime %v", st.ModTime())
			}
			hasDiff := strings.Contains(out, "--- "+p+"\n+++ "+p+"\n@@ ")
			if changes := !bytes.Equal(src, want); hasDiff != changes {
				t.Errorf("diff printed: %v, file has fixes: %v; stdout:\n%s", hasDiff, changes, out)
			}
			if !strings.Contains(errOut, "--fix would apply") {
				t.Errorf("no dry-run summary on stderr: %q", errOut)
			}
		})
	}
}

func TestLintFixDiffText(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "r.json", "{\n  \"model\": \"flux2\",\n  \"input\": {\"prompt\": \"a red fox\"}\n}\n")
	_, out, _ := run(t, "", nil, "lint", "--offline", "--fix", "--dry-run", p)
	want := "--- " + p + "\n+++ " + p + "\n@@ -1,4 +1,4 @@\n {\n-  \"model\": \"flux2\",\n+  \"model\": \"flux-2\",\n   \"input\": {\"prompt\": \"a red fox\"}\n }\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("diff:\n%s\nwant prefix:\n%s", out, want)
	}
}

func TestLintFixSummaryAndExit(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "r.json", `{"model":"wan-2-5","input":{"prompt":"a fox","duration":"10","resolution":"720P"}}`)
	code, out, errOut := run(t, "", nil, "lint", "--offline", "--fix", p)
	if code != ExitOK {
		t.Errorf("exit %d after every finding was fixed; stdout:\n%s", code, out)
	}
	if !strings.Contains(errOut, "applied 2 fixes in 1 file") {
		t.Errorf("summary: %q", errOut)
	}
	got, _ := os.ReadFile(p)
	if string(got) != `{"model":"wan-2-5","input":{"prompt":"a fox","duration":10,"resolution":"720p"}}` {
		t.Errorf("fixed: %s", got)
	}
	// What cannot be fixed remains and fails the run.
	q := writeFile(t, dir, "s.json", `{"model":"wan-2-5","input":{"prompt":"a fox","duration":"7","resolution":"4K"}}`)
	code, out, errOut = run(t, "", nil, "lint", "--offline", "--fix", q)
	if code != ExitFindings || !strings.Contains(out, "2 errors") || !strings.Contains(errOut, "applied 1 fix in 1 file") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestLintFixRefuses(t *testing.T) {
	dir := t.TempDir()
	body := `{"model":"flux2","input":{"prompt":"a red fox"}}`
	target := writeFile(t, dir, "real/target.json", body)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, _, errOut := run(t, "", nil, "lint", "--offline", "--fix", link)
	if !strings.Contains(errOut, "symbolic link") {
		t.Errorf("stderr %q does not say the link was refused", errOut)
	}
	if got, _ := os.ReadFile(target); string(got) != body {
		t.Errorf("--fix wrote through a symlink: %s", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}

	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"lint", "--fix", "-"}, body, "cannot rewrite standard input"},
		{[]string{"lint", "--dry-run", target}, "", "--dry-run needs --fix"},
		{[]string{"lint", "--fix", "--dry-run", "--format", "json", target}, "", "--format text"},
	} {
		code, _, errOut := run(t, tc.stdin, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want usage error with %q", tc.args, code, errOut, tc.want)
		}
	}
}
