// Package outside is a user's service: it binds a JSON form and validates
// it with validator/v10 and preflight's apixo_* tags before it calls the
// APIXO API.
package outside

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/preflight-dev/preflight/validate/apixotag"
)

// Form is what the service accepts from its users.
type Form struct {
	Model  string   `json:"model" validate:"required,apixo_model"`
	Prompt string   `json:"prompt" validate:"required,apixo_prompt=kling-2-6"`
	Images []string `json:"image_urls" validate:"max=2,dive,apixo_media_url"`
}

var validate = newValidate()

func newValidate() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { // report JSON names, as gin users do
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	if err := apixotag.Register(v); err != nil {
		panic(err)
	}
	return v
}

// Bind decodes body and returns the linter's message for every rejected
// field, one per line.
func Bind(body []byte) (Form, error) {
	var f Form
	if err := json.Unmarshal(body, &f); err != nil {
		return f, err
	}
	var errs validator.ValidationErrors
	if err := validate.Struct(f); errors.As(err, &errs) {
		var msgs []string
		for _, fe := range errs {
			msgs = append(msgs, fmt.Sprintf("%s: %s", fe.Field(), apixotag.Message(fe)))
		}
		return f, errors.New(strings.Join(msgs, "\n"))
	} else if err != nil {
		return f, err
	}
	return f, nil
}
