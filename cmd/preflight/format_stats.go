package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// statsPrinter is --statistics: the number of findings per rule, most
// frequent first, as `ruff check --statistics` prints them:
//
//	12  field-enum        warning  HTTP 400        A field's value is not one of the allowed values.
//	 3  prompt-too-long   error    PROMPT_TOO_LONG The prompt exceeds the model's limit.
//
// then the usual summary line (unless --quiet).
type statsPrinter struct {
	w      io.Writer
	quiet  bool
	counts map[string]*ruleCount
}

type ruleCount struct {
	rule     string
	severity validate.Severity // the highest seen
	predicts string
	n        int
}

func newStatsPrinter(w io.Writer, quiet bool) *statsPrinter {
	return &statsPrinter{w: w, quiet: quiet, counts: map[string]*ruleCount{}}
}

func (p *statsPrinter) file(res runner.Result) error {
	for _, f := range res.Findings {
		rc := p.counts[f.Rule]
		if rc == nil {
			rc = &ruleCount{rule: f.Rule, severity: f.Severity, predicts: f.Predicts()}
			p.counts[f.Rule] = rc
		}
		if f.Severity == validate.SeverityError {
			rc.severity = f.Severity
		}
		rc.n += f.Count() // a closing finding of the cap counts the ones left out
	}
	return nil
}

func (p *statsPrinter) finish(s summary) error {
	rows := make([]*ruleCount, 0, len(p.counts))
	for _, rc := range p.counts {
		rows = append(rows, rc)
	}
	slices.SortFunc(rows, func(a, b *ruleCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.rule, b.rule)) })
	summaries := map[string]string{}
	for _, r := range validate.Rules() {
		summaries[r.ID] = r.Summary
	}
	wn, wr, wp := 1, 4, 1
	for _, r := range rows {
		wn = max(wn, len(fmt.Sprint(r.n)))
		wr = max(wr, len(r.rule))
		wp = max(wp, len(r.predicts))
	}
	for _, r := range rows {
		pred := r.predicts
		if pred == "" {
			pred = "-"
		}
		if _, err := fmt.Fprintf(p.w, "%*d  %-*s  %-7s  %-*s  %s\n", wn, r.n, wr, r.rule, r.severity, wp, pred, summaries[r.rule]); err != nil {
			return err
		}
	}
	if p.quiet {
		return nil
	}
	return (&textPrinter{w: p.w}).finish(s)
}
