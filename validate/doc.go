// Package validate predicts, before a request is sent, whether the APIXO
// generation API (POST https://api.apixo.ai/api/v1/generateTask/{model})
// would refuse it or fail the task it starts.
//
// It is the engine behind the preflight linter, for programs that build
// requests themselves. There are three ways in:
//
//   - Request and Value check one body (JSON text or a Go value) and return
//     a Report of Findings: where the problem is (line, column, JSON
//     pointer), the Rule it breaks, what the API would answer (a failCode
//     or an HTTP status), the docs page behind it and the fix.
//   - A Validator does the same with settings kept across calls: a Catalog
//     of models, network checks of media URLs through an
//     *imagecheck.Checker, hosts exempt from the public-address rule. Its
//     zero value checks offline against the embedded catalog, and one
//     Validator may be shared by many goroutines.
//   - NewTransport wraps an http.RoundTripper so that doomed requests are
//     answered locally, in the API's own error envelope, and never sent.
//
// Findings are never errors: an error return means the check itself could
// not be made (a cancelled context). A finding's severity is error when
// the docs state the fact behind it and the request would fail, warning
// when the fact is inferred or the request only risks failing. Rules lists
// every rule; docs/rules.md explains each with an example.
//
// Request and Check allocate little (a request body seen for the first
// time costs about ten allocations, most of them parsing its URLs) and keep
// no state between calls but the Validator's parser pool.
package validate
