package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/preflight-dev/preflight/internal/wire"
)

// WithFailLevel sets the lowest severity that stops a request
// (NewTransport): SeverityError (the default) or SeverityWarning.
func WithFailLevel(s Severity) Option {
	return func(o *options) { o.failLevel = s }
}

// WithRejectError makes a doomed request fail with a *RejectedError (wrapped
// in *url.Error by http.Client) instead of a synthetic error response
// (NewTransport).
func WithRejectError() Option {
	return func(o *options) { o.rejectErr = true }
}

// WithOnFindings calls fn for every checked request that has findings, sent
// or not, for example to log warnings (NewTransport). fn runs on the
// caller's goroutine before the request is sent or refused; it must not keep
// rep.Findings' backing array past the call if it modifies it.
func WithOnFindings(fn func(req *http.Request, rep Report)) Option {
	return func(o *options) { o.onFindings = fn }
}

// RejectedError is the error a transport made WithRejectError returns for a
// request it refused to send. Find it with errors.As.
type RejectedError struct {
	// Model is the model ID from the URL path.
	Model string
	// Findings are all the findings of the request, errors and warnings,
	// in output order.
	Findings []Finding
	// Failing is the index in Findings of the first finding at or above the
	// transport's fail level.
	Failing int
}

// Error names the first failing finding and how many more there are.
func (e *RejectedError) Error() string {
	f := e.Findings[e.Failing]
	msg := "preflight: request would fail: " + f.Message + " [" + f.Rule + "]"
	if n := len(e.Findings) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

// NewTransport returns a RoundTripper that checks each
// POST .../generateTask/{model} body before it is sent and refuses the
// requests the API would fail. Other requests, and requests that pass, go
// to next (http.DefaultTransport when nil) unchanged; a passing body is sent
// byte for byte as given.
//
// A refused request never reaches next. By default the transport answers it
// itself, the way the API answers a bad request, so existing error handling
// applies: Content-Type application/json and the APIXO error envelope with
// the status the API would answer: 404 for an unknown model (the finding's
// HTTP status), 400 otherwise:
//
//	{"code":400,"message":"preflight: request would fail: ...","data":{"findings":[...]}}
//
// With WithRejectError it returns a *RejectedError instead. WithCatalog,
// WithNetwork and WithValidator choose what the requests are checked
// against.
func NewTransport(next http.RoundTripper, opts ...Option) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return &transport{next: next, v: o.validatorFor(), failOnWarnings: o.failLevel == SeverityWarning,
		rejectErr: o.rejectErr, onFindings: o.onFindings}
}

type transport struct {
	next           http.RoundTripper
	v              *Validator
	failOnWarnings bool
	rejectErr      bool
	onFindings     func(*http.Request, Report)
}

// replay is the request sent on: a shallow copy of the caller's request
// (RoundTrip must not modify it) whose body replays the bytes read. One
// allocation holds both.
type replay struct {
	req  http.Request
	body bytes.Reader
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.URL == nil || req.Body == nil || req.Body == http.NoBody {
		return t.next.RoundTrip(req)
	}
	model := wire.TaskModel(req.URL.Path)
	if model == "" {
		return t.next.RoundTrip(req)
	}
	body, err := wire.ReadBody(req.Body, req.ContentLength)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("preflight: read request body: %w", err)
	}
	rep, err := t.v.Check(req.Context(), Input{Model: model, Body: body})
	if err != nil {
		return nil, fmt.Errorf("preflight: %w", err)
	}
	if len(rep.Findings) > 0 && t.onFindings != nil {
		t.onFindings(req, rep)
	}
	if i := t.failing(rep.Findings); i >= 0 {
		rej := &RejectedError{Model: model, Findings: rep.Findings, Failing: i}
		if t.rejectErr {
			return nil, rej
		}
		return rejection(req, rej)
	}

	r := &replay{req: *req}
	r.body.Reset(body)
	// io.NopCloser of a *bytes.Reader, not a type of our own: net/http
	// knows it is in memory and writes headers and body in one syscall
	// and one TCP segment, where an unknown reader gets its headers
	// flushed first, in a write and a segment of their own.
	r.req.Body = io.NopCloser(&r.body)
	r.req.ContentLength = int64(len(body))
	if req.GetBody == nil {
		// The caller's GetBody, when set, already yields these bytes.
		r.req.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(body)), nil
		}
	}
	return t.next.RoundTrip(&r.req)
}

// failing returns the index of the first finding at or above the fail level,
// or -1.
func (t *transport) failing(fs []Finding) int {
	for i, f := range fs {
		if f.Severity == SeverityError || (t.failOnWarnings && f.Severity == SeverityWarning) {
			return i
		}
	}
	return -1
}

// errorEnvelope is the APIXO error response shape.
type errorEnvelope struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Data    errorEnvelopeData `json:"data"`
}

type errorEnvelopeData struct {
	Model    string    `json:"model"`
	Findings []Finding `json:"findings"`
}

func rejection(req *http.Request, rej *RejectedError) (*http.Response, error) {
	status := http.StatusBadRequest
	if f := rej.Findings[rej.Failing]; f.HTTPStatus == http.StatusNotFound {
		status = http.StatusNotFound // the API's answer to an unknown model
	}
	b, err := json.Marshal(errorEnvelope{
		Code:    status,
		Message: "preflight: request would fail: " + rej.Findings[rej.Failing].Message,
		Data:    errorEnvelopeData{Model: rej.Model, Findings: rej.Findings},
	})
	if err != nil {
		return nil, fmt.Errorf("preflight: encode rejection: %w", err)
	}
	return &http.Response{
		Status:     strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode: status,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":   {"application/json"},
			"Content-Length": {strconv.Itoa(len(b))},
			"X-Preflight":    {"rejected"},
		},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Request:       req,
	}, nil
}
