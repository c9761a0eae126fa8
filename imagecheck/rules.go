package imagecheck

// Rule IDs name each kind of finding. They are stable: configuration,
// baselines and docs/rules.md anchors refer to them.
const (
	RuleDownloadFailed      = "image-download-failed" // the file cannot be fetched (IMAGE_DOWNLOAD_FAILED)
	RuleNotPublic           = "url-not-public"        // the URL or an address it resolves to is not public (INVALID_IMAGE_URL)
	RuleTooLarge            = "image-too-large"       // image above its byte limit (IMAGE_TOO_LARGE)
	RuleSizeAmbiguous       = "image-size-ambiguous"  // between 10,000,000 and 10,485,760 bytes: "10MB" may mean either
	RuleUnsupportedFormat   = "unsupported-format"    // container not allowed for the field (UNSUPPORTED_FORMAT)
	RuleContentTypeMismatch = "content-type-mismatch" // Content-Type header disagrees with the bytes
	RuleDimensions          = "image-dimensions"      // width or height outside the field's pixel bounds
	RuleAlpha               = "image-alpha"           // image carries alpha where the field forbids it
	RuleMediaTooLarge       = "media-too-large"       // video or audio above the field's byte limit
	RuleMediaDuration       = "media-duration"        // duration outside bounds, or could not be read
	RuleUnverified          = "url-unverified"        // the check could not be made (timeout, 429, 5xx)
)

// Task failure codes the API reports for media problems (docs: error codes).
// A Problem carries the one its rule predicts; rules the docs give no code
// for leave it empty.
const (
	FailInvalidImageURL     = "INVALID_IMAGE_URL"
	FailImageTooLarge       = "IMAGE_TOO_LARGE"
	FailUnsupportedFormat   = "UNSUPPORTED_FORMAT"
	FailImageDownloadFailed = "IMAGE_DOWNLOAD_FAILED"
)

// Severities of a Problem.
const (
	SeverityError   = "error"   // the task would fail
	SeverityWarning = "warning" // the task may fail, or could not be checked
)

// Fix texts, one per rule, shown after a message. The first four are the
// API docs' own solutions for the matching failure codes.
var ruleFix = map[string]string{
	RuleNotPublic:           "Use a publicly accessible URL",
	RuleTooLarge:            "Resize to under 10MB",
	RuleUnsupportedFormat:   "Use JPEG, PNG, or WebP",
	RuleDownloadFailed:      "Check URL accessibility",
	RuleSizeAmbiguous:       "Resize to under 10,000,000 bytes to be safe",
	RuleContentTypeMismatch: "Serve the file with a Content-Type that matches its bytes",
	RuleDimensions:          "Resize the image to within the model's pixel bounds",
	RuleAlpha:               "Flatten the image (remove transparency) or use JPEG",
	RuleMediaTooLarge:       "Compress or trim the file to under the size limit",
	RuleMediaDuration:       "Trim or extend the clip to within the allowed duration",
	RuleUnverified:          "Retry later, or run with network checks required to make this an error",
}

// Fix returns the documented fix text for a rule ID ("" if unknown).
func Fix(rule string) string { return ruleFix[rule] }

// Problem is one finding about one URL.
type Problem struct {
	Rule     string `json:"rule"`               // a Rule* constant
	FailCode string `json:"failCode,omitempty"` // the API failCode this predicts, if any
	Severity string `json:"severity"`           // SeverityError or SeverityWarning
	Message  string `json:"message"`            // what was found, in one sentence
	Fix      string `json:"fix"`                // what to do about it
}

// Verdict is the outcome of checking one URL.
type Verdict int

const (
	// OK: nothing found that would fail the task (warnings may remain).
	OK Verdict = iota
	// Failed: at least one error-severity problem.
	Failed
	// Unverified: the file could not be checked (timeout, 429, 5xx,
	// cancellation). It is neither a pass nor, by default, an error.
	Unverified
)

func (v Verdict) String() string {
	switch v {
	case OK:
		return "ok"
	case Failed:
		return "failed"
	case Unverified:
		return "unverified"
	}
	return "unknown"
}

// MarshalText makes verdicts readable in JSON output.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }
