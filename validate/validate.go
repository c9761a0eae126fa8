package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// Validator checks requests against a catalog. The zero value is ready to
// use: it checks offline against the embedded catalog. A Validator is safe
// for concurrent use; reuse one to keep allocations down.
type Validator struct {
	// Catalog defaults to DefaultCatalog().
	Catalog *Catalog
	// Network, if set, checks media URLs over the network (reachability,
	// size, format). Nil means offline.
	Network URLChecker
	// AllowHosts are hosts ("host" or "host:port") whose URLs skip the
	// public-address rule, e.g. a staging server or an httptest server.
	AllowHosts []string

	pool sync.Pool // of *docParser
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

// Option configures a package-level Request or Value call.
type Option func(*options)

type options struct {
	file    string
	line    int
	catalog *Catalog
	network URLChecker
}

// WithFile names the request in findings.
func WithFile(name string) Option { return func(o *options) { o.file = name } }

// WithLine sets the line on which the body starts in its file.
func WithLine(line int) Option { return func(o *options) { o.line = line } }

// WithCatalog checks against c instead of the embedded catalog.
func WithCatalog(c *Catalog) Option { return func(o *options) { o.catalog = c } }

// WithNetwork turns on the network checks of media URLs.
func WithNetwork(n URLChecker) Option { return func(o *options) { o.network = n } }

var defaultValidator Validator

// Request validates body, the JSON POSTed to generateTask/{model}. model may
// be empty when the body names it in a top-level "model" member.
//
// Findings are never returned as an error: the error is for failures of the
// check itself (a cancelled context), and the report is valid either way.
func Request(ctx context.Context, model string, body []byte, opts ...Option) (Report, error) {
	v := &defaultValidator
	var o options
	if len(opts) > 0 {
		for _, opt := range opts {
			opt(&o)
		}
		if o.catalog != nil || o.network != nil {
			v = &Validator{Catalog: o.catalog, Network: o.network}
		}
	}
	return v.Check(ctx, Input{File: o.file, Line: o.line, Model: model, Body: body})
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
		rep.Findings[i].Line, rep.Findings[i].Column = 0, 0
	}
	return rep, err
}

func (v *Validator) catalog() *Catalog {
	if v.Catalog != nil {
		return v.Catalog
	}
	return DefaultCatalog()
}

// Check validates one request.
func (v *Validator) Check(ctx context.Context, in Input) (Report, error) {
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	p, _ := v.pool.Get().(*docParser)
	if p == nil {
		p = new(docParser)
	}
	defer v.pool.Put(p)
	r := run{v: v, cat: v.catalog(), file: in.File, line: max(in.Line, 1), collectURLs: v.Network != nil}
	r.check(p, in)
	if v.Network != nil && len(r.urls) > 0 {
		if err := r.checkNetwork(ctx); err != nil {
			return r.report(), err
		}
	}
	return r.report(), nil
}

// urlJobs runs the offline checks and returns the media URLs that passed
// them, for prefetching.
func (v *Validator) urlJobs(in Input) []URLJob {
	p, _ := v.pool.Get().(*docParser)
	if p == nil {
		p = new(docParser)
	}
	defer v.pool.Put(p)
	r := run{v: v, cat: v.catalog(), line: 1, collectURLs: true}
	r.check(p, in)
	jobs := make([]URLJob, len(r.urls))
	for i, u := range r.urls {
		jobs[i] = URLJob{URL: u.url, Spec: u.spec}
	}
	return jobs
}
