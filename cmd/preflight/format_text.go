package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// textPrinter writes the compiler-style line editors and problem matchers
// parse, then the predicted failure and the fix:
//
//	req.json:3:15: error: prompt is empty [prompt-empty]
//	  -> INVALID_PROMPT: Provide a valid prompt
type textPrinter struct {
	w     io.Writer
	color bool
}

func newTextPrinter(w io.Writer, color bool) *textPrinter { return &textPrinter{w: w, color: color} }

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGray   = "\x1b[90m"
	ansiCyan   = "\x1b[36m"
)

func (p *textPrinter) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + ansiReset
}

func (p *textPrinter) file(res runner.Result) error {
	for _, f := range res.Findings {
		sevColor := ansiRed
		if f.Severity == validate.SeverityWarning {
			sevColor = ansiYellow
		}
		if _, err := fmt.Fprintf(p.w, "%s %s %s %s\n",
			p.paint(ansiBold, fmt.Sprintf("%s:%d:%d:", printableName(f.File), f.Line, f.Column)),
			p.paint(sevColor, string(f.Severity)+":"),
			printableName(f.Message),
			p.paint(ansiGray, "["+f.Rule+"]")); err != nil {
			return err
		}
		arrow := "  -> "
		if pred := f.Predicts(); pred != "" {
			arrow += p.paint(ansiCyan, pred) + ": "
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", arrow, printableName(f.Fix)); err != nil {
			return err
		}
	}
	return nil
}

func (p *textPrinter) finish(s summary) error {
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
