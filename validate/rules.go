package validate

import "slices"

// Rule describes one check: what it predicts and how to fix it. Findings
// carry the rule's ID; the per-model facts behind a finding (limits, enums)
// come from the catalog.
type Rule struct {
	ID string `json:"id"`
	// Severity is the default severity; a rule whose catalog fact is
	// inferred or conflicting reports a warning instead of an error.
	Severity   Severity `json:"severity"`
	FailCode   string   `json:"failCode,omitempty"`
	HTTPStatus int      `json:"httpStatus,omitempty"`
	// Summary says in one line what the rule checks.
	Summary string `json:"summary"`
	// Fix is the documented remedy.
	Fix string `json:"fix"`
	// Source is the docs page behind the rule itself (model facts carry
	// their own page).
	Source string `json:"source"`
}

// Docs pages the generic rules come from.
const (
	srcErrorCodes   = "https://apixo.ai/docs/api-reference/error-codes"
	srcErrors       = "https://apixo.ai/docs/api-reference/errors"
	srcGenerateTask = "https://apixo.ai/docs/api-reference/generate-task"
	srcParameters   = "https://apixo.ai/docs/api-reference/parameters"
	srcWebhooks     = "https://apixo.ai/docs/api-reference/webhooks"
	srcRFC8259      = "https://www.rfc-editor.org/rfc/rfc8259"
	srcPromises     = "https://github.com/preflight-dev/preflight#what-preflight-promises"
)

// Fix texts of the error-codes page, reused by the rules that predict them.
const (
	fixInvalidPrompt = "Provide a valid prompt"
	fixPromptTooLong = "Shorten your prompt"
	fixInvalidURL    = "Use a publicly accessible URL"
	fixBadRequest    = "Check your request body"
	fixNotFound      = "Verify model ID"
)

// The failCodes of the error-codes page that can be predicted before submit.
const (
	FailInvalidPrompt       = "INVALID_PROMPT"
	FailPromptTooLong       = "PROMPT_TOO_LONG"
	FailInvalidImageURL     = "INVALID_IMAGE_URL"
	FailImageTooLarge       = "IMAGE_TOO_LARGE"
	FailUnsupportedFormat   = "UNSUPPORTED_FORMAT"
	FailImageDownloadFailed = "IMAGE_DOWNLOAD_FAILED"
)

var rules = []Rule{
	// Syntax: the body must be one JSON object.
	{ID: "json-syntax", Severity: SeverityError, HTTPStatus: 400, Source: srcRFC8259,
		Summary: "The request body is not valid JSON (truncated, trailing data, byte order mark, bad token).",
		Fix:     "Send exactly one well-formed JSON object, UTF-8 without a byte order mark."},
	// Input: what preflight refuses to read (internal/runner). They are
	// preflight's own bounds, not the API's, so they cite the README.
	{ID: "request-too-large", Severity: SeverityError, Source: srcPromises,
		Summary: "The request file (or JSONL line) is larger than --max-request-bytes; it was not read further or checked.",
		Fix:     "Split the file, or raise --max-request-bytes if the request really is this large."},
	{ID: "file-not-regular", Severity: SeverityError, Source: srcPromises,
		Summary: "The path is a named pipe, device or socket, which preflight does not read (it could block or never end).",
		Fix:     "Lint regular files; pipe data in through standard input as -."},
	{ID: "json-invalid-utf8", Severity: SeverityError, HTTPStatus: 400, Source: srcRFC8259,
		Summary: "A JSON string holds bytes that are not valid UTF-8.",
		Fix:     "Encode the file as UTF-8."},
	{ID: "json-duplicate-key", Severity: SeverityWarning, Source: srcRFC8259,
		Summary: "An object names the same member twice; which value wins depends on the server's parser.",
		Fix:     "Keep one occurrence of the member."},
	{ID: "request-not-object", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "The request body is JSON but not an object.",
		Fix:     `Send an object: {"input": {...}}.`},

	// Model.
	{ID: "model-missing", Severity: SeverityError, Source: srcGenerateTask,
		Summary: "No model ID was given, so the request cannot be checked.",
		Fix:     `Add a top-level "model" member to the file, or pass --model.`},
	{ID: "model-unknown", Severity: SeverityError, HTTPStatus: 404, Source: srcErrorCodes,
		Summary: "The model ID is not one the API knows: generateTask/{model} answers 404.",
		Fix:     fixNotFound},
	{ID: "model-alias", Severity: SeverityWarning, Source: srcGenerateTask,
		Summary: "The model ID is an alternative spelling found in some docs; the canonical ID is safer.",
		Fix:     "Use the canonical model ID."},

	// Envelope.
	{ID: "request-type-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: `request_type must be "async" or "callback".`,
		Fix:     `Omit request_type or set it to "async" or "callback".`},
	{ID: "callback-url-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "request_type is callback but callback_url is missing.",
		Fix:     "Add a publicly accessible HTTPS callback_url, or use request_type async."},
	{ID: "callback-url-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcWebhooks,
		Summary: "callback_url is not an absolute HTTPS URL with a public host.",
		Fix:     "Use a publicly accessible HTTPS endpoint that answers HTTP 200 within 30 seconds."},
	{ID: "callback-url-unused", Severity: SeverityWarning, Source: srcGenerateTask,
		Summary: "callback_url is given but request_type is async, so no callback is sent.",
		Fix:     `Set request_type to "callback" or drop callback_url.`},
	{ID: "provider-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: `provider must be "auto", "value" or "official".`,
		Fix:     `Omit provider or set it to "auto", "value" or "official".`},
	{ID: "provider-unsupported", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The model is served only by some providers (sora-2 and sora-2-pro: official).",
		Fix:     `Set provider explicitly to a value the model supports (sora: "official").`},
	{ID: "input-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "The request has no input object.",
		Fix:     `Add "input": {...} with the model's parameters.`},
	{ID: "input-not-object", Severity: SeverityError, HTTPStatus: 400, Source: srcGenerateTask,
		Summary: "input is not a JSON object.",
		Fix:     `Make input an object: "input": {"prompt": "..."}.`},
	{ID: "envelope-unknown-field", Severity: SeverityWarning, Source: srcGenerateTask,
		Summary: "A top-level member the API does not document (only request_type, callback_url, provider, input).",
		Fix:     "Move model parameters into input, or remove the member."},

	// Mode.
	{ID: "mode-invalid", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "input.mode is not one of the model's modes.",
		Fix:     "Use one of the modes the model lists."},
	{ID: "mode-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The model documents no default mode and none was given.",
		Fix:     "Set input.mode."},

	// Prompt (package promptcheck).
	{ID: "prompt-missing", Severity: SeverityError, HTTPStatus: 400, Source: srcErrorCodes,
		Summary: "The model needs a prompt in this mode and none was given.",
		Fix:     "Add input.prompt."},
	{ID: "prompt-not-accepted", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The model (or this mode) takes no prompt.",
		Fix:     "Remove input.prompt."},
	{ID: "prompt-empty", Severity: SeverityError, FailCode: FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt is an empty string.", Fix: fixInvalidPrompt},
	{ID: "prompt-blank", Severity: SeverityError, FailCode: FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt holds only white space.", Fix: fixInvalidPrompt},
	{ID: "prompt-invalid-utf8", Severity: SeverityError, FailCode: FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt holds bytes that are not valid UTF-8.", Fix: fixInvalidPrompt},
	{ID: "prompt-control-char", Severity: SeverityError, FailCode: FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt holds a control character (NUL, escape, ...) other than tab, newline or carriage return.",
		Fix:     fixInvalidPrompt},
	{ID: "prompt-too-short", Severity: SeverityError, FailCode: FailInvalidPrompt, Source: srcErrorCodes,
		Summary: "The prompt is shorter than the model's minimum (flux-2 and seedance-1-5-pro: 3 characters).",
		Fix:     fixInvalidPrompt},
	{ID: "prompt-too-long", Severity: SeverityError, FailCode: FailPromptTooLong, Source: srcErrorCodes,
		Summary: "The prompt is longer than the model's limit in characters (Unicode code points).",
		Fix:     fixPromptTooLong},
	{ID: "prompt-too-many-bytes", Severity: SeverityError, FailCode: FailPromptTooLong, Source: srcErrorCodes,
		Summary: "The prompt is longer than the model's limit in UTF-8 bytes (midjourney).",
		Fix:     fixPromptTooLong},
	{ID: "prompt-param-stripped", Severity: SeverityWarning, Source: "https://apixo.ai/tr/docs/models/image/midjourney",
		Summary: "The backend drops prompt text from the first `--`, so inline parameters like --ar are lost.",
		Fix:     "Use the aspect_ratio, stylization, variety and weirdness fields instead of -- flags."},

	// Input fields, from the catalog.
	{ID: "field-required", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field the model requires (in this mode) is missing.", Fix: "Add the field."},
	{ID: "field-not-allowed", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field the model does not accept (in this mode) is present.", Fix: "Remove the field."},
	{ID: "field-type", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field has the wrong JSON type (duration is an integer, sound a boolean, ...).",
		Fix:     "Use the documented type."},
	{ID: "field-enum", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A field's value is not one of the allowed values (enums are case-sensitive).",
		Fix:     "Use one of the allowed values."},
	{ID: "field-range", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A number is outside the documented range.", Fix: "Use a value inside the range."},
	{ID: "field-step", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A number is not a multiple of the documented step.", Fix: "Round to the documented step."},
	{ID: "field-length", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A string is shorter or longer than documented (negative_prompt, style, title, ...).",
		Fix:     "Shorten or fill the text to the documented length."},
	{ID: "field-count", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "A list has more or fewer items than documented.", Fix: "Use the documented number of items."},
	{ID: "field-unknown", Severity: SeverityWarning, Source: srcParameters,
		Summary: "An input field the model does not document; the API may reject or ignore it.",
		Fix:     "Check the spelling or remove the field."},
	{ID: "field-deprecated", Severity: SeverityWarning, Source: srcParameters,
		Summary: "A field name or value from older docs that current docs replaced (nVariants, image_url, midjourney speed relaxed).",
		Fix:     "Use the current field name or value."},
	{ID: "references-count", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "Wrong number of reference URLs (image_urls, video_urls, audio_urls) for the mode.",
		Fix:     "Give the number of references the mode takes."},
	{ID: "references-required", Severity: SeverityError, HTTPStatus: 400, Source: srcParameters,
		Summary: "The mode needs at least one of several reference kinds (seedance omni_reference: images or videos).",
		Fix:     "Add one of the named reference kinds."},
	{ID: "url-invalid", Severity: SeverityError, FailCode: FailInvalidImageURL, Source: srcErrorCodes,
		Summary: "A media URL is not an absolute http(s) URL with a host (data:, file:, relative, userinfo).",
		Fix:     fixInvalidURL},
	{ID: "url-not-public", Severity: SeverityError, FailCode: FailInvalidImageURL, Source: srcErrorCodes,
		Summary: "A media URL points at a loopback, private, link-local or other non-public address.",
		Fix:     fixInvalidURL},
}

// Rules lists every rule, sorted by ID.
func Rules() []Rule {
	out := slices.Clone(rules)
	out = append(out, networkRules...)
	slices.SortFunc(out, func(a, b Rule) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

// RuleByID returns the rule with the given ID.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	for _, r := range networkRules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
