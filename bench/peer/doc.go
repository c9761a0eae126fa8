// Package peer measures preflight's validate.Request beside kin-openapi's
// openapi3filter.ValidateRequest on the same ~1 KB request, so the ratio in
// bench/RESULTS.md is measured, not quoted. It is a separate module so that
// kin-openapi never becomes a dependency of preflight itself:
//
//	cd bench/peer && go test -run '^$' -bench . -benchmem
package peer
