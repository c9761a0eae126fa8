package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/preflight-dev/preflight/imagecheck"

	"github.com/preflight-dev/preflight/internal/jsonpos"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// Validator checks requests against a catalog. The zero value is ready to
// use: it checks offline against the embedded catalog. A Validator is safe
// for concurrent use; reuse one to keep allocations down.
type Validator struct {
	// Catalog defaults to the embedded catalog.
	Catalog *Catalog
	// Network, if set, checks media URLs over the network (reachability,
	// size, format). One Checker per run fetches each unique URL once,
	// however many requests name it. Nil means offline.
	Network *imagecheck.Checker
	// NetworkDeadline, if set, bounds all network checks (a whole-run
	// deadline): once it passes, URLs not yet judged are unverified while
	// the offline checks go on.
	NetworkDeadline time.Time
	// AllowHosts are hosts ("host" or "host:port") whose URLs skip the
	// public-address rule, e.g. a staging server or an httptest server.
	// Those of Network.AllowHosts do too.
	AllowHosts []string
	// MaxFindingsPerRule bounds the findings of one rule and severity a
	// request lists: past it, the rest are counted, not kept, and one
	// closing finding of that rule and severity says how many were left
	// out (its More), so a hostile request's findings cost memory by rule,
	// not by input size. 0 means 50, golangci-lint's max-issues-per-linter
	// default; a negative value lists every finding (memory then grows
	// with them).
	MaxFindingsPerRule int

	pool sync.Pool // of *jsonpos.Parser
}

// Input is one request to validate.
type Input struct {
	// File names the request in findings (a path, or --stdin-filename).
	File string
	// Line is the line of the input file on which Body starts (JSONL);
	// 0 means 1.
	Line int
	// Model overrides the body's top-level "model" member when set.
	Model string
	// Body is the JSON text, exactly as it would be POSTed, optionally with
	// a top-level "model" member naming the model ID.
	Body []byte
}

// Option configures Request, Value and NewTransport. Each says which of
// them it applies to; the others ignore it.
type Option func(*options)

type options struct {
	file       string
	line       int
	catalog    *Catalog
	network    *imagecheck.Checker
	validator  *Validator
	failLevel  Severity
	rejectErr  bool
	onFindings func(*http.Request, Report)
}

// WithFile names the request in findings (Request, Value).
func WithFile(name string) Option { return func(o *options) { o.file = name } }

// WithLine sets the line on which the body starts in its file (Request).
func WithLine(line int) Option { return func(o *options) { o.line = line } }

// WithCatalog checks against c instead of the embedded catalog.
func WithCatalog(c *Catalog) Option { return func(o *options) { o.catalog = c } }

// WithNetwork turns on the network checks of media URLs, made by c. Hosts
// c allows (its AllowHosts) also skip the offline public-address rule.
func WithNetwork(c *imagecheck.Checker) Option { return func(o *options) { o.network = c } }

// WithValidator checks with v, which carries its own catalog and network
// settings; it takes precedence over WithCatalog and WithNetwork.
func WithValidator(v *Validator) Option { return func(o *options) { o.validator = v } }

var defaultValidator Validator

// validator returns the Validator the options describe.
func (o *options) validatorFor() *Validator {
	switch {
	case o.validator != nil:
		return o.validator
	case o.catalog != nil || o.network != nil:
		return &Validator{Catalog: o.catalog, Network: o.network}
	}
	return &defaultValidator
}

// Request validates body, the JSON POSTed to generateTask/{model}. model may
// be empty when the body names it in a top-level "model" member.
//
// Findings are never returned as an error: the error is for failures of the
// check itself (a cancelled context), and the report is valid either way.
func Request(ctx context.Context, model string, body []byte, opts ...Option) (Report, error) {
	if len(opts) == 0 {
		return defaultValidator.Check(ctx, Input{Model: model, Body: body})
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o.validatorFor().Check(ctx, Input{File: o.file, Line: o.line, Model: model, Body: body})
}

// Value validates a Go value (a struct or map that marshals to the request
// body). Findings carry pointers but no line or column.
func Value(ctx context.Context, model string, v any, opts ...Option) (Report, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return Report{}, fmt.Errorf("validate: marshal request: %w", err)
	}
	rep, err := Request(ctx, model, body, opts...)
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.Line, f.Column, f.EndLine, f.EndColumn = 0, 0, 0, 0
	}
	return rep, err
}

// defaultMaxPerRule is the cap on findings of one rule per request when
// MaxFindingsPerRule is 0.
const defaultMaxPerRule = 50

// maxPerRule is the cap in force; 0 means none.
func (v *Validator) maxPerRule() int {
	switch {
	case v.MaxFindingsPerRule < 0:
		return 0
	case v.MaxFindingsPerRule == 0:
		return defaultMaxPerRule
	}
	return v.MaxFindingsPerRule
}

func (v *Validator) catalog() *Catalog {
	if v.Catalog != nil {
		return v.Catalog
	}
	return catalog.Embedded()
}

// Check validates one request.
func (v *Validator) Check(ctx context.Context, in Input) (Report, error) {
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	p, _ := v.pool.Get().(*jsonpos.Parser)
	if p == nil {
		p = &jsonpos.Parser{KeepChildren: keepChildren}
	}
	defer func() {
		p.Trim() // a hostile request's nodes do not stay in the pool
		v.pool.Put(p)
	}()
	r := run{v: v, cat: v.catalog(), file: in.File, line: max(in.Line, 1), collectURLs: v.Network != nil,
		maxPerRule: v.maxPerRule()}
	r.check(p, in)
	if v.Network != nil && len(r.urls) > 0 {
		if err := r.checkNetwork(ctx); err != nil {
			return r.report(), err
		}
	}
	return r.report(), nil
}

// keepChildren says which containers' values get parse nodes: those the
// rules read (the envelope's members, and input down to the members of
// array items). Values elsewhere, such as the elements of a huge array
// under an unknown member, are checked for syntax, UTF-8 and duplicate
// names only, so memory follows the rules, not the request's shape.
func keepChildren(depth int, name []byte) bool {
	switch {
	case depth == 0:
		return true
	case depth == 1:
		return string(name) == "input"
	}
	return depth <= 4
}
