package validate

import (
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/internal/jsonpos"
)

// The safe rewrites behind `lint --fix`. Each is proposed by the check that
// found the problem, since only it knows the catalog fact that makes the
// rewrite safe; anything it cannot prove safe gets no edit and stays a plain
// finding.

// setEdit attaches the replacement of node's value by text to f.
func (r *run) setEdit(f *Finding, node int32, text string) {
	n := &r.d.Nodes[node]
	f.Edit = &Edit{Start: int(n.Start), End: int(n.End), Text: text}
}

// quote renders s as a JSON string, or "" when it cannot be (invalid UTF-8
// never comes from the catalog, but an edit must never write bad JSON).
func quote(s string) string {
	b, err := jsontext.AppendQuote(nil, s)
	if err != nil {
		return ""
	}
	return string(b)
}

// integerText returns the string node's content when it is exactly a JSON
// integer literal ("5", "-12", not "05", "+5", " 5" or "5.0"): writing it
// without quotes then means the same number.
func (r *run) integerText(node int32) (string, bool) {
	n := &r.d.Nodes[node]
	if n.Kind != '"' || n.Flags&(jsonpos.Escaped|jsonpos.InvalidUTF8) != 0 {
		return "", false
	}
	s := string(r.d.Str(node))
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 15 || (digits[0] == '0' && len(digits) > 1) {
		return "", false // 15 digits stay exact as a float64
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// caseFix returns the one allowed string that equals the node's string
// but for case, or "" when there is none or more than one.
func (r *run) caseFix(node int32, vals []any) string {
	if r.d.Nodes[node].Kind != '"' {
		return ""
	}
	s := string(r.d.Str(node))
	found := ""
	for _, v := range vals {
		if x, ok := v.(string); ok && x != s && strings.EqualFold(x, s) {
			if found != "" && found != x {
				return ""
			}
			found = x
		}
	}
	return found
}

// oneToOne reports whether repl is the replacement of exactly one
// deprecated value, so rewriting to it loses nothing.
func oneToOne(m map[string]string, repl string) bool {
	n := 0
	for _, v := range m {
		if v == repl {
			n++
		}
	}
	return n == 1
}

// renameEdit proposes renaming member c (a legacy field name) of the input
// object to repl, wrapping a scalar into a one-element array when repl is
// a list. It proposes nothing unless repl is a field of the model in the
// request's case, the input has no repl member yet, and the value passes
// repl's own checks: the rename must not turn a warning into an error.
func (r *run) renameEdit(f *Finding, obj, c int32, repl string, cs *catalog.Case) {
	d := r.d
	i, ok := r.model.FieldIndex(repl)
	if !ok || d.Member(obj, repl) >= 0 {
		return
	}
	e := cs.Fields[i]
	if catalog.IsTrue(e.Forbidden) {
		return
	}
	n := &d.Nodes[c]
	if n.NameStart < 0 || n.Kind == 'n' || n.Flags&jsonpos.Duplicate != 0 || d.Member(obj, string(d.Name(c))) != c {
		return // a duplicated legacy member: which one the API reads is a guess
	}
	raw := string(d.Raw(c))
	spec, count := e, -1
	if e.Type == "array" && n.Kind != '[' {
		if e.Items == nil {
			return
		}
		spec, count = e.Items, 1
		raw = "[" + raw + "]"
		if (e.MinItems != nil && count < *e.MinItems) || (e.MaxItems != nil && count > *e.MaxItems) {
			return
		}
	}
	name := quote(repl)
	if name == "" || !r.passes(repl, c, spec) {
		return
	}
	f.Edit = &Edit{Start: int(n.NameStart), End: int(n.End),
		Text: name + string(d.Src[n.NameEnd:n.Start]) + raw}
}

// passes reports whether node would draw no error finding as a value of
// field name with spec e. It runs the real check and takes its findings
// back.
func (r *run) passes(name string, node int32, e *catalog.Field) bool {
	nf, nu := len(r.findings), len(r.urls)
	probing := r.probing
	r.probing = true // findings taken back stay outside the cap
	r.checkValue(name, node, "", e)
	r.probing = probing
	ok := true
	for _, f := range r.findings[nf:] {
		if f.Severity == SeverityError {
			ok = false
		}
	}
	clear(r.findings[nf:])
	r.findings, r.urls = r.findings[:nf], r.urls[:nu]
	return ok
}
