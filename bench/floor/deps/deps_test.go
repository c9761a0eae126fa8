package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLinksPreflightDeps keeps the floor honest: it must link exactly the
// packages cmd/preflight links, minus preflight's own. A module root (or any
// package) preflight gains that the floor lacks would make the floor cheaper
// than the dependency set really is; one the floor keeps after preflight
// drops it would make it dearer. Both builds are listed as bench/run.sh
// builds them (CGO_ENABLED=0), for the host.
func TestLinksPreflightDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list on the module")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go command: the floor's import list cannot be checked")
	}
	module := goList(t, gobin, "-m")[0]
	const self = "/bench/floor/deps"

	// Preflight's closure without its own packages, and what those import
	// from outside the module: the import list this floor must have.
	var want, imports []string
	for _, line := range goList(t, gobin, "-deps", "-f", "{{.ImportPath}} {{if .Module}}{{.Module.Path}}{{end}} {{join .Imports \",\"}}", "../../../cmd/preflight") {
		f := strings.Split(line, " ")
		if f[1] != module {
			want = append(want, f[0])
			continue
		}
		for _, p := range strings.Split(f[2], ",") {
			if p != "" && p != module && !strings.HasPrefix(p, module+"/") {
				imports = append(imports, p)
			}
		}
	}
	var got []string
	for _, p := range goList(t, gobin, "-deps", ".") {
		if p != module+self {
			got = append(got, p)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if slices.Equal(got, want) {
		return
	}
	for _, p := range got {
		if p == module || strings.HasPrefix(p, module+"/") {
			t.Errorf("the floor links preflight's own package %s", p)
		}
	}
	if m := minus(want, got); len(m) > 0 {
		t.Errorf("cmd/preflight links, the floor does not:\n\t%s", strings.Join(m, "\n\t"))
	}
	if m := minus(got, want); len(m) > 0 {
		t.Errorf("the floor links, cmd/preflight does not:\n\t%s", strings.Join(m, "\n\t"))
	}
	slices.Sort(imports)
	imports = slices.Compact(imports)
	var b strings.Builder
	for _, p := range imports {
		b.WriteString("\t_ \"" + p + "\"\n")
	}
	t.Logf("the imports of main.go should be (encoding/json, fmt and os not blank):\n%s", b.String())
}

// goList runs go list with ARGS in this directory, built as run.sh builds,
// and returns its lines.
func goList(t *testing.T, gobin string, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, append([]string{"list"}, args...)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// minus returns the elements of a (sorted) not in b (sorted).
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, ok := slices.BinarySearch(b, s); !ok {
			out = append(out, s)
		}
	}
	return out
}
