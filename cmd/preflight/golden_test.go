package main

import (
	"path/filepath"
	"strings"
	"testing"
)

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
			code, out, errOut := run(t, "", nil, "lint", "--offline", "--format", "json", in)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d, stderr: %s", code, errOut)
			}
			golden(t, strings.TrimSuffix(in, filepath.Ext(in))+".out", []byte(out), nil)
			// The naming convention keeps cases honest: ok-* files must pass
			// clean, the others must find something.
			if strings.HasPrefix(name, "ok-") && code != ExitOK {
				t.Errorf("ok- case has error findings")
			}
			if !strings.HasPrefix(name, "ok-") && !strings.Contains(out, `"rule":`) {
				t.Errorf("failing case has no findings")
			}
		})
	}
}
