package apixotag

import (
	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/promptcheck"
)

// This file holds the package's only reads of the model catalog.

// modelID returns the canonical ID for a canonical or accepted alternative
// model ID, or "" for one the API does not accept.
func modelID(id string) string {
	cat := catalog.Embedded()
	if m, ok := cat.Model(id); ok {
		return m.ID
	}
	if a, ok := cat.Alias(id); ok && a.Accepted {
		return a.Model
	}
	return ""
}

// promptFacts are a model's prompt facts in one mode.
type promptFacts struct {
	lim promptcheck.Limits
	// required: an empty prompt is an error rather than absent.
	required bool
	// stated says, per rule, whether the catalog layer behind it (the base
	// spec or the last variant that set the property) is a fact the docs
	// state: lint reports an error then, and only a warning for an
	// inferred or conflicting one.
	stated map[promptcheck.Kind]bool
	ok     bool // the model documents a prompt and takes one
	// refused: the docs state the model takes no prompt (lint: an error);
	// when they only suggest it, lint warns and the tag lets it pass.
	refused bool
}

// readPrompt reads the prompt spec of model id in mode ("": with the
// documented defaults), as lint resolves it for a request.
func readPrompt(id, mode string) promptFacts {
	var pf promptFacts
	m, ok := catalog.Embedded().Model(id)
	if !ok {
		return pf
	}
	var values map[string]any
	if mode != "" {
		values = map[string]any{"mode": mode}
	}
	cs := m.Plan().CaseFor(values)
	f := cs.Field(m, "prompt")
	var fs catalog.FieldSpec
	if f != nil {
		fs = f.FieldSpec
	}
	switch {
	case f == nil:
	case fs.Forbidden != nil && *fs.Forbidden:
		pf.refused = stated(fs.Level)
	default:
		pf.ok = true
		pf.lim.StripFrom = fs.StripFrom
		if fs.MinLength != nil {
			pf.lim.MinChars = *fs.MinLength
		}
		if fs.MaxLength != nil {
			pf.lim.MaxChars = *fs.MaxLength
		}
		if fs.MaxBytes != nil {
			pf.lim.MaxBytes = *fs.MaxBytes
		}
		pf.required = (fs.Required != nil && *fs.Required) || pf.lim.MinChars > 0
		pf.stated = statedLevels(f)
	}
	return pf
}

func stated(l catalog.Level) bool { return l.Stated() }

// statedLevels finds, as lint does, the layer behind each prompt rule:
// the length and byte limits and the strip marker come from the last layer
// that sets them, everything else from the base spec.
func statedLevels(f *catalog.Field) map[promptcheck.Kind]bool {
	out := map[promptcheck.Kind]bool{}
	for k := promptcheck.Empty; k <= promptcheck.Stripped; k++ {
		out[k] = stated(f.Layers[0].Spec.Level)
	}
	for k, has := range map[promptcheck.Kind]func(*catalog.FieldSpec) bool{
		promptcheck.TooShort:     func(s *catalog.FieldSpec) bool { return s.MinLength != nil },
		promptcheck.TooLong:      func(s *catalog.FieldSpec) bool { return s.MaxLength != nil },
		promptcheck.TooManyBytes: func(s *catalog.FieldSpec) bool { return s.MaxBytes != nil },
		promptcheck.Stripped:     func(s *catalog.FieldSpec) bool { return s.StripFrom != "" },
	} {
		out[k] = stated(f.Origin(has).Spec.Level)
	}
	return out
}
