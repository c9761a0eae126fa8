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

// BenchmarkEmbeddedIndex measures what every CLI run pays for the
// embedded catalog before its first lookup: the index of Embedded.
func BenchmarkEmbeddedIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		l := &lazyModels{data: catalogJSON}
		l.index()
		if l.err != nil {
			b.Fatal(l.err)
		}
	}
}

// BenchmarkEmbeddedModel measures decoding and compiling one model of the
// embedded catalog on its first lookup.
func BenchmarkEmbeddedModel(b *testing.B) {
	l := &lazyModels{data: catalogJSON}
	l.index()
	b.ReportAllocs()
	for b.Loop() {
		l.slot[0] = lazySlot{}
		if _, ok := l.model(l.ids[0]); !ok {
			b.Fatal("no model")
		}
	}
}
