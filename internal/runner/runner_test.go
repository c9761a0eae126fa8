package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStreamLargeJSONL checks a JSONL file larger than a chunk arrives in
// chunks, in line order, with every request counted once.
func TestStreamLargeJSONL(t *testing.T) {
	const n = 3*StreamChunk + 17
	var b strings.Builder
	for i := 1; i <= n; i++ {
		prompt := fmt.Sprintf("a fox, take %d", i)
		if i%97 == 0 {
			prompt = "" // an INVALID_PROMPT every 97th line
		}
		fmt.Fprintf(&b, `{"model":"nano-banana","input":{"prompt":%q}}`+"\n", prompt)
		if i%1000 == 0 {
			b.WriteString("\n") // blank lines are skipped but counted
		}
	}
	path := filepath.Join(t.TempDir(), "batch.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var l Runner
	var chunks, requests, findings, lastLine int
	finals := 0
	err := l.Run(context.Background(), []string{path}, nil, "", func(res Result) error {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		chunks++
		if !res.Partial {
			finals++
		}
		requests += res.Requests
		for _, f := range res.Findings {
			if f.Line <= lastLine {
				t.Fatalf("finding on line %d after line %d: out of order", f.Line, lastLine)
			}
			lastLine = f.Line
			findings++
			if f.Rule != "prompt-empty" {
				t.Errorf("unexpected finding %v", f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if requests != n || findings != n/97 || finals != 1 || chunks < 3 {
		t.Errorf("requests %d (want %d), findings %d (want %d), chunks %d, finals %d", requests, n, findings, n/97, chunks, finals)
	}
	// Line numbers count the blank lines after every 1000th request.
	last := (n / 97) * 97
	if want := last + last/1000; lastLine != want {
		t.Errorf("last finding on line %d, want %d", lastLine, want)
	}
}

// TestLintOrder checks files come out in the given order whatever the
// workers do.
func TestLintOrder(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 40 {
		p := filepath.Join(dir, fmt.Sprintf("r%02d.json", i))
		os.WriteFile(p, []byte(`{"model":"nano-banana","input":{"prompt":""}}`), 0o644)
		files = append(files, p)
	}
	got, err := Selection{NoGit: true}.Expand(context.Background(), []string{dir})
	if err != nil || len(got) != len(files) {
		t.Fatalf("Expand: %v %v", got, err)
	}
	l := Runner{Workers: 4}
	i := 0
	err = l.Run(context.Background(), got, nil, "", func(res Result) error {
		if res.File != files[i] {
			t.Errorf("result %d is %s, want %s", i, res.File, files[i])
		}
		i++
		return nil
	})
	if err != nil || i != len(files) {
		t.Fatalf("err %v, %d results", err, i)
	}
}

// TestStreamHugeLines: lines over the 1 MiB batch size close their batch early and are
// still reported in order.
func TestStreamHugeLines(t *testing.T) {
	var b strings.Builder
	const n = 3
	for i := range n {
		fmt.Fprintf(&b, `{"model":"nano-banana","input":{"prompt":%q}}`+"\n", strings.Repeat("x", 3<<19+i))
	}
	path := filepath.Join(t.TempDir(), "huge.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []int
	err := (&Runner{MaxBytes: 4 << 20}).Run(context.Background(), []string{path}, nil, "", func(res Result) error {
		for _, f := range res.Findings {
			if f.Rule != "prompt-too-long" {
				t.Errorf("unexpected %v", f)
			}
			lines = append(lines, f.Line)
		}
		return res.Err
	})
	if err != nil || len(lines) != n {
		t.Fatalf("err %v, findings on lines %v", err, lines)
	}
	for i, l := range lines {
		if l != i+1 {
			t.Errorf("finding %d on line %d", i, l)
		}
	}
}
