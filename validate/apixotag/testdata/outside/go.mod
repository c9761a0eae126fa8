// A module outside preflight that validates its own input with
// validator/v10 and the apixo_* tags, as a user's service would.
module example.com/outside

go 1.26.0

require (
	github.com/go-playground/validator/v10 v10.30.6
	github.com/preflight-dev/preflight v0.0.0
)

replace github.com/preflight-dev/preflight => ../../../..
