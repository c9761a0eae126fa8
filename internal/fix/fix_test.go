package fix

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		edits []validate.Edit
		want  string
		n     int
	}{
		{"none", `{"a":1}`, nil, `{"a":1}`, 0},
		{"one", `{"a":"5"}`, []validate.Edit{{Start: 5, End: 8, Text: "5"}}, `{"a":5}`, 1},
		{"back to front, any order", `["a","b"]`,
			[]validate.Edit{{Start: 5, End: 8, Text: `"B"`}, {Start: 1, End: 4, Text: `"AA"`}}, `["AA","B"]`, 2},
		{"overlap keeps the first", `["abc"]`,
			[]validate.Edit{{Start: 1, End: 6, Text: `"x"`}, {Start: 2, End: 4, Text: `y`}}, `["x"]`, 1},
		{"out of range skipped", `[1]`, []validate.Edit{{Start: 2, End: 9, Text: "2"}, {Start: -1, End: 1, Text: ""}}, `[1]`, 0},
		{"adjacent both apply", `[12]`, []validate.Edit{{Start: 1, End: 2, Text: "3"}, {Start: 2, End: 3, Text: "4"}}, `[34]`, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			got, n := Apply(src, tc.edits)
			if string(got) != tc.want || n != tc.n {
				t.Errorf("Apply = %s, %d; want %s, %d", got, n, tc.want, tc.n)
			}
			if string(src) != tc.src {
				t.Errorf("Apply modified its input")
			}
		})
	}
}

func TestBodyTakesBackHarmfulEdits(t *testing.T) {
	// nVariants 3 is no value num_images takes: renaming it would turn a
	// warning into an error, so the engine proposes nothing and the body
	// stays as it is.
	in := []byte(`{"model":"gpt-image-1","input":{"prompt":"a cat","nVariants":3}}`)
	var x Fixer
	out, n, err := x.Body(context.Background(), validate.Input{Body: in})
	if err != nil || n != 0 || !bytes.Equal(out, in) {
		t.Errorf("Body = %s, %d, %v; want the input unchanged", out, n, err)
	}
}

func TestBodyKeep(t *testing.T) {
	in := []byte(`{"model":"flux2","input":{"prompt":"a red fox","resolution":"2k"}}`)
	x := Fixer{Keep: func(_ string, fs []validate.Finding) []validate.Finding {
		var kept []validate.Finding
		for _, f := range fs {
			if f.Rule != "model-alias" {
				kept = append(kept, f)
			}
		}
		return kept
	}}
	out, n, err := x.Body(context.Background(), validate.Input{Body: in})
	want := `{"model":"flux2","input":{"prompt":"a red fox","resolution":"2K"}}`
	if err != nil || n != 1 || string(out) != want {
		t.Errorf("Body = %s, %d, %v; want %s: a rule turned off fixes nothing", out, n, err, want)
	}
}

func TestLines(t *testing.T) {
	in := "{\"model\":\"flux2\",\"input\":{\"prompt\":\"a fox\"}}\r\n\n  \n{\"model\":\"sora-2\",\"input\":{\"prompt\":\"x\",\"duration\":\"8\"}}"
	want := "{\"model\":\"flux-2\",\"input\":{\"prompt\":\"a fox\"}}\r\n\n  \n{\"model\":\"sora-2\",\"input\":{\"prompt\":\"x\",\"duration\":8}}"
	var x Fixer
	out, n, err := x.Lines(context.Background(), validate.Input{Body: []byte(in)}, 1<<20)
	if err != nil || n != 2 || string(out) != want {
		t.Errorf("Lines = %q, %d, %v\nwant %q", out, n, err, want)
	}
	// A line over the limit is left alone.
	out, n, _ = x.Lines(context.Background(), validate.Input{Body: []byte(in)}, 10)
	if n != 0 || string(out) != in {
		t.Errorf("over-long lines were fixed: %q", out)
	}
}

func TestDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
	b := strings.Replace(strings.Replace(a, "2\n", "two\n", 1), "18\n", "eighteen\n", 1)
	var w bytes.Buffer
	if err := Diff(&w, "f.json", []byte(a), []byte(b)); err != nil {
		t.Fatal(err)
	}
	want := "--- f.json\n+++ f.json\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n" +
		"@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n"
	if w.String() != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", w.String(), want)
	}
	w.Reset()
	Diff(&w, "g", []byte("{\"a\":\"1\"}"), []byte("{\"a\":1}"))
	if want := "--- g\n+++ g\n@@ -1 +1 @@\n-{\"a\":\"1\"}\n\\ No newline at end of file\n+{\"a\":1}\n\\ No newline at end of file\n"; w.String() != want {
		t.Errorf("Diff without final newline:\n%q\nwant\n%q", w.String(), want)
	}
	w.Reset()
	Diff(&w, "e", []byte("{\"a\":\"\x9b\u0085\",\"b\":\"1\"}\n"), []byte("{\"a\":\"\x9b\u0085\",\"b\":1}\n"))
	if want := "--- e\n+++ e\n@@ -1 +1 @@\n-{\"a\":\"\\x9b\\u0085\",\"b\":\"1\"}\n+{\"a\":\"\\x9b\\u0085\",\"b\":1}\n"; w.String() != want {
		t.Errorf("Diff of control bytes:\n%q\nwant\n%q", w.String(), want)
	}
	w.Reset()
	Diff(&w, "h", []byte("x\n"), []byte("x\n"))
	if w.Len() != 0 {
		t.Errorf("equal texts gave a diff: %q", w.String())
	}
}

// FuzzBody: for any request, fixing yields valid JSON when the input was,
// leaves nothing fixable, and adds no error findings.
func FuzzBody(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/fix/*.json")
	more, _ := filepath.Glob("../../testdata/lint/*.json")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"model":"ImageUpscaler","input":{"image_url":"https://example.com/a.png","resolution":"4K"}}`))
	f.Add([]byte(`{"model":"midjourney","input":{"prompt":"p","chaos":"5","stylize":100,"speed":"relaxed","mode":"Text-To-Image"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		ctx := context.Background()
		v := &validate.Validator{}
		before, err := v.Check(ctx, validate.Input{Body: body})
		if err != nil {
			t.Skip(err)
		}
		var x Fixer
		out, n, err := x.Body(ctx, validate.Input{Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && !bytes.Equal(out, body) {
			t.Fatalf("no fix applied but the body changed")
		}
		if json.Valid(body) && !json.Valid(out) {
			t.Fatalf("fixing made invalid JSON:\n%s\n->\n%s", body, out)
		}
		if bytes.Count(out, []byte("\n")) != bytes.Count(body, []byte("\n")) {
			t.Fatalf("fixing changed the line count")
		}
		after, err := v.Check(ctx, validate.Input{Body: out})
		if err != nil {
			t.Fatal(err)
		}
		if after.Errors() > before.Errors() {
			t.Fatalf("fixing added errors: %d -> %d\n%s\n->\n%s", before.Errors(), after.Errors(), body, out)
		}
		for _, fd := range after.Findings {
			if fd.Edit != nil {
				// A fix left after MaxRounds or one taken back is a bug
				// in the engine's edit: it must be safe or absent.
				t.Fatalf("still fixable after fixing: %v\n%s", fd, out)
			}
		}
	})
}
