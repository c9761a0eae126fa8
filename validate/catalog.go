package validate

import "github.com/preflight-dev/preflight/internal/catalog"

// Catalog is the set of models requests are checked against: each model's
// documented fields, with the docs page and the certainty of every fact.
// A nil *Catalog in Validator or WithCatalog means the catalog embedded in
// this package, dated in its Date field. The format is that of
// docs/catalog.md.
type Catalog = catalog.Catalog

// ParseCatalog reads a catalog in the format of docs/catalog.md, for models
// the embedded catalog does not know yet. Unknown properties are errors, so
// a typo in the data cannot silently drop a rule.
func ParseCatalog(data []byte) (*Catalog, error) { return catalog.Parse(data) }

// severityOf is the severity a rule's error takes for a fact of level l:
// facts the docs state give errors, inferred or conflicting ones warnings.
func severityOf(l catalog.Level) Severity {
	if l.Stated() {
		return SeverityError
	}
	return SeverityWarning
}
