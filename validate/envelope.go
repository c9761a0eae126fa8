package validate

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
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
	var nodes envelopeNodes
	input := int32(-1)
	for c := d.nodes[0].firstChild; c >= 0; c = d.nodes[c].nextSibling {
		switch nb := d.name(c); string(nb) {
		case "request_type", "callback_url", "provider":
			name := envelopeKeys[slices.Index(envelopeKeys, string(nb))]
			slot := nodes.slot(name)
			*slot = c + 1
			if d.nodes[c].kind != '"' {
				r.add("field-type", c, "", LevelStated, srcGenerateTask, fmt.Sprintf("%s must be a string, got %s", name, kindName(d.nodes[c].kind)))
				continue
			}
			s := r.view(c) // only read during this check; the memo clones
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
			name := string(nb)
			msg := fmt.Sprintf("unknown top-level member %q; the API documents request_type, callback_url, provider and input", name)
			if s := nearest(name, envelopeKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.add("envelope-unknown-field", c, "", LevelStated, "", msg)
		}
	}
	env.Callback = env.RequestType != nil && *env.RequestType == "callback"
	for _, fail := range validateEnvelope(&env) {
		r.envelopeFinding(fail, &nodes, &env)
	}
	if m := r.model; m != nil && m.Provider != nil && len(m.Provider.Enum) > 0 {
		r.checkProvider(m.Provider, env.Provider, &nodes)
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

// envelopeNodes remembers where each envelope member is (node index + 1,
// 0 when absent) without a map on the hot path.
type envelopeNodes struct{ requestType, callbackURL, provider int32 }

func (n *envelopeNodes) slot(name string) *int32 {
	switch name {
	case "request_type":
		return &n.requestType
	case "callback_url":
		return &n.callbackURL
	}
	return &n.provider
}

// get returns the member's node, or -1.
func (n *envelopeNodes) get(name string) int32 { return *n.slot(name) - 1 }

// envelopeFailure is one failed validator tag: struct field and tag.
type envelopeFailure [2]string

// envelopeKey identifies an envelope by value for the memo.
type envelopeKey struct {
	requestType, callbackURL, provider string
	present                            uint8
}

var envelopeMemo = memo[envelopeKey, []envelopeFailure]{max: 4096}

// validateEnvelope runs validator/v10 over the envelope, remembering the
// verdict for envelopes seen before (a batch repeats the same one).
func validateEnvelope(env *envelope) []envelopeFailure {
	var k envelopeKey
	if env.RequestType != nil {
		k.requestType, k.present = *env.RequestType, k.present|1
	}
	if env.CallbackURL != nil {
		k.callbackURL, k.present = *env.CallbackURL, k.present|2
	}
	if env.Provider != nil {
		k.provider, k.present = *env.Provider, k.present|4
	}
	if fails, ok := envelopeMemo.get(k); ok {
		return fails
	}
	var fails []envelopeFailure
	if err := envelopeValidator().Struct(env); err != nil {
		var ves validator.ValidationErrors
		if !errors.As(err, &ves) {
			panic(err) // only InvalidValidationError: a programming error
		}
		for _, fe := range ves {
			fails = append(fails, envelopeFailure{fe.StructField(), fe.Tag()})
		}
	}
	k.requestType, k.callbackURL, k.provider = strings.Clone(k.requestType), strings.Clone(k.callbackURL), strings.Clone(k.provider)
	envelopeMemo.put(k, fails)
	return fails
}

func (r *run) envelopeFinding(fe envelopeFailure, nodes *envelopeNodes, env *envelope) {
	rule := envelopeRules[fe]
	if rule == "" {
		panic("validate: unmapped envelope rule " + fe[0] + "/" + fe[1])
	}
	name := envelopeFields[fe[0]]
	node := nodes.get(name)
	var msg string
	switch rule {
	case "request-type-invalid":
		msg = fmt.Sprintf(`request_type %q is not "async" or "callback"`, *env.RequestType)
		if s := nearest(*env.RequestType, []string{"async", "callback"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
	case "callback-url-missing":
		msg = `request_type is "callback" but callback_url is missing`
		if n := nodes.get("request_type"); n >= 0 {
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
		if m := r.model; m != nil && m.providerChannels() {
			// The model documents named provider channels besides the three:
			// the value may be one, which no docs page lists.
			p := m.Provider
			r.add(rule, node, "", LevelInferred, p.Source,
				fmt.Sprintf("provider %q is not auto, value or official; %s takes named provider channels too (%s), so check the name", *env.Provider, m.ID, p.Note))
			return
		}
	}
	r.add(rule, node, "", LevelStated, "", msg)
}

// checkProvider applies a model's own provider restriction (sora: official).
func (r *run) checkProvider(spec *FieldSpec, got *string, nodes *envelopeNodes) {
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
	r.add("provider-unsupported", nodes.get("provider"), "", spec.Level, spec.Source,
		fmt.Sprintf("%s is served only with provider %s, not %q%s", r.model.ID, quoteList(allowed), *got, note))
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
