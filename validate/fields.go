package validate

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/preflight-dev/preflight/imagecheck"

	"github.com/preflight-dev/preflight/internal/suggest"

	"github.com/preflight-dev/preflight/internal/jsonpos"
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

// layer is one source of a field's effective spec: the model's base spec or
// a matching variant's override.
type layer struct {
	spec    *FieldSpec
	variant *Variant // nil for the base spec
}

// effective is a field's spec after the matching variants were applied,
// with the layers kept so a finding can name the page and the condition
// behind the exact property it violates.
type effective struct {
	FieldSpec
	// layers[:n] are the base spec and the overrides, in order. A fixed
	// array keeps the struct on the stack (a slice into itself would not).
	layers [8]layer
	n      int
}

func (e *effective) push(l layer) {
	if e.n < len(e.layers) {
		e.layers[e.n] = l
		e.n++
		return
	}
	e.layers[len(e.layers)-1] = l // deeper stacks keep the last word
}

// origin returns the last layer that sets a property.
func (e *effective) origin(has func(*FieldSpec) bool) layer {
	for i := e.n - 1; i >= 0; i-- {
		if has(e.layers[i].spec) {
			return e.layers[i]
		}
	}
	return e.layers[0]
}

// context renders where a property applies: "" for the base spec, else
// " in mode image-to-image".
func (l layer) context() string {
	if l.variant == nil || l.variant.selfOnly {
		return ""
	}
	return " " + l.variant.whenText
}

// note renders the layer's note for a finding on the property it sets. A
// base spec's note describes the field as a whole (defaults, legacy names,
// billing), which says nothing about a stated limit that was broken, so it
// is shown only when it explains a hedged (warning-level) fact; a variant's
// note is about its condition and always shown.
func (l layer) note() string {
	if l.spec.Note == "" || (l.variant == nil && l.spec.Level == LevelStated) {
		return ""
	}
	return " (" + l.spec.Note + ")"
}

// reason renders the note behind a forbidden field: the docs' words on why
// the field is not accepted.
func (l layer) reason() string {
	if l.spec.Note == "" {
		return ""
	}
	return " (" + l.spec.Note + ")"
}

func merge(dst *FieldSpec, o *FieldSpec) {
	if o.Type != "" {
		dst.Type = o.Type
	}
	if o.Enum != nil {
		dst.Enum = o.Enum
	}
	if o.Default != nil {
		dst.Default = o.Default
	}
	if o.Required != nil {
		dst.Required = o.Required
	}
	if o.Forbidden != nil {
		dst.Forbidden = o.Forbidden
	}
	if o.Minimum != nil {
		dst.Minimum = o.Minimum
	}
	if o.Maximum != nil {
		dst.Maximum = o.Maximum
	}
	if o.MultipleOf != nil {
		dst.MultipleOf = o.MultipleOf
	}
	if o.MinLength != nil {
		dst.MinLength = o.MinLength
	}
	if o.MaxLength != nil {
		dst.MaxLength = o.MaxLength
	}
	if o.MaxBytes != nil {
		dst.MaxBytes = o.MaxBytes
	}
	if o.MinItems != nil {
		dst.MinItems = o.MinItems
	}
	if o.MaxItems != nil {
		dst.MaxItems = o.MaxItems
	}
	if o.Items != nil {
		dst.Items = o.Items
	}
	if o.Properties != nil {
		dst.Properties = o.Properties
	}
	if o.StripFrom != "" {
		dst.StripFrom = o.StripFrom
	}
	if o.DeprecatedValues != nil {
		dst.DeprecatedValues = o.DeprecatedValues
	}
	if o.Media != "" {
		dst.Media = o.Media
	}
	if o.Formats != nil {
		dst.Formats = o.Formats
	}
	if o.MaxFileBytes != nil {
		dst.MaxFileBytes = o.MaxFileBytes
	}
	if o.MinPixels != nil {
		dst.MinPixels = o.MinPixels
	}
	if o.MaxPixels != nil {
		dst.MaxPixels = o.MaxPixels
	}
	if o.NoAlpha != nil {
		dst.NoAlpha = o.NoAlpha
	}
	if o.MinSeconds != nil {
		dst.MinSeconds = o.MinSeconds
	}
	if o.MaxSeconds != nil {
		dst.MaxSeconds = o.MaxSeconds
	}
	dst.Level, dst.Source = o.Level, o.Source
	if o.Note != "" {
		dst.Note = o.Note
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// checkInput applies the model's field specs to the input object.
func (r *run) checkInput(obj int32) {
	m := r.model
	d := r.d
	r.indexInput(obj)
	r.active = r.activeBuf[:0]
	for _, v := range m.Variants {
		if r.matches(obj, v) {
			r.active = append(r.active, v)
		}
	}
	for _, name := range m.fieldNames {
		var eff effective
		r.effective(&eff, name)
		node := r.field(obj, name)
		if node >= 0 && d.Nodes[node].Kind == 'n' {
			node = -1 // null is taken as absent, as the API's decoders do
		}
		r.checkField(obj, name, node, &eff)
	}
	for _, v := range r.active {
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
					fmt.Sprintf("%s %s needs at least one of %s%s", m.ID, v.whenText, strings.Join(group, ", "), note))
			}
		}
	}
	for c := d.Nodes[obj].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
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
			r.add(ruleFieldDeprecated, c, "", dep.Level, dep.Source, msg)
			continue
		}
		msg := fmt.Sprintf("%s does not document an input field %q", m.ID, name)
		if s := suggest.Nearest(name, m.fieldNames); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		r.add(ruleFieldUnknown, c, "", m.Level, m.Source, msg)
	}
}

// indexInput finds the model's fields among the input's members in one
// pass (the last of duplicate members wins, as in doc.member).
func (r *run) indexInput(obj int32) {
	m := r.model
	r.present = nil
	if len(m.fieldNames) > len(r.presentBuf) {
		return // field falls back to a search per field
	}
	r.present = r.presentBuf[:len(m.fieldNames)]
	for i := range r.present {
		r.present[i] = -1
	}
	d := r.d
	for c := d.Nodes[obj].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		if i, ok := m.fieldIndex[string(d.Name(c))]; ok {
			r.present[i] = c
		}
	}
}

// field returns the input member holding a documented field, or -1.
func (r *run) field(obj int32, name string) int32 {
	if r.present != nil {
		if i, ok := r.model.fieldIndex[name]; ok {
			return r.present[i]
		}
	}
	return r.d.Member(obj, name)
}

// matches reports whether every condition of v holds for the input.
func (r *run) matches(obj int32, v *Variant) bool {
	for field, vals := range v.When {
		n := r.field(obj, field)
		ok := false
		if n < 0 || r.d.Nodes[n].Kind == 'n' {
			def := r.model.Fields[field].Default
			for _, x := range vals {
				ok = ok || (def != nil && x == def)
			}
		} else {
			for _, x := range vals {
				ok = ok || r.equals(n, x)
			}
		}
		if !ok {
			return false
		}
	}
	return true
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

// init starts an effective spec from a base spec.
func (e *effective) init(base *FieldSpec) {
	e.FieldSpec = *base
	e.layers[0] = layer{spec: base}
	e.n = 1
}

// effective fills e with the spec of field name after the active variants.
func (r *run) effective(e *effective, name string) {
	base := r.model.Fields[name]
	e.init(base)
	for _, v := range r.active {
		if o := v.Fields[name]; o != nil {
			merge(&e.FieldSpec, o)
			e.push(layer{spec: o, variant: v})
		}
	}
}

// fieldPtr is the pointer a field of object parent has or would have.
// Built only for findings: pointers cost allocations.
func (r *run) fieldPtr(parent int32, name string) string {
	return r.d.Pointer(parent) + "/" + jsonpos.EscapePointer(name)
}

// checkField checks one field of object parent; node is the field's value,
// or -1 when absent. Findings on present values take the node's pointer.
func (r *run) checkField(parent int32, name string, node int32, e *effective) {
	const ptr = "" // present values: add derives the pointer from the node
	if node < 0 {
		if isTrue(e.Required) && !isTrue(e.Forbidden) {
			r.missing(parent, name, r.fieldPtr(parent, name), e)
		} else if e.Type == "array" && e.MinItems != nil && *e.MinItems > 0 && !isTrue(e.Forbidden) {
			r.countProblem(parent, name, r.fieldPtr(parent, name), 0, e)
		}
		return
	}
	if isTrue(e.Forbidden) {
		l := e.origin(func(s *FieldSpec) bool { return s.Forbidden != nil })
		rule := ruleFieldNotAllowed
		what := fmt.Sprintf("%s does not accept %s", r.model.ID, name)
		if name == "prompt" {
			rule = rulePromptNotAccepted
			what = fmt.Sprintf("%s takes no prompt", r.model.ID)
		}
		r.add(rule, node, ptr, l.spec.Level, l.spec.Source, what+l.context()+l.reason())
		return
	}
	r.checkValue(name, node, ptr, e)
}

func (r *run) missing(parent int32, name, ptr string, e *effective) {
	l := e.origin(func(s *FieldSpec) bool { return s.Required != nil })
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
	msg := fmt.Sprintf("%s needs %s%s", r.model.ID, name, l.context())
	if len(e.Enum) > 0 {
		msg += "; one of " + enumList(e.Enum)
	}
	level := l.spec.Level
	if e.Default != nil && level == LevelStated {
		// "Required, default X" on one page: the API may well fill in the
		// default, so a missing value is a risk, not a certain failure.
		level = LevelInferred
		msg += fmt.Sprintf(" (the docs mark it required but also give the default %s)", formatValue(e.Default))
	}
	r.add(rule, parent, ptr, level, l.spec.Source, msg+l.note())
}

func (r *run) countProblem(node int32, name, ptr string, count int, e *effective) {
	lo, hi := 0, -1
	if e.MinItems != nil {
		lo = *e.MinItems
	}
	if e.MaxItems != nil {
		hi = *e.MaxItems
	}
	var l layer
	if count < lo {
		l = e.origin(func(s *FieldSpec) bool { return s.MinItems != nil || s.Required != nil })
	} else {
		l = e.origin(func(s *FieldSpec) bool { return s.MaxItems != nil })
	}
	rule := ruleFieldCount
	if e.Items != nil && e.Items.Type == "url" {
		rule = ruleReferencesCount
	}
	r.add(rule, node, ptr, l.spec.Level, l.spec.Source,
		fmt.Sprintf("%s takes %s %s%s; got %d%s", r.model.ID, rangeText(lo, hi), name, l.context(), count, l.note()))
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

// checkValue checks a present value against its effective spec.
func (r *run) checkValue(name string, node int32, ptr string, e *effective) {
	d := r.d
	k := d.Nodes[node].Kind
	if !r.checkType(name, node, ptr, e) {
		return
	}
	if k == '"' && e.DeprecatedValues != nil {
		if repl, ok := e.DeprecatedValues[string(r.d.Str(node))]; ok {
			l := e.origin(func(s *FieldSpec) bool { return s.DeprecatedValues != nil })
			msg := fmt.Sprintf("%s %s is deprecated", name, r.describe(node))
			if repl != "" {
				msg += fmt.Sprintf("; the API takes it as %q, so write that", repl)
			}
			r.add(ruleFieldDeprecated, node, ptr, LevelInferred, l.spec.Source, msg)
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
		}
		if e.Items != nil {
			var item effective
			item.init(e.Items)
			for c := d.Nodes[node].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
				if d.Nodes[c].Kind == 'n' {
					r.add(ruleFieldType, c, "", e.Items.Level, e.Items.Source, fmt.Sprintf("%s[%d] is null", name, d.Nodes[c].Index))
					continue
				}
				r.checkValue(name, c, "", &item)
			}
		}
	case "object":
		r.checkObject(name, node, ptr, e)
	}
}

func (r *run) checkObject(name string, node int32, ptr string, e *effective) {
	d := r.d
	if e.Properties == nil {
		return
	}
	for _, p := range sortedKeys(e.Properties) {
		spec := e.Properties[p]
		var pe effective
		pe.init(spec)
		c := d.Member(node, p)
		if c >= 0 && d.Nodes[c].Kind == 'n' {
			c = -1
		}
		r.checkField(node, p, c, &pe)
	}
	for c := d.Nodes[node].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		p := string(d.Name(c))
		if _, ok := e.Properties[p]; !ok {
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
func (r *run) checkType(name string, node int32, ptr string, e *effective) bool {
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
	l := e.origin(func(s *FieldSpec) bool { return s.Type != "" })
	msg := fmt.Sprintf("%s must be %s, got %s %s", strings.TrimSuffix(name, "[]"), typeNames[e.Type], kindName(k), r.describe(node))
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
	r.add(ruleFieldType, node, ptr, l.spec.Level, l.spec.Source, msg+l.note())
	return false
}

func isIntegerLiteral(raw []byte) bool {
	return bytes.IndexAny(raw, ".eE") < 0
}

func (r *run) enumProblem(name string, node int32, ptr string, e *effective) {
	l := e.origin(func(s *FieldSpec) bool { return s.Enum != nil })
	rule := ruleFieldEnum
	label := name
	if name == "mode" {
		rule = ruleModeInvalid
	}
	msg := fmt.Sprintf("%s %s is not allowed for %s%s; allowed: %s", label, r.describe(node), r.model.ID, l.context(), enumList(e.Enum))
	if s := r.nearestEnum(node, e.Enum); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	r.add(rule, node, ptr, l.spec.Level, l.spec.Source, msg+l.note())
}

func enumList(vals []any) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = formatValue(v)
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
				best, bestD = formatNumber(x), math.Abs(x-f)
			}
		}
		return best
	}
	return ""
}

func (r *run) checkNumber(name string, node int32, ptr string, e *effective) {
	f, err := strconv.ParseFloat(string(r.d.Raw(node)), 64)
	if err != nil {
		r.add(ruleFieldRange, node, ptr, e.Level, e.Source, fmt.Sprintf("%s %s is out of any numeric range", name, r.describe(node)))
		return
	}
	if (e.Minimum != nil && f < *e.Minimum) || (e.Maximum != nil && f > *e.Maximum) {
		l := e.origin(func(s *FieldSpec) bool {
			return (s.Minimum != nil && f < *s.Minimum) || (s.Maximum != nil && f > *s.Maximum)
		})
		r.add(ruleFieldRange, node, ptr, l.spec.Level, l.spec.Source,
			fmt.Sprintf("%s %s is out of range for %s%s: %s", name, r.describe(node), r.model.ID, l.context(), numRange(e.Minimum, e.Maximum))+l.note())
		return
	}
	if e.MultipleOf != nil && *e.MultipleOf > 0 {
		q := f / *e.MultipleOf
		if math.Abs(q-math.Round(q)) > 1e-9 {
			l := e.origin(func(s *FieldSpec) bool { return s.MultipleOf != nil })
			lower := math.Floor(q) * *e.MultipleOf
			r.add(ruleFieldStep, node, ptr, l.spec.Level, l.spec.Source,
				fmt.Sprintf("%s %s is not a multiple of %s (nearest: %s or %s)", name, r.describe(node), formatNumber(*e.MultipleOf),
					formatNumber(round9(lower)), formatNumber(round9(lower+*e.MultipleOf)))+l.note())
		}
	}
}

func round9(f float64) float64 { return math.Round(f*1e9) / 1e9 }

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
		return fmt.Sprintf("%s to %s", formatNumber(*lo), formatNumber(*hi))
	case lo != nil:
		return "at least " + formatNumber(*lo)
	case hi != nil:
		return "at most " + formatNumber(*hi)
	}
	return "any"
}

func (r *run) checkLength(name string, node int32, ptr string, e *effective) {
	if e.MinLength == nil && e.MaxLength == nil {
		return
	}
	n := utf8.RuneCount(r.d.Str(node))
	if e.MaxLength != nil && n > *e.MaxLength {
		l := e.origin(func(s *FieldSpec) bool { return s.MaxLength != nil })
		r.add(ruleFieldLength, node, ptr, l.spec.Level, l.spec.Source,
			fmt.Sprintf("%s is %d characters; %s allows at most %d%s", name, n, r.model.ID, *e.MaxLength, l.context())+l.note())
	}
	if e.MinLength != nil && n < *e.MinLength {
		l := e.origin(func(s *FieldSpec) bool { return s.MinLength != nil })
		r.add(ruleFieldLength, node, ptr, l.spec.Level, l.spec.Source,
			fmt.Sprintf("%s is %d characters; %s needs at least %d%s", name, n, r.model.ID, *e.MinLength, l.context())+l.note())
	}
}

func (r *run) checkURL(name string, node int32, ptr string, e *effective) {
	s := r.view(node)
	err := imagecheck.CheckURL(s)
	if err != nil && r.allowedHost(s) {
		err = nil
	}
	if err == nil {
		if r.collectURLs {
			spec := e.FieldSpec // e lives on the caller's stack
			// The URL outlives the body (caches key on it): copy the view.
			r.urls = append(r.urls, urlRef{node: node, spec: &spec, url: strings.Clone(s)})
		}
		return
	}
	reason := err.Error()
	var ue *imagecheck.URLError
	if errors.As(err, &ue) {
		reason = ue.Reason
	}
	rule := ruleURLInvalid
	if u, perr := url.Parse(s); perr == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
		rule = ruleURLNotPublic
	}
	label := strings.TrimSuffix(name, "[]")
	r.add(rule, node, ptr, LevelStated, "", fmt.Sprintf("%s entry %s: %s", label, shortURL(s), reason))
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
// "[::1]", "LOCALHOST." or "host:80" mean the same offline and online.
func (r *run) allowedHost(s string) bool {
	return imagecheck.AllowList(r.v.AllowHosts).AllowsURL(s)
}

// view returns a string node's value without copying when it has no
// escapes. The string aliases the request body: it must not outlive the
// check (clone it to keep it).
func (r *run) view(node int32) string {
	b := r.d.Str(node)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
