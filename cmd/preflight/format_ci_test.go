package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ciInput is a JSONL file with a blank line, a passing request, an error
// and a warning, and a .json file with two errors.
func ciInput(t *testing.T) string {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "batch.jsonl", validReq+"\n\n"+
		`{"model":"nano-banana","input":{"prompt":""}}`+"\n"+
		`{"model":"nano-banana","input":{"prompt":"a fox","colour":"red"}}`+"\n")
	writeFile(t, dir, "one.json", `{"model":"nano-banana","input":{"prompt":"","aspect_ratio":"7:3"}}`)
	return dir
}

// The GitLab Code Quality report passes the schema transcribed from
// GitLab's docs (testdata/schemas/gitlab-codequality.schema.json, source
// in its $comment), and its fingerprints are unique.
func TestGitLabSchema(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/schemas/gitlab-codequality.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	ciInput(t)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("gitlab.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("gitlab.json")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", nil, "lint", "--offline", "--format", "gitlab", "batch.jsonl", "one.json")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("report fails the schema: %v\n%s", err, out)
	}
	var issues []gitlabIssue
	if err := json.Unmarshal([]byte(out), &issues); err != nil || len(issues) != 4 {
		t.Fatalf("%v: %d issues", err, len(issues))
	}
	seen := map[string]bool{}
	for _, is := range issues {
		if seen[is.Fingerprint] {
			t.Errorf("fingerprint %s repeats", is.Fingerprint)
		}
		seen[is.Fingerprint] = true
	}
	if issues[1].Severity != "minor" || issues[0].Severity != "major" {
		t.Errorf("severities: %+v", issues)
	}
	// No findings: an empty array, still valid.
	_, out, _ = run(t, validReq, nil, "lint", "--offline", "--format", "gitlab", "-", "--stdin-filename", "ok.json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("empty report: %q", out)
	}
}

// JUnit has no schema checkable with the allowed libraries (the common
// ones are XSDs). This checks what the readers need: Jenkins' junit
// plugin (SuiteResult) and GitLab's Gitlab::Ci::Parsers::Test::Junit read
// testsuites > testsuite > testcase with name and classname attributes, a
// <failure> (message attribute, text body) marking a failed case, and
// Jenkins needs the testsuite's tests/failures counts to agree with its
// cases. One case per request: four requests in batch.jsonl (the blank
// line is none), one in one.json; a failure per error finding.
func TestJUnitStructure(t *testing.T) {
	ciInput(t)
	code, out, errOut := run(t, "", nil, "lint", "--offline", "--format", "junit", "batch.jsonl", "one.json")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.80s", out)
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failures  []struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, out)
	}
	want := []struct {
		name            string
		cases, failures int
		failuresPerCase []int
	}{
		{"batch.jsonl", 3, 1, []int{0, 1, 0}},
		{"one.json", 1, 1, []int{2}},
	}
	if len(doc.Suites) != len(want) {
		t.Fatalf("%d suites:\n%s", len(doc.Suites), out)
	}
	for i, w := range want {
		s := doc.Suites[i]
		if s.Name != w.name || s.Tests != w.cases || len(s.Cases) != w.cases || s.Failures != w.failures || s.Errors != 0 {
			t.Errorf("suite %d: %s tests=%d cases=%d failures=%d", i, s.Name, s.Tests, len(s.Cases), s.Failures)
			continue
		}
		for j, c := range s.Cases {
			if c.Name == "" || c.Classname == "" {
				t.Errorf("case without name or classname: %+v", c)
			}
			if len(c.Failures) != w.failuresPerCase[j] {
				t.Errorf("%s: %d failures, want %d", c.Name, len(c.Failures), w.failuresPerCase[j])
			}
			for _, f := range c.Failures {
				if f.Message == "" || f.Type == "" || f.Text == "" {
					t.Errorf("%s: failure without message, type or text", c.Name)
				}
			}
		}
	}
	if c := doc.Suites[0].Cases; c[0].Name != "batch.jsonl:1" || c[1].Name != "batch.jsonl:3" || c[2].Name != "batch.jsonl:4" ||
		!strings.Contains(c[2].SystemOut, "field-unknown") {
		t.Errorf("JSONL cases: %+v", c)
	}
}

// The README's GitLab CI job, run as its script line says: both reports
// are written and parse.
func TestReadmeGitLabSnippet(t *testing.T) {
	var args []string
	for _, line := range strings.Split(readmeFence(t, "gitlab-ci"), "\n") {
		if cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "- preflight "); ok {
			args = strings.Fields(cmd)
		}
	}
	if len(args) == 0 {
		t.Fatal("no `- preflight ...` line in the job")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "fixtures/bad.json", `{"model":"nano-banana","input":{"prompt":""}}`)
	writeFile(t, dir, "fixtures/ok.json", validReq)
	code, _, errOut := run(t, "", nil, append(args[:1:1], append([]string{"--offline"}, args[1:]...)...)...)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var issues []gitlabIssue
	if err := json.Unmarshal(readFile(t, "gl-code-quality.json"), &issues); err != nil || len(issues) != 1 {
		t.Errorf("gl-code-quality.json: %v, %d issues", err, len(issues))
	}
	var suites struct {
		Suites []junitSuite `xml:"testsuite"`
	}
	if err := xml.Unmarshal(readFile(t, "preflight.xml"), &suites); err != nil || len(suites.Suites) != 2 || suites.Suites[0].Failures != 1 {
		t.Errorf("preflight.xml: %v, %+v", err, suites)
	}
}
