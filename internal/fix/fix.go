// Package fix applies the safe rewrites the engine proposes (Finding.Edit)
// to request files for `preflight lint --fix`: edits are applied back to
// front, the result is checked again, and the loop repeats until nothing
// more is fixable. Files are written atomically and never through a
// symlink.
package fix

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/preflight-dev/preflight/validate"
)

// MaxRounds bounds the check-apply loop of one request: a fix may reveal
// another (a model alias, then a value the real model spells differently),
// but never endlessly.
const MaxRounds = 8

// Apply applies the edits that do not overlap an earlier one (by start
// offset) to src and returns the new text and how many it applied. Edits
// outside src are skipped. src is not modified.
func Apply(src []byte, edits []validate.Edit) ([]byte, int) {
	es := slices.Clone(edits)
	slices.SortStableFunc(es, func(a, b validate.Edit) int { return a.Start - b.Start })
	kept := es[:0]
	end := -1
	for _, e := range es {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) || e.Start < end {
			continue
		}
		if e.Start == e.End && e.Start == end {
			continue // two insertions at one place: order would be a guess
		}
		kept = append(kept, e)
		end = e.End
	}
	out := slices.Clone(src)
	for i := len(kept) - 1; i >= 0; i-- {
		e := kept[i]
		out = slices.Replace(out, e.Start, e.End, []byte(e.Text)...)
	}
	return out, len(kept)
}

// Fixer fixes requests with a Validator. The zero value works offline
// against the embedded catalog.
type Fixer struct {
	// Validator checks each round; it should be offline (fixing needs no
	// network).
	Validator *validate.Validator
	// Keep, if set, selects the findings whose edits may apply, so a rule
	// the configuration turns off fixes nothing either.
	Keep func(file string, fs []validate.Finding) []validate.Finding
}

// Body fixes one request: it checks in, applies the proposed edits, and
// repeats on the result. A round whose edits would add error findings is
// taken back edit by edit, so a fix never makes a request worse. It returns
// the fixed body (body itself when nothing applied) and the number of
// edits applied.
func (x *Fixer) Body(ctx context.Context, in validate.Input) ([]byte, int, error) {
	body := in.Body
	total := 0
	rep, err := x.check(ctx, in, body)
	if err != nil {
		return body, 0, err
	}
	rejected := map[validate.Edit]bool{}
	for range MaxRounds {
		edits := editsOf(rep, rejected)
		if len(edits) == 0 {
			break
		}
		next, n := Apply(body, edits)
		nrep, err := x.check(ctx, in, next)
		if err != nil {
			return body, total, err
		}
		if nrep.Errors() > rep.Errors() {
			// Find the edits that hurt: try each alone.
			next, n, nrep = body, 0, rep
			for _, e := range edits {
				one, k := Apply(body, []validate.Edit{e})
				orep, err := x.check(ctx, in, one)
				if err != nil {
					return body, total, err
				}
				if k == 0 || orep.Errors() > rep.Errors() {
					rejected[e] = true
					continue
				}
				next, n, nrep = one, 1, orep
				break // offsets of the rest refer to body: re-check first
			}
			if n == 0 {
				break
			}
		}
		if n == 0 || bytes.Equal(next, body) {
			break
		}
		body, rep, total = next, nrep, total+n
		rejected = map[validate.Edit]bool{} // offsets changed
	}
	return body, total, nil
}

func (x *Fixer) check(ctx context.Context, in validate.Input, body []byte) (validate.Report, error) {
	v := x.Validator
	if v == nil {
		v = &validate.Validator{}
	}
	in.Body = body
	rep, err := v.Check(ctx, in)
	if err != nil {
		return rep, fmt.Errorf("check for fixes: %w", err)
	}
	if x.Keep != nil {
		// Error counts compare before and after alike: filter both.
		rep.Findings = x.Keep(in.File, rep.Findings)
	}
	return rep, nil
}

func editsOf(rep validate.Report, rejected map[validate.Edit]bool) []validate.Edit {
	var es []validate.Edit
	for _, f := range rep.Findings {
		if f.Edit != nil && !rejected[*f.Edit] {
			es = append(es, *f.Edit)
		}
	}
	return es
}

// Lines fixes a JSONL text line by line, keeping blank lines and each
// line's ending (LF or CRLF) as they are. Lines longer than maxLine are
// left alone (lint reports them as too large).
func (x *Fixer) Lines(ctx context.Context, in validate.Input, maxLine int) ([]byte, int, error) {
	src := in.Body
	var out bytes.Buffer
	out.Grow(len(src))
	total := 0
	for line := 1; len(src) > 0; line++ {
		i := bytes.IndexByte(src, '\n')
		raw := src
		if i >= 0 {
			raw = src[:i+1]
		}
		src = src[len(raw):]
		body := bytes.TrimRight(raw, "\r\n")
		eol := raw[len(body):]
		if len(bytes.TrimSpace(body)) == 0 || len(body) > maxLine {
			out.Write(raw)
			continue
		}
		lin := in
		lin.Body, lin.Line = body, line
		fixed, n, err := x.Body(ctx, lin)
		if err != nil {
			return in.Body, total, fmt.Errorf("line %d: %w", line, err)
		}
		if bytes.ContainsAny(fixed, "\r\n") {
			fixed, n = body, 0 // an edit never adds a line break; be sure
		}
		out.Write(fixed)
		out.Write(eol)
		total += n
	}
	return out.Bytes(), total, nil
}
