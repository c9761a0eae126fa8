package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/preflight-dev/preflight/validate"
)

// sarifSchemaFile is the OASIS SARIF 2.1.0 schema, vendored so the test
// needs no network.
const sarifSchemaFile = "testdata/schemas/sarif-schema-2.1.0.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", sarifSchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateSARIF(t *testing.T, sch *jsonschema.Schema, out []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return sch.Validate(inst)
}

// sarifLog is the part of the log the tests read back.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		ColumnKind string `json:"columnKind"`
		Tool       struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string `json:"id"`
					HelpURI              string `json:"helpUri"`
					DefaultConfiguration struct{ Level string }
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine, StartColumn int }
				}
			}
			PartialFingerprints map[string]string
		} `json:"results"`
	} `json:"runs"`
}

// TestSARIFSchema runs --format sarif over golden inputs, clean and not,
// and validates each log against the SARIF 2.1.0 JSON Schema.
func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	t.Chdir("../..")
	for _, args := range [][]string{
		{"testdata/format/input.jsonl"},
		{"testdata/lint/mixed-models.jsonl"},
		{"testdata/lint/ok-nano-banana.json"},
		{"testdata/lint"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := run(t, "", nil, append([]string{"lint", "--offline", "--format", "sarif"}, args...)...)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if err := validateSARIF(t, sch, []byte(out)); err != nil {
				t.Fatalf("SARIF fails the schema: %v", err)
			}
			checkSARIFInvariants(t, []byte(out))
		})
	}
	// The schema check is not vacuous: a column of 0 (what code scanning
	// rejects) fails it.
	_, out, _ := run(t, "", nil, "lint", "--offline", "--format", "sarif", "testdata/format/input.jsonl")
	broken := strings.Replace(out, `"startColumn":42`, `"startColumn":0`, 1)
	if broken == out {
		t.Fatal("setup: no startColumn 42 in output")
	}
	if validateSARIF(t, sch, []byte(broken)) == nil {
		t.Error("schema accepted startColumn 0")
	}
}

func checkSARIFInvariants(t *testing.T, out []byte) {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs", len(log.Runs))
	}
	r := log.Runs[0]
	if r.ColumnKind != "unicodeCodePoints" || r.Tool.Driver.Name != "preflight" {
		t.Errorf("columnKind %q, driver %q", r.ColumnKind, r.Tool.Driver.Name)
	}
	if got, want := len(r.Tool.Driver.Rules), len(validate.Rules()); got != want {
		t.Errorf("%d rules, want every rule (%d)", got, want)
	}
	for _, ru := range r.Tool.Driver.Rules {
		if !strings.HasSuffix(ru.HelpURI, "/docs/rules.md#"+ru.ID) {
			t.Errorf("rule %s helpUri %s", ru.ID, ru.HelpURI)
		}
	}
	fps := map[string]int{}
	for i, res := range r.Results {
		if j, dup := fps[res.PartialFingerprints[fingerprintKey]]; dup {
			t.Errorf("results %d and %d share fingerprint %s (GitHub would merge them)", j, i, res.PartialFingerprints[fingerprintKey])
		}
		fps[res.PartialFingerprints[fingerprintKey]] = i
		if r.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d is not %s", res.RuleIndex, res.RuleID)
		}
		loc := res.Locations[0].PhysicalLocation
		if strings.Contains(loc.ArtifactLocation.URI, `\`) || filepath.IsAbs(loc.ArtifactLocation.URI) {
			t.Errorf("uri %q is not relative with /", loc.ArtifactLocation.URI)
		}
		if loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
			t.Errorf("region %+v", loc.Region)
		}
		if len(res.PartialFingerprints[fingerprintKey]) != 64 {
			t.Errorf("fingerprints %v", res.PartialFingerprints)
		}
	}
}

// TestSARIFGolden compares the log for a fixed input with
// testdata/format/input.sarif (indented for review; rerun with -update).
func TestSARIFGolden(t *testing.T) {
	t.Chdir("../..")
	code, out, errOut := run(t, "", nil, "lint", "--offline", "--format", "sarif", "testdata/format/input.jsonl")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, []byte(out), "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	golden(t, "testdata/format/input.sarif", got.Bytes(), func(b []byte) string { return sarifSansRules(t, b) })
}

// sarifSansRules drops rules[] and ruleIndex, which change whenever a rule
// is added anywhere; TestSARIFSchema checks them against validate.Rules.
func sarifSansRules(t *testing.T, b []byte) string {
	t.Helper()
	var log map[string]any
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log["runs"].([]any) {
		run := r.(map[string]any)
		delete(run["tool"].(map[string]any)["driver"].(map[string]any), "rules")
		for _, res := range run["results"].([]any) {
			delete(res.(map[string]any), "ruleIndex")
		}
	}
	out, err := json.MarshalIndent(log, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Fingerprints follow (file, pointer, rule), not lines: reformatting the
// file moves the finding but keeps its fingerprint.
func TestSARIFFingerprintSurvivesReformat(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	fingerprints := func(content string) (string, int) {
		writeFile(t, dir, "req.json", content)
		_, out, _ := run(t, "", nil, "lint", "--offline", "--format", "sarif", "req.json")
		var log sarifLog
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		res := log.Runs[0].Results[0]
		return res.PartialFingerprints[fingerprintKey], res.Locations[0].PhysicalLocation.Region.StartLine
	}
	fp1, line1 := fingerprints(`{"model":"nano-banana","input":{"prompt":""}}`)
	fp2, line2 := fingerprints("{\n  \"model\": \"nano-banana\",\n  \"input\": {\n    \"prompt\": \"\"\n  }\n}\n")
	if line1 == line2 {
		t.Fatalf("setup: both on line %d", line1)
	}
	if fp1 != fp2 || fp1 != (&fingerprinter{}).of("req.json", validate.Finding{File: "req.json", Pointer: "/input/prompt", Rule: "prompt-empty"}) {
		t.Errorf("fingerprints %s and %s differ", fp1, fp2)
	}
}

// TestSARIFFingerprintsUnique: one fingerprint per finding. The same rule
// on two JSONL lines (two requests) and a repeated key in one file are
// distinct alerts, which GitHub would merge if their fingerprints agreed;
// a JSONL finding keeps its fingerprint when a later line is added.
func TestSARIFFingerprintsUnique(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	bad := `{"model":"nano-banana","input":{"prompt":""}}`
	results := func(name, content string) []map[string]string {
		writeFile(t, dir, name, content)
		_, out, _ := run(t, "", nil, "lint", "--offline", "--format", "sarif", name)
		checkSARIFInvariants(t, []byte(out))
		var log sarifLog
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		var fps []map[string]string
		for _, r := range log.Runs[0].Results {
			fps = append(fps, r.PartialFingerprints)
		}
		return fps
	}
	for _, tc := range []struct{ name, content string }{
		{"lines.jsonl", bad + "\n" + bad + "\n" + bad + "\n"},
		{"lines.ndjson", bad + "\n" + bad + "\n"},
		{"dup.json", `{"model":"nano-banana","input":{"prompt":"x","zz":1,"zz":2,"zz":3}}`},
	} {
		if rs := results(tc.name, tc.content); len(rs) < 2 {
			t.Errorf("%s: setup: %d results", tc.name, len(rs))
		}
	}
	first := results("x.jsonl", bad+"\n")[0][fingerprintKey]
	again := results("x.jsonl", bad+"\n"+`{"model":"nano-banana","input":{"prompt":"ok"}}`+"\n")[0][fingerprintKey]
	if first != again {
		t.Error("a JSONL finding's fingerprint changed when a later line was added")
	}
}

func TestSARIFURIs(t *testing.T) {
	base := filepath.FromSlash("/repo")
	for _, tc := range []struct{ file, want string }{
		{filepath.FromSlash("/repo/a/b.json"), "a/b.json"},
		{"<stdin>", "%3Cstdin%3E"},
		{"a b.json", "a%20b.json"},
		{"c:d.json", "./c:d.json"},
	} {
		if got := uriOf(relPath(base, tc.file)); got != tc.want {
			t.Errorf("uri(%q) = %q, want %q", tc.file, got, tc.want)
		}
	}
}
