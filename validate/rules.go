package validate

import (
	"slices"
	"strings"

	"github.com/preflight-dev/preflight/internal/catalog"
)

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
	srcGenerateTask = catalog.DocsGenerateTask
	srcParameters   = catalog.DocsParameters
	srcWebhooks     = catalog.DocsWebhooks
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

// allRules is every rule, each declared next to its check; Rules lists
// them. A check names its rule by identifier, so a typo does not compile.
var allRules = [...]*Rule{
	ruleRequestTooLarge, ruleFileNotRegular,
	ruleJSONSyntax, ruleJSONInvalidUTF8, ruleJSONDuplicateKey, ruleRequestNotObject,
	ruleModelMissing, ruleModelUnknown, ruleModelAlias,
	ruleRequestTypeInvalid, ruleCallbackURLMissing, ruleCallbackURLInvalid, ruleCallbackURLUnused,
	ruleProviderInvalid, ruleProviderUnsupported, ruleInputMissing, ruleInputNotObject, ruleEnvelopeUnknownField,
	ruleModeInvalid, ruleModeMissing,
	rulePromptMissing, rulePromptNotAccepted, rulePromptEmpty, rulePromptBlank, rulePromptInvalidUTF8,
	rulePromptControlChar, rulePromptTooShort, rulePromptTooLong, rulePromptTooManyBytes, rulePromptParamStripped,
	ruleFieldRequired, ruleFieldNotAllowed, ruleFieldType, ruleFieldEnum, ruleFieldRange, ruleFieldStep,
	ruleFieldLength, ruleFieldCount, ruleFieldUnknown, ruleFieldDeprecated,
	ruleReferencesCount, ruleReferencesRequired, ruleURLInvalid, ruleURLNotPublic,
	ruleImageDownloadFailed, ruleImageTooLarge, ruleImageSizeAmbiguous, ruleUnsupportedFormat,
	ruleContentTypeMismatch, ruleImageDimensions, ruleImageAlpha, ruleMediaTooLarge, ruleMediaDuration,
	ruleURLUnverified,
}

// Rules lists every rule, sorted by ID. The slice is the caller's.
func Rules() []Rule {
	out := make([]Rule, len(allRules))
	for i, r := range allRules {
		out[i] = *r
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}
