// Package apixotag registers the APIXO request checks as
// github.com/go-playground/validator/v10 tags, so a Go service that already
// validates its own input with validator/v10 (gin's binding does) can
// reject a user's prompt, media URL or model ID at its own edge, with the
// same limits and messages as `preflight lint`:
//
//	type GenerateForm struct {
//		Model  string   `json:"model" binding:"required,apixo_model"`
//		Prompt string   `json:"prompt" binding:"apixo_prompt=flux-2"`
//		Images []string `json:"image_urls" binding:"max=8,dive,apixo_media_url"`
//	}
//
// The tags:
//
//   - apixo_prompt=MODEL or apixo_prompt=MODEL:MODE checks a string against
//     the model's prompt limits from the catalog (in that mode, else with
//     the documented defaults), through package promptcheck: empty or blank
//     where a prompt is required, invalid UTF-8, control characters, too
//     short, too long in characters or UTF-8 bytes.
//   - apixo_media_url checks a string the way lint checks a media URL
//     offline (imagecheck.CheckURL): a publicly accessible http(s) URL.
//   - apixo_model accepts the model IDs the API knows: canonical IDs and
//     the alternative IDs it also accepts.
//
// A tag rejects only what the linter reports as an error; warnings (a
// hedged catalog fact, Midjourney's "--" flags in a prompt) pass. Explain
// and Message give the linter's rule ID, message and fix for a
// validator.FieldError; RegisterTranslations makes them the text of
// FieldError.Translate.
//
// The package keeps validator/v10 out of package validate: only programs
// that use validator/v10 import it.
package apixotag

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"

	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/promptcheck"
	"github.com/preflight-dev/preflight/validate"
)

// The tag names.
const (
	TagPrompt   = "apixo_prompt"
	TagMediaURL = "apixo_media_url"
	TagModel    = "apixo_model"
)

// Register adds the apixo_* tags to v.
func Register(v *validator.Validate) error {
	for _, t := range []struct {
		tag string
		fn  validator.Func
	}{
		{TagPrompt, validPrompt},
		{TagMediaURL, validMediaURL},
		{TagModel, validModel},
	} {
		if err := v.RegisterValidation(t.tag, t.fn); err != nil {
			return fmt.Errorf("apixotag: register %s: %w", t.tag, err)
		}
	}
	return nil
}

// RegisterTranslations makes Message the translation of every apixo_* tag
// in trans, so fe.Translate(trans) (and gin's and echo's error rendering
// built on it) shows the linter's message. The messages are English
// whatever trans's locale, as the linter's are.
func RegisterTranslations(v *validator.Validate, trans ut.Translator) error {
	for _, tag := range []string{TagPrompt, TagMediaURL, TagModel} {
		err := v.RegisterTranslation(tag, trans,
			func(ut.Translator) error { return nil },
			func(_ ut.Translator, fe validator.FieldError) string { return Message(fe) })
		if err != nil {
			return fmt.Errorf("apixotag: translation for %s: %w", tag, err)
		}
	}
	return nil
}

// Problem is what the linter reports for a value a tag rejected.
type Problem struct {
	Rule     string // the linter's rule ID, e.g. "prompt-too-long"
	FailCode string // the APIXO failCode it predicts, e.g. "PROMPT_TOO_LONG"; "" if none
	Message  string // e.g. "prompt is 5,001 characters; at most 5,000 allowed (...) (flux-2)"
	Fix      string // the documented remedy
}

// Explain returns the linter's finding for a FieldError of an apixo_* tag;
// ok is false for other tags. It re-runs the check on fe.Value(), so it
// costs a check only when a value was rejected.
func Explain(fe validator.FieldError) (p Problem, ok bool) {
	s, isString := fe.Value().(string)
	switch fe.Tag() {
	case TagPrompt:
		if !isString {
			return notString(fe), true
		}
		return explainPrompt(fe.Field(), s, fe.Param()), true
	case TagMediaURL:
		if !isString {
			return notString(fe), true
		}
		return explainURL(s), true
	case TagModel:
		if !isString {
			return notString(fe), true
		}
		return explainModel(s), true
	}
	return Problem{}, false
}

// Message is Explain's message, or fe.Error() for other tags.
func Message(fe validator.FieldError) string {
	if p, ok := Explain(fe); ok {
		return p.Message
	}
	return fe.Error()
}

func notString(fe validator.FieldError) Problem {
	return Problem{Rule: "field-type", Message: fmt.Sprintf("%s: %s applies to strings, not %T", fe.Field(), fe.Tag(), fe.Value())}
}

// stringOf returns the field's string, or false for another kind.
func stringOf(fl validator.FieldLevel) (string, bool) {
	f := fl.Field()
	if f.Kind() != reflect.String {
		return "", false
	}
	return f.String(), true
}

// promptTarget is the model and mode an apixo_prompt parameter names,
// with the model's prompt facts there.
type promptTarget struct {
	model string // canonical ID; "" when the parameter names no model
	mode  string
	promptFacts
}

var targets sync.Map // parameter -> promptTarget

// target resolves an apixo_prompt parameter once.
func target(param string) promptTarget {
	if t, ok := targets.Load(param); ok {
		return t.(promptTarget)
	}
	id, mode, _ := strings.Cut(param, ":")
	t := promptTarget{model: modelID(id), mode: mode}
	if t.model != "" {
		t.promptFacts = readPrompt(t.model, mode)
	}
	targets.Store(param, t)
	return t
}

// promptErrors returns the problems the linter reports as errors.
func promptErrors(s string, t promptTarget) []promptcheck.Problem {
	var buf [4]promptcheck.Problem
	var errs []promptcheck.Problem
	for _, p := range promptcheck.AppendCheck(buf[:0], s, t.lim) {
		switch {
		case p.Kind == promptcheck.Stripped: // the API accepts it; lint warns
		case !t.required && (p.Kind == promptcheck.Empty || p.Kind == promptcheck.Blank): // taken as absent
		case !t.stated[p.Kind]: // a hedged fact: lint warns
		default:
			errs = append(errs, p)
		}
	}
	return errs
}

func validPrompt(fl validator.FieldLevel) bool {
	s, ok := stringOf(fl)
	t := target(fl.Param())
	switch {
	case !ok || t.model == "":
		return false
	case !t.ok:
		return !t.refused || s == "" // an empty field is taken as absent
	}
	return len(promptErrors(s, t)) == 0
}

func explainPrompt(field, s, param string) Problem {
	t := target(param)
	if t.model == "" {
		id, _, _ := strings.Cut(param, ":")
		return Problem{Rule: "model-unknown", Message: fmt.Sprintf("%s: %s=%s names no model the API accepts", field, TagPrompt, id)}
	}
	if !t.ok {
		return lintProblem(t.model, t.mode, "prompt", s, "/input/prompt",
			Problem{Rule: "prompt-not-accepted", Message: fmt.Sprintf("prompt: %s takes no prompt", t.model)})
	}
	errs := promptErrors(s, t)
	if len(errs) == 0 {
		return Problem{}
	}
	p := errs[0]
	fallback := Problem{Rule: p.Kind.String(), Message: p.Message(), Fix: p.Fix()}
	fallback.FailCode, _ = ruleInfo(fallback.Rule)
	return lintProblem(t.model, t.mode, "prompt", s, "/input/prompt", fallback)
}

// lintProblem runs the linter on a request holding only value in field
// (and the mode) and returns its first error at pointer: the exact message
// lint prints, with the model and the docs' context. It returns fallback
// if lint reports none there, which the tests rule out for the catalog.
func lintProblem(modelID, mode, field string, value any, pointer string, fallback Problem) Problem {
	input := map[string]any{field: value}
	if mode != "" {
		input["mode"] = mode
	}
	rep, err := validate.Value(context.Background(), modelID, map[string]any{"input": input})
	if err != nil {
		return fallback
	}
	for _, f := range rep.Findings {
		if f.Pointer == pointer && f.Severity == validate.SeverityError && f.Rule == fallback.Rule {
			return Problem{Rule: f.Rule, FailCode: f.FailCode, Message: f.Message, Fix: f.Fix}
		}
	}
	return fallback
}

func validMediaURL(fl validator.FieldLevel) bool {
	s, ok := stringOf(fl)
	return ok && imagecheck.CheckURL(s) == nil
}

func explainURL(s string) Problem {
	err := imagecheck.CheckURL(s)
	if err == nil {
		return Problem{}
	}
	// The same split as lint: an http(s) URL with a host and no
	// credentials names a place the API cannot reach; anything else is not
	// a usable URL at all.
	rule := "url-invalid"
	if u, perr := url.Parse(s); perr == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
		rule = "url-not-public"
	}
	p := Problem{Rule: rule, Message: err.Error()}
	p.FailCode, p.Fix = ruleInfo(rule)
	return p
}

func validModel(fl validator.FieldLevel) bool {
	s, ok := stringOf(fl)
	return ok && modelID(s) != ""
}

func explainModel(id string) Problem {
	fallback := Problem{Rule: "model-unknown", Message: fmt.Sprintf("unknown model %q", id)}
	_, fallback.Fix = ruleInfo("model-unknown")
	if id == "" {
		fallback.Rule, fallback.Message = "model-missing", "no model ID"
		return fallback
	}
	return lintProblem(id, "", "prompt", "x", "/model", fallback)
}

// ruleInfo returns the failCode and fix of one of the linter's rules.
func ruleInfo(id string) (failCode, fix string) {
	for _, r := range validate.Rules() {
		if r.ID == id {
			return r.FailCode, r.Fix
		}
	}
	return "", ""
}
