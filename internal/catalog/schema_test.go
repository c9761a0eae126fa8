package catalog_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/validate"
)

func compileSchema(t testing.TB, s map[string]any) *jsonschema.Schema {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertContent()
	if err := c.AddResource("request.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("request.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// goldenRequests returns every request body of testdata/lint: whole .json
// files and each non-blank line of .jsonl files.
func goldenRequests(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	files, _ := filepath.Glob("../../testdata/lint/*.json")
	lines, _ := filepath.Glob("../../testdata/lint/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no golden requests")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	for _, f := range lines {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<24)
		n := 0
		for sc.Scan() {
			n++
			if len(bytes.TrimSpace(sc.Bytes())) > 0 {
				out[filepath.Base(f)+":"+itoa(n)] = slices.Clone(bytes.TrimRight(sc.Bytes(), "\r"))
			}
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSchemaAgreesWithLinter validates every golden request against the
// all-models schema and checks: schema-valid exactly when the linter finds
// no error among the rules the schema expresses (everything except
// SchemaUnexpressible; SchemaPartial rules may go either way).
func TestSchemaAgreesWithLinter(t *testing.T) {
	s, err := catalog.Default().Schema("")
	if err != nil {
		t.Fatal(err)
	}
	sch := compileSchema(t, s)
	reqs := goldenRequests(t)
	names := make([]string, 0, len(reqs))
	for n := range reqs {
		names = append(names, n)
	}
	slices.Sort(names)
	var valid, invalid int
	for _, name := range names {
		body := reqs[name]
		rep, err := validate.Request(context.Background(), "", body)
		if err != nil {
			t.Fatal(err)
		}
		var exact, partial, other []string
		for _, f := range rep.Findings {
			if f.Severity != validate.SeverityError {
				continue
			}
			switch {
			case catalog.SchemaPartial[f.Rule] != "":
				partial = append(partial, f.Rule)
			case catalog.SchemaUnexpressible[f.Rule] != "":
				other = append(other, f.Rule)
			default:
				exact = append(exact, f.Rule)
			}
		}
		var schemaErr error
		inst, perr := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if perr != nil {
			schemaErr = perr
		} else {
			schemaErr = sch.Validate(inst)
		}
		if schemaErr == nil {
			valid++
		} else {
			invalid++
		}
		switch {
		case schemaErr == nil && len(exact) > 0:
			t.Errorf("%s: schema accepts, linter reports %v", name, exact)
		case schemaErr != nil && len(exact) == 0 && len(partial) == 0:
			t.Errorf("%s: schema rejects but the linter has no error among expressible rules (other: %v):\n%v", name, other, schemaErr)
		}
	}
	t.Logf("%d golden requests: %d schema-valid, %d schema-invalid", len(names), valid, invalid)
}

func TestSchemaPerModel(t *testing.T) {
	cat := catalog.Default()
	for _, id := range cat.IDs() {
		s, err := cat.Schema(id)
		if err != nil {
			t.Fatal(err)
		}
		compileSchema(t, s)
	}
	if _, err := cat.Schema("nano-bananna"); err == nil || !strings.Contains(err.Error(), `did you mean "nano-banana"`) {
		t.Errorf("unknown model: %v", err)
	}
	// Single-model schema, checked against its golden files.
	sch := compileSchema(t, must(cat.Schema("nano-banana")))
	for file, want := range map[string]bool{
		"ok-nano-banana.json": true, "ok-nano-banana-image-to-image.json": true, "bad-nano-banana.json": false,
	} {
		b, err := os.ReadFile("../../testdata/lint/" + file)
		if err != nil {
			t.Fatal(err)
		}
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := sch.Validate(inst); (err == nil) != want {
			t.Errorf("%s: valid=%v, want %v: %v", file, err == nil, want, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSchemaOnlyStatedFacts: nano-banana's text-to-image ban on image_urls
// is inferred (a warning), so the schema must not forbid it.
func TestSchemaOnlyStatedFacts(t *testing.T) {
	sch := compileSchema(t, must(catalog.Default().Schema("nano-banana")))
	for body, want := range map[string]bool{
		`{"input":{"prompt":"a cat","image_urls":["https://example.com/a.png"]}}`:             true,
		`{"input":{"prompt":"a cat","aspect_ratio":null}}`:                                    true,
		`{"input":{"prompt":"a cat","unknown_field":1}}`:                                      true,
		`{"input":{"prompt":""}}`:                                                             false,
		`{"input":{"mode":"image-to-image","prompt":"x"}}`:                                    false,
		`{"input":{"prompt":"x"},"request_type":"callback"}`:                                  false,
		`{"input":{"prompt":"x"},"request_type":"callback","callback_url":"http://e.com/cb"}`: false,
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err := sch.Validate(inst); (err == nil) != want {
			t.Errorf("%s: valid=%v, want %v: %v", body, err == nil, want, err)
		}
		rep, _ := validate.Request(context.Background(), "nano-banana", []byte(body))
		if rep.OK() != want {
			t.Errorf("%s: linter OK=%v, want %v: %v", body, rep.OK(), want, rep.Findings)
		}
	}
}
