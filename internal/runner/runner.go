// Package runner checks request files for the CLI: single-request .json
// files, one-request-per-line .jsonl/.ndjson files and standard input,
// through one ordered worker pool, with every read bounded.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/preflight-dev/preflight/validate"
)

// Stdin names standard input in a path list.
const Stdin = "-"

// StreamChunk is how many JSONL requests make one result chunk at most: a
// million-line batch streams through in bounded memory.
const StreamChunk = 4096

// Runner checks files with a Validator. The zero value works: a zero
// Validator, workers picked from the CPUs, DefaultMaxBytes.
type Runner struct {
	Validator *validate.Validator
	// Model overrides every request's "model" member (--model).
	Model string
	// Workers bounds how many units (a .json file, or a batch of JSONL
	// lines) are checked at once; 0 means four per CPU, since single-file
	// checks mostly wait on I/O. With network checks on, make it at least
	// the URL checker's concurrency, so that pool stays busy.
	Workers int
	// BatchLines is how many JSONL lines make one unit of work; 0 means
	// 256. Network runs want 1: each line waits on its own URLs.
	BatchLines int
	// MaxBytes is the largest request (file or JSONL line) read; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// OnInputRead, if set, is called once every input has been read and
	// every request's URLs were handed to the checker (not yet checked):
	// from then on the set of URLs of the run is complete, so a progress
	// line can show its total. It needs the checker's OnExpect wired to
	// URLsHanded; without it, it fires when the last unit is checked.
	OnInputRead func()
}

// Result is the outcome of one file, or of one chunk of a large JSONL file.
// Results reach the callback in the order of the files.
type Result struct {
	File     string
	Requests int
	Findings []validate.Finding
	// Unverified counts media URLs whose network check could not be made.
	Unverified int
	// Partial marks a chunk of a large JSONL file: more results for the
	// same file follow, and the last one has Partial false.
	Partial bool
	// Err is set when the file could not be read; it is a tool failure,
	// not a finding.
	Err error
}

// unit is one piece of work: a .json file to read, a request already read
// (stdin), or a batch of JSONL lines. A file is one or more units, in order.
type unit struct {
	name   string
	path   string // a file for the worker to open; "" when bodies are given
	lines  []int
	bodies [][]byte
	ref    *refusal // the file, or a line after bodies, was refused
	refAt  int      // line of ref, 0 for the whole file
	err    error
	last   bool // the last unit of its file
}

// Run checks files (paths, or Stdin) and calls emit once per file or
// chunk, in order. stdinName names standard input in findings. emit's error
// stops the run and is returned.
func (r *Runner) Run(ctx context.Context, files []string, stdin io.Reader, stdinName string, emit func(Result) error) error {
	v := r.Validator
	if v == nil {
		v = &validate.Validator{}
	}
	workers := r.Workers
	if workers <= 0 {
		workers = 4 * runtime.NumCPU()
	}
	if stdinName == "" {
		stdinName = "<stdin>"
	}
	acc := Result{}
	started := false
	var h *handoff
	if r.OnInputRead != nil {
		h = &handoff{fire: r.OnInputRead}
	}
	return ordered(ctx, workers, 2*workers,
		func(ctx context.Context, yield func(unit) bool) error {
			counted := yield
			if h != nil {
				counted = func(u unit) bool { h.add(); return yield(u) }
			}
			for _, path := range files {
				if !r.produce(ctx, path, stdin, stdinName, counted) {
					return nil
				}
			}
			if h != nil {
				h.allRead()
			}
			return nil
		},
		func(ctx context.Context, u unit) part {
			if h == nil {
				return r.check(ctx, v, u)
			}
			m := &unitMark{h: h}
			defer m.settle()
			return r.check(context.WithValue(ctx, markKey{}, m), v, u)
		},
		func(p part) error {
			if !started {
				acc, started = Result{File: p.File}, true
			}
			acc.Requests += p.Requests
			acc.Findings = append(acc.Findings, p.Findings...)
			acc.Unverified += p.Unverified
			if acc.Err == nil {
				acc.Err = p.Err
			}
			if p.last {
				res := acc
				started = false
				return emit(res)
			}
			if acc.Requests >= StreamChunk {
				res := acc
				res.Partial = true
				acc = Result{File: p.File}
				return emit(res)
			}
			return nil
		})
}

// part is the checked outcome of one unit.
type part struct {
	Result
	last bool
}

func (r *Runner) maxBytes() int64 {
	if r.MaxBytes > 0 {
		return r.MaxBytes
	}
	return DefaultMaxBytes
}

// produce yields the units of one file in order. It reads JSONL files and
// standard input itself (they are one stream), leaving .json files to the
// workers. It returns false when yield asked to stop.
func (r *Runner) produce(ctx context.Context, path string, stdin io.Reader, stdinName string, yield func(unit) bool) bool {
	name := path
	var in io.Reader
	if path == Stdin {
		name, in = stdinName, stdin
		if in == nil {
			in = eofReader{}
		}
	}
	if !isLines(name) {
		if in == nil {
			return yield(unit{name: name, path: path, last: true})
		}
		body, ok, err := readBounded(in, r.maxBytes())
		u := unit{name: name, err: err, last: true}
		switch {
		case err != nil:
			u.err = fmt.Errorf("read %s: %w", name, err)
		case !ok:
			u.ref = tooLarge(r.maxBytes(), "the request")
		default:
			u.lines, u.bodies = []int{0}, [][]byte{body}
		}
		return yield(u)
	}
	if in == nil {
		f, ref, err := openRegular(path)
		if err != nil || ref != nil {
			return yield(unit{name: name, ref: ref, err: err, last: true})
		}
		defer f.Close()
		in = f
	}
	per := r.BatchLines
	if per <= 0 {
		per = 256
	}
	// A batch also closes at 1 MiB of lines, so a file of long lines holds
	// at most a window of batches (plus one line) in memory.
	const batchBytes = 1 << 20
	lr := newLineReader(in, r.maxBytes())
	cur, size := unit{name: name}, 0
	for ctx.Err() == nil {
		line, body, ref, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || ref != nil {
			cur.err, cur.ref, cur.refAt = err, ref, line
			break
		}
		cur.lines = append(cur.lines, line)
		cur.bodies = append(cur.bodies, body)
		size += len(body)
		if len(cur.bodies) >= per || size >= batchBytes {
			if !yield(cur) {
				return false
			}
			cur, size = unit{name: name}, 0
		}
	}
	cur.last = true
	return yield(cur)
}

// check reads (for a .json file) and validates one unit.
func (r *Runner) check(ctx context.Context, v *validate.Validator, u unit) part {
	p := part{Result: Result{File: u.name, Err: u.err}, last: u.last}
	if u.path != "" {
		f, size, ref, err := openRegularSize(u.path)
		switch {
		case err != nil:
			p.Err = err
		case ref != nil:
			u.ref = ref
		default:
			body, ok, err := readSized(f, r.maxBytes(), size)
			f.Close()
			switch {
			case err != nil:
				p.Err = fmt.Errorf("read %s: %w", u.name, err)
			case !ok:
				u.ref = tooLarge(r.maxBytes(), "the request")
			default:
				u.lines, u.bodies = []int{0}, [][]byte{body}
			}
		}
	}
	for i, body := range u.bodies {
		rep, err := v.Check(ctx, validate.Input{File: u.name, Line: u.lines[i], Model: r.Model, Body: body})
		p.Requests++
		p.Findings = append(p.Findings, rep.Findings...)
		p.Unverified += rep.Unverified
		if err != nil && p.Err == nil {
			p.Err = err
		}
	}
	if u.ref != nil {
		p.Findings = append(p.Findings, u.ref.finding(u.name, u.refAt))
	}
	return p
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
