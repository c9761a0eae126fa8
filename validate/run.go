package validate

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// run is the state of one request check: the parsed document, the model and
// the findings so far.
type run struct {
	v     *Validator
	cat   *Catalog
	file  string
	line  int
	d     *doc
	model *Model

	modelID  string // as resolved, for findings
	findings []Finding
	urls     []urlRef
	// collectURLs keeps the URLs that passed the offline check for the
	// network stage; off when offline, to spare the hot path.
	collectURLs bool
	// unverified counts URLs the network check could not judge.
	unverified int
	active     []*Variant
	activeBuf  [8]*Variant
	// present maps the model's field positions to their input nodes (-1:
	// absent), found in one pass over the input instead of a search per
	// field. Nil when the model has more fields than presentBuf holds.
	present    []int32
	presentBuf [64]int32
}

// urlRef is a media URL found in the request, kept for the network stage.
type urlRef struct {
	node int32
	spec *FieldSpec
	url  string
}

func (r *run) report() Report {
	SortFindings(r.findings)
	id := ""
	if r.model != nil {
		id = r.model.ID
	}
	return Report{Model: id, Findings: r.findings, Unverified: r.unverified}
}

// add records a finding for rule at node (or, with node < 0, at the start
// of the document) under pointer ptr ("" means the node's own pointer).
func (r *run) add(rule string, node int32, ptr string, level Level, source, msg string) {
	ru, ok := RuleByID(rule)
	if !ok {
		panic("validate: unknown rule " + rule)
	}
	sev := ru.Severity
	if sev == SeverityError {
		sev = level.severity()
	}
	off := 0
	if node >= 0 && r.d != nil && int(node) < len(r.d.nodes) {
		off = int(r.d.nodes[node].start)
		if ptr == "" {
			ptr = r.d.pointer(node)
		}
	}
	r.addAt(ru, sev, off, ptr, source, msg)
}

func (r *run) addAt(ru Rule, sev Severity, off int, ptr, source, msg string) {
	line, col := 1, 1
	if r.d != nil {
		line, col = r.d.position(off)
	}
	if source == "" {
		source = ru.Source
	}
	model := r.modelID
	if r.model != nil {
		model = r.model.ID
	}
	r.findings = append(r.findings, Finding{
		File: r.file, Line: line + r.line - 1, Column: col, Pointer: ptr,
		Rule: ru.ID, Severity: sev, FailCode: ru.FailCode, HTTPStatus: ru.HTTPStatus,
		Message: msg, Fix: ru.Fix, Model: model, Source: source,
	})
}

func (r *run) check(p *docParser, in Input) {
	d, err := p.parse(in.Body)
	r.d = d
	if err != nil {
		se := err.(*syntaxError)
		ru, _ := RuleByID("json-syntax")
		r.modelID = in.Model
		r.addAt(ru, SeverityError, se.offset, "", "", "invalid JSON: "+se.msg)
		return
	}
	r.checkText()
	if d.nodes[0].kind != '{' {
		r.add("request-not-object", 0, "", LevelStated, "", fmt.Sprintf("the request body is a JSON %s, not an object", kindName(d.nodes[0].kind)))
		return
	}
	r.resolveModel(in.Model)
	input := r.checkEnvelope()
	if r.model == nil {
		return
	}
	if input >= 0 {
		r.checkInput(input)
	}
}

// checkText reports what is wrong with the JSON text itself but does not
// stop the parse: duplicate names and strings that are not UTF-8.
func (r *run) checkText() {
	d := r.d
	for i := range d.nodes {
		n := &d.nodes[i]
		if n.flags&flagDuplicate != 0 {
			r.add("json-duplicate-key", int32(i), "", LevelStated, "",
				fmt.Sprintf("duplicate member %q; parsers disagree on which value wins (most keep the last)", d.name(int32(i))))
		}
		if n.flags&flagInvalidUTF8 != 0 && !r.isPrompt(int32(i)) {
			r.add("json-invalid-utf8", int32(i), "", LevelStated, "", "string holds bytes that are not valid UTF-8")
		}
		if n.flags&flagInvalidName != 0 {
			ru, _ := RuleByID("json-invalid-utf8")
			r.addAt(ru, SeverityError, int(n.nameStart), d.pointer(int32(i)), "", "member name holds bytes that are not valid UTF-8")
		}
	}
}

// isPrompt reports whether node i is /input/prompt, which promptcheck
// reports on with its own failCode.
func (r *run) isPrompt(i int32) bool {
	d := r.d
	p := d.nodes[i].parent
	if p <= 0 || d.nodes[p].parent != 0 || d.nodes[i].nameStart < 0 || d.nodes[p].nameStart < 0 {
		return false
	}
	return string(d.name(i)) == "prompt" && string(d.name(p)) == "input"
}

func (r *run) resolveModel(override string) {
	d := r.d
	id := override
	node := int32(-1)
	if m := d.member(0, "model"); m >= 0 {
		if d.nodes[m].kind != '"' {
			if override == "" {
				r.add("field-type", m, "", LevelStated, "", fmt.Sprintf("model must be a string naming the model ID, got %s", kindName(d.nodes[m].kind)))
				return
			}
		} else if override == "" {
			node = m
			if known, ok := r.cat.byID[string(d.str(m))]; ok {
				id = known.ID // no copy for the common case
			} else {
				id = string(d.str(m))
			}
		}
	}
	r.modelID = id
	if id == "" {
		r.add("model-missing", -1, "/model", LevelStated, "",
			`no model ID: add a top-level "model" member or pass --model`)
		return
	}
	if m, ok := r.cat.Model(id); ok {
		r.model = m
		return
	}
	if a, ok := r.cat.Alias(id); ok {
		target, _ := r.cat.Model(a.Model)
		// Check the rest as the intended model, so one run shows everything.
		r.model = target
		note := ""
		if a.Note != "" {
			note = " (" + a.Note + ")"
		}
		if a.Accepted {
			r.add("model-alias", node, "/model", a.Level, a.Source,
				fmt.Sprintf("model %q is an alternative ID; did you mean %q?%s", id, a.Model, note))
		} else {
			r.add("model-unknown", node, "/model", a.Level, a.Source,
				fmt.Sprintf("model %q is a docs page name, not a model ID; did you mean %q?%s", id, a.Model, note))
		}
		return
	}
	msg := fmt.Sprintf("unknown model %q", id)
	if s := nearest(id, r.cat.IDs()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	r.add("model-unknown", node, "/model", LevelStated, "", msg)
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "value"
}

// describe renders a scalar node for messages, shortened if long.
func (r *run) describe(i int32) string {
	raw := r.d.raw(i)
	if len(raw) > 60 {
		cut := 57
		for cut > 0 && raw[cut]&0xC0 == 0x80 {
			cut--
		}
		raw = append(raw[:cut:cut], "..."...)
	}
	// Bytes that are not UTF-8 (reported by json-invalid-utf8) would make
	// the message itself invalid text; show them as U+FFFD.
	return strings.ToValidUTF8(string(raw), "\uFFFD")
}

// nearest returns the candidate closest to s (case-insensitive equality
// first, then edit distance within a third of the length), or "".
func nearest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance of two strings, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var _ = bytes.Equal

func didYouMean(s string, cands []string) string {
	if n := nearest(s, cands); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}
