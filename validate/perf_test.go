package validate

import "testing"

// BenchmarkParseCatalog measures the one-time cost every CLI run pays to
// load the embedded catalog (part of the start-up budget).
func BenchmarkParseCatalog(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCatalog(catalogJSON); err != nil {
			b.Fatal(err)
		}
	}
}
