package validate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a finding predicts a failure (error) or only a risk
// (warning). Rules taken from facts the docs state are errors; rules taken
// from inferred or conflicting facts are warnings at most.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem found in a request. Its fields are the JSON output
// contract of `preflight lint --format json`; keep them stable.
type Finding struct {
	// File is the path as given by the caller (empty for library calls
	// without WithFile).
	File string `json:"file"`
	// Line and Column are 1-based positions of the offending value or, for
	// a missing field, of its parent object. Columns count Unicode code
	// points. Both are 0 when the request had no text (Value).
	Line   int `json:"line"`
	Column int `json:"column"`
	// EndLine and EndColumn, when set, end the span the finding is about
	// (exclusive), e.g. the excess of an overlong prompt: the printers
	// underline Line:Column up to them. 0 when the finding is about a
	// point.
	EndLine   int `json:"endLine,omitempty"`
	EndColumn int `json:"endColumn,omitempty"`
	// Pointer is an RFC 6901 JSON pointer to the value; for a missing field,
	// the path the field would have.
	Pointer string `json:"pointer"`
	// Rule is a stable kebab-case rule ID; see Rules and docs/rules.md.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// FailCode is the APIXO task failCode the request would end with
	// (INVALID_PROMPT, PROMPT_TOO_LONG, ...), or empty.
	FailCode string `json:"failCode"`
	// HTTPStatus is 400 or 404 when the submit itself would be rejected,
	// else 0.
	HTTPStatus int    `json:"httpStatus"`
	Message    string `json:"message"`
	Fix        string `json:"fix"`
	// Model is the model ID the request was checked against.
	Model string `json:"model"`
	// Source is the docs URL the rule comes from.
	Source string `json:"source"`
	// Edit, when set, is a rewrite of the request text that fixes the
	// finding without changing what the request means (a legacy name to
	// its replacement, "5" to 5 for an integer, "2K" to "2k"). Only rules
	// that know the safe rewrite from the catalog set it; `preflight lint
	// --fix` applies it.
	Edit *Edit `json:"edit,omitempty"`
	// More, when set, makes this the closing finding of its rule and
	// severity in a request that had more than Validator.MaxFindingsPerRule
	// of them: it stands for More findings that are counted but not listed.
	// Its position is the first left out's, its pointer the longest
	// pointer prefix they share.
	More int `json:"more,omitempty"`
}

// Count is how many findings f stands for: 1, or More for a closing one.
func (f Finding) Count() int {
	if f.More > 0 {
		return f.More
	}
	return 1
}

// Edit replaces the request body's bytes Body[Start:End] with Text, a JSON
// fragment. Offsets count bytes of the body checked (of its line, for a
// JSONL request). A rename spans the member from its name to the end of its
// value, keeping the text between them.
type Edit struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// String formats the finding the way compilers do, so editors and problem
// matchers can parse it: file:line:col: severity: message [rule]. A part
// the finding does not have (no file for a library call, no position for
// Value) is left out rather than invented.
func (f Finding) String() string {
	var b strings.Builder
	if f.File != "" {
		b.WriteString(f.File)
		b.WriteByte(':')
	}
	if f.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", f.Line, f.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "%s: %s [%s]", f.Severity, f.Message, f.Rule)
	return b.String()
}

// Predicts names what the API would answer: a failCode or an HTTP status.
func (f Finding) Predicts() string { return predicts(f.FailCode, f.HTTPStatus) }

// Predicts names what the rule predicts: a failCode or an HTTP status.
func (r Rule) Predicts() string { return predicts(r.FailCode, r.HTTPStatus) }

func predicts(failCode string, status int) string {
	switch {
	case failCode != "":
		return failCode
	case status != 0:
		return fmt.Sprintf("HTTP %d", status)
	}
	return ""
}

// compareFindings orders findings by file, line, column, rule and message,
// the order of every output format.
func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Pointer, b.Pointer),
		cmp.Compare(a.Message, b.Message),
	)
}

// sortFindings sorts findings in output order.
func sortFindings(fs []Finding) { slices.SortStableFunc(fs, compareFindings) }

// Report is the result of validating one request.
type Report struct {
	// Model is the canonical model ID the request was checked against, or
	// empty when no known model could be determined.
	Model    string    `json:"model"`
	Findings []Finding `json:"findings"`
	// Unverified counts media URLs whose network check could not be made
	// (reported as url-unverified warnings): never a pass.
	Unverified int `json:"unverified"`
}

// Errors counts error findings, those a closing finding stands for
// included (Finding.Count).
func (r Report) Errors() int { return r.count(SeverityError) }

// Warnings counts warning findings, like Errors.
func (r Report) Warnings() int { return r.count(SeverityWarning) }

// OK reports whether the request has no error findings.
func (r Report) OK() bool { return r.Errors() == 0 }

func (r Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n += f.Count()
		}
	}
	return n
}
