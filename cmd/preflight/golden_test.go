package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden .out files from the current output")

// TestGolden runs `preflight lint --offline --format json` on every request file
// under testdata/lint and compares the output with the .out file beside it.
// Run `go test ./cmd/preflight -run Golden -update` after a deliberate change,
// then read the diff.
func TestGolden(t *testing.T) {
	t.Chdir("../..")
	var cases []string
	for _, pat := range []string{"testdata/lint/*.json", "testdata/lint/*.jsonl"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, m...)
	}
	if len(cases) == 0 {
		t.Fatal("no golden cases under testdata/lint")
	}
	for _, in := range cases {
		name := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := Command{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
				Getenv: func(string) string { return "" }}
			code := cmd.Main([]string{"preflight", "lint", "--offline", "--format", "json", in})
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d, stderr: %s", code, stderr.String())
			}
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + ".out"
			if *update {
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("output differs from %s (rerun with -update and review the diff)\n--- got\n%s\n--- want\n%s", golden, stdout.Bytes(), want)
			}
			// The naming convention keeps cases honest: ok-* files must pass
			// clean, the others must find something.
			if strings.HasPrefix(name, "ok-") && code != ExitOK {
				t.Errorf("ok- case has error findings")
			}
			if !strings.HasPrefix(name, "ok-") && !bytes.Contains(stdout.Bytes(), []byte(`"rule":`)) {
				t.Errorf("failing case has no findings")
			}
		})
	}
}
