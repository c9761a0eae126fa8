package catalog

// Exported for the external tests, which need the linter (validate imports
// this package).
var (
	SchemaUnexpressible = schemaUnexpressible
	SchemaPartial       = schemaPartial
	CatalogJSON         = catalogJSON
)
