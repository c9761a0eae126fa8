package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestCapFormatGolden runs every output format on testdata/format/cap.jsonl
// with --max-findings-per-rule 2 and compares with
// testdata/format/cap.FORMAT.golden: each format shows the closing finding
// of a capped rule, and the summaries count the findings it stands for.
func TestCapFormatGolden(t *testing.T) {
	t.Chdir("../..")
	for _, format := range []string{"text", "concise", "json", "github", "junit", "gitlab", "sarif"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := run(t, "", nil, "lint", "--offline", "--max-findings-per-rule", "2", "--format", format, "testdata/format/cap.jsonl")
			if code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if format != "sarif" {
				checkGolden(t, "testdata/format/cap."+format+".golden", []byte(out))
				return
			}
			var got bytes.Buffer
			if err := json.Indent(&got, []byte(out), "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			golden(t, "testdata/format/cap.sarif", got.Bytes(), func(b []byte) string { return sarifSansRules(t, b) })
		})
	}
}
