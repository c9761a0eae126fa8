package apixotag

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-playground/locales/en"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/validate"
)

func newValidate(t *testing.T) *validator.Validate {
	t.Helper()
	v := validator.New(validator.WithRequiredStructEnabled())
	if err := Register(v); err != nil {
		t.Fatal(err)
	}
	return v
}

// one validates a single tagged value and returns its FieldError, if any.
func one(t *testing.T, v *validator.Validate, value any, tag string) validator.FieldError {
	t.Helper()
	err := v.Var(value, tag)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) || len(ves) != 1 {
		t.Fatalf("Var(%q, %q) = %v", value, tag, err)
	}
	return ves[0]
}

func TestTags(t *testing.T) {
	v := newValidate(t)
	tests := []struct {
		value any
		tag   string
		rule  string // "" when the value passes
		msg   string // a part of the message
	}{
		{"a red fox in snow", "apixo_prompt=flux-2", "", ""},
		{"ab", "apixo_prompt=flux-2", "prompt-too-short", "prompt is 2 characters; at least 3 required (flux-2)"},
		{strings.Repeat("x", 5001), "apixo_prompt=flux-2", "prompt-too-long", "at most 5,000 allowed"},
		{"", "apixo_prompt=flux-2", "prompt-empty", "prompt is empty"},
		{" \n ", "apixo_prompt=nano-banana", "prompt-blank", "only whitespace"},
		{"bad \xff byte", "apixo_prompt=nano-banana", "prompt-invalid-utf8", "0xFF"},
		{"bell\a", "apixo_prompt=nano-banana", "prompt-control-char", "U+0007"},
		{strings.Repeat("é", 1900), "apixo_prompt=midjourney", "", ""},
		{strings.Repeat("😀", 1999), "apixo_prompt=midjourney", "prompt-too-many-bytes", "at most 7,500 allowed (midjourney)"},
		{"a cat --ar 16:9", "apixo_prompt=midjourney", "", ""}, // lint warns; the API accepts it
		{strings.Repeat("x", 801), "apixo_prompt=wan-2-5", "prompt-too-long", "(wan-2-5)"},
		{"", "apixo_prompt=wan-2-5-video:image-to-video", "", ""}, // optional in that mode
		{"", "apixo_prompt=wan-2-5-video", "prompt-empty", ""},
		{strings.Repeat("x", 501), "apixo_prompt=suno", "prompt-too-long", "at most 500"},
		{"", "apixo_prompt=infinitetalk", "", ""},
		{"any", "apixo_prompt=flux2", "", ""}, // an accepted alternative ID
		{"any", "apixo_prompt=nope", "model-unknown", "names no model"},
		{"remove it", "apixo_prompt=image-watermark-remover", "prompt-not-accepted", ""},
		{"", "apixo_prompt=image-watermark-remover", "", ""},
		{"maybe ignored", "apixo_prompt=image-upscaler", "", ""}, // inferred: lint warns
		{42, "apixo_prompt=flux-2", "field-type", "applies to strings"},

		{"https://cdn.example.com/a.png", "apixo_media_url", "", ""},
		{"http://127.0.0.1/a.png", "apixo_media_url", "url-not-public", "loopback"},
		{"http://intranet/a.png", "apixo_media_url", "url-not-public", "single-label"},
		{"data:image/png;base64,AAAA", "apixo_media_url", "url-invalid", "publicly accessible"},
		{"https://user:pw@example.com/a.png", "apixo_media_url", "url-invalid", "credentials"},
		{"", "apixo_media_url", "url-invalid", ""},

		{"flux-2", "apixo_model", "", ""},
		{"flux2", "apixo_model", "", ""},
		{"flux", "apixo_model", "model-unknown", `unknown model "flux"; did you mean "flux-2"?`},
		{"", "apixo_model", "model-missing", ""},
	}
	for _, tt := range tests {
		fe := one(t, v, tt.value, tt.tag)
		if tt.rule == "" {
			if fe != nil {
				t.Errorf("%.40q %s: rejected: %s", tt.value, tt.tag, Message(fe))
			}
			continue
		}
		if fe == nil {
			t.Errorf("%.40q %s: passed, want %s", tt.value, tt.tag, tt.rule)
			continue
		}
		p, ok := Explain(fe)
		if !ok || p.Rule != tt.rule || !strings.Contains(p.Message, tt.msg) || p.Message != Message(fe) {
			t.Errorf("%.40q %s: %+v, want rule %s and a message with %q", tt.value, tt.tag, p, tt.rule, tt.msg)
		}
		if strings.HasPrefix(p.Rule, "prompt-") && p.Rule != "prompt-not-accepted" && p.Fix == "" {
			t.Errorf("%.40q %s: no fix", tt.value, tt.tag)
		}
	}
}

// The tags agree with the linter: for every model and mode of the catalog
// and a spread of prompts, apixo_prompt rejects exactly the prompts lint
// reports an error for at /input/prompt, with lint's message.
func TestPromptAgreesWithLint(t *testing.T) {
	v := newValidate(t)
	// No invalid UTF-8 here: encoding/json, as a Go service uses it,
	// would replace it before lint saw it (TestTags covers the tag).
	prompts := []string{"", " ", "ab", "abc", "a red fox", "bell\a", strings.Repeat("😀", 1999),
		strings.Repeat("x", 501), strings.Repeat("x", 801), strings.Repeat("x", 1001), strings.Repeat("x", 1501),
		strings.Repeat("x", 2001), strings.Repeat("x", 2501), strings.Repeat("x", 5001), strings.Repeat("日", 2600),
		strings.Repeat("x", 10001), strings.Repeat("x", 20001), "a cat --ar 16:9"}
	cat := catalog.Default()
	checked := 0
	for _, m := range cat.Models {
		modes := []string{""}
		if fs := m.Fields["mode"]; fs != nil {
			for _, e := range fs.Enum {
				modes = append(modes, e.(string))
			}
		}
		for _, mode := range modes {
			param := m.ID
			input := map[string]any{}
			if mode != "" {
				param += ":" + mode
				input["mode"] = mode
			}
			for _, p := range prompts {
				input["prompt"] = p
				rep, err := validate.Value(context.Background(), m.ID, map[string]any{"input": input})
				if err != nil {
					t.Fatal(err)
				}
				var lintErr *validate.Finding
				for i, f := range rep.Findings {
					if f.Pointer == "/input/prompt" && f.Severity == validate.SeverityError {
						lintErr = &rep.Findings[i]
						break
					}
				}
				if mode == "" && m.Fields["mode"] != nil && m.Fields["mode"].Default == nil {
					continue // lint needs a mode here; the tag checks the defaults
				}
				if p == "" && lintErr != nil && lintErr.Rule == "prompt-not-accepted" {
					continue // a Go zero value is an absent field to the tag, a present one to lint
				}
				fe := one(t, v, p, "apixo_prompt="+param)
				checked++
				switch {
				case lintErr == nil && fe != nil:
					t.Errorf("%s %.20q: the tag rejects (%s), lint does not", param, p, Message(fe))
				case lintErr != nil && fe == nil:
					t.Errorf("%s %.20q: lint rejects (%s), the tag does not", param, p, lintErr.Message)
				case lintErr != nil && Message(fe) != lintErr.Message:
					t.Errorf("%s %.20q: message %q, lint says %q", param, p, Message(fe), lintErr.Message)
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d cases compared", checked)
	}
}

// RegisterTranslations makes FieldError.Translate print the linter's message.
func TestTranslations(t *testing.T) {
	v := newValidate(t)
	trans, _ := ut.New(en.New()).GetTranslator("en")
	if err := RegisterTranslations(v, trans); err != nil {
		t.Fatal(err)
	}
	fe := one(t, v, "ab", "apixo_prompt=flux-2")
	if got, want := fe.Translate(trans), Message(fe); got != want || !strings.Contains(got, "at least 3") {
		t.Errorf("Translate = %q, want %q", got, want)
	}
	if _, ok := Explain(one(t, v, "", "required")); ok {
		t.Error("Explain claims a tag it does not own")
	}
}

func BenchmarkPromptTag(b *testing.B) {
	v := validator.New()
	if err := Register(v); err != nil {
		b.Fatal(err)
	}
	s := struct {
		Prompt string `validate:"apixo_prompt=flux-2"`
	}{"a red fox in the snow, soft light"}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Struct(s); err != nil {
			b.Fatal(err)
		}
	}
}
