package validate

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/preflight-dev/preflight/imagecheck"

	"github.com/preflight-dev/preflight/internal/suggest"

	"github.com/preflight-dev/preflight/internal/jsonpos"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// The rules of these checks; Rules lists them.
var (
	ruleModeInvalid = &Rule{ID: "mode-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "input.mode is not one of the model's modes.",
		Fix:     "Use one of the modes the model lists."}
	ruleModeMissing = &Rule{ID: "mode-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The model documents no default mode and none was given.",
		Fix:     "Set input.mode."}
	rulePromptMissing = &Rule{ID: "prompt-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcErrorCodes,
		Summary: "The model needs a prompt in this mode and none was given.",
		Fix:     "Add input.prompt."}
	rulePromptNotAccepted = &Rule{ID: "prompt-not-accepted", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The model (or this mode) takes no prompt.",
		Fix:     "Remove input.prompt."}
	ruleFieldRequired = &Rule{ID: "field-required", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field the model requires (in this mode) is missing.", Fix: "Add the field."}
	ruleFieldNotAllowed = &Rule{ID: "field-not-allowed", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field the model does not accept (in this mode) is present.", Fix: "Remove the field."}
	ruleFieldType = &Rule{ID: "field-type", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field has the wrong JSON type (duration is an integer, sound a boolean, ...).",
		Fix:     "Use the documented type."}
	ruleFieldEnum = &Rule{ID: "field-enum", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field's value is not one of the allowed values (enums are case-sensitive).",
		Fix:     "Use one of the allowed values."}
	ruleFieldRange = &Rule{ID: "field-range", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A number is outside the documented range.", Fix: "Use a value inside the range."}
	ruleFieldStep = &Rule{ID: "field-step", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A number is not a multiple of the documented step.", Fix: "Round to the documented step."}
	ruleFieldLength = &Rule{ID: "field-length", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A string is shorter or longer than documented (negative_prompt, style, title, ...).",
		Fix:     "Shorten or fill the text to the documented length."}
	ruleFieldCount = &Rule{ID: "field-count", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A list has more or fewer items than documented.", Fix: "Use the documented number of items."}
	ruleFieldUnknown = &Rule{ID: "field-unknown", Severity: SeverityWarning, Source: srcParameters,
		Summary: "An input field the model does not document; the API may reject or ignore it.",
		Fix:     "Check the spelling or remove the field."}
	ruleFieldDeprecated = &Rule{ID: "field-deprecated", Severity: SeverityWarning, Source: srcParameters,
		Summary: "A field name or value from older docs that current docs replaced (nVariants, image_url, midjourney speed relaxed).",
		Fix:     "Use the current field name or value."}
	ruleReferencesCount = &Rule{ID: "references-count", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "Wrong number of reference URLs (image_urls, video_urls, audio_urls) for the mode.",
		Fix:     "Give the number of references the mode takes."}
	ruleReferencesRequired = &Rule{ID: "references-required", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The mode needs at least one of several reference kinds (seedance omni_reference: images or videos).",
		Fix:     "Add one of the named reference kinds."}
	ruleURLInvalid = &Rule{ID: "url-invalid", Severity: SeverityError, FailCode: imagecheck.FailInvalidImageURL, Source: srcErrorCodes,
		Summary: "A media URL is not an absolute http(s) URL with a host (data:, file:, relative, userinfo).",
		Fix:     fixInvalidURL}
	ruleURLNotPublic = &Rule{ID: "url-not-public", Severity: SeverityError, FailCode: imagecheck.FailInvalidImageURL, Source: srcErrorCodes,
		Summary: "A media URL points at a loopback, private, link-local or other non-public address.",
		Fix:     fixInvalidURL}
)

// checkInput applies the model's field specs to the input object.
func (r *run) checkInput(obj int32) {
	m := r.model
	d := r.d
	r.indexInput(obj)
	cs := r.pickCase(obj)
	for i, name := range m.FieldNames() {
		node := int32(-1)
		if r.indexed {
			node = r.present[i] // by position: no lookup by name per field
		} else {
			node = d.Member(obj, name)
		}
		if node >= 0 && d.Nodes[node].Kind == 'n' {
			node = -1 // null is taken as absent, as the API's decoders do
		}
		if node < 0 && catalog.IsTrue(cs.Fields[i].Required) {
			// A value under a legacy name for the field (sora-2's image_url
			// for image_urls, in the legacy page's own example) is checked
			// as the field's: field-deprecated reports the name and --fix
			// renames it; "missing" would be a second finding for the same
			// fault.
			if old, n, spec := r.standIn(obj, name, cs.Fields[i]); n >= 0 {
				r.checkValue(old, n, "", spec)
				continue
			}
		}
		r.checkField(obj, name, node, cs.Fields[i])
	}
	for _, v := range cs.Active {
		for _, group := range v.RequireOneOf {
			found := false
			for _, name := range group {
				if n := d.Member(obj, name); n >= 0 && d.Nodes[n].Kind != 'n' && (d.Nodes[n].Kind != '[' || d.Nodes[n].Children > 0) {
					found = true
				}
			}
			if !found {
				note := ""
				if v.Note != "" {
					note = " (" + v.Note + ")"
				}
				r.add(ruleReferencesRequired, obj, "/input/"+group[0], v.Level, v.Source,
					fmt.Sprintf("%s %s needs at least one of %s%s", m.ID, v.WhenText(), strings.Join(group, ", "), note))
			}
		}
	}
	for c := d.Nodes[obj].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		if k := d.Nodes[c].Index; r.indexed && k < 64 && r.documented&(1<<k) != 0 {
			continue // indexInput found it among the model's fields
		}
		nb := d.Name(c)
		if _, ok := m.Fields[string(nb)]; ok {
			continue
		}
		name := string(nb)
		if dep, ok := m.Deprecated[name]; ok {
			msg := fmt.Sprintf("%s is a legacy field name", name)
			if dep.Replacement != "" {
				msg += fmt.Sprintf("; use %s", dep.Replacement)
			}
			if dep.Note != "" {
				msg += " (" + dep.Note + ")"
			}
			f := r.add(ruleFieldDeprecated, c, "", dep.Level, dep.Source, msg)
			if dep.Replacement != "" {
				r.renameEdit(f, obj, c, dep.Replacement, cs)
			}
			continue
		}
		if r.over(ruleFieldUnknown, m.Level) {
			r.add(ruleFieldUnknown, c, "", m.Level, m.Source, "") // counted, not listed: no message
			continue
		}
		msg := fmt.Sprintf("%s does not document an input field %q", m.ID, name)
		if s := suggest.Nearest(name, m.FieldNames()); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		r.add(ruleFieldUnknown, c, "", m.Level, m.Source, msg)
	}
}

// standIn finds a deprecated member of the input whose replacement is the
// field name (spec e), and the spec its value is checked against: e, or
// e's items for a scalar where one item is allowed. n is -1 when none.
func (r *run) standIn(obj int32, name string, e *catalog.Field) (old string, n int32, spec *catalog.Field) {
	for old, dep := range r.model.Deprecated { // one legacy name per field in the catalog
		if dep.Replacement != name {
			continue
		}
		n := r.d.Member(obj, old)
		if n < 0 || r.d.Nodes[n].Kind == 'n' {
			continue
		}
		if e.Type == "array" && r.d.Nodes[n].Kind != '[' {
			if e.Items == nil || (e.MinItems != nil && *e.MinItems > 1) || (e.MaxItems != nil && *e.MaxItems < 1) {
				continue
			}
			return old, n, e.Items
		}
		return old, n, e
	}
	return "", -1, nil
}

// indexInput finds the model's fields among the input's members in one
// pass (the last of duplicate members wins, as in Doc.Member).
func (r *run) indexInput(obj int32) {
	m := r.model
	r.indexed = false
	n := len(m.FieldNames())
	if n > len(r.present) {
		return // field falls back to a search per field
	}
	for i := range n {
		r.present[i] = -1
	}
	r.indexed = true
	r.documented = 0
	d := r.d
	for c := d.Nodes[obj].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		if i, ok := m.FieldIndex(r.nameView(c)); ok {
			r.present[i] = c
			if k := d.Nodes[c].Index; k < 64 {
				r.documented |= 1 << k
			}
		}
	}
}

// field returns the input member holding a documented field, or -1.
func (r *run) field(obj int32, name string) int32 {
	if r.indexed {
		if i, ok := r.model.FieldIndex(name); ok {
			return r.present[i]
		}
	}
	return r.d.Member(obj, name)
}

// pickCase finds the case of the model's plan the input falls in: per
// when-field, the listed value its value equals, or its default's class
// when absent or null, or other.
func (r *run) pickCase(obj int32) *catalog.Case {
	p := r.model.Plan()
	var buf [4]int
	classes := buf[:0]
	for k, f := range p.WhenFields {
		n := r.field(obj, f)
		if n < 0 || r.d.Nodes[n].Kind == 'n' {
			classes = append(classes, p.ClassOf(k, nil))
			continue
		}
		c := len(p.Listed[k])
		for j, x := range p.Listed[k] {
			if r.equals(n, x) {
				c = j
				break
			}
		}
		if c == len(p.Listed[k]) && r.d.Nodes[n].Kind == '"' {
			// A legacy string naming a number ("10") falls in that
			// number's case: it is checked as the API would read it.
			if lv := r.legacyValue(r.model.Fields[f].LegacyValues, n); lv != nil {
				if num, err := strconv.ParseFloat(string(r.d.Str(n)), 64); err == nil {
					for j, x := range p.Listed[k] {
						if x == any(num) {
							c = j
							break
						}
					}
				}
			}
		}
		classes = append(classes, c)
	}
	return p.Case(classes)
}

// equals compares a scalar node with a catalog value (string, float64 or
// bool).
func (r *run) equals(n int32, want any) bool {
	d := r.d
	switch w := want.(type) {
	case string:
		return d.Nodes[n].Kind == '"' && string(d.Str(n)) == w
	case float64:
		if d.Nodes[n].Kind != '0' {
			return false
		}
		f, err := strconv.ParseFloat(string(d.Raw(n)), 64)
		return err == nil && f == w
	case bool:
		k := d.Nodes[n].Kind
		return (k == 't' && w) || (k == 'f' && !w)
	}
	return false
}

// fieldPtr is the pointer a field of object parent has or would have.
// Built only for findings: pointers cost allocations.
func (r *run) fieldPtr(parent int32, name string) string {
	return r.d.Pointer(parent) + "/" + jsonpos.EscapePointer(name)
}

// checkField checks one field of object parent; node is the field's value,
// or -1 when absent. Findings on present values take the node's pointer.
func (r *run) checkField(parent int32, name string, node int32, e *catalog.Field) {
	const ptr = "" // present values: add derives the pointer from the node
	if node < 0 {
		// A minimum on an optional array holds only when it is given
		// ("1 to 3 if given"); absent, only required counts.
		if catalog.IsTrue(e.Required) && !catalog.IsTrue(e.Forbidden) {
			r.missing(parent, name, r.fieldPtr(parent, name), e)
		}
		return
	}
	if catalog.IsTrue(e.Forbidden) {
		l := e.Origin(func(s *catalog.FieldSpec) bool { return s.Forbidden != nil })
		rule := ruleFieldNotAllowed
		what := fmt.Sprintf("%s does not accept %s", r.model.ID, name)
		if name == "prompt" {
			rule = rulePromptNotAccepted
			what = fmt.Sprintf("%s takes no prompt", r.model.ID)
		}
		r.add(rule, node, ptr, l.Spec.Level, l.Spec.Source, what+l.Context()+l.Reason())
		return
	}
	r.checkValue(name, node, ptr, e)
}

func (r *run) missing(parent int32, name, ptr string, e *catalog.Field) {
	l := e.Origin(func(s *catalog.FieldSpec) bool { return s.Required != nil })
	rule := ruleFieldRequired
	switch {
	case name == "prompt":
		rule = rulePromptMissing
	case name == "mode":
		rule = ruleModeMissing
	case e.Type == "array" && e.Items != nil && e.Items.Type == "url":
		r.countProblem(parent, name, ptr, 0, e)
		return
	}
	if e.RequiredLevel != "" && !e.RequiredLevel.Stated() {
		// Only an older page, or one that also gives a default, says
		// required: a risk to warn about, not a certain failure.
		src := e.RequiredSource
		if src == "" {
			src = l.Spec.Source
		}
		msg := fmt.Sprintf("%s has no %s%s", r.model.ID, name, l.Context())
		if e.Note != "" {
			msg += "; " + e.Note
		}
		if len(e.Enum) > 0 {
			msg += ": set one of " + enumList(e.Enum)
		}
		r.add(rule, parent, ptr, e.RequiredLevel, src, msg)
		return
	}
	msg := fmt.Sprintf("%s needs %s%s", r.model.ID, name, l.Context())
	if len(e.Enum) > 0 {
		msg += "; one of " + enumList(e.Enum)
	}
	level := l.Spec.Level
	if e.Default != nil && level == catalog.LevelStated {
		// "Required, default X" on one page: the API may well fill in the
		// default, so a missing value is a risk, not a certain failure.
		level = catalog.LevelInferred
		msg += fmt.Sprintf(" (the docs mark it required but also give the default %s)", catalog.FormatValue(e.Default))
	}
	r.add(rule, parent, ptr, level, l.Spec.Source, msg+l.Note())
}

func (r *run) countProblem(node int32, name, ptr string, count int, e *catalog.Field) {
	lo, hi := 0, -1
	if e.MinItems != nil {
		lo = *e.MinItems
	}
	if e.MaxItems != nil {
		hi = *e.MaxItems
	}
	var l catalog.Layer
	if count < lo {
		l = e.Origin(func(s *catalog.FieldSpec) bool { return s.MinItems != nil || s.Required != nil })
	} else {
		l = e.Origin(func(s *catalog.FieldSpec) bool { return s.MaxItems != nil })
	}
	rule := ruleFieldCount
	if e.Items != nil && e.Items.Type == "url" {
		rule = ruleReferencesCount
	}
	given := ""
	if count < lo && !catalog.IsTrue(e.Required) {
		given = " when it is given"
	}
	r.add(rule, node, ptr, l.Spec.Level, l.Spec.Source,
		fmt.Sprintf("%s takes %s %s%s%s; got %d%s", r.model.ID, rangeText(lo, hi), name, l.Context(), given, count, l.Note()))
}

// checkHedgedItems warns about an array within the stated count but over
// a lower maximum other pages give (midjourney image-to-image: 2 on the
// legacy page, none on the current one).
func (r *run) checkHedgedItems(node int32, name, ptr string, count int, e *catalog.Field) {
	for _, h := range e.HedgedLimits {
		if h.MaxItems == nil || count <= *h.MaxItems {
			continue
		}
		lo := 0
		if e.MinItems != nil {
			lo = *e.MinItems
		}
		l := e.Origin(func(s *catalog.FieldSpec) bool { return s.HedgedLimits != nil })
		rule := ruleFieldCount
		if e.Items != nil && e.Items.Type == "url" {
			rule = ruleReferencesCount
		}
		msg := fmt.Sprintf("%s takes %s %s%s; got %d", r.model.ID, rangeText(lo, *h.MaxItems), name, l.Context(), count)
		if h.Note != "" {
			msg += " (" + h.Note + ")"
		}
		r.add(rule, node, ptr, h.Level, h.Source, msg)
		return
	}
}

func rangeText(lo, hi int) string {
	switch {
	case hi < 0:
		return fmt.Sprintf("at least %d", lo)
	case hi == 0:
		return "no"
	case lo == hi:
		return fmt.Sprintf("exactly %d", lo)
	case lo == 0:
		return fmt.Sprintf("at most %d", hi)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// checkValue checks a present value against its resolved spec.
func (r *run) checkValue(name string, node int32, ptr string, e *catalog.Field) {
	d := r.d
	k := d.Nodes[node].Kind
	if !r.checkType(name, node, ptr, e) {
		return
	}
	if k == '"' && e.DeprecatedValues != nil {
		if repl, ok := e.DeprecatedValues[string(r.d.Str(node))]; ok {
			l := e.Origin(func(s *catalog.FieldSpec) bool { return s.DeprecatedValues != nil })
			msg := fmt.Sprintf("%s %s is deprecated", name, r.describe(node))
			if repl != "" {
				msg += fmt.Sprintf("; the API takes it as %q, so write that", repl)
			}
			f := r.add(ruleFieldDeprecated, node, ptr, catalog.LevelInferred, l.Spec.Source, msg)
			if repl != "" && oneToOne(e.DeprecatedValues, repl) {
				if q := quote(repl); q != "" {
					r.setEdit(f, node, q)
				}
			}
			return
		}
	}
	if len(e.Enum) > 0 && k != '[' && k != '{' {
		found := false
		for _, x := range e.Enum {
			if r.equals(node, x) {
				found = true
				break
			}
		}
		if !found {
			r.enumProblem(name, node, ptr, e)
			return
		}
	}
	switch e.Type {
	case "prompt":
		r.checkPrompt(name, node, ptr, e)
	case "string":
		r.checkLength(name, node, ptr, e)
	case "integer", "number":
		r.checkNumber(name, node, ptr, e)
	case "url":
		r.checkURL(name, node, ptr, e)
	case "array":
		n := int(d.Nodes[node].Children)
		if (e.MinItems != nil && n < *e.MinItems) || (e.MaxItems != nil && n > *e.MaxItems) {
			r.countProblem(node, name, ptr, n, e)
		} else {
			r.checkHedgedItems(node, name, ptr, n, e)
		}
		if item := e.Items; item != nil {
			start := len(r.urls)
			for c := d.Nodes[node].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
				if d.Nodes[c].Kind == 'n' {
					r.add(ruleFieldType, c, "", e.Items.Level, e.Items.Source, fmt.Sprintf("%s[%d] is null", name, d.Nodes[c].Index))
					continue
				}
				r.checkValue(name, c, "", item)
			}
			if e.MaxTotalSeconds != nil && r.collectURLs && n > 0 {
				r.totals = append(r.totals, totalRef{node: node, items: n, spec: e, start: start, end: len(r.urls)})
			}
		}
	case "object":
		r.checkObject(name, node, ptr, e)
	}
}

func (r *run) checkObject(name string, node int32, ptr string, e *catalog.Field) {
	d := r.d
	if e.Properties == nil {
		return
	}
	for _, pe := range e.Props {
		c := d.Member(node, pe.Name)
		if c >= 0 && d.Nodes[c].Kind == 'n' {
			c = -1
		}
		r.checkField(node, pe.Name, c, pe)
	}
	for c := d.Nodes[node].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		p := string(d.Name(c))
		if _, ok := e.Properties[p]; !ok && r.over(ruleFieldUnknown, e.Level) {
			r.add(ruleFieldUnknown, c, "", e.Level, e.Source, "")
		} else if !ok {
			r.add(ruleFieldUnknown, c, "", e.Level, e.Source, fmt.Sprintf("%s has no documented member %q", strings.TrimSuffix(name, "[]"), p))
		}
	}
}

var typeNames = map[string]string{
	"string": "a string", "prompt": "a string", "url": "a URL string", "integer": "an integer",
	"number": "a number", "boolean": "a boolean (true or false)", "array": "an array", "object": "an object",
}

// checkType reports a JSON type mismatch and whether the value can be
// checked further.
func (r *run) checkType(name string, node int32, ptr string, e *catalog.Field) bool {
	k := r.d.Nodes[node].Kind
	ok := true
	switch e.Type {
	case "string", "prompt", "url":
		ok = k == '"'
	case "integer":
		ok = k == '0' && isIntegerLiteral(r.d.Raw(node))
	case "number":
		ok = k == '0'
	case "boolean":
		ok = k == 't' || k == 'f'
	case "array":
		ok = k == '['
	case "object":
		ok = k == '{'
	}
	if ok {
		return true
	}
	l := e.Origin(func(s *catalog.FieldSpec) bool { return s.Type != "" })
	lv := r.legacyValue(e.LegacyValues, node)
	if lv == nil && r.over(ruleFieldType, l.Spec.Level) {
		r.add(ruleFieldType, node, ptr, l.Spec.Level, l.Spec.Source, "") // counted, not listed: no message
		return false
	}
	msg := fmt.Sprintf("%s must be %s, got %s %s", strings.TrimSuffix(name, "[]"), typeNames[e.Type], kindName(k), r.describe(node))
	if lv != nil {
		r.legacyType(name, node, ptr, e, lv, l.Spec.Source, msg)
		return false
	}
	if k == '"' && (e.Type == "integer" || e.Type == "number") {
		if _, err := strconv.ParseFloat(string(r.d.Str(node)), 64); err == nil {
			msg += fmt.Sprintf("; write it without quotes: %s", r.d.Str(node))
		}
	}
	if k == '"' && e.Type == "boolean" {
		if s := string(r.d.Str(node)); s == "true" || s == "false" {
			msg += fmt.Sprintf("; write it without quotes: %s", s)
		}
	}
	if k == '"' && e.Type == "array" && e.Items != nil {
		msg += fmt.Sprintf("; wrap it in a list: [%s]", r.describe(node))
	}
	f := r.add(ruleFieldType, node, ptr, l.Spec.Level, l.Spec.Source, msg+l.Note())
	if e.Type == "integer" || e.Type == "number" {
		if s, ok := r.integerText(node); ok {
			r.setEdit(f, node, s)
		}
	}
	return false
}

func isIntegerLiteral(raw []byte) bool {
	return bytes.IndexAny(raw, ".eE") < 0
}

func (r *run) enumProblem(name string, node int32, ptr string, e *catalog.Field) {
	if lv := r.legacyValue(e.LegacyValues, node); lv != nil {
		f := r.legacyEnum(name, node, ptr, e, lv, r.describe(node), r.nearestEnum(node, e.Enum))
		// The current page wins as advice: --fix writes its spelling
		// when the legacy value differs from it only in case ("2K").
		if s := r.caseFix(node, e.Enum); s != "" {
			if q := quote(s); q != "" {
				r.setEdit(f, node, q)
			}
		}
		return
	}
	r.enumProblemAs(name, node, ptr, e, r.describe(node), r.nearestEnum(node, e.Enum))
}

// legacyEnum reports a value outside the enum that older docs used in a
// working example: a warning citing them, with the current page's values
// as the advice.
func (r *run) legacyEnum(name string, node int32, ptr string, e *catalog.Field, lv *catalog.LegacyValue, shown, nearest string) *Finding {
	l := e.Origin(func(s *catalog.FieldSpec) bool { return s.Enum != nil })
	msg := fmt.Sprintf("%s %s is not allowed for %s%s by the current page (%s), which allows %s", name, shown, r.model.ID, l.Context(), l.Spec.Source, enumList(e.Enum))
	if nearest != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", nearest)
	}
	return r.add(ruleFieldEnum, node, ptr, catalog.LevelConflict, lv.Source, msg+"; "+lv.Note)
}

// enumProblemAs reports a value (shown as shown) outside the enum, with
// the nearest allowed value when there is one.
func (r *run) enumProblemAs(name string, node int32, ptr string, e *catalog.Field, shown, nearest string) {
	l := e.Origin(func(s *catalog.FieldSpec) bool { return s.Enum != nil })
	rule := ruleFieldEnum
	if name == "mode" {
		rule = ruleModeInvalid
	}
	msg := fmt.Sprintf("%s %s is not allowed for %s%s; allowed: %s", name, shown, r.model.ID, l.Context(), enumList(e.Enum))
	if nearest != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", nearest)
	}
	f := r.add(rule, node, ptr, l.Spec.Level, l.Spec.Source, msg+l.Note())
	if s := r.caseFix(node, e.Enum); s != "" {
		if q := quote(s); q != "" {
			r.setEdit(f, node, q)
		}
	}
}

// legacyValue returns the legacy entry the node's value matches, or nil.
func (r *run) legacyValue(lvs []*catalog.LegacyValue, node int32) *catalog.LegacyValue {
	for _, lv := range lvs {
		if lv.Value != nil && r.equals(node, lv.Value) {
			return lv
		}
	}
	return nil
}

// legacyType reports a value of the wrong type that older docs used in a
// working example as a warning citing them, then checks the number it
// names against the current spec, as the API would read it.
func (r *run) legacyType(name string, node int32, ptr string, e *catalog.Field, lv *catalog.LegacyValue, current, msg string) {
	msg += fmt.Sprintf("; %s; the current page (%s) wants %s", lv.Note, current, typeNames[e.Type])
	f, err := strconv.ParseFloat(string(r.d.Str(node)), 64)
	numeric := err == nil && r.d.Nodes[node].Kind == '"' && (e.Type == "integer" || e.Type == "number")
	if numeric {
		msg += ": write it without quotes: " + catalog.FormatNumber(f)
	}
	ft := r.add(ruleFieldType, node, ptr, catalog.LevelConflict, lv.Source, msg)
	if s, ok := r.integerText(node); ok && (e.Type == "integer" || e.Type == "number") {
		r.setEdit(ft, node, s) // --fix writes the number the legacy string names
	}
	if !numeric {
		return
	}
	if len(e.Enum) > 0 {
		nearest, best := "", math.Inf(1)
		for _, x := range e.Enum {
			if v, ok := x.(float64); ok {
				if v == f {
					return
				}
				if math.Abs(v-f) < best {
					nearest, best = catalog.FormatNumber(v), math.Abs(v-f)
				}
			}
		}
		// "10" names 10, which older docs may have used too (sora-2).
		for _, lv2 := range e.LegacyValues {
			if v, ok := lv2.Value.(float64); ok && v == f {
				r.legacyEnum(name, node, ptr, e, lv2, catalog.FormatNumber(f), nearest)
				return
			}
		}
		r.enumProblemAs(name, node, ptr, e, catalog.FormatNumber(f), nearest)
		return
	}
	r.checkNumberValue(name, node, ptr, e, f, catalog.FormatNumber(f))
}

func enumList(vals []any) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = catalog.FormatValue(v)
	}
	return strings.Join(s, ", ")
}

// nearestEnum suggests the allowed value closest to the node's value: the
// same text in another case, the nearest spelling, or the nearest number.
func (r *run) nearestEnum(node int32, vals []any) string {
	d := r.d
	switch d.Nodes[node].Kind {
	case '"':
		var strs []string
		for _, v := range vals {
			if s, ok := v.(string); ok {
				strs = append(strs, s)
			}
		}
		// An aspect ratio's nearest value is the nearest shape, not the
		// nearest spelling ("16:10" is close to "16:9", not to "1:1").
		if s := nearestRatio(string(d.Str(node)), strs); s != "" {
			return strconv.Quote(s)
		}
		// A size with a unit ("1080p", "3K") is nearest to the closest size
		// of that unit, not to the nearest spelling ("1080p" is one edit
		// from "480p" but means the largest size, 720p here).
		if s := nearestMeasure(string(d.Str(node)), strs); s != "" {
			return strconv.Quote(s)
		}
		if s := suggest.Nearest(string(d.Str(node)), strs); s != "" {
			return strconv.Quote(s)
		}
	case '0':
		f, err := strconv.ParseFloat(string(d.Raw(node)), 64)
		if err != nil {
			return ""
		}
		best, bestD := "", math.Inf(1)
		for _, v := range vals {
			if x, ok := v.(float64); ok && math.Abs(x-f) < bestD {
				best, bestD = catalog.FormatNumber(x), math.Abs(x-f)
			}
		}
		return best
	}
	return ""
}

func (r *run) checkNumber(name string, node int32, ptr string, e *catalog.Field) {
	f, err := strconv.ParseFloat(string(r.d.Raw(node)), 64)
	if err != nil {
		r.add(ruleFieldRange, node, ptr, e.Level, e.Source, fmt.Sprintf("%s %s is out of any numeric range", name, r.describe(node)))
		return
	}
	r.checkNumberValue(name, node, ptr, e, f, r.describe(node))
}

// checkNumberValue checks the number f (shown as shown) against the
// range and step.
func (r *run) checkNumberValue(name string, node int32, ptr string, e *catalog.Field, f float64, shown string) {
	if (e.Minimum != nil && f < *e.Minimum) || (e.Maximum != nil && f > *e.Maximum) {
		l := e.Origin(func(s *catalog.FieldSpec) bool {
			return (s.Minimum != nil && f < *s.Minimum) || (s.Maximum != nil && f > *s.Maximum)
		})
		r.add(ruleFieldRange, node, ptr, l.Spec.Level, l.Spec.Source,
			fmt.Sprintf("%s %s is out of range for %s%s: %s", name, shown, r.model.ID, l.Context(), numRange(e.Minimum, e.Maximum))+l.Note())
		return
	}
	if e.MultipleOf != nil && *e.MultipleOf > 0 {
		q := f / *e.MultipleOf
		if math.Abs(q-math.Round(q)) > 1e-9 {
			l := e.Origin(func(s *catalog.FieldSpec) bool { return s.MultipleOf != nil })
			lower := math.Floor(q) * *e.MultipleOf
			r.add(ruleFieldStep, node, ptr, l.Spec.Level, l.Spec.Source,
				fmt.Sprintf("%s %s is not a multiple of %s (nearest: %s or %s)", name, shown, catalog.FormatNumber(*e.MultipleOf),
					catalog.FormatNumber(catalog.Round9(lower)), catalog.FormatNumber(catalog.Round9(lower+*e.MultipleOf)))+l.Note())
		}
	}
}

// nearestRatio returns the candidate "W:H" whose shape is closest to s (by
// the log of width over height), or "" when s or no candidate is a ratio.
func nearestRatio(s string, candidates []string) string {
	want, ok := parseRatio(s)
	if !ok {
		return ""
	}
	best, bestD := "", math.Inf(1)
	for _, c := range candidates {
		if r, ok := parseRatio(c); ok && math.Abs(r-want) < bestD {
			best, bestD = c, math.Abs(r-want)
		}
	}
	return best
}

// nearestMeasure returns the candidate "<number><unit>" with the same unit
// (case-insensitive) whose number is closest to s's (by ratio), or "" when
// s or no candidate is such a measure.
func nearestMeasure(s string, candidates []string) string {
	want, unit, ok := parseMeasure(s)
	if !ok {
		return ""
	}
	best, bestD := "", math.Inf(1)
	for _, c := range candidates {
		if v, u, ok := parseMeasure(c); ok && strings.EqualFold(u, unit) && math.Abs(math.Log(v/want)) < bestD {
			best, bestD = c, math.Abs(math.Log(v/want))
		}
	}
	return best
}

// parseMeasure splits "1080p" into 1080 and "p"; the unit is one or two
// letters.
func parseMeasure(s string) (float64, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	unit := s[i:]
	if i == 0 || i > 6 || len(unit) == 0 || len(unit) > 2 {
		return 0, "", false
	}
	for j := 0; j < len(unit); j++ {
		if c := unit[j] | 0x20; c < 'a' || c > 'z' {
			return 0, "", false
		}
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || v <= 0 {
		return 0, "", false
	}
	return v, unit, true
}

// parseRatio reads "W:H" with positive W and H as ln(W/H).
func parseRatio(s string) (float64, bool) {
	w, h, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	fw, err1 := strconv.ParseFloat(w, 64)
	fh, err2 := strconv.ParseFloat(h, 64)
	if err1 != nil || err2 != nil || !(fw > 0) || !(fh > 0) || math.IsInf(fw, 0) || math.IsInf(fh, 0) {
		return 0, false
	}
	return math.Log(fw / fh), true
}

func numRange(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("%s to %s", catalog.FormatNumber(*lo), catalog.FormatNumber(*hi))
	case lo != nil:
		return "at least " + catalog.FormatNumber(*lo)
	case hi != nil:
		return "at most " + catalog.FormatNumber(*hi)
	}
	return "any"
}

func (r *run) checkLength(name string, node int32, ptr string, e *catalog.Field) {
	if e.MinLength == nil && e.MaxLength == nil {
		return
	}
	n := utf8.RuneCount(r.d.Str(node))
	if e.MaxLength != nil && n > *e.MaxLength {
		l := e.Origin(func(s *catalog.FieldSpec) bool { return s.MaxLength != nil })
		r.add(ruleFieldLength, node, ptr, l.Spec.Level, l.Spec.Source,
			fmt.Sprintf("%s is %d characters; %s allows at most %d%s", name, n, r.model.ID, *e.MaxLength, l.Context())+l.Note())
	}
	if e.MinLength != nil && n < *e.MinLength {
		l := e.Origin(func(s *catalog.FieldSpec) bool { return s.MinLength != nil })
		r.add(ruleFieldLength, node, ptr, l.Spec.Level, l.Spec.Source,
			fmt.Sprintf("%s is %d characters; %s needs at least %d%s", name, n, r.model.ID, *e.MinLength, l.Context())+l.Note())
	}
}

func (r *run) checkURL(name string, node int32, ptr string, e *catalog.Field) {
	s := r.view(node)
	err := imagecheck.CheckURL(s)
	if err != nil && r.allowedHost(s) {
		err = nil
	}
	if err == nil {
		if r.collectURLs {
			// The URL outlives the body (caches key on it): copy the view.
			// The plan's spec is shared and read-only.
			r.urls = append(r.urls, urlRef{node: node, spec: &e.FieldSpec, url: strings.Clone(s)})
		}
		return
	}
	rule := ruleURLInvalid
	var ue *imagecheck.URLError
	if errors.As(err, &ue) && !ue.Malformed {
		rule = ruleURLNotPublic
	}
	msg := ""
	if !r.over(rule, catalog.LevelStated) { // a finding the cap leaves out needs no message
		reason := err.Error()
		if ue != nil {
			reason = ue.Reason
		}
		msg = fmt.Sprintf("%s entry %s: %s", strings.TrimSuffix(name, "[]"), shortURL(s), reason)
	}
	f := r.add(rule, node, ptr, catalog.LevelStated, "", msg)
	if e.FailCode != "" {
		f.FailCode = e.FailCode // audio_urls: INVALID_AUDIO_URL, loras[].path: INVALID_LORA_URL
	}
}

// shortURL keeps messages readable when a data: URL carries megabytes.
func shortURL(s string) string {
	if len(s) <= 80 {
		return strconv.Quote(s)
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// allowedHost reports whether s is an http(s) URL on a host the caller let
// through the public-address rule.
//
// Hosts compare as the dialer compares them (imagecheck.AllowList), so
// "[::1]", "LOCALHOST." or "host:80" mean the same offline and online. The
// network checker's own AllowHosts count too: a host it may fetch from is
// one the caller vouches for.
func (r *run) allowedHost(s string) bool {
	if imagecheck.AllowList(r.v.AllowHosts).AllowsURL(s) {
		return true
	}
	return r.v.Network != nil && imagecheck.AllowList(r.v.Network.AllowHosts).AllowsURL(s)
}

// view returns a string node's value without copying when it has no
// escapes. The string aliases the request body: it must not outlive the
// check (clone it to keep it).
func (r *run) view(node int32) string {
	return bytesView(r.d.Str(node))
}

// nameView returns a member's name like view.
func (r *run) nameView(node int32) string { return bytesView(r.d.Name(node)) }

func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
