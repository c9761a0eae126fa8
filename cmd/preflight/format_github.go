package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// githubPrinter writes GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request:
//
//	::error file=req.json,line=3,col=15,title=prompt-empty::prompt is empty ...
//
// It is chosen by default when GITHUB_ACTIONS=true and --format is not given.
type githubPrinter struct {
	w     io.Writer
	base  string
	quiet bool // no summary line
}

func init() {
	formats["github"] = func(w io.Writer, c *Command, f *lintFlags) printer {
		return &githubPrinter{w: w, base: c.pathBase(), quiet: f.ux.quiet}
	}
}

func (p *githubPrinter) file(res runner.Result) error {
	for _, f := range res.Findings {
		if _, err := io.WriteString(p.w, githubCommand(p.base, f)); err != nil {
			return err
		}
	}
	return nil
}

// githubCommand formats one finding as a workflow command line.
func githubCommand(base string, f validate.Finding) string {
	cmd := "error"
	if f.Severity != validate.SeverityError {
		cmd = "warning"
	}
	msg := f.Message
	if pred := f.Predicts(); pred != "" && f.Severity == validate.SeverityWarning {
		msg += " (may fail: " + pred + ")"
	} else if pred != "" {
		msg += " (" + pred + ")"
	}
	if f.Fix != "" {
		msg += "\nFix: " + printableName(f.Fix)
	}
	msg += "\n" + ruleDocURL(f.Rule)
	return fmt.Sprintf("::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd,
		escapeProperty(printableName(relPath(base, f.File))), max(f.Line, 1), max(f.Column, 1),
		escapeProperty(f.Rule), escapeData(msg))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes a workflow command's message, as @actions/core's
// escapeData does.
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a workflow command property value, as
// @actions/core's escapeProperty does: data escapes plus : and ,.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

func (p *githubPrinter) finish(s summary) error {
	if p.quiet {
		return nil
	}
	_, err := fmt.Fprintf(p.w, "preflight: %s, %s in %s (%s)\n", plural(s.Errors, "error"),
		plural(s.Warnings, "warning"), plural(s.Files, "file"), plural(s.Requests, "request"))
	return err
}
