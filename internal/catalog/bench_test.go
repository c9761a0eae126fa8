package catalog

import "testing"

// BenchmarkParse measures the one-time cost every CLI run pays to load the
// embedded catalog (part of the start-up budget).
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(catalogJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlan measures compiling one model's plan, paid on first use.
func BenchmarkPlan(b *testing.B) {
	c := Default()
	m, _ := c.Model("veo-3-1")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.compilePlan()
	}
}
