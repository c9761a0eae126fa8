package catalog

import (
	"slices"
)

// A model's plan is the catalog compiled for checking: "the field spec after
// variants", resolved once per model and read by the linter, the JSON
// Schema export and `preflight models` alike.
//
// Variants condition on a few fields (their when). Each such field's value
// falls in one class: one of the values some variant names, or "other"
// (any other value, or absent when the default is not named). A Case is one
// combination of classes, one per when-field; it holds the variants that
// apply to every request in it and every field's resolved spec. A request
// picks its case in O(when fields); nothing is merged per request.

// Layer is one source of a field's resolved spec: the model's base spec or
// a variant's override. It gives a finding the level, docs page, condition
// and note behind the exact property it violates.
type Layer struct {
	Spec    *FieldSpec
	Variant *Variant // nil for the base spec
}

// Context renders where a property applies: "" for the base spec, else
// " in mode image-to-image".
func (l Layer) Context() string {
	if l.Variant == nil || l.Variant.selfOnly {
		return ""
	}
	return " " + l.Variant.whenText
}

// Note renders the layer's note for a finding on the property it sets. A
// base spec's note describes the field as a whole (defaults, legacy names,
// billing), which says nothing about a stated limit that was broken, so it
// is shown only when it explains a hedged (warning-level) fact; a variant's
// note is about its condition and always shown.
func (l Layer) Note() string {
	if l.Spec.Note == "" || (l.Variant == nil && l.Spec.Level == LevelStated) {
		return ""
	}
	return " (" + l.Spec.Note + ")"
}

// Reason renders the note behind a forbidden field: the docs' words on why
// the field is not accepted.
func (l Layer) Reason() string {
	if l.Spec.Note == "" {
		return ""
	}
	return " (" + l.Spec.Note + ")"
}

// Field is one field's spec resolved for one case: every property after
// the case's variants in catalog order, with the layers that set them.
type Field struct {
	Name string
	FieldSpec
	// Layers are the base spec and the overrides, in order.
	Layers []Layer
	// Items and Props resolve Items and Properties (one layer each).
	Items *Field
	Props []*Field // sorted by name
}

// Origin returns the last layer that sets a property (has reports whether
// a spec sets it), or the base spec when none does.
func (f *Field) Origin(has func(*FieldSpec) bool) Layer {
	for i := len(f.Layers) - 1; i >= 0; i-- {
		if has(f.Layers[i].Spec) {
			return f.Layers[i]
		}
	}
	return f.Layers[0]
}

// Class is one class of values of a when-field: a value some variant names,
// or Other (every value none names).
type Class struct {
	Field string
	Value any
	Other bool
}

// Case is one combination of when-field classes.
type Case struct {
	// Classes has one entry per Plan.WhenFields.
	Classes []Class
	// Active are the variants that hold in this case, in catalog order.
	Active []*Variant
	// Fields are the model's fields resolved, in Model.FieldNames order.
	Fields []*Field
}

// Plan is a model compiled for checking.
type Plan struct {
	Model *Model
	// WhenFields are the fields some variant conditions on, sorted.
	WhenFields []string
	// Listed holds, per when-field, the values variants name, in catalog
	// order; class i of field k is Listed[k][i], class len(Listed[k]) is
	// other.
	Listed [][]any
	// Cases are every combination of classes, the first when-field most
	// significant: the order the schema export writes them in.
	Cases []*Case
}

// Plan returns the model's plan, compiled on first use (so a run pays only
// for the models it checks) and shared after.
func (m *Model) Plan() *Plan {
	m.planOnce.Do(func() { m.plan = m.compilePlan() })
	return m.plan
}

// Case returns the case of the given classes, one per when-field (use
// len(Listed[k]) for other).
func (p *Plan) Case(classes []int) *Case {
	i := 0
	for k, c := range classes {
		i = i*(len(p.Listed[k])+1) + c
	}
	return p.Cases[i]
}

// ClassOf returns the class of value v (as encoding/json decodes it) of
// when-field k; nil means absent and takes the field's default.
func (p *Plan) ClassOf(k int, v any) int {
	if v == nil {
		v = p.Model.Fields[p.WhenFields[k]].Default
	}
	if v != nil {
		v = normalizeJSON(toFloat(v))
		for i, x := range p.Listed[k] {
			if x == v {
				return i
			}
		}
	}
	return len(p.Listed[k])
}

// CaseFor returns the case of an input given as values (field name to
// value as encoding/json decodes it); absent fields take their default.
func (p *Plan) CaseFor(values map[string]any) *Case {
	classes := make([]int, len(p.WhenFields))
	for k, f := range p.WhenFields {
		classes[k] = p.ClassOf(k, values[f])
	}
	return p.Case(classes)
}

// Field returns the resolved spec of a documented field, or nil.
func (c *Case) Field(m *Model, name string) *Field {
	i, ok := m.fieldIndex[name]
	if !ok {
		return nil
	}
	return c.Fields[i]
}

func (m *Model) compilePlan() *Plan {
	p := &Plan{Model: m, WhenFields: m.whenFields}
	for _, f := range m.whenFields {
		p.Listed = append(p.Listed, m.listed(f))
	}
	combos := [][]Class{nil}
	for k, f := range m.whenFields {
		var next [][]Class
		for _, combo := range combos {
			for _, x := range p.Listed[k] {
				next = append(next, append(slices.Clip(combo), Class{Field: f, Value: x}))
			}
			next = append(next, append(slices.Clip(combo), Class{Field: f, Other: true}))
		}
		combos = next
	}
	for _, combo := range combos {
		c := &Case{Classes: combo}
		for _, v := range m.Variants {
			if holdsIn(v, combo) {
				c.Active = append(c.Active, v)
			}
		}
		c.Fields = make([]*Field, len(m.fieldNames))
		for i, name := range m.fieldNames {
			c.Fields[i] = resolve(name, m.Fields[name], c.Active)
		}
		p.Cases = append(p.Cases, c)
	}
	return p
}

// listed returns the values variants name for when-field f, in catalog
// order, each once.
func (m *Model) listed(f string) []any {
	var listed []any
	for _, v := range m.Variants {
		for _, x := range v.When[f] {
			if !slices.Contains(listed, x) {
				listed = append(listed, x)
			}
		}
	}
	return listed
}

// holdsIn reports whether every condition of v holds for the classes.
func holdsIn(v *Variant, combo []Class) bool {
	for f, vals := range v.When {
		ok := false
		for _, cl := range combo {
			if cl.Field == f && !cl.Other && slices.Contains(vals, cl.Value) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// resolve builds a field's spec after the active variants' overrides.
func resolve(name string, base *FieldSpec, active []*Variant) *Field {
	f := &Field{Name: name, FieldSpec: *base, Layers: []Layer{{Spec: base}}}
	for _, v := range active {
		if o := v.Fields[name]; o != nil {
			merge(&f.FieldSpec, o)
			f.Layers = append(f.Layers, Layer{Spec: o, Variant: v})
		}
	}
	if f.FieldSpec.Items != nil {
		f.Items = resolve(name+"[]", f.FieldSpec.Items, nil)
	}
	for _, p := range sortedKeys(f.FieldSpec.Properties) {
		f.Props = append(f.Props, resolve(p, f.FieldSpec.Properties[p], nil))
	}
	return f
}

// IsTrue reports whether an optional flag (Required, Forbidden, ...) is set.
func IsTrue(b *bool) bool { return b != nil && *b }

// merge applies an override's properties to dst: each property a variant
// sets replaces the one before; level and source are the override's. The
// one place that knows every property of a FieldSpec.
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
		dst.RequiredLevel, dst.RequiredSource = o.RequiredLevel, o.RequiredSource
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
	if o.LegacyValues != nil {
		dst.LegacyValues = o.LegacyValues
	}
	if o.HedgedLimits != nil {
		dst.HedgedLimits = o.HedgedLimits
	}
	if o.MaxTotalSeconds != nil {
		dst.MaxTotalSeconds = o.MaxTotalSeconds
	}
	if o.FailCode != "" {
		dst.FailCode = o.FailCode
	}
	dst.Level, dst.Source = o.Level, o.Source
	if o.Note != "" {
		dst.Note = o.Note
	}
}
