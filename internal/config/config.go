// Package config reads .preflight.yaml: per-rule severities, limits, extra
// models, file selection, network settings, suppressions and fixture
// expectations, and decides how far a file found in a repository is
// trusted (see trust.go).
package config

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	yamlparser "github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/internal/glob"
	"github.com/preflight-dev/preflight/internal/suggest"
	"github.com/preflight-dev/preflight/validate"
)

// ConfigFileName is the name LoadConfig's discovery looks for.
const ConfigFileName = ".preflight.yaml"

// ConfigVersion is the only config version this build reads.
const ConfigVersion = 1

// Rule settings of a config's rules: map.
const (
	RuleOff     = "off"
	RuleWarning = "warning"
	RuleError   = "error"
)

// Config is a .preflight.yaml file: per-rule severities, stricter limits,
// extra catalog models, network settings, suppressions and fixture
// expectations. Load it with LoadConfig or ParseConfig; the zero value (and
// a nil *Config) changes nothing.
type Config struct {
	Version int `yaml:"version"`
	// Rules maps a rule ID to off, warning or error.
	Rules map[string]string `yaml:"rules,omitempty"`
	// Limits overrides field specs per model: {model: {field: FieldSpec}}.
	// They apply in every mode, after the catalog's own variants.
	Limits map[string]map[string]*catalog.FieldSpec `yaml:"limits,omitempty"`
	// Models adds or replaces catalog models (docs/catalog.md format).
	Models []*catalog.Model `yaml:"models,omitempty"`
	// Aliases adds catalog aliases.
	Aliases []*catalog.Alias `yaml:"aliases,omitempty"`
	// Network configures the network checks; CLI flags override it.
	Network NetworkConfig `yaml:"network,omitempty"`
	// Ignore suppresses rules: {"path/glob#/json/pointer": [rule, ...]}.
	Ignore map[string][]string `yaml:"ignore,omitempty"`
	// Expect declares the exact rules that fire on fixture files:
	// {"path/glob": [rule, ...]}.
	Expect map[string][]string `yaml:"expect,omitempty"`
	// Files are the globs request files must match when a directory is
	// walked (and with --force-exclude, when named); empty: any request file.
	Files []string `yaml:"files,omitempty"`
	// Exclude are globs of files and directories to skip.
	Exclude []string `yaml:"exclude,omitempty"`
	// MaxRequestBytes is the largest request file or JSONL line read.
	MaxRequestBytes *int64 `yaml:"maxRequestBytes,omitempty"`

	// Path is the file the config was read from ("" for ParseConfig
	// without a name).
	Path string `yaml:"-"`
	// Dir is the directory globs are relative to: the config file's.
	Dir string `yaml:"-"`

	catalog *catalog.Catalog
	ignore  []ignoreEntry
	expect  []expectEntry
}

// NetworkConfig is the network: section. Nil members are unset, so the CLI
// can tell "not configured" from a zero value and let flags override.
type NetworkConfig struct {
	// Offline turns every network check off.
	Offline *bool `yaml:"offline,omitempty" json:"offline,omitempty"`
	// AllowHosts lists hosts that may be fetched even when they are not
	// public (a staging bucket on a private network).
	AllowHosts []string `yaml:"allowHosts,omitempty" json:"allowHosts,omitempty"`
	// Concurrency bounds parallel fetches.
	Concurrency *int `yaml:"concurrency,omitempty" json:"concurrency,omitempty"`
	// Timeout bounds one URL check, e.g. "10s".
	Timeout *Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// Cache configures the probe cache.
	Cache *CacheConfig `yaml:"cache,omitempty" json:"cache,omitempty"`
}

// CacheConfig is network.cache.
type CacheConfig struct {
	// Enabled turns the cache on or off (default on).
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Dir is the cache directory ("" means the user cache directory).
	Dir string `yaml:"dir,omitempty" json:"dir,omitempty"`
	// TTL is the lifetime of successful probes, FailTTL of failed ones.
	TTL     *Duration `yaml:"ttl,omitempty" json:"ttl,omitempty"`
	FailTTL *Duration `yaml:"failTTL,omitempty" json:"failTTL,omitempty"`
}

// Duration is a time.Duration written as "10s" or "1h30m".
type Duration struct{ time.Duration }

// UnmarshalYAML reads a Go duration string. It takes the node, not its
// bytes, so that its errors have the value's position (see decodeAll).
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	var s string
	if err := yaml.NodeToValue(n, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &valueError{n.GetToken(), fmt.Sprintf("bad duration %q (want e.g. 10s, 2m, 1h)", s)}
	}
	if v < 0 {
		return &valueError{n.GetToken(), fmt.Sprintf("negative duration %q", s)}
	}
	d.Duration = v
	return nil
}

// valueError is a bad value found by an UnmarshalYAML of this package,
// with the value's token, as go-yaml's own errors have.
type valueError struct {
	tk  *token.Token
	msg string
}

func (e *valueError) Error() string          { return e.msg }
func (e *valueError) GetToken() *token.Token { return e.tk }
func (e *valueError) GetMessage() string     { return e.msg }

// tokenError is an error with the token it is about: go-yaml's errors
// (yaml.Error) and valueError.
type tokenError interface {
	error
	GetToken() *token.Token
	GetMessage() string
}

// MarshalJSON writes the duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// ConfigError is a problem in a config file at a position.
type ConfigError struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int
	Msg    string
}

func (e *ConfigError) Error() string {
	name := e.File
	if name == "" {
		name = ConfigFileName
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", name, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", name, e.Msg)
}

// ConfigErrors is every problem found in one config file.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap gives the problems one by one, as errors.Join does, so a printer
// can show (and escape) each on its own line.
func (es ConfigErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// MaxFileBytes bounds a config file: a config is a few kilobytes, and
// one that is not must not cost more than this to refuse. go-yaml's parser
// takes time that grows with the square of the input (measured: 64 KiB of
// keys 2 s, 256 KiB 28 s), so a repository's config is kept small enough
// that parsing it stays well under a second or two.
const MaxFileBytes = 64 << 10

// LoadConfig reads and checks the config file at path.
func LoadConfig(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(data, path)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(filepath.Dir(path)); err == nil {
		c.Dir = abs
	}
	return c, nil
}

// ParseConfig parses and checks a config. name labels errors and is kept
// as Path; globs are relative to its directory. Unknown keys, bad rule IDs,
// bad severities and bad limits are errors with their line.
func ParseConfig(data []byte, name string) (*Config, error) {
	c := &Config{Path: name}
	if name != "" {
		c.Dir = filepath.Dir(name)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ConfigError{File: name, Msg: "empty config; it needs at least version: 1"}
	}
	if len(data) > MaxFileBytes {
		return nil, &ConfigError{File: name, Msg: fmt.Sprintf("config is larger than %d bytes", MaxFileBytes)}
	}
	// Parse once: the AST gives both the values (NodeToValue) and the
	// positions of every key for errors.
	f, err := yamlparser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	root := docBody(f)
	if root == nil {
		return nil, &ConfigError{File: name, Msg: "empty config; it needs at least version: 1"}
	}
	errs, dropped, decoded := decodeAll(name, root, c)
	chk := configChecker{c: c, name: name, root: root, errs: errs, dropped: dropped}
	if decoded {
		chk.check()
	}
	if len(chk.errs) > 0 {
		slices.SortStableFunc(chk.errs, func(a, b *ConfigError) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, chk.errs
	}
	return c, nil
}

// decode fills c from the document. go-yaml v1.19.2 panics on some
// malformed input (a tag on a sequence value: "files: !0\n0", found by
// FuzzParseConfig); a config is untrusted, so that is an error, not a crash.
func decode(root ast.Node, c *Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML (the decoder failed: %v)", r)
		}
	}()
	return yaml.NodeToValue(root, c, yaml.Strict())
}

// maxDecodeErrors bounds the decode passes of decodeAll, each of which
// finds one more problem: a config with more is listed up to this many.
const maxDecodeErrors = 20

// decodeAll decodes root into c and returns every problem the decoder
// finds (unknown keys, values of the wrong type), not only the first, so
// `config verify` lists them all at once. go-yaml stops at one problem
// (and picks among unknown keys in map order), so the entry it names is
// dropped from the tree and the decode rerun; what decodes is left in c
// for the checks that follow (decoded), unless the decoder met a problem
// it cannot step over. dropped holds the top-level keys removed.
func decodeAll(name string, root ast.Node, c *Config) (errs ConfigErrors, dropped map[string]bool, decoded bool) {
	var anchors map[string]bool // anchors inside dropped entries
	for range maxDecodeErrors {
		next := Config{Path: c.Path, Dir: c.Dir}
		err := decode(root, &next)
		if err == nil {
			*c = next
			return errs, dropped, true
		}
		var ye tokenError
		if !errors.As(err, &ye) || ye.GetToken() == nil {
			errs = append(errs, yamlError(name, err).(*ConfigError))
			break
		}
		msg := ye.GetMessage()
		// An alias of an anchor inside an entry dropped before is a
		// consequence of that problem, not one more.
		if a, ok := strings.CutPrefix(msg, "could not find alias "); !ok || !anchors[strings.Trim(a, `"`)] {
			errs = append(errs, yamlError(name, err).(*ConfigError))
		}
		gone, key, ok := dropEntry(root, ye.GetToken(), strings.HasPrefix(msg, "unknown field"))
		if !ok {
			break // nothing to drop: the problem cannot be stepped over
		}
		if key != "" {
			if dropped == nil {
				dropped = map[string]bool{}
			}
			dropped[key] = true
		}
		ast.Walk(anchorNames(func(name string) {
			if anchors == nil {
				anchors = map[string]bool{}
			}
			anchors[name] = true
		}), gone)
	}
	return errs, dropped, false
}

// anchorNames is an ast.Visitor calling itself with the name of every
// anchor it visits.
type anchorNames func(name string)

func (f anchorNames) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil {
		f(a.Name.GetToken().Value)
	}
	return f
}

// dropEntry removes from the tree under n the entry (mapping key and
// value, or sequence item) the decoder's error token tk names: the entry
// whose key is tk for an unknown key, else the outermost entry whose value
// is at tk. It returns the entry, its key when the entry is top-level, and
// false when no entry is at tk.
func dropEntry(n ast.Node, tk *token.Token, byKey bool) (gone ast.Node, topKey string, ok bool) {
	at := func(key, value ast.Node) bool {
		if byKey {
			return key != nil && key.GetToken() == tk
		}
		return valueAt(value, tk)
	}
	var walk func(n ast.Node, top bool) bool
	walk = func(n ast.Node, top bool) bool {
		switch n := n.(type) {
		case *ast.DocumentNode:
			return walk(n.Body, top)
		case *ast.AnchorNode:
			return walk(n.Value, top)
		case *ast.TagNode:
			return walk(n.Value, top)
		case *ast.MappingValueNode:
			// A one-entry mapping outside a MappingNode (go-yaml v1.19
			// does not build one) has no list to drop from: only its
			// value is searched.
			return walk(n.Value, false)
		case *ast.MappingNode:
			for i, mv := range n.Values {
				if at(mv.Key, mv.Value) {
					if top {
						topKey = keyText(mv)
					}
					gone = mv
					n.Values = slices.Delete(n.Values, i, i+1)
					return true
				}
			}
			for _, mv := range n.Values {
				if walk(mv.Value, false) {
					return true
				}
			}
		case *ast.SequenceNode:
			for i, v := range n.Values {
				if !byKey && valueAt(v, tk) {
					gone = v
					n.Values = slices.Delete(n.Values, i, i+1)
					return true
				}
			}
			for _, v := range n.Values {
				if walk(v, false) {
					return true
				}
			}
		}
		return false
	}
	ok = walk(n, true)
	return gone, topKey, ok
}

// valueAt reports whether the value n is at tk, through an anchor or tag
// on it; an alias is at its name too.
func valueAt(n ast.Node, tk *token.Token) bool {
	for n != nil {
		if n.GetToken() == tk {
			return true
		}
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			n = v.Value
		default:
			return false
		}
	}
	return false
}

func yamlError(name string, err error) error {
	var ye tokenError
	if errors.As(err, &ye) {
		ce := &ConfigError{File: name, Msg: ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			ce.Line, ce.Column = tk.Position.Line, tk.Position.Column
		}
		return ce
	}
	return &ConfigError{File: name, Msg: err.Error()}
}

func docBody(f *ast.File) ast.Node {
	if f == nil || len(f.Docs) == 0 {
		return nil
	}
	return f.Docs[0].Body
}

// mappingValues returns the entries of a mapping node (a one-entry mapping
// parses as a bare MappingValueNode).
func mappingValues(n ast.Node) []*ast.MappingValueNode {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	case *ast.TagNode:
		return mappingValues(n.Value)
	}
	return nil
}

func keyText(mv *ast.MappingValueNode) string {
	if s, ok := mv.Key.(*ast.StringNode); ok {
		return s.Value
	}
	return mv.Key.GetToken().Value
}

// child returns the value of key in mapping n, or nil.
func child(n ast.Node, key string) ast.Node {
	for _, mv := range mappingValues(n) {
		if keyText(mv) == key {
			return mv.Value
		}
	}
	return nil
}

// keyNode returns the key node of key in mapping n, or nil.
func keyNode(n ast.Node, key string) ast.Node {
	for _, mv := range mappingValues(n) {
		if keyText(mv) == key {
			return mv.Key
		}
	}
	return nil
}

type configChecker struct {
	c    *Config
	name string
	root ast.Node
	errs ConfigErrors
	// dropped are the top-level keys decodeAll removed for an error
	// already in errs; their zero values are not reported again.
	dropped map[string]bool
}

func (k *configChecker) errAt(n ast.Node, format string, a ...any) {
	e := &ConfigError{File: k.name, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	k.errs = append(k.errs, e)
}

func (k *configChecker) check() {
	c := k.c
	decodeErrs := len(k.errs)
	if c.Version != ConfigVersion && !k.dropped["version"] {
		n := child(k.root, "version")
		if n == nil {
			k.errAt(k.root, "version: %d is required", ConfigVersion)
		} else {
			k.errAt(n, "unsupported version %d (this preflight reads version %d)", c.Version, ConfigVersion)
		}
	}
	rules := child(k.root, "rules")
	for _, id := range sortedKeys(c.Rules) {
		if !isRule(id) {
			k.errAt(keyNode(rules, id), "unknown rule %q%s", id, didYouMeanRule(id))
		}
		switch c.Rules[id] {
		case RuleOff, RuleWarning, RuleError:
		default:
			k.errAt(child(rules, id), "rule %s: severity %q is not off, warning or error", id, c.Rules[id])
		}
	}
	k.checkRuleLists("ignore", c.Ignore)
	k.checkRuleLists("expect", c.Expect)
	for _, pat := range sortedKeys(c.Ignore) {
		glob, ptr, _ := strings.Cut(pat, "#")
		if err := checkGlob(glob); err != nil {
			k.errAt(keyNode(child(k.root, "ignore"), pat), "ignore %q: %v", pat, err)
		}
		if ptr != "" && !strings.HasPrefix(ptr, "/") {
			k.errAt(keyNode(child(k.root, "ignore"), pat), "ignore %q: the JSON pointer after # must start with /", pat)
		}
		c.ignore = append(c.ignore, ignoreEntry{glob: glob, pointer: ptr, rules: c.Ignore[pat]})
	}
	for _, pat := range sortedKeys(c.Expect) {
		if err := checkGlob(pat); err != nil {
			k.errAt(keyNode(child(k.root, "expect"), pat), "expect %q: %v", pat, err)
		}
		c.expect = append(c.expect, expectEntry{glob: pat, rules: c.Expect[pat]})
	}
	for i, g := range c.Files {
		if err := checkGlob(g); err != nil {
			k.errAt(seqItem(child(k.root, "files"), i), "files %q: %v", g, err)
		}
	}
	for i, g := range c.Exclude {
		if err := checkGlob(g); err != nil {
			k.errAt(seqItem(child(k.root, "exclude"), i), "exclude %q: %v", g, err)
		}
	}
	if n := c.MaxRequestBytes; n != nil && *n < 1 {
		k.errAt(child(k.root, "maxRequestBytes"), "maxRequestBytes must be at least 1")
	}
	if n := c.Network.Concurrency; n != nil && *n < 1 {
		k.errAt(child(child(k.root, "network"), "concurrency"), "network.concurrency must be at least 1")
	}
	// An empty list item decodes as nil; the catalog expects models.
	emptyEntry := false
	for i, m := range c.Models {
		if m == nil {
			k.errAt(seqItem(child(k.root, "models"), i), "models: entry %d is empty", i+1)
			emptyEntry = true
		}
	}
	for i, a := range c.Aliases {
		if a == nil {
			k.errAt(seqItem(child(k.root, "aliases"), i), "aliases: entry %d is empty", i+1)
			emptyEntry = true
		}
	}
	// The catalog checks (models:, aliases:, limits:) run beside the
	// problems above, so every problem is listed at once, but not on
	// what the decoder left out: they would report its consequences.
	if decodeErrs > 0 || emptyEntry {
		return
	}
	before := len(k.errs)
	cat, err := k.buildCatalog(catalog.Embedded(), before)
	if err != nil {
		k.errs = append(k.errs, &ConfigError{File: k.name, Msg: err.Error()})
		return
	}
	if len(k.errs) == 0 {
		c.catalog = cat
	}
}

// isRule reports whether id names a rule of validate.Rules.
func isRule(id string) bool {
	for _, r := range validate.Rules() {
		if r.ID == id {
			return true
		}
	}
	return false
}

func didYouMeanRule(id string) string {
	var ids []string
	for _, r := range validate.Rules() {
		ids = append(ids, r.ID)
	}
	if s := suggest.Nearest(id, ids); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func (k *configChecker) checkRuleLists(section string, m map[string][]string) {
	sec := child(k.root, section)
	for _, pat := range sortedKeys(m) {
		seq, _ := child(sec, pat).(*ast.SequenceNode)
		for i, id := range m[pat] {
			if isRule(id) {
				continue
			}
			var n ast.Node = keyNode(sec, pat)
			if seq != nil && i < len(seq.Values) {
				n = seq.Values[i]
			}
			k.errAt(n, "%s %q: unknown rule %q%s", section, pat, id, didYouMeanRule(id))
		}
	}
}

// buildCatalog merges models: into base, then applies limits: as a last
// variant of each limited model that holds in every mode. Problems are
// added to k.errs; before is how many it held already.
func (k *configChecker) buildCatalog(base *catalog.Catalog, before int) (*catalog.Catalog, error) {
	c := k.c
	cat := base
	if len(c.Models) > 0 || len(c.Aliases) > 0 {
		// Built as Parse builds a catalog: numbers, empty lists and
		// checks as the embedded catalog's JSON gets them.
		extra, err := catalog.New(c.Models, c.Aliases)
		if err != nil {
			k.errAt(keyNode(k.root, "models"), "models: %v", err)
			return nil, nil
		}
		if cat, err = cat.Merge(extra); err != nil {
			k.errAt(keyNode(k.root, "models"), "models: %v", err)
			return nil, nil
		}
	}
	if len(c.Limits) == 0 {
		return cat, nil
	}
	limits := child(k.root, "limits")
	var models []*catalog.Model
	for _, id := range sortedKeys(c.Limits) {
		m, ok := cat.Model(id)
		if !ok {
			k.errAt(keyNode(limits, id), "limits: unknown model %q%s", id, didYouMean(id, cat.IDs()))
			continue
		}
		for _, f := range sortedKeys(c.Limits[id]) {
			if _, ok := m.Fields[f]; !ok {
				k.errAt(keyNode(child(limits, id), f), "limits: %s has no field %q%s", id, f, didYouMean(f, m.FieldNames()))
			}
			if c.Limits[id][f] == nil {
				k.errAt(keyNode(child(limits, id), f), "limits: %s.%s is empty", id, f)
			}
		}
		if len(k.errs) > before {
			continue
		}
		models = append(models, limitedModel(m, c.Limits[id], c.Path))
	}
	if len(k.errs) > before {
		return nil, nil
	}
	extra, err := catalog.New(models, nil)
	if err != nil {
		k.errAt(keyNode(k.root, "limits"), "limits: %v", err)
		return nil, nil
	}
	out, err := cat.Merge(extra)
	if err != nil {
		k.errAt(keyNode(k.root, "limits"), "limits: %v", err)
		return nil, nil
	}
	return out, nil
}

func didYouMean(s string, cands []string) string { return suggest.DidYouMean(s, cands) }

// limitedModel returns m with one more variant: the overrides, holding in
// every mode. It is built on a copy (catalog.New copies it again), so m,
// shared with other catalogs and goroutines, stays untouched.
func limitedModel(m *catalog.Model, fields map[string]*catalog.FieldSpec, source string) *catalog.Model {
	if source == "" {
		source = ConfigFileName
	}
	out := catalog.CloneModel(m)
	out.Variants = append(out.Variants, &catalog.Variant{
		When:   map[string][]any{"mode": m.Fields["mode"].Enum},
		Fields: fields,
		Level:  catalog.LevelStated,
		Source: source,
		Note:   "limit set in " + filepath.Base(source),
	})
	return out
}

// Catalog returns the catalog the config describes: the embedded one with
// models: merged in and limits: applied. A nil config gives catalog.Embedded.
func (c *Config) Catalog() *catalog.Catalog {
	if c == nil || c.catalog == nil {
		return catalog.Embedded()
	}
	return c.catalog
}

type ignoreEntry struct {
	glob, pointer string
	rules         []string
}

type expectEntry struct {
	glob  string
	rules []string
}

func checkGlob(g string) error { return glob.Check(g) }

// names returns the forms of file a glob may match: relative to the config
// directory, and as given.
func (c *Config) names(file string) []string {
	given := filepath.ToSlash(filepath.Clean(file))
	out := []string{strings.TrimPrefix(given, "./")}
	if c.Dir != "" {
		if abs, err := filepath.Abs(file); err == nil {
			if dir, err := filepath.Abs(c.Dir); err == nil {
				if rel, err := filepath.Rel(dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
					if r := filepath.ToSlash(rel); r != out[0] {
						out = append(out, r)
					}
				}
			}
		}
	}
	return out
}

func (c *Config) matches(g, file string) bool {
	for _, n := range c.names(file) {
		if glob.Match(g, n) {
			return true
		}
	}
	return false
}

// pointerCovers reports whether the pointer prefix p covers ptr: equal, or
// an ancestor of it.
func pointerCovers(p, ptr string) bool {
	return p == "" || ptr == p || strings.HasPrefix(ptr, p+"/")
}

// Applied is the outcome of Apply for one file.
type Applied struct {
	// Findings are what remains to report, severities remapped.
	Findings []validate.Finding
	// Suppressed counts findings turned off or ignored.
	Suppressed int
	// Expected holds findings an expect: entry declared; they are not
	// reported and do not fail the run.
	Expected []validate.Finding
	// Expect is set when the file is under an expect: entry.
	Expect *ExpectResult
}

// ExpectResult compares the rules that fired on a file with the rules an
// expect: entry declared.
type ExpectResult struct {
	File     string
	Patterns []string
	// Want are the declared rules, Got the rules that fired (sorted).
	Want, Got []string
	// Missing were declared but did not fire; Unexpected fired but were
	// not declared.
	Missing, Unexpected []string
}

// Merge folds in the result of another part of the same file (the linter
// may deliver a large JSONL file in chunks) and recomputes the diff.
func (r *ExpectResult) Merge(o *ExpectResult) {
	for _, p := range o.Patterns {
		if !slices.Contains(r.Patterns, p) {
			r.Patterns = append(r.Patterns, p)
		}
	}
	r.Want = sortedUnion(r.Want, o.Want)
	r.Got = sortedUnion(r.Got, o.Got)
	r.diff()
}

func sortedUnion(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *ExpectResult) diff() {
	r.Missing, r.Unexpected = nil, nil
	for _, w := range r.Want {
		if !slices.Contains(r.Got, w) {
			r.Missing = append(r.Missing, w)
		}
	}
	for _, g := range r.Got {
		if !slices.Contains(r.Want, g) {
			r.Unexpected = append(r.Unexpected, g)
		}
	}
}

// OK reports whether exactly the declared rules fired.
func (r *ExpectResult) OK() bool { return len(r.Missing) == 0 && len(r.Unexpected) == 0 }

// String renders the diff for humans.
func (r *ExpectResult) String() string {
	if r.OK() {
		return fmt.Sprintf("%s: expected rules fired: [%s]", r.File, strings.Join(r.Want, ", "))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: expectation not met (expect %s)\n", r.File, strings.Join(quoteAll(r.Patterns), ", "))
	for _, m := range r.Missing {
		fmt.Fprintf(&b, "  - %s (expected, did not fire)\n", m)
	}
	for _, u := range r.Unexpected {
		fmt.Fprintf(&b, "  + %s (fired, not expected)\n", u)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Apply runs the config's filter stage over one file's findings: severity
// remapping (rules:), suppressions (ignore:) and fixture expectations
// (expect:). It does not modify findings. A nil config passes findings
// through.
func (c *Config) Apply(file string, findings []validate.Finding) Applied {
	if c == nil {
		return Applied{Findings: findings}
	}
	var a Applied
	kept := make([]validate.Finding, 0, len(findings))
	var ignores []ignoreEntry
	for _, e := range c.ignore {
		if c.matches(e.glob, file) {
			ignores = append(ignores, e)
		}
	}
	for _, f := range findings {
		switch c.Rules[f.Rule] {
		case RuleOff:
			a.Suppressed += f.Count()
			continue
		case RuleWarning:
			f.Severity = validate.SeverityWarning
		case RuleError:
			f.Severity = validate.SeverityError
		}
		if slices.ContainsFunc(ignores, func(e ignoreEntry) bool {
			return pointerCovers(e.pointer, f.Pointer) && slices.Contains(e.rules, f.Rule)
		}) {
			a.Suppressed += f.Count()
			continue
		}
		kept = append(kept, f)
	}
	var res *ExpectResult
	for _, e := range c.expect {
		if !c.matches(e.glob, file) {
			continue
		}
		if res == nil {
			res = &ExpectResult{File: file}
		}
		res.Patterns = append(res.Patterns, e.glob)
		res.Want = append(res.Want, e.rules...)
	}
	if res == nil {
		a.Findings = kept
		return a
	}
	slices.Sort(res.Want)
	res.Want = slices.Compact(res.Want)
	for _, f := range kept {
		res.Got = append(res.Got, f.Rule)
	}
	slices.Sort(res.Got)
	res.Got = slices.Compact(res.Got)
	res.diff()
	a.Expect = res
	if res.OK() {
		a.Expected = kept
	} else {
		a.Findings = kept
	}
	return a
}

func seqItem(n ast.Node, i int) ast.Node {
	if seq, ok := n.(*ast.SequenceNode); ok && i < len(seq.Values) {
		return seq.Values[i]
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
