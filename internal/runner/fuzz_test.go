package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// FuzzLineReader checks the JSONL reader on arbitrary input and limits:
// every line it returns is within the limit, numbered in order, and the
// reader never reads more than the limit past the last line it returned.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("{}\n\n{\"a\":1}\r\n  \n{}"), int64(8))
	f.Add(bytes.Repeat([]byte("x"), 200), int64(16))
	f.Add([]byte("\n\n\n"), int64(1))
	f.Add([]byte("{}\n"+string(bytes.Repeat([]byte("y"), 100))+"\n{}\n"), int64(10))
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		if max < 1 || max > 1<<20 {
			return
		}
		cr := &countReader{r: bytes.NewReader(data)}
		lr := newLineReader(cr, max)
		last, consumed, got := 0, 0, 0
		for {
			line, body, ref, err := lr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if line <= last {
				t.Fatalf("line %d after %d", line, last)
			}
			last = line
			if ref != nil {
				if ref.rule != RuleTooLarge {
					t.Fatalf("refusal %v", ref)
				}
				// Bounded: not more than the limit (plus a line end and
				// one buffer) was read past the previous line.
				if cr.n > int64(consumed)+max+2+64<<10 {
					t.Fatalf("read %d bytes for a %d-byte limit", cr.n, max)
				}
				return
			}
			if int64(len(body)) > max {
				t.Fatalf("line %d: %d bytes, limit %d", line, len(body), max)
			}
			if len(bytes.TrimSpace(body)) == 0 {
				t.Fatalf("blank line %d returned", line)
			}
			consumed = int(cr.n)
			got++
		}
		// Without a refusal, every non-blank line came through.
		want := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(bytes.TrimRight(l, "\r"))) > 0 {
				want++
			}
		}
		if got != want {
			t.Errorf("%d lines returned, input has %d non-blank lines", got, want)
		}
	})
}

// FuzzRun lints arbitrary standard input as a .json and as a .jsonl file
// with a small limit: no panic, no tool error, a result per file.
func FuzzRun(f *testing.F) {
	f.Add([]byte(`{"model":"nano-banana","input":{"prompt":"a fox"}}`), int64(1<<10))
	f.Add([]byte("{\"model\":\"nano-banana\"}\n{\n"), int64(16))
	f.Add([]byte{0xff, 0xfe, '\n', '{'}, int64(3))
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		if max < 1 || max > 1<<16 || len(data) > 1<<16 {
			return
		}
		for _, name := range []string{"in.json", "in.jsonl"} {
			r := &Runner{MaxBytes: max, Workers: 2}
			results := 0
			err := r.Run(context.Background(), []string{Stdin}, bytes.NewReader(data), name, func(res Result) error {
				if res.Err != nil {
					t.Errorf("%s: %v", name, res.Err)
				}
				if !res.Partial {
					results++
				}
				return nil
			})
			if err != nil || results != 1 {
				t.Fatalf("%s: err %v, %d results", name, err, results)
			}
		}
	})
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
