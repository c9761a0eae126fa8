package main

import (
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// FuzzBaseline reads any bytes as a baseline: no panic, and a baseline
// that loads absorbs exactly the findings it records, each once.
func FuzzBaseline(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"findings":[{"file":"a.json","pointer":"/input/prompt","rule":"prompt-too-short"}]}`,
		`{"version":1,"findings":[{"file":"a.json","pointer":"","rule":"x"},{"file":"a.json","pointer":"","rule":"x"}]}`,
		`{"version":2,"findings":[]}`, `{"version":1}`, `[]`, `{"version":1,"findings":[{"file":"\u001b[31m"}]}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseBaseline(data, "fuzz")
		if err != nil {
			return
		}
		var fs []validate.Finding
		for _, e := range b.Findings {
			f := validate.Finding{File: e.File, Pointer: e.Pointer, Rule: e.Rule}
			if baselineKey(f) != e {
				return // a file name that cleans to another key is never matched
			}
			fs = append(fs, f)
		}
		if left := b.filter(fs); len(left) != 0 {
			t.Fatalf("recorded findings %+v not absorbed", left)
		}
		if len(fs) > 0 && len(b.filter(fs[:1])) != 1 {
			t.Fatalf("a key absorbed more findings than recorded")
		}
	})
}
