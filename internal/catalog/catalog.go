// Package catalog holds the data preflight checks requests against: the
// models of the APIXO generation API, each field's documented spec with the
// docs page and the certainty (level) of every fact, and the variants that
// change specs per mode or option. Parse reads and validates the format of
// docs/catalog.md; Model.Plan compiles one model for checking, on first use.
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

//go:embed catalog.json
var catalogJSON []byte

// Docs pages of the request envelope, which every model shares.
const (
	DocsGenerateTask = "https://apixo.ai/docs/api-reference/generate-task"
	DocsParameters   = "https://apixo.ai/docs/api-reference/parameters"
	DocsWebhooks     = "https://apixo.ai/docs/api-reference/webhooks"
)

// Round9 rounds to nine decimals, so steps like 0.1 print as written.
func Round9(f float64) float64 { return math.Round(f*1e9) / 1e9 }

// Level says how sure the catalog is of a fact. Facts the docs state give
// errors; inferred or conflicting facts give warnings at most.
type Level string

const (
	LevelStated   Level = "stated"
	LevelInferred Level = "inferred"
	LevelConflict Level = "conflict"
)

// Stated reports whether the docs state the fact: a violation is an error
// then, and a warning at most otherwise.
func (l Level) Stated() bool { return l == LevelStated || l == "" }

// Catalog is the set of models the API knows, with every rule and the docs
// page it comes from. The zero value is empty; Embedded and Default return
// the embedded one.
type Catalog struct {
	Version int      `json:"version"`
	Date    string   `json:"date"`
	Aliases []*Alias `json:"aliases"`
	Models  []*Model `json:"models"`

	byID    map[string]*Model
	aliases map[string]*Alias
	lazy    *lazyModels // Embedded's: models decoded on lookup
}

// Alias is a model ID users write that is not the canonical one.
type Alias struct {
	ID       string `json:"id"`
	Model    string `json:"model"`
	Accepted bool   `json:"accepted"`
	Level    Level  `json:"level,omitempty"`
	Source   string `json:"source,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Model is one model ID of generateTask/{model}.
type Model struct {
	ID         string                 `json:"id"`
	Family     string                 `json:"family"`
	Title      string                 `json:"title"`
	Source     string                 `json:"source"`
	Level      Level                  `json:"level,omitempty"`
	Provider   *FieldSpec             `json:"provider,omitempty"`
	Fields     map[string]*FieldSpec  `json:"fields"`
	Variants   []*Variant             `json:"variants,omitempty"`
	Deprecated map[string]*Deprecated `json:"deprecated,omitempty"`

	compiled   bool             // compile ran; the model is read-only from then on
	fieldNames []string         // sorted keys of Fields
	fieldIndex map[string]int32 // position of each name in fieldNames
	whenFields []string         // fields that some variant conditions on
	planOnce   sync.Once
	plan       *Plan
}

// Variant overrides field specs when every When entry matches.
type Variant struct {
	When         map[string][]any      `json:"when"`
	Fields       map[string]*FieldSpec `json:"fields,omitempty"`
	RequireOneOf [][]string            `json:"requireOneOf,omitempty"`
	Level        Level                 `json:"level,omitempty"`
	Source       string                `json:"source,omitempty"`
	Note         string                `json:"note,omitempty"`

	whenText string // "in mode image-to-image", for messages
	selfOnly bool   // conditions only on a field it overrides: no context to tell
}

// WhenText renders the variant's condition for messages: "in mode
// image-to-image", "when generationType is ...".
func (v *Variant) WhenText() string { return v.whenText }

// Deprecated is an input field name from older docs.
type Deprecated struct {
	Replacement string `json:"replacement,omitempty"`
	Level       Level  `json:"level,omitempty"`
	Source      string `json:"source,omitempty"`
	Note        string `json:"note,omitempty"`
}

// FieldSpec is what the docs say about one input field. Pointer members are
// optional: nil means "not said", so a variant overrides only what it says.
type FieldSpec struct {
	Type     string `json:"type,omitempty"`
	Enum     []any  `json:"enum,omitempty"`
	Default  any    `json:"default,omitempty"`
	Required *bool  `json:"required,omitempty"`
	// RequiredLevel and RequiredSource hedge "required" alone, when only an
	// older page or a page that also gives a default states it: a missing
	// field then warns, while a wrong value stays an error at Level.
	RequiredLevel  Level                 `json:"requiredLevel,omitempty"`
	RequiredSource string                `json:"requiredSource,omitempty"`
	Forbidden      *bool                 `json:"forbidden,omitempty"`
	Minimum        *float64              `json:"minimum,omitempty"`
	Maximum        *float64              `json:"maximum,omitempty"`
	MultipleOf     *float64              `json:"multipleOf,omitempty"`
	MinLength      *int                  `json:"minLength,omitempty"`
	MaxLength      *int                  `json:"maxLength,omitempty"`
	MaxBytes       *int                  `json:"maxBytes,omitempty"`
	MinItems       *int                  `json:"minItems,omitempty"`
	MaxItems       *int                  `json:"maxItems,omitempty"`
	Items          *FieldSpec            `json:"items,omitempty"`
	Properties     map[string]*FieldSpec `json:"properties,omitempty"`
	StripFrom      string                `json:"stripFrom,omitempty"`
	// DeprecatedValues are values older docs allowed that the API still
	// accepts and maps to another (midjourney speed relaxed -> fast): a
	// warning, not an enum error. The replacement may be "".
	DeprecatedValues map[string]string `json:"deprecatedValues,omitempty"`
	// LegacyValues are values an older generation of the docs used in a
	// working example that the current spec rejects (a duration written
	// as the string "10", provider left out): a warning citing the old
	// page, with the current spec as its advice.
	LegacyValues []*LegacyValue `json:"legacyValues,omitempty"`

	Media        string   `json:"media,omitempty"`
	Formats      []string `json:"formats,omitempty"`
	MaxFileBytes *int64   `json:"maxFileBytes,omitempty"`
	MinPixels    *int     `json:"minPixels,omitempty"`
	MaxPixels    *int     `json:"maxPixels,omitempty"`
	NoAlpha      *bool    `json:"noAlpha,omitempty"`
	MinSeconds   *float64 `json:"minSeconds,omitempty"`
	MaxSeconds   *float64 `json:"maxSeconds,omitempty"`
	// HedgedLimits are lower limits some pages give beside the stated one
	// (midjourney prompt: 6,000 UTF-8 bytes on es/fr, 7,500 on tr): each an
	// entry with maxBytes or maxItems and a level other than stated. A
	// value over a hedged limit but within the stated one warns.
	HedgedLimits []*FieldSpec `json:"hedgedLimits,omitempty"`
	// MaxTotalSeconds bounds the summed duration of an array's media
	// (seedance: "total max 15 seconds per media type"); checked only when
	// every item's duration is known.
	MaxTotalSeconds *float64 `json:"maxTotalSeconds,omitempty"`
	// FailCode is the failCode the API answers when a URL field cannot be
	// fetched (infinitetalk audio_urls: INVALID_AUDIO_URL); empty means
	// INVALID_IMAGE_URL. An array's items inherit it.
	FailCode string `json:"failCode,omitempty"`

	Level  Level  `json:"level,omitempty"`
	Source string `json:"source,omitempty"`
	Note   string `json:"note,omitempty"`
}

// LegacyValue is one value older docs used: Value (any JSON value, of
// another type than the field's too) or, with Absent, the field left out.
type LegacyValue struct {
	Value  any    `json:"value,omitempty"`
	Absent bool   `json:"absent,omitempty"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

var fieldTypes = []string{"string", "prompt", "integer", "number", "boolean", "url", "array", "object", "any"}

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
	defaultErr     error
)

// Default returns the catalog embedded in the binary with every model
// decoded, for commands that list them all; a run that looks models up
// by ID uses Embedded. It is built on first use from Embedded's models
// and shared; callers must not modify it.
func Default() *Catalog {
	defaultOnce.Do(func() {
		e := Embedded()
		c := &Catalog{Version: e.Version, Date: e.Date, Aliases: e.Aliases}
		for _, id := range e.IDs() {
			m, _ := e.Model(id)
			c.Models = append(c.Models, m)
		}
		// The models are compiled and the aliases checked: this builds
		// the maps only.
		defaultCatalog, defaultErr = c, c.compile()
	})
	if defaultErr != nil {
		// The embedded catalog is tested; failing here is a build defect.
		panic(fmt.Sprintf("preflight: embedded catalog: %v", defaultErr))
	}
	return defaultCatalog
}

// parseOptions read a catalog as encoding/json did (names matched
// without regard to case, the last of duplicate names wins, numbers in
// untyped values are float64 as normalizeJSON made them) but twice as fast
// with half the allocations: the embedded catalog is parsed on every CLI
// run. Unknown members stay errors.
var parseOptions = jsonv2.JoinOptions(
	jsonv2.RejectUnknownMembers(true),
	jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true),
)

// Parse reads a catalog in the format of docs/catalog.md. Unknown
// properties are errors, so a typo in the data cannot silently drop a rule.
func Parse(data []byte) (*Catalog, error) {
	var c Catalog
	if err := jsonv2.Unmarshal(data, &c, parseOptions); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	if err := c.compile(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Model returns the model with the given canonical ID.
func (c *Catalog) Model(id string) (*Model, bool) {
	if c.lazy != nil {
		return c.lazy.model(id)
	}
	m, ok := c.byID[id]
	return m, ok
}

// Alias returns the alias entry for a non-canonical model ID.
func (c *Catalog) Alias(id string) (*Alias, bool) {
	a, ok := c.aliases[id]
	return a, ok
}

// IDs lists the canonical model IDs in catalog order.
func (c *Catalog) IDs() []string {
	if c.lazy != nil {
		return slices.Clone(c.lazy.ids)
	}
	ids := make([]string, len(c.Models))
	for i, m := range c.Models {
		ids[i] = m.ID
	}
	return ids
}

// Merge adds or replaces models and aliases with those of other (config
// files use it for models the embedded catalog does not know yet).
func (c *Catalog) Merge(other *Catalog) (*Catalog, error) {
	out := &Catalog{Version: c.Version, Date: c.Date}
	seen := map[string]bool{}
	for _, m := range All(other) {
		seen[m.ID] = true
	}
	for _, m := range All(c) {
		if !seen[m.ID] {
			out.Models = append(out.Models, m)
		}
	}
	out.Models = append(out.Models, All(other)...)
	out.Aliases = append(slices.Clone(c.Aliases), other.Aliases...)
	if err := out.compile(); err != nil {
		return nil, err
	}
	return out, nil
}

// ProviderChannels reports whether the model takes provider values beyond
// auto, value and official: a provider spec of type string without enum.
func (m *Model) ProviderChannels() bool {
	return m.Provider != nil && len(m.Provider.Enum) == 0 && m.Provider.Type == "string"
}

// FieldNames lists the model's documented input fields, sorted. The slice
// is shared: do not modify it.
func (m *Model) FieldNames() []string { return m.fieldNames }

// FieldIndex returns the position of a documented field in FieldNames.
func (m *Model) FieldIndex(name string) (int, bool) {
	i, ok := m.fieldIndex[name]
	return int(i), ok
}

func (c *Catalog) compile() error {
	c.byID = make(map[string]*Model, len(c.Models))
	for _, m := range c.Models {
		if m.ID == "" {
			return fmt.Errorf("catalog: model without id")
		}
		if _, dup := c.byID[m.ID]; dup {
			return fmt.Errorf("catalog: model %q listed twice", m.ID)
		}
		if m.compiled {
			// Shared with another catalog (Merge): compiling again would
			// write to a model other goroutines may be reading.
			c.byID[m.ID] = m
			continue
		}
		if err := m.compile(); err != nil {
			return fmt.Errorf("catalog: model %s: %w", m.ID, err)
		}
		c.byID[m.ID] = m
	}
	return c.compileAliases(func(id string) bool { _, ok := c.byID[id]; return ok })
}

// compileAliases checks the aliases against the model IDs (known reports
// whether one is listed) and builds their map.
func (c *Catalog) compileAliases(known func(id string) bool) error {
	c.aliases = make(map[string]*Alias, len(c.Aliases))
	for _, a := range c.Aliases {
		if !known(a.Model) {
			return fmt.Errorf("catalog: alias %q names unknown model %q", a.ID, a.Model)
		}
		if known(a.ID) {
			return fmt.Errorf("catalog: alias %q is also a model ID", a.ID)
		}
		if a.Level == "" {
			a.Level = LevelStated
		}
		if err := checkLevel(a.Level); err != nil {
			return fmt.Errorf("catalog: alias %q: %w", a.ID, err)
		}
		c.aliases[a.ID] = a
	}
	return nil
}

// coversAll reports whether a variant's conditions list every allowed value
// of the fields they name, so the variant holds whatever the request says.
func coversAll(m *Model, when map[string][]any) bool {
	for f, vals := range when {
		enum := m.Fields[f].Enum
		if len(enum) == 0 {
			return false
		}
		for _, e := range enum {
			if !slices.Contains(vals, normalizeJSON(e)) {
				return false
			}
		}
	}
	return true
}

// inherit fills an unset level and source from the enclosing entry, as
// docs/catalog.md specifies, and checks the level.
func inherit(level *Level, source *string, fromLevel Level, fromSource string) error {
	if *level == "" {
		*level = fromLevel
	}
	if *source == "" {
		*source = fromSource
	}
	return checkLevel(*level)
}

func checkLevel(l Level) error {
	switch l {
	case LevelStated, LevelInferred, LevelConflict:
		return nil
	}
	return fmt.Errorf("level %q is not stated, inferred or conflict", l)
}

func (m *Model) compile() error {
	if m.Source == "" {
		return fmt.Errorf("no source URL")
	}
	if m.Level == "" {
		m.Level = LevelStated
	}
	if err := checkLevel(m.Level); err != nil {
		return err
	}
	switch m.Family {
	case "image", "video", "audio":
	default:
		return fmt.Errorf("family %q is not image, video or audio", m.Family)
	}
	mode := m.Fields["mode"]
	if mode == nil || len(mode.Enum) == 0 {
		return fmt.Errorf("fields.mode must list the modes in enum")
	}
	if m.Provider != nil {
		if err := m.Provider.compile("provider", m.Level, m.Source); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(m.Fields) {
		if err := m.Fields[name].compile(name, m.Level, m.Source); err != nil {
			return err
		}
		if m.Fields[name].Type == "" {
			return fmt.Errorf("field %s: no type", name)
		}
	}
	m.fieldNames = sortedKeys(m.Fields)
	m.fieldIndex = make(map[string]int32, len(m.fieldNames))
	for i, name := range m.fieldNames {
		m.fieldIndex[name] = int32(i)
	}
	when := map[string]bool{}
	for i, v := range m.Variants {
		if len(v.When) == 0 {
			return fmt.Errorf("variant %d: empty when", i)
		}
		if err := inherit(&v.Level, &v.Source, m.Level, m.Source); err != nil {
			return fmt.Errorf("variant %d: %w", i, err)
		}
		var parts []string
		for _, f := range sortedKeys(v.When) {
			base := m.Fields[f]
			if base == nil {
				return fmt.Errorf("variant %d: when names undocumented field %q", i, f)
			}
			for j, val := range v.When[f] {
				v.When[f][j] = normalizeJSON(val)
			}
			when[f] = true
			parts = append(parts, describeWhen(f, v.When[f]))
		}
		v.whenText = strings.Join(parts, " and ")
		if len(v.When) == 1 {
			for f := range v.When {
				_, v.selfOnly = v.Fields[f]
			}
		}
		if coversAll(m, v.When) {
			v.selfOnly = true // holds in every mode: nothing to tell
		}
		for _, name := range sortedKeys(v.Fields) {
			fs := v.Fields[name]
			if err := fs.compile(name, v.Level, v.Source); err != nil {
				return fmt.Errorf("variant %d: %w", i, err)
			}
			base := m.Fields[name]
			if base == nil {
				return fmt.Errorf("variant %d: field %q is not in fields", i, name)
			}
			if fs.Type != "" && fs.Type != base.Type {
				return fmt.Errorf("variant %d: field %q changes type", i, name)
			}
			if fs.Note == "" {
				fs.Note = v.Note
			}
		}
		for _, group := range v.RequireOneOf {
			for _, name := range group {
				if m.Fields[name] == nil {
					return fmt.Errorf("variant %d: requireOneOf names undocumented field %q", i, name)
				}
			}
		}
	}
	m.whenFields = sortedKeys(when)
	if err := m.checkPlanSize(); err != nil {
		return err
	}
	for name, d := range m.Deprecated {
		if err := inherit(&d.Level, &d.Source, m.Level, m.Source); err != nil {
			return fmt.Errorf("deprecated %s: %w", name, err)
		}
		if _, ok := m.Fields[name]; ok {
			return fmt.Errorf("deprecated %s is also a documented field", name)
		}
	}
	m.compiled = true
	return nil
}

// Bounds on a plan, so a hostile catalog (a config file's models:) cannot
// make the first request to its model build millions of cases. The
// embedded catalog's largest plan has 36 cases and 396 resolved fields.
const (
	maxCases       = 256
	maxPlanEntries = 8192 // cases × fields
)

// checkPlanSize refuses a model whose plan would exceed the bounds: the
// cases multiply the classes of every when-field.
func (m *Model) checkPlanSize() error {
	cases := 1
	for _, f := range m.whenFields {
		cases *= len(m.listed(f)) + 1
		if cases > maxCases {
			return fmt.Errorf("variants condition on more than %d combinations of values; split the model", maxCases)
		}
	}
	if n := cases * len(m.Fields); n > maxPlanEntries {
		return fmt.Errorf("%d value combinations × %d fields is more than %d resolved specs; split the model", cases, len(m.Fields), maxPlanEntries)
	}
	return nil
}

func (f *FieldSpec) compile(name string, level Level, source string) error {
	if err := inherit(&f.Level, &f.Source, level, source); err != nil {
		return fmt.Errorf("field %s: %w", name, err)
	}
	if f.RequiredLevel != "" {
		if err := checkLevel(f.RequiredLevel); err != nil {
			return fmt.Errorf("field %s: requiredLevel: %w", name, err)
		}
	}
	if f.Type != "" && !slices.Contains(fieldTypes, f.Type) {
		return fmt.Errorf("field %s: unknown type %q", name, f.Type)
	}
	for i, v := range f.Enum {
		f.Enum[i] = normalizeJSON(v)
	}
	for i, lv := range f.LegacyValues {
		if lv == nil || lv.Source == "" {
			return fmt.Errorf("field %s: legacyValues[%d] needs the source of the older page", name, i)
		}
		if (lv.Value == nil) == !lv.Absent {
			return fmt.Errorf("field %s: legacyValues[%d] needs exactly one of value and absent", name, i)
		}
		lv.Value = normalizeJSON(lv.Value)
	}
	if f.Default != nil {
		f.Default = normalizeJSON(f.Default)
	}
	if f.FailCode != "" && f.Items != nil && f.Items.FailCode == "" {
		f.Items.FailCode = f.FailCode
	}
	if f.Items != nil {
		if err := f.Items.compile(name+"[]", f.Level, f.Source); err != nil {
			return err
		}
	}
	for i, h := range f.HedgedLimits {
		if h == nil {
			return fmt.Errorf("field %s: hedgedLimits[%d] is null", name, i)
		}
		if err := inherit(&h.Level, &h.Source, LevelConflict, ""); err != nil {
			return fmt.Errorf("field %s: hedgedLimits[%d]: %w", name, i, err)
		}
		only := *h
		only.MaxBytes, only.MaxItems, only.Level, only.Source, only.Note = nil, nil, "", "", ""
		switch {
		case h.Source == "":
			return fmt.Errorf("field %s: hedgedLimits[%d] needs the source of the page that gives it", name, i)
		case h.Level.Stated():
			return fmt.Errorf("field %s: hedgedLimits[%d] is stated: make it the field's own limit", name, i)
		case h.MaxBytes == nil && h.MaxItems == nil || !reflect.ValueOf(only).IsZero():
			return fmt.Errorf("field %s: hedgedLimits[%d] takes maxBytes or maxItems, level, source and note only", name, i)
		}
	}
	for _, p := range sortedKeys(f.Properties) {
		if err := f.Properties[p].compile(name+"."+p, f.Level, f.Source); err != nil {
			return err
		}
	}
	return nil
}

// normalizeJSON turns json.Number into float64 so enum and when values
// compare by value: 5 and 5.0 are the same number.
func normalizeJSON(v any) any {
	if n, ok := v.(json.Number); ok {
		f, err := n.Float64()
		if err == nil {
			return f
		}
	}
	return v
}

func describeWhen(field string, vals []any) string {
	var s []string
	for _, v := range vals {
		s = append(s, FormatValue(v))
	}
	if field == "mode" {
		return "in mode " + strings.Join(s, " or ")
	}
	return "when " + field + " is " + strings.Join(s, " or ")
}

// FormatValue writes a catalog value the way it appears in JSON.
func FormatValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case float64:
		return FormatNumber(v)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// FormatNumber writes a number as JSON does, integers without exponent.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LegacyAbsent returns the legacy entry for a field left out, or nil.
func (f *FieldSpec) LegacyAbsent() *LegacyValue {
	for _, lv := range f.LegacyValues {
		if lv.Absent {
			return lv
		}
	}
	return nil
}

// toFloat widens Go integers so they compare with catalog numbers.
func toFloat(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	}
	return v
}
