package validate

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/promptcheck"

	"github.com/preflight-dev/preflight/internal/jsonpos"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// The rules of these checks; Rules lists them.
var (
	rulePromptEmpty = &Rule{ID: "prompt-empty", Severity: SeverityError, FailCode: promptcheck.FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt is an empty string.", Fix: fixInvalidPrompt}
	rulePromptBlank = &Rule{ID: "prompt-blank", Severity: SeverityError, FailCode: promptcheck.FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt holds only white space.", Fix: fixInvalidPrompt}
	rulePromptInvalidUTF8 = &Rule{ID: "prompt-invalid-utf8", Severity: SeverityError, FailCode: promptcheck.FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt holds bytes that are not valid UTF-8.", Fix: fixInvalidPrompt}
	rulePromptControlChar = &Rule{ID: "prompt-control-char", Severity: SeverityError, FailCode: promptcheck.FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt holds a control character (NUL, escape, ...) other than tab, newline or carriage return.",
		Fix:     fixInvalidPrompt}
	rulePromptTooShort = &Rule{ID: "prompt-too-short", Severity: SeverityError, FailCode: promptcheck.FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt is shorter than the model's minimum (flux-2 and seedance-1-5-pro: 3 characters).",
		Fix:     fixInvalidPrompt}
	rulePromptTooLong = &Rule{ID: "prompt-too-long", Severity: SeverityError, FailCode: promptcheck.FailPromptTooLong, Source: srcErrorCodes,
		Summary: "The prompt is longer than the model's limit in characters (Unicode code points).",
		Fix:     fixPromptTooLong}
	rulePromptTooManyBytes = &Rule{ID: "prompt-too-many-bytes", Severity: SeverityError, FailCode: promptcheck.FailPromptTooLong, Source: srcErrorCodes,
		Summary: "The prompt is longer than the model's limit in UTF-8 bytes (midjourney).",
		Fix:     fixPromptTooLong}
	rulePromptParamStripped = &Rule{ID: "prompt-param-stripped", Severity: SeverityWarning, Source: "https://apixo.ai/tr/docs/models/image/midjourney",
		Summary: "The backend drops prompt text from the first `--`, so inline parameters like --ar are lost.",
		Fix:     "Use the aspect_ratio, stylization, variety and weirdness fields instead of -- flags."}
)

// promptRules maps promptcheck's kinds to the rules that report them: the
// one table between the two packages.
var promptRules = [...]*Rule{
	promptcheck.Empty:        rulePromptEmpty,
	promptcheck.Blank:        rulePromptBlank,
	promptcheck.InvalidUTF8:  rulePromptInvalidUTF8,
	promptcheck.ControlChar:  rulePromptControlChar,
	promptcheck.TooShort:     rulePromptTooShort,
	promptcheck.TooLong:      rulePromptTooLong,
	promptcheck.TooManyBytes: rulePromptTooManyBytes,
	promptcheck.Stripped:     rulePromptParamStripped,
}

// promptRule returns the rule of a promptcheck kind. A kind this package
// does not know yet (a newer promptcheck) still reports, as a warning.
func promptRule(k promptcheck.Kind) *Rule {
	if int(k) < len(promptRules) && promptRules[k] != nil {
		return promptRules[k]
	}
	return &Rule{ID: k.String(), Severity: SeverityWarning, Source: srcErrorCodes}
}

func (r *run) checkPrompt(name string, node int32, ptr string, e *catalog.Field) {
	d := r.d
	lim := promptcheck.Limits{StripFrom: e.StripFrom}
	if e.MinLength != nil {
		lim.MinChars = *e.MinLength
	}
	if e.MaxLength != nil {
		lim.MaxChars = *e.MaxLength
	}
	if e.MaxBytes != nil {
		lim.MaxBytes = *e.MaxBytes
	}
	var buf [4]promptcheck.Problem
	probs := promptcheck.AppendCheck(buf[:0], r.view(node), lim)
	if len(e.HedgedLimits) > 0 && !slices.ContainsFunc(probs, func(p promptcheck.Problem) bool { return p.Kind == promptcheck.TooManyBytes }) {
		r.checkHedgedBytes(name, node, ptr, e)
	}
	if len(probs) == 0 {
		return
	}
	required := catalog.IsTrue(e.Required) || lim.MinChars > 0
	for _, p := range probs {
		if !required && (p.Kind == promptcheck.Empty || p.Kind == promptcheck.Blank) {
			continue // an optional prompt left empty is taken as absent
		}
		var l catalog.Layer
		switch p.Kind {
		case promptcheck.TooLong:
			l = e.Origin(func(s *catalog.FieldSpec) bool { return s.MaxLength != nil })
		case promptcheck.TooShort:
			l = e.Origin(func(s *catalog.FieldSpec) bool { return s.MinLength != nil })
		case promptcheck.TooManyBytes:
			l = e.Origin(func(s *catalog.FieldSpec) bool { return s.MaxBytes != nil })
		case promptcheck.Stripped:
			l = e.Origin(func(s *catalog.FieldSpec) bool { return s.StripFrom != "" })
		default:
			l = e.Layers[0]
		}
		msg := p.Message()
		if name != "prompt" {
			msg = name + ": " + msg
		}
		switch p.Kind {
		case promptcheck.TooLong, promptcheck.TooShort, promptcheck.TooManyBytes:
			msg += fmt.Sprintf(" (%s%s)", r.model.ID, l.Context())
		}
		msg += l.Note()
		f := r.add(promptRule(p.Kind), node, ptr, l.Spec.Level, l.Spec.Source, msg)
		if fix := p.Fix(); fix != "" {
			f.Fix = fix
		}
		switch p.Kind {
		case promptcheck.ControlChar, promptcheck.InvalidUTF8, promptcheck.Stripped:
			// Point at the character itself when the text maps 1:1 to the
			// source.
			if p.Offset >= 0 && d.Nodes[node].Flags&jsonpos.Escaped == 0 {
				line, col := d.Position(int(d.Nodes[node].Start) + 1 + p.Offset)
				f.Line, f.Column = line+r.line-1, col
			}
		case promptcheck.TooLong, promptcheck.TooManyBytes:
			r.spanExcess(f, node, p.Offset)
		}
	}
}

// spanExcess makes a length finding cover the excess: from the first
// character over the limit to the closing quote.
func (r *run) spanExcess(f *Finding, node int32, offset int) {
	d := r.d
	n := &d.Nodes[node]
	start := int(n.Start) + sourceOffset(d.Raw(node), offset)
	line, col := d.Position(start)
	f.Line, f.Column = line+r.line-1, col
	line, col = d.Position(int(n.End) - 1)
	f.EndLine, f.EndColumn = line+r.line-1, col
}

// checkHedgedBytes warns about a prompt within the stated byte limit but
// over a lower one other pages give; the lowest violated limit speaks.
func (r *run) checkHedgedBytes(name string, node int32, ptr string, e *catalog.Field) {
	for _, h := range e.HedgedLimits {
		if h.MaxBytes == nil {
			continue
		}
		var buf [1]promptcheck.Problem
		for _, p := range promptcheck.AppendCheck(buf[:0], r.view(node), promptcheck.Limits{MaxBytes: *h.MaxBytes}) {
			if p.Kind != promptcheck.TooManyBytes {
				continue
			}
			msg := p.Message()
			if name != "prompt" {
				msg = name + ": " + msg
			}
			msg += " (" + r.model.ID
			if h.Note != "" {
				msg += "; " + h.Note
			}
			msg += ")"
			f := r.add(promptRule(p.Kind), node, ptr, h.Level, h.Source, msg)
			f.FailCode = "" // a hedged limit predicts no certain failure
			if e.MaxBytes != nil {
				f.Fix = fmt.Sprintf("Shorten your prompt to at most %s UTF-8 bytes to be safe by every page, %s by the stated one", groupDigits(*h.MaxBytes), groupDigits(*e.MaxBytes))
			}
			r.spanExcess(f, node, p.Offset)
			return
		}
	}
}

// groupDigits writes n with thousands separators: 7,500.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sourceOffset maps a byte offset in a JSON string's decoded value to the
// offset in its quoted source text raw, walking the escapes before it.
func sourceOffset(raw []byte, decoded int) int {
	i, n := 1, 0 // past the opening quote
	for i < len(raw)-1 && n < decoded {
		if raw[i] != '\\' {
			i++
			n++
			continue
		}
		if i+1 < len(raw) && raw[i+1] == 'u' && i+6 <= len(raw) {
			r := hexRune(raw[i+2 : i+6])
			i += 6
			if utf16IsHigh(r) && i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
				i += 6
				n += 4 // a surrogate pair is one supplementary code point
				continue
			}
			if l := utf8.RuneLen(r); l > 0 {
				n += l
			} else {
				n += 3 // a lone surrogate decodes to U+FFFD
			}
			continue
		}
		i += 2
		n++
	}
	return i
}

func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		}
	}
	return r
}

func utf16IsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
