package validate

// The rules of preflight's own input bounds. The file runner
// (internal/runner) reports them, before a body reaches Check; they are
// listed here so that Rules, docs/rules.md and config files know them.
// They are preflight's bounds, not the API's, so they cite the README.
var (
	ruleRequestTooLarge = &Rule{ID: "request-too-large", Severity: SeverityError, Source: srcPromises,
		Summary: "The request file (or JSONL line) is larger than --max-request-bytes; it was not read further or checked.",
		Fix:     "Split the file, or raise --max-request-bytes if the request really is this large."}
	ruleFileNotRegular = &Rule{ID: "file-not-regular", Severity: SeverityError, Source: srcPromises,
		Summary: "The path is a named pipe, device or socket, which preflight does not read (it could block or never end).",
		Fix:     "Lint regular files; pipe data in through standard input as -."}
)
