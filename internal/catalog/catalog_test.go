package catalog_test

import (
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/validate"
)

// TestCatalogEmbedded checks the embedded catalog loads and covers the 29
// model IDs of the research notes and the 9 more whose stored apixo.ai pages
// state their fields (wan-2-6-image, flux-kontext, grok-image, veo-3-1-extend,
// seedance-1-5-pro-extend, wan-2-2-animate, grok-video, hailuo-2-3,
// hailuo-2-3-fast), each rule with a docs URL.
func TestCatalogEmbedded(t *testing.T) {
	c, err := catalog.Parse(catalog.CatalogJSON)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(`nano-banana nano-banana-2 nano-banana-pro gpt-image-1 gpt-image-2 flux-2 flux-kontext
		midjourney seedream-4-5 seedream-5-0 wan-2-6-image grok-image image-upscaler image-watermark-remover sora-2 sora-2-pro
		veo-3-1 veo-3-1-extend kling-2-1 kling-2-5-turbo-pro kling-2-6 kling-3-0-std kling-3-0-turbo seedance-1-5-pro
		seedance-1-5-pro-extend seedance-2-0 seedance-2-0-fast wan-2-5 wan-2-5-video wan-2-2-animate wan-2-6-video ltx-2-19b grok-video hailuo-2-3 hailuo-2-3-fast vidu-q3
		infinitetalk suno`)
	if len(c.Models) != len(want) {
		t.Errorf("catalog has %d models, want %d", len(c.Models), len(want))
	}
	for _, id := range want {
		m, ok := c.Model(id)
		if !ok {
			t.Errorf("model %s missing", id)
			continue
		}
		if !strings.HasPrefix(m.Source, "https://apixo.ai/") {
			t.Errorf("%s: source %q is not an apixo.ai docs URL", id, m.Source)
		}
		for name, f := range m.Fields {
			checkSources(t, id+"."+name, f)
		}
		for i, v := range m.Variants {
			if !strings.HasPrefix(v.Source, "https://") {
				t.Errorf("%s variant %d: no source", id, i)
			}
			for name, f := range v.Fields {
				checkSources(t, id+" variant."+name, f)
			}
		}
	}
	for _, alias := range []string{"flux2", "wan-2-6"} {
		if _, ok := c.Alias(alias); !ok {
			t.Errorf("alias %s missing", alias)
		}
	}
	if c.Date == "" {
		t.Error("catalog has no date")
	}
}

func checkSources(t *testing.T, path string, f *catalog.FieldSpec) {
	t.Helper()
	if !strings.HasPrefix(f.Source, "https://") {
		t.Errorf("%s: no source URL", path)
	}
	if f.Items != nil {
		checkSources(t, path+"[]", f.Items)
	}
	for p, s := range f.Properties {
		checkSources(t, path+"."+p, s)
	}
}

// TestCatalogRejects checks the loader refuses data that would silently
// drop or misread a rule.
func TestCatalogRejects(t *testing.T) {
	base := `{"version":1,"date":"x","models":[{"id":"m","family":"image","source":"https://apixo.ai/x","fields":{"mode":{"type":"string","enum":["a"]}%s}%s}]}`
	tests := map[string]string{
		"unknown property": `{"version":1,"models":[{"id":"m","family":"image","source":"s","colour":1,"fields":{"mode":{"type":"string","enum":["a"]}}}]}`,
		"bad type":         strings.Replace(base, "%s}%s", `,"x":{"type":"strng"}}`, 1),
		"bad level":        strings.Replace(base, "%s}%s", `,"x":{"type":"string","level":"maybe"}}`, 1),
		"variant unknown":  strings.Replace(strings.Replace(base, "%s}", "}", 1), "%s", `,"variants":[{"when":{"nope":["a"]}}]`, 1),
		"no source":        `{"version":1,"models":[{"id":"m","family":"image","fields":{"mode":{"type":"string","enum":["a"]}}}]}`,
		"no mode":          `{"version":1,"models":[{"id":"m","family":"image","source":"s","fields":{}}]}`,
		"legacy no source": strings.Replace(base, "%s}%s", `,"x":{"type":"integer","legacyValues":[{"value":"5"}]}}`, 1),
		"legacy both":      strings.Replace(base, "%s}%s", `,"x":{"type":"integer","legacyValues":[{"value":"5","absent":true,"source":"https://apixo.ai/y"}]}}`, 1),
		"legacy neither":   strings.Replace(base, "%s}%s", `,"x":{"type":"integer","legacyValues":[{"source":"https://apixo.ai/y"}]}}`, 1),
		"hedged stated":    strings.Replace(base, "%s}%s", `,"x":{"type":"prompt","maxBytes":9,"hedgedLimits":[{"maxBytes":5,"level":"stated","source":"https://apixo.ai/y"}]}}`, 1),
		"hedged no source": strings.Replace(base, "%s}%s", `,"x":{"type":"prompt","maxBytes":9,"hedgedLimits":[{"maxBytes":5}]}}`, 1),
		"hedged other":     strings.Replace(base, "%s}%s", `,"x":{"type":"prompt","maxBytes":9,"hedgedLimits":[{"maxBytes":5,"maxLength":3,"source":"https://apixo.ai/y"}]}}`, 1),
		"hedged empty":     strings.Replace(base, "%s}%s", `,"x":{"type":"prompt","hedgedLimits":[{"source":"https://apixo.ai/y"}]}}`, 1),
		"requiredLevel":    strings.Replace(base, "%s}%s", `,"x":{"type":"string","required":true,"requiredLevel":"maybe"}}`, 1),
	}
	good := strings.Replace(base, "%s}%s", `,"x":{"type":"prompt","maxBytes":9,"hedgedLimits":[{"maxBytes":5,"source":"https://apixo.ai/y"}],"legacyValues":[{"value":"5","source":"https://apixo.ai/y"}]}}`, 1)
	if _, err := catalog.Parse([]byte(good)); err != nil {
		t.Errorf("a valid hedged limit and legacy value: %v", err)
	}
	for name, data := range tests {
		if _, err := catalog.Parse([]byte(data)); err == nil {
			t.Errorf("%s: ParseCatalog accepted %s", name, data)
		}
	}
}

// TestMergeSharesWithoutWriting checks Merge leaves the models it shares
// with the embedded catalog untouched, so library users may merge while
// other goroutines validate (run with -race).
func TestMergeSharesWithoutWriting(t *testing.T) {
	base := catalog.Default()
	extra, err := catalog.Parse([]byte(`{"version":1,"models":[{"id":"new-model","family":"image","source":"https://apixo.ai/x","fields":{"mode":{"type":"string","enum":["a"],"default":"a"},"prompt":{"type":"prompt","required":true,"maxLength":10}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			_, _ = validate.Request(t.Context(), "nano-banana", []byte(`{"input":{"prompt":"a fox","aspect_ratio":"1:1"}}`))
		}
	}()
	merged, err := base.Merge(extra)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := merged.Model("new-model"); !ok {
		t.Error("merged catalog lacks the new model")
	}
	if m1, _ := merged.Model("nano-banana"); m1 != func() *catalog.Model { m, _ := base.Model("nano-banana"); return m }() {
		t.Error("merged catalog copied a shared model instead of sharing it")
	}
}

// TestPlanCases checks the plan resolves specs per case as the variants
// say, absent when-fields taking their default.
func TestPlanCases(t *testing.T) {
	c := catalog.Default()
	m, _ := c.Model("nano-banana")
	p := m.Plan()
	spec := func(name string, values map[string]any) *catalog.Field { return p.CaseFor(values).Field(m, name) }
	t2i := spec("image_urls", map[string]any{"mode": "text-to-image"})
	i2i := spec("image_urls", map[string]any{"mode": "image-to-image"})
	def := spec("image_urls", nil) // default mode: text-to-image
	if i2i.MaxItems == nil || *i2i.MaxItems != 5 || i2i.MinItems == nil || *i2i.MinItems != 1 {
		t.Errorf("image-to-image refs: %+v", i2i.FieldSpec)
	}
	if (t2i.MinItems != nil && *t2i.MinItems > 0) || (def.MinItems != nil && *def.MinItems > 0) {
		t.Errorf("text-to-image needs no refs: %+v / %+v", t2i.FieldSpec, def.FieldSpec)
	}
	if o := i2i.Origin(func(s *catalog.FieldSpec) bool { return s.MinItems != nil }); o.Variant == nil || o.Context() != " in mode \"image-to-image\"" {
		t.Errorf("image-to-image minItems origin: %+v, context %q", o, o.Context())
	}
	veo, _ := c.Model("veo-3-1")
	mode := veo.Plan().CaseFor(map[string]any{"generationType": "REFERENCE_2_VIDEO"}).Field(veo, "mode")
	if len(mode.Enum) != 1 || mode.Enum[0] != "fast" {
		t.Errorf("veo REFERENCE_2_VIDEO modes: %v", mode.Enum)
	}
	if p.CaseFor(nil).Field(m, "nope") != nil {
		t.Error("Field of an undocumented field")
	}
	if m.Plan() != p {
		t.Error("the plan is compiled twice")
	}
	// The cases partition the values: as many as the product of each
	// when-field's classes (its listed values and other).
	n := 1
	for _, l := range p.Listed {
		n *= len(l) + 1
	}
	if len(p.Cases) != n {
		t.Errorf("%d cases, want %d", len(p.Cases), n)
	}
}
