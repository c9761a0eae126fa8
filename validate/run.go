package validate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/preflight-dev/preflight/internal/suggest"

	"github.com/preflight-dev/preflight/internal/jsonpos"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// The rules of these checks; Rules lists them.
var (
	ruleJSONSyntax = &Rule{ID: "json-syntax", Severity: SeverityError, HTTPStatus: 400, Source: srcRFC8259,
		Summary: "The request body is not valid JSON (truncated, trailing data, byte order mark, bad token).",
		Fix:     "Send exactly one well-formed JSON object, UTF-8 without a byte order mark."}
	ruleJSONInvalidUTF8 = &Rule{ID: "json-invalid-utf8", Severity: SeverityError, HTTPStatus: 400, Source: srcRFC8259,
		Summary: "A JSON string holds bytes that are not valid UTF-8.",
		Fix:     "Encode the file as UTF-8."}
	ruleJSONDuplicateKey = &Rule{ID: "json-duplicate-key", Severity: SeverityWarning, Source: srcRFC8259,
		Summary: "An object names the same member twice; which value wins depends on the server's parser.",
		Fix:     "Keep one occurrence of the member."}
	ruleRequestNotObject = &Rule{ID: "request-not-object", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "The request body is JSON but not an object.",
		Fix:     `Send an object: {"input": {...}}.`}
	ruleModelMissing = &Rule{ID: "model-missing", Severity: SeverityError, Source: srcGenerateTask,
		Summary: "No model ID was given, so the request cannot be checked.",
		Fix:     `Add a top-level "model" member to the file, or pass --model.`}
	ruleModelUnknown = &Rule{ID: "model-unknown", Severity: SeverityError, HTTPStatus: 404, Source: srcErrorCodes,
		Summary: "The model ID is not one the API knows: generateTask/{model} answers 404.",
		Fix:     fixNotFound}
	ruleModelAlias = &Rule{ID: "model-alias", Severity: SeverityWarning, Source: srcGenerateTask,
		Summary: "The model ID is an alternative spelling found in some docs; the canonical ID is safer.",
		Fix:     "Use the canonical model ID."}
)

// run is the state of one request check: the parsed document, the model and
// the findings so far.
type run struct {
	v     *Validator
	cat   *Catalog
	file  string
	line  int
	d     *jsonpos.Doc
	model *catalog.Model

	modelID  string // as resolved, for findings
	findings []Finding
	urls     []urlRef
	// totals are arrays whose items' durations are summed after the
	// network stage (seedance: at most 15 s per media type).
	totals []totalRef
	// collectURLs keeps the URLs that passed the offline check for the
	// network stage; off when offline, to spare the hot path.
	collectURLs bool
	// unverified counts URLs the network check could not judge.
	unverified int
	// present maps the model's field positions to their input nodes (-1:
	// absent), found in one pass over the input instead of a search per
	// field. Unused (indexed false) when the model has more fields than it
	// holds. An array, not a slice of itself, so a run stays on the stack.
	present [64]int32
	indexed bool
	// documented has bit k set when the input's member number k (below
	// 64) is one of the model's fields, so the search for undocumented
	// members does not look each name up again.
	documented uint64

	// maxPerRule caps the findings listed per rule and severity (0: no
	// cap). counts exist only once a request has that many findings in
	// all, so a request with few costs nothing; probing (passes) adds
	// findings it takes back, outside the cap.
	maxPerRule int
	counts     []ruleCount
	probing    bool
	// dropped receives the fields callers set on a finding that was
	// counted but not kept.
	dropped Finding
}

// ruleCount counts the findings of one rule and severity in a request, and
// what the closing finding needs of those left out.
type ruleCount struct {
	id     string
	sev    Severity
	listed int
	more   int
	// first is the first finding left out, without its message or
	// pointer; the closing finding is it, under the longest pointer prefix
	// of all those left out: of the node all left out at a node are in,
	// and of the pointers of those left out by pointer.
	first  Finding
	node   int32
	ptr    string
	hasPtr bool
}

// totalRef is an array with a maxTotalSeconds: its node, item count,
// spec, and the range of r.urls its items took.
type totalRef struct {
	node       int32
	items      int
	spec       *catalog.Field
	start, end int
}

// urlRef is a media URL found in the request, kept for the network stage.
type urlRef struct {
	node int32
	spec *catalog.FieldSpec
	url  string
}

func (r *run) report() Report {
	r.closeCounts()
	sortFindings(r.findings)
	id := ""
	if r.model != nil {
		id = r.model.ID
	}
	return Report{Model: id, Findings: r.findings, Unverified: r.unverified}
}

// add records a finding for rule at node (or, with node < 0, at the start
// of the document) under pointer ptr ("" means the node's own pointer).
func (r *run) add(ru *Rule, node int32, ptr string, level catalog.Level, source, msg string) *Finding {
	sev := ru.Severity
	if sev == SeverityError {
		sev = severityOf(level)
	}
	off := 0
	if node >= 0 && r.d != nil && int(node) < len(r.d.Nodes) {
		off = int(r.d.Nodes[node].Start)
		if ptr == "" {
			if r.overSev(ru, sev) {
				// Left out: no pointer string, the node says where.
				return r.drop(ru, sev, off, node, "", source)
			}
			ptr = r.d.Pointer(node)
		}
	}
	return r.addAt(ru, sev, off, ptr, source, msg)
}

// over reports whether the next finding of ru at level would be left out
// by the cap, so a caller can spare building its message.
func (r *run) over(ru *Rule, level catalog.Level) bool {
	sev := ru.Severity
	if sev == SeverityError {
		sev = severityOf(level)
	}
	return r.overSev(ru, sev)
}

func (r *run) overSev(ru *Rule, sev Severity) bool {
	return r.maxPerRule > 0 && !r.probing && len(r.findings) >= r.maxPerRule && r.count(ru, sev).listed >= r.maxPerRule
}

// addAt records a finding at byte offset off and returns it, valid until
// the next finding is added.
func (r *run) addAt(ru *Rule, sev Severity, off int, ptr, source, msg string) *Finding {
	if r.overSev(ru, sev) {
		return r.drop(ru, sev, off, -1, ptr, source)
	}
	if r.counts != nil && !r.probing {
		r.count(ru, sev).listed++
	}
	if source == "" {
		source = ru.Source
	}
	line, col := 1, 1
	if r.d != nil {
		line, col = r.d.Position(off)
	}
	r.findings = append(r.findings, Finding{
		File: r.file, Line: line + r.line - 1, Column: col, Pointer: ptr,
		Rule: ru.ID, Severity: sev, FailCode: ru.FailCode, HTTPStatus: ru.HTTPStatus,
		Message: msg, Fix: ru.Fix, Model: r.currentModel(), Source: source,
	})
	return &r.findings[len(r.findings)-1]
}

func (r *run) currentModel() string {
	if r.model != nil {
		return r.model.ID
	}
	return r.modelID
}

// drop counts a finding the cap leaves out, at node (its pointer is the
// node's) or under ptr, and returns a Finding callers may set fields on:
// nothing of it is kept but where the first one was and the pointer
// all share. Memory does not grow with these.
func (r *run) drop(ru *Rule, sev Severity, off int, node int32, ptr, source string) *Finding {
	rc := r.count(ru, sev)
	if rc.more == 0 {
		if source == "" {
			source = ru.Source
		}
		line, col := 1, 1
		if r.d != nil {
			line, col = r.d.Position(off)
		}
		rc.first = Finding{File: r.file, Line: line + r.line - 1, Column: col,
			Rule: ru.ID, Severity: sev, FailCode: ru.FailCode, HTTPStatus: ru.HTTPStatus,
			Fix: ru.Fix, Model: r.currentModel(), Source: source}
		rc.node = -1
	}
	rc.more++
	switch {
	case node < 0 && !rc.hasPtr:
		rc.ptr, rc.hasPtr = ptr, true
	case node < 0:
		rc.ptr = commonPointer(rc.ptr, ptr)
	case rc.node < 0:
		rc.node = node
	default:
		rc.node = r.commonAncestor(rc.node, node)
	}
	r.dropped = Finding{}
	return &r.dropped
}

// commonAncestor is the deepest node both a and b are in (or are). Nodes
// are in document order, parents first, so the later of the two climbs
// until they meet: findings in order cost a step or two each.
func (r *run) commonAncestor(a, b int32) int32 {
	for a != b {
		if a > b {
			a = r.d.Nodes[a].Parent
		} else {
			b = r.d.Nodes[b].Parent
		}
		if a < 0 || b < 0 {
			return 0
		}
	}
	return a
}

// count returns the count of rule ru at severity sev, starting the counts
// from the findings so far when the request first reaches the cap.
func (r *run) count(ru *Rule, sev Severity) *ruleCount {
	if r.counts == nil {
		r.counts = make([]ruleCount, 0, 8)
		for _, f := range r.findings {
			r.countOf(f.Rule, f.Severity).listed++
		}
	}
	return r.countOf(ru.ID, sev)
}

// countOf finds or adds the count of a rule ID and severity. Rules are
// few: a scan beats a map.
func (r *run) countOf(id string, sev Severity) *ruleCount {
	for i := range r.counts {
		if c := &r.counts[i]; c.id == id && c.sev == sev {
			return c
		}
	}
	r.counts = append(r.counts, ruleCount{id: id, sev: sev})
	return &r.counts[len(r.counts)-1]
}

// closeCounts adds one closing finding per rule and severity that had
// findings left out.
func (r *run) closeCounts() {
	for _, c := range r.counts {
		if c.more == 0 {
			continue
		}
		noun := "findings"
		if c.more == 1 {
			noun = "finding"
		}
		f := c.first
		switch {
		case c.node >= 0 && c.hasPtr:
			f.Pointer = commonPointer(r.d.Pointer(c.node), c.ptr)
		case c.node >= 0:
			f.Pointer = r.d.Pointer(c.node)
		default:
			f.Pointer = c.ptr
		}
		f.Message = fmt.Sprintf("%d more %s %s in this request not listed (at most %d of a rule are)", c.more, c.id, noun, r.maxPerRule)
		f.More = c.more
		r.findings = append(r.findings, f)
	}
	r.counts = r.counts[:0]
}

// commonPointer is the longest JSON pointer that is a prefix of a and b by
// whole reference tokens: "/input/a/1" and "/input/a/2" share "/input/a".
func commonPointer(a, b string) string {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == len(a) && (i == len(b) || b[i] == '/') {
		return a
	}
	if i == len(b) && a[i] == '/' {
		return b
	}
	for i > 0 && a[i-1] != '/' {
		i--
	}
	if i > 0 {
		i-- // drop the slash that begins the differing token
	}
	return a[:i]
}

func (r *run) check(p *jsonpos.Parser, in Input) {
	d, err := p.Parse(in.Body)
	r.d = d
	if err != nil {
		off, msg := 0, err.Error()
		var se *jsonpos.SyntaxError
		if errors.As(err, &se) {
			off, msg = se.Offset, se.Msg
		}
		r.modelID = in.Model
		r.addAt(ruleJSONSyntax, SeverityError, off, "", "", "invalid JSON: "+msg)
		return
	}
	r.checkText()
	if d.Nodes[0].Kind != '{' {
		r.add(ruleRequestNotObject, 0, "", catalog.LevelStated, "", fmt.Sprintf("the request body is a JSON %s, not an object", kindName(d.Nodes[0].Kind)))
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
	for i := range d.Nodes {
		n := &d.Nodes[i]
		if n.Flags&jsonpos.Duplicate != 0 && r.over(ruleJSONDuplicateKey, catalog.LevelStated) {
			r.add(ruleJSONDuplicateKey, int32(i), "", catalog.LevelStated, "", "") // counted, not listed: no message
		} else if n.Flags&jsonpos.Duplicate != 0 {
			r.add(ruleJSONDuplicateKey, int32(i), "", catalog.LevelStated, "",
				fmt.Sprintf("duplicate member %q; parsers disagree on which value wins (most keep the last)", d.Name(int32(i))))
		}
		if n.Flags&jsonpos.InvalidUTF8 != 0 && !r.isPrompt(int32(i)) {
			r.add(ruleJSONInvalidUTF8, int32(i), "", catalog.LevelStated, "", "string holds bytes that are not valid UTF-8")
		}
		if n.Flags&jsonpos.InvalidName != 0 {
			r.addAt(ruleJSONInvalidUTF8, SeverityError, int(n.NameStart), d.Pointer(int32(i)), "", "member name holds bytes that are not valid UTF-8")
		}
	}
}

// isPrompt reports whether node i is /input/prompt, which promptcheck
// reports on with its own failCode.
func (r *run) isPrompt(i int32) bool {
	d := r.d
	p := d.Nodes[i].Parent
	if p <= 0 || d.Nodes[p].Parent != 0 || d.Nodes[i].NameStart < 0 || d.Nodes[p].NameStart < 0 {
		return false
	}
	return string(d.Name(i)) == "prompt" && string(d.Name(p)) == "input"
}

func (r *run) resolveModel(override string) {
	d := r.d
	id := override
	node := int32(-1)
	if m := d.Member(0, "model"); m >= 0 {
		if d.Nodes[m].Kind != '"' {
			if override == "" {
				r.add(ruleFieldType, m, "", catalog.LevelStated, "", fmt.Sprintf("model must be a string naming the model ID, got %s", kindName(d.Nodes[m].Kind)))
				return
			}
		} else if override == "" {
			node = m
			if known, ok := r.cat.Model(r.view(m)); ok {
				id = known.ID // no copy for the common case
			} else {
				id = string(d.Str(m))
			}
		}
	}
	r.modelID = id
	if id == "" {
		r.add(ruleModelMissing, -1, "/model", catalog.LevelStated, "",
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
		var f *Finding
		if a.Accepted {
			f = r.add(ruleModelAlias, node, "/model", a.Level, a.Source,
				fmt.Sprintf("model %q is an alternative ID; did you mean %q?%s", id, a.Model, note))
		} else {
			f = r.add(ruleModelUnknown, node, "/model", a.Level, a.Source,
				fmt.Sprintf("model %q is a docs page name, not a model ID; did you mean %q?%s", id, a.Model, note))
		}
		if node >= 0 && target != nil {
			// The catalog maps the alias to one model: the canonical ID
			// names the same model.
			if q := quote(a.Model); q != "" {
				r.setEdit(f, node, q)
			}
		}
		return
	}
	msg := fmt.Sprintf("unknown model %q", id)
	if s := suggest.Nearest(id, r.cat.IDs()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	r.add(ruleModelUnknown, node, "/model", catalog.LevelStated, "", msg)
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
	raw := r.d.Raw(i)
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
