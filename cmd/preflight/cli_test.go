package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The test infrastructure of this package: one in-process CLI runner and
// one golden-file helper. Multi-step scenarios are testscript scripts
// (script_test.go); golden cases are files under testdata.

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// run runs the CLI in-process in the current directory with stdin and an
// environment of only env (TTY=1 makes every stream a terminal).
func run(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := Command{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv:     func(k string) string { return env[k] },
		IsTerminal: func(io.Writer) bool { return env["TTY"] == "1" },
	}
	code = cmd.Main(append([]string{"preflight"}, args...))
	return code, out.String(), errb.String()
}

// golden compares got with the file at path, or rewrites the file with
// -update. norm, if set, maps both sides before they are compared.
func golden(t *testing.T, path string, got []byte, norm func([]byte) string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/preflight -run '%s' -update creates it)", err, t.Name())
	}
	if norm == nil {
		norm = func(b []byte) string { return string(b) }
	}
	if norm(got) != norm(want) {
		t.Errorf("%s is stale: go test ./cmd/preflight -run '%s' -update rewrites it; review the diff\n--- got\n%s", path, t.Name(), got)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
