package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"golang.org/x/term"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// textPrinter writes the compiler-style line editors and problem matchers
// parse, then (unless concise) a code frame of the source, then the
// predicted failure and the fix:
//
//	req.json:3:15: error: prompt is empty [prompt-empty]
//	  3 |   "prompt": "",
//	    |             ^^
//	  -> INVALID_PROMPT: Provide a valid prompt
//
// A warning's prediction reads "may fail: HTTP 400", so it does not look
// like a certain failure. --format concise prints the first line only.
type textPrinter struct {
	w       io.Writer
	color   bool
	concise bool
	quiet   bool         // no summary line
	src     *frameSource // nil: no frames
}

func init() {
	formats["text"] = func(w io.Writer, c *Command, f *lintFlags) printer {
		return &textPrinter{w: w, color: c.useColor(f.color), quiet: f.ux.quiet, src: f.ux.src}
	}
	formats["concise"] = func(w io.Writer, c *Command, f *lintFlags) printer {
		return &textPrinter{w: w, color: c.useColor(f.color), quiet: f.ux.quiet, concise: true}
	}
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGray   = "\x1b[90m"
	ansiCyan   = "\x1b[36m"
)

func (p *textPrinter) paint(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p *textPrinter) file(res runner.Result) error {
	var src map[int]string
	if p.src != nil && !p.concise {
		var want []int
		for _, f := range res.Findings {
			if f.Line > 0 {
				want = append(want, f.Line)
			}
		}
		slices.Sort(want)
		src = p.src.lines(res.File, slices.Compact(want))
	}
	for _, f := range res.Findings {
		// Escape here too, for a caller that did not go through fanOut
		// (cleanFinding): escaping and cutting twice changes nothing.
		f.File, f.Rule = printableName(f.File), printableName(f.Rule)
		f.Message, f.Fix, f.FailCode = printableName(f.Message), printableName(f.Fix), printableName(f.FailCode)
		sevColor := ansiRed
		if f.Severity == validate.SeverityWarning {
			sevColor = ansiYellow
		}
		if _, err := fmt.Fprintf(p.w, "%s %s %s %s\n",
			p.paint(ansiBold, position(f)),
			p.paint(sevColor, string(f.Severity)+":"),
			f.Message,
			p.paint(ansiGray, "["+f.Rule+"]")); err != nil {
			return err
		}
		if p.concise {
			continue
		}
		if line, ok := src[f.Line]; ok {
			// A span (Finding.EndLine/EndColumn, e.g. the excess of an
			// overlong prompt) is underlined to its end, or to the end of
			// this line when it goes on.
			endCol := f.EndColumn
			if f.EndLine > f.Line {
				endCol = len(line) + 2
			} else if f.EndLine < f.Line {
				endCol = 0
			}
			fr := frame(f.Line, line, f.Column, endCol, func(s string) string { return p.paint(sevColor, s) })
			if _, err := io.WriteString(p.w, fr); err != nil {
				return err
			}
		}
		if _, err := fmt.Fprintf(p.w, "%s\n", p.fixLine(f)); err != nil {
			return err
		}
	}
	return nil
}

// position is FILE:LINE:COL:, or FILE: for a finding without a place in
// the text.
func position(f validate.Finding) string {
	name := f.File
	if name == "" {
		name = "<request>"
	}
	if f.Line <= 0 {
		return name + ":"
	}
	return fmt.Sprintf("%s:%d:%d:", name, f.Line, f.Column)
}

// fixLine is "  -> CODE: FIX" for an error and "  may fail: CODE; FIX" for
// a warning.
func (p *textPrinter) fixLine(f validate.Finding) string {
	pred := f.Predicts()
	switch {
	case pred == "":
		return "  -> " + f.Fix
	case f.Severity == validate.SeverityWarning:
		return "  may fail: " + p.paint(ansiCyan, pred) + "; " + f.Fix
	}
	return "  -> " + p.paint(ansiCyan, pred) + ": " + f.Fix
}

func (p *textPrinter) finish(s summary) error {
	if p.quiet {
		return nil
	}
	if s.Errors == 0 && s.Warnings == 0 {
		_, err := fmt.Fprintf(p.w, "%s\n", p.paint(ansiGray, fmt.Sprintf("%s checked, no problems found", plural(s.Requests, "request"))))
		return err
	}
	unverified := ""
	if s.Unverified > 0 {
		unverified = fmt.Sprintf("; %s could not be checked", plural(s.Unverified, "URL"))
	}
	_, err := fmt.Fprintf(p.w, "%s, %s in %s (%s)%s\n", plural(s.Errors, "error"), plural(s.Warnings, "warning"),
		plural(s.Files, "file"), plural(s.Requests, "request"), unverified)
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
