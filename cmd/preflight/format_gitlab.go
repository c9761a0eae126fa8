package main

import (
	"fmt"
	"io"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// gitlabPrinter writes a GitLab Code Quality report (artifacts:reports:
// codequality), the subset of the Code Climate issue format GitLab reads
// (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
//
//	[{"description":"...","check_name":"prompt-empty","fingerprint":"...",
//	  "severity":"major","location":{"path":"req.json","lines":{"begin":3}}}]
//
// Errors are "major", warnings "minor". Issues stream as files finish.
type gitlabPrinter struct {
	w     io.Writer
	base  string
	n     int
	begun bool
	fp    fingerprinter
}

func init() {
	formats["gitlab"] = func(w io.Writer, c *Command, _ *lintFlags) printer {
		return &gitlabPrinter{w: w, base: c.pathBase()}
	}
}

type gitlabIssue struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Categories  []string       `json:"categories"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path      string          `json:"path"`
	Positions gitlabPositions `json:"positions"`
}

type gitlabPositions struct {
	Begin gitlabPosition `json:"begin"`
}

type gitlabPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (p *gitlabPrinter) begin() error {
	if p.begun {
		return nil
	}
	p.begun = true
	_, err := io.WriteString(p.w, "[")
	return err
}

func (p *gitlabPrinter) file(res runner.Result) error {
	if err := p.begin(); err != nil {
		return err
	}
	for _, f := range res.Findings {
		rel := relPath(p.base, f.File)
		desc := f.Message
		if pred := f.Predicts(); pred != "" {
			if f.Severity == validate.SeverityWarning {
				desc += " (may fail: " + pred + ")"
			} else {
				desc += " (" + pred + ")"
			}
		}
		sev := "major"
		if f.Severity == validate.SeverityWarning {
			sev = "minor"
		}
		issue := gitlabIssue{
			Type:        "issue",
			Description: desc,
			CheckName:   f.Rule,
			Fingerprint: p.fp.of(rel, f),
			Severity:    sev,
			Categories:  []string{"Bug Risk"},
			Location: gitlabLocation{Path: rel, Positions: gitlabPositions{
				Begin: gitlabPosition{Line: max(f.Line, 1), Column: max(f.Column, 1)},
			}},
		}
		if err := writeElement(p.w, &p.n, issue); err != nil {
			return fmt.Errorf("encode Code Quality issue: %w", err)
		}
	}
	return nil
}

func (p *gitlabPrinter) finish(summary) error {
	if err := p.begin(); err != nil {
		return err
	}
	nl := ""
	if p.n > 0 {
		nl = "\n"
	}
	_, err := fmt.Fprintf(p.w, "%s]\n", nl)
	return err
}
