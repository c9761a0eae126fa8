package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// FuzzParseBaseline: a baseline file is untrusted input. Parsing never
// panics, and a baseline it accepts absorbs exactly the findings it records.
func FuzzParseBaseline(f *testing.F) {
	f.Add([]byte(`{"version":1,"findings":[{"file":"a.json","pointer":"/input/prompt","rule":"prompt-too-long"}]}`))
	f.Add([]byte(`{"version":1,"findings":[{"file":"a.json","pointer":"","rule":"x"},{"file":"a.json","pointer":"","rule":"x"}]}`))
	f.Add([]byte(`{"version":2,"findings":[]}`))
	f.Add([]byte(`{"version":1,"findings":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseBaseline(data, "fuzz.json")
		if err != nil {
			return
		}
		var fs []validate.Finding
		for _, e := range b.Findings {
			fs = append(fs, validate.Finding{File: e.File, Pointer: e.Pointer, Rule: e.Rule})
		}
		for _, f := range b.filter(fs) {
			// Only a file name that baselineKey cleans differently can stay.
			if k := baselineKey(f); k.File == f.File {
				t.Errorf("finding %+v recorded in the baseline was kept", f)
			}
		}
	})
}

func TestReadBaselineBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"findings":[`+strings.Repeat(" ", maxBaselineBytes)+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readBaseline(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("readBaseline of a %d-byte file: %v, want a size error", maxBaselineBytes+27, err)
	}
}
