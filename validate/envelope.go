package validate

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/preflight-dev/preflight/imagecheck"

	"github.com/preflight-dev/preflight/internal/suggest"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// The rules of these checks; Rules lists them.
var (
	ruleRequestTypeInvalid = &Rule{ID: "request-type-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: `request_type must be "async" or "callback".`,
		Fix:     `Omit request_type or set it to "async" or "callback".`}
	ruleCallbackURLMissing = &Rule{ID: "callback-url-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "request_type is callback but callback_url is missing.",
		Fix:     "Add a publicly accessible HTTPS callback_url, or use request_type async."}
	ruleCallbackURLInvalid = &Rule{ID: "callback-url-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcWebhooks,
		Summary: "callback_url is not an absolute HTTPS URL with a public host.",
		Fix:     "Use a publicly accessible HTTPS endpoint that answers HTTP 200 within 30 seconds."}
	ruleCallbackURLUnused = &Rule{ID: "callback-url-unused", Severity: SeverityWarning, Source: srcGenerateTask,
		Summary: "callback_url is given but request_type is async, so no callback is sent.",
		Fix:     `Set request_type to "callback" or drop callback_url.`}
	ruleProviderInvalid = &Rule{ID: "provider-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: `provider must be "auto", "value" or "official".`,
		Fix:     `Omit provider or set it to "auto", "value" or "official".`}
	ruleProviderUnsupported = &Rule{ID: "provider-unsupported", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The model is served only by some providers (sora-2 and sora-2-pro: official).",
		Fix:     `Set provider explicitly to a value the model supports (sora: "official").`}
	ruleInputMissing = &Rule{ID: "input-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "The request has no input object.",
		Fix:     `Add "input": {...} with the model's parameters.`}
	ruleInputNotObject = &Rule{ID: "input-not-object", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "input is not a JSON object.",
		Fix:     `Make input an object: "input": {"prompt": "..."}.`}
	ruleEnvelopeUnknownField = &Rule{ID: "envelope-unknown-field", Severity: SeverityWarning, Source: srcGenerateTask,
		Summary: "A top-level member the API does not document (only request_type, callback_url, provider, input).",
		Fix:     "Move model parameters into input, or remove the member."}
)

// envelope is the typed top level of a request. The strings alias the
// request body: they live only as long as the check.
type envelope struct {
	RequestType, CallbackURL, Provider optString
	// Callback is request_type "callback".
	Callback bool
	// CallbackNotString is a callback_url that is present but no string:
	// field-type reports it, so it is not also "missing".
	CallbackNotString bool
}

// optString is a string member that may be absent (ok false), which is not
// the same as empty. A value, not a pointer, so the envelope stays on the
// stack.
type optString struct {
	s  string
	ok bool
}

// callbackURLProblem says what keeps s from being a callback URL the API
// can deliver to: publicly accessible, HTTPS, absolute.
func callbackURLProblem(s string) string {
	if len(s) > len("https://") && strings.EqualFold(s[:len("https://")], "https://") && imagecheck.CheckURL(s) == nil {
		// The common case in one parse: CheckURL found an absolute URL
		// with a host, and the scheme is https.
		return ""
	}
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
	for c := d.Nodes[0].FirstChild; c >= 0; c = d.Nodes[c].NextSibling {
		switch nb := d.Name(c); string(nb) {
		case "request_type", "callback_url", "provider":
			name := envelopeKeys[slices.Index(envelopeKeys, string(nb))]
			slot := nodes.slot(name)
			*slot = c + 1
			if d.Nodes[c].Kind != '"' {
				env.CallbackNotString = env.CallbackNotString || name == "callback_url"
				r.add(ruleFieldType, c, "", catalog.LevelStated, srcGenerateTask, fmt.Sprintf("%s must be a string, got %s", name, kindName(d.Nodes[c].Kind)))
				continue
			}
			s := r.view(c) // only read during this check
			switch name {
			case "request_type":
				env.RequestType = optString{s, true}
			case "callback_url":
				env.CallbackURL = optString{s, true}
			case "provider":
				env.Provider = optString{s, true}
			}
		case "input":
			input = c
		case "model":
		default:
			name := string(nb)
			msg := fmt.Sprintf("unknown top-level member %q; the API documents request_type, callback_url, provider and input", name)
			if s := suggest.Nearest(name, envelopeKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.add(ruleEnvelopeUnknownField, c, "", catalog.LevelStated, "", msg)
		}
	}
	env.Callback = env.RequestType.ok && env.RequestType.s == "callback"
	var buf [3]*Rule
	for _, rule := range envelopeProblems(&env, buf[:0]) {
		r.envelopeFinding(rule, &nodes, &env)
	}
	if m := r.model; m != nil && m.Provider != nil && len(m.Provider.Enum) > 0 {
		r.checkProvider(m.Provider, env.Provider, &nodes)
	}
	switch {
	case input < 0:
		r.add(ruleInputMissing, -1, "/input", catalog.LevelStated, "", `the request has no "input" object`)
	case d.Nodes[input].Kind != '{':
		r.add(ruleInputNotObject, input, "", catalog.LevelStated, "", fmt.Sprintf("input must be an object, got %s", kindName(d.Nodes[input].Kind)))
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

// envelopeProblems returns the rules the envelope breaks, in member order:
// request_type, callback_url, provider. At most one rule per member, and
// one per fault: a callback_url of the wrong type is not also missing, and
// with an invalid request_type its intent is unknown, so an unused
// callback_url is not reported beside it.
func envelopeProblems(env *envelope, dst []*Rule) []*Rule {
	rtInvalid := env.RequestType.ok && env.RequestType.s != "async" && env.RequestType.s != "callback"
	if rtInvalid {
		dst = append(dst, ruleRequestTypeInvalid)
	}
	switch cb := env.CallbackURL; {
	case !cb.ok:
		if env.Callback && !env.CallbackNotString {
			dst = append(dst, ruleCallbackURLMissing)
		}
	case !env.Callback && rtInvalid:
		if callbackURLProblem(cb.s) != "" {
			dst = append(dst, ruleCallbackURLInvalid)
		}
	case !env.Callback:
		dst = append(dst, ruleCallbackURLUnused)
	case callbackURLProblem(cb.s) != "":
		dst = append(dst, ruleCallbackURLInvalid)
	}
	if p := env.Provider; p.ok && p.s != "auto" && p.s != "value" && p.s != "official" {
		dst = append(dst, ruleProviderInvalid)
	}
	return dst
}

func (r *run) envelopeFinding(rule *Rule, nodes *envelopeNodes, env *envelope) {
	var node int32
	var msg string
	switch rule {
	case ruleRequestTypeInvalid:
		node = nodes.requestType - 1
		msg = fmt.Sprintf(`request_type %q is not "async" or "callback"`, env.RequestType.s)
		if s := suggest.Nearest(env.RequestType.s, []string{"async", "callback"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
	case ruleCallbackURLMissing:
		msg = `request_type is "callback" but callback_url is missing`
		node = nodes.requestType - 1 // -1, the document, when absent
		r.add(rule, node, "/callback_url", catalog.LevelStated, "", msg)
		return
	case ruleCallbackURLUnused:
		node = nodes.callbackURL - 1
		msg = "callback_url is ignored: request_type is async (the default), so no callback is sent"
	case ruleCallbackURLInvalid:
		node = nodes.callbackURL - 1
		msg = fmt.Sprintf("callback_url %s", callbackURLProblem(env.CallbackURL.s))
	case ruleProviderInvalid:
		node = nodes.provider - 1
		msg = fmt.Sprintf(`provider %q is not "auto", "value" or "official"`, env.Provider.s)
		if s := suggest.Nearest(env.Provider.s, []string{"auto", "value", "official"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		if m := r.model; m != nil && m.ProviderChannels() {
			// The model documents named provider channels besides the three:
			// the value may be one, which no docs page lists.
			p := m.Provider
			r.add(rule, node, "", catalog.LevelInferred, p.Source,
				fmt.Sprintf("provider %q is not auto, value or official; %s takes named provider channels too (%s), so check the name", env.Provider.s, m.ID, p.Note))
			return
		}
	}
	r.add(rule, node, "", catalog.LevelStated, "", msg)
}

// checkProvider applies a model's own provider restriction (sora: official).
func (r *run) checkProvider(spec *catalog.FieldSpec, got optString, nodes *envelopeNodes) {
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
	if !got.ok {
		if lv := spec.LegacyAbsent(); lv != nil {
			// Older docs' working examples leave provider out: a warning
			// citing them, the current page as its advice.
			r.add(ruleProviderUnsupported, -1, "/provider", catalog.LevelConflict, lv.Source,
				fmt.Sprintf("%s needs provider set explicitly to %s; the default auto is not enough (%s; the current page (%s) says: %s)", r.model.ID, quoteList(allowed), lv.Note, spec.Source, spec.Note))
			return
		}
		r.add(ruleProviderUnsupported, -1, "/provider", spec.Level, spec.Source,
			fmt.Sprintf("%s needs provider set explicitly to %s; the default auto is not enough%s", r.model.ID, quoteList(allowed), note))
		return
	}
	for _, a := range allowed {
		if got.s == a {
			return
		}
	}
	r.add(ruleProviderUnsupported, nodes.get("provider"), "", spec.Level, spec.Source,
		fmt.Sprintf("%s is served only with provider %s, not %q%s", r.model.ID, quoteList(allowed), got.s, note))
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
