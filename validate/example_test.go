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
