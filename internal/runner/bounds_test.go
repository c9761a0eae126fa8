package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// lint runs the runner over paths with a deadline, so a hang fails the
// test instead of stalling it, and returns every finding's rule and line.
func lint(t *testing.T, r *Runner, stdin io.Reader, stdinName string, paths ...string) (rules []string, requests int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- r.Run(ctx, paths, stdin, stdinName, func(res Result) error {
			if res.Err != nil {
				t.Errorf("%s: %v", res.File, res.Err)
			}
			requests += res.Requests
			for _, f := range res.Findings {
				rules = append(rules, f.Rule)
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run hung")
	}
	return rules, requests
}

// countingReader is an endless reader that counts what was read from it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

// The first list, in this package's area: each read is bounded,
// each refusal is a finding, nothing hangs.
func TestBoundedReads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /dev/zero and FIFOs")
	}
	const max = 64 << 10
	dir := t.TempDir()
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("symlink to /dev/zero in a directory", func(t *testing.T) {
		d := t.TempDir()
		if err := os.Symlink("/dev/zero", filepath.Join(d, "x.json")); err != nil {
			t.Fatal(err)
		}
		files, err := Selection{NoGit: true}.Expand(context.Background(), []string{d})
		if err != nil {
			t.Fatal(err)
		}
		rules, _ := lint(t, &Runner{MaxBytes: max}, nil, "", files...)
		if strings.Join(rules, ",") != RuleNotRegular {
			t.Errorf("rules %v, want %s", rules, RuleNotRegular)
		}
	})
	t.Run("jsonl symlink to /dev/zero", func(t *testing.T) {
		rules, _ := lint(t, &Runner{MaxBytes: max}, nil, "", link("z.jsonl", "/dev/zero"))
		if strings.Join(rules, ",") != RuleNotRegular {
			t.Errorf("rules %v, want %s", rules, RuleNotRegular)
		}
	})
	t.Run("stdin endless", func(t *testing.T) {
		for _, name := range []string{"<stdin>", "batch.jsonl"} {
			cr := &countingReader{}
			rules, _ := lint(t, &Runner{MaxBytes: max}, cr, name, Stdin)
			if strings.Join(rules, ",") != RuleTooLarge {
				t.Errorf("%s: rules %v, want %s", name, rules, RuleTooLarge)
			}
			if cr.n > max+128<<10 { // the limit plus one read buffer
				t.Errorf("%s: read %d bytes for a %d-byte limit", name, cr.n, max)
			}
		}
	})
	t.Run("stdin from /dev/zero", func(t *testing.T) {
		f, err := os.Open("/dev/zero")
		if err != nil {
			t.Skip(err)
		}
		defer f.Close()
		rules, _ := lint(t, &Runner{MaxBytes: max}, f, "", Stdin)
		if strings.Join(rules, ",") != RuleTooLarge {
			t.Errorf("rules %v, want %s", rules, RuleTooLarge)
		}
	})
	t.Run("sparse file over the limit", func(t *testing.T) {
		p := filepath.Join(dir, "sparse.json")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(2 << 30); err != nil { // 2 GiB, no blocks
			t.Skip(err)
		}
		f.Close()
		rules, _ := lint(t, &Runner{MaxBytes: max}, nil, "", p)
		if strings.Join(rules, ",") != RuleTooLarge {
			t.Errorf("rules %v, want %s", rules, RuleTooLarge)
		}
	})
	t.Run("long JSONL line ends the file", func(t *testing.T) {
		p := filepath.Join(dir, "long.jsonl")
		ok := `{"model":"nano-banana","input":{"prompt":"a fox"}}` + "\n"
		data := ok + `{"x":"` + strings.Repeat("a", 2*max) + `"}` + "\n" + ok
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		rules, requests := lint(t, &Runner{MaxBytes: max}, nil, "", p)
		if strings.Join(rules, ",") != RuleTooLarge || requests != 1 {
			t.Errorf("rules %v, %d requests; want %s after 1 request", rules, requests, RuleTooLarge)
		}
	})
	t.Run("FIFO given directly and in a directory", func(t *testing.T) {
		d := t.TempDir()
		for _, name := range []string{"p.json", "p.jsonl"} {
			if err := mkfifo(filepath.Join(d, name)); err != nil {
				t.Skip(err)
			}
		}
		files, err := Selection{NoGit: true}.Expand(context.Background(), []string{d})
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(d, "p.json"))
		rules, _ := lint(t, &Runner{}, nil, "", files...)
		if len(rules) != 3 {
			t.Fatalf("rules %v, want 3 x %s", rules, RuleNotRegular)
		}
		for _, r := range rules {
			if r != RuleNotRegular {
				t.Errorf("rule %s, want %s", r, RuleNotRegular)
			}
		}
	})
}
