package validate_test

import (
	"context"
	"fmt"

	"github.com/preflight-dev/preflight/validate"
)

// Check a request body before POSTing it to generateTask/{model}. Each
// finding says where the problem is, what the API would answer and how to
// fix it.
func ExampleRequest() {
	body := []byte(`{
  "input": {
    "mode": "pro-text-to-image",
    "prompt": "ok",
    "resolution": "4k"
  }
}`)
	rep, err := validate.Request(context.Background(), "flux-2", body, validate.WithFile("poster.json"))
	if err != nil {
		panic(err) // a failure of the check itself, never a finding
	}
	for _, f := range rep.Findings {
		fmt.Println(f)
		fmt.Printf("  pointer %s, predicts %s: %s\n", f.Pointer, f.Predicts(), f.Fix)
	}
	fmt.Println("ok:", rep.OK())
	// Output:
	// poster.json:4:15: error: prompt is 2 characters; at least 3 required (flux-2) [prompt-too-short]
	//   pointer /input/prompt, predicts INVALID_PROMPT: Provide a valid prompt of at least 3 characters
	// poster.json:5:19: error: resolution "4k" is not allowed for flux-2; allowed: "1K", "2K" (did you mean "2K"?) [field-enum]
	//   pointer /input/resolution, predicts HTTP 400: Use one of the allowed values.
	// ok: false
}

// Validate a Go value that marshals to the request body. Findings carry
// pointers but no line or column.
func ExampleValue() {
	req := map[string]any{
		"provider": "official",
		"input":    map[string]any{"mode": "text-to-video", "prompt": "a corgi surfing", "duration": 10},
	}
	rep, _ := validate.Value(context.Background(), "sora-2", req)
	for _, f := range rep.Findings {
		fmt.Println(f.Pointer, f.Rule, f.Severity)
	}
	// Output:
	// /input/duration field-enum warning
}

// A Validator holds settings across calls: here a catalog with a model the
// embedded one does not know yet. The zero Validator checks offline against
// the embedded catalog.
func ExampleValidator() {
	cat, err := validate.ParseCatalog([]byte(`{"version": 1, "date": "2026-12-01", "models": [{
		"id": "my-model", "family": "image", "title": "My model",
		"source": "https://example.com/docs/my-model",
		"fields": {
			"mode": {"type": "string", "enum": ["text-to-image"], "default": "text-to-image"},
			"prompt": {"type": "prompt", "required": true, "maxLength": 10}
		}
	}]}`))
	if err != nil {
		panic(err)
	}
	v := &validate.Validator{Catalog: cat}
	rep, _ := v.Check(context.Background(), validate.Input{
		Model: "my-model",
		Body:  []byte(`{"input": {"prompt": "a red fox in fresh snow"}}`),
	})
	for _, f := range rep.Findings {
		fmt.Printf("%d:%d-%d:%d %s %s\n", f.Line, f.Column, f.EndLine, f.EndColumn, f.Rule, f.Message)
	}
	// Output:
	// 1:33-1:46 prompt-too-long prompt is 23 characters; at most 10 allowed (the excess starts at character 11) (my-model)
}

// Rules lists every rule with its default severity and what it predicts.
func ExampleRules() {
	for _, r := range validate.Rules() {
		if r.ID == "prompt-too-long" || r.ID == "model-unknown" {
			fmt.Printf("%s %s %s\n", r.ID, r.Severity, r.Predicts())
		}
	}
	// Output:
	// model-unknown error HTTP 404
	// prompt-too-long error PROMPT_TOO_LONG
}
