package validate

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"

	"github.com/preflight-dev/preflight/imagecheck"
)

// envelope is the typed top level of a request. Its struct tags are the
// envelope rules of the generate-task and parameters pages; validator/v10
// evaluates them. Pointers tell "absent" from "empty".
type envelope struct {
	RequestType *string `validate:"omitnil,oneof=async callback"`
	CallbackURL *string `validate:"required_if=Callback true,excluded_unless=Callback true,omitnil,public_https_url"`
	Provider    *string `validate:"omitnil,oneof=auto value official"`
	// Callback is derived from RequestType so the cross-field tags need no
	// pointer comparison.
	Callback bool
}

// envelopeRules maps a failed (field, tag) to the rule that reports it.
var envelopeRules = map[[2]string]string{
	{"RequestType", "oneof"}:            "request-type-invalid",
	{"CallbackURL", "required_if"}:      "callback-url-missing",
	{"CallbackURL", "excluded_unless"}:  "callback-url-unused",
	{"CallbackURL", "public_https_url"}: "callback-url-invalid",
	{"Provider", "oneof"}:               "provider-invalid",
}

var envelopeFields = map[string]string{
	"RequestType": "request_type", "CallbackURL": "callback_url", "Provider": "provider",
}

var (
	structValidatorOnce sync.Once
	structValidator     *validator.Validate
)

func envelopeValidator() *validator.Validate {
	structValidatorOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		if err := v.RegisterValidation("public_https_url", func(fl validator.FieldLevel) bool {
			return callbackURLProblem(fl.Field().String()) == ""
		}); err != nil {
			panic(err)
		}
		structValidator = v
	})
	return structValidator
}

// callbackURLProblem says what keeps s from being a callback URL the API
// can deliver to: publicly accessible, HTTPS, absolute.
func callbackURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "is not an absolute URL"
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return fmt.Sprintf("uses %s; the API delivers callbacks only to HTTPS endpoints", u.Scheme)
	}
	if err := imagecheck.CheckURL(s); err != nil {
		var ue *imagecheck.URLError
		if errors.As(err, &ue) {
			return ue.Reason
		}
		return err.Error()
	}
	return ""
}

var envelopeKeys = []string{"request_type", "callback_url", "provider", "input", "model"}

// checkEnvelope checks the top-level members and returns the input object's
// node, or -1.
func (r *run) checkEnvelope() int32 {
	d := r.d
	var env envelope
	nodes := map[string]int32{}
	input := int32(-1)
	for c := d.nodes[0].firstChild; c >= 0; c = d.nodes[c].nextSibling {
		name := string(d.name(c))
		switch name {
		case "request_type", "callback_url", "provider":
			nodes[name] = c
			if d.nodes[c].kind != '"' {
				r.add("field-type", c, "", LevelStated, srcGenerateTask, fmt.Sprintf("%s must be a string, got %s", name, kindName(d.nodes[c].kind)))
				continue
			}
			s := string(d.str(c))
			switch name {
			case "request_type":
				env.RequestType = &s
			case "callback_url":
				env.CallbackURL = &s
			case "provider":
				env.Provider = &s
			}
		case "input":
			input = c
		case "model":
		default:
			msg := fmt.Sprintf("unknown top-level member %q; the API documents request_type, callback_url, provider and input", name)
			if s := nearest(name, envelopeKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.add("envelope-unknown-field", c, "", LevelStated, "", msg)
		}
	}
	env.Callback = env.RequestType != nil && *env.RequestType == "callback"
	if err := envelopeValidator().Struct(&env); err != nil {
		var ves validator.ValidationErrors
		if !errors.As(err, &ves) {
			panic(err) // only InvalidValidationError: a programming error
		}
		for _, fe := range ves {
			r.envelopeFinding(fe, nodes, &env)
		}
	}
	if m := r.model; m != nil && m.Provider != nil {
		r.checkProvider(m.Provider, env.Provider, nodes)
	}
	switch {
	case input < 0:
		r.add("input-missing", -1, "/input", LevelStated, "", `the request has no "input" object`)
	case d.nodes[input].kind != '{':
		r.add("input-not-object", input, "", LevelStated, "", fmt.Sprintf("input must be an object, got %s", kindName(d.nodes[input].kind)))
		input = -1
	}
	return input
}

func (r *run) envelopeFinding(fe validator.FieldError, nodes map[string]int32, env *envelope) {
	rule := envelopeRules[[2]string{fe.StructField(), fe.Tag()}]
	if rule == "" {
		panic("validate: unmapped envelope rule " + fe.StructField() + "/" + fe.Tag())
	}
	name := envelopeFields[fe.StructField()]
	node, ok := nodes[name]
	if !ok {
		node = -1
	}
	var msg string
	switch rule {
	case "request-type-invalid":
		msg = fmt.Sprintf(`request_type %q is not "async" or "callback"`, *env.RequestType)
		if s := nearest(*env.RequestType, []string{"async", "callback"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
	case "callback-url-missing":
		msg = `request_type is "callback" but callback_url is missing`
		if n, ok := nodes["request_type"]; ok {
			node = n
		}
		r.add(rule, node, "/callback_url", LevelStated, "", msg)
		return
	case "callback-url-unused":
		msg = "callback_url is ignored: request_type is async (the default), so no callback is sent"
	case "callback-url-invalid":
		msg = fmt.Sprintf("callback_url %s", callbackURLProblem(*env.CallbackURL))
	case "provider-invalid":
		msg = fmt.Sprintf(`provider %q is not "auto", "value" or "official"`, *env.Provider)
		if s := nearest(*env.Provider, []string{"auto", "value", "official"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	r.add(rule, node, "", LevelStated, "", msg)
}

// checkProvider applies a model's own provider restriction (sora: official).
func (r *run) checkProvider(spec *FieldSpec, got *string, nodes map[string]int32) {
	allowed := make([]string, 0, len(spec.Enum))
	for _, e := range spec.Enum {
		if s, ok := e.(string); ok {
			allowed = append(allowed, s)
		}
	}
	note := ""
	if spec.Note != "" {
		note = " (" + spec.Note + ")"
	}
	if got == nil {
		r.add("provider-unsupported", -1, "/provider", spec.Level, spec.Source,
			fmt.Sprintf("%s needs provider set explicitly to %s; the default auto is not enough%s", r.model.ID, quoteList(allowed), note))
		return
	}
	for _, a := range allowed {
		if *got == a {
			return
		}
	}
	r.add("provider-unsupported", nodes["provider"], "", spec.Level, spec.Source,
		fmt.Sprintf("%s is served only with provider %s, not %q%s", r.model.ID, quoteList(allowed), *got, note))
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
