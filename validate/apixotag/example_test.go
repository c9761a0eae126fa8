package apixotag_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/preflight-dev/preflight/validate/apixotag"
)

// A service that takes a user's generation form rejects what the API
// would fail on at its own edge, with the linter's words.
func Example() {
	type GenerateForm struct {
		Model  string   `validate:"required,apixo_model"`
		Prompt string   `validate:"apixo_prompt=flux-2"`
		Images []string `validate:"max=8,dive,apixo_media_url"`
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	if err := apixotag.Register(v); err != nil {
		panic(err)
	}

	form := GenerateForm{
		Model:  "flux",
		Prompt: "ab",
		Images: []string{"https://cdn.example.com/ref.png", "http://192.168.1.20/ref.png"},
	}
	var errs validator.ValidationErrors
	if errors.As(v.Struct(form), &errs) {
		for _, fe := range errs {
			p, _ := apixotag.Explain(fe)
			fmt.Printf("%s [%s]\n  fix: %s\n", p.Message, p.Rule, p.Fix)
		}
	}

	form = GenerateForm{Model: "flux-2", Prompt: strings.Repeat("a fox ", 10)}
	fmt.Println("second form:", v.Struct(form))
	// Output:
	// unknown model "flux"; did you mean "flux-2"? [model-unknown]
	//   fix: Verify model ID
	// prompt is 2 characters; at least 3 required (flux-2) [prompt-too-short]
	//   fix: Provide a valid prompt of at least 3 characters
	// invalid image URL "http://192.168.1.20/ref.png": host 192.168.1.20 is a private (RFC 1918) address; the API needs a publicly accessible URL [url-not-public]
	//   fix: Use a publicly accessible URL
	// second form: <nil>
}
