package validate

import (
	"strings"
	"testing"
)

// TestCatalogEmbedded checks the embedded catalog loads and covers the 29
// model IDs of the research notes, each rule with a docs URL.
func TestCatalogEmbedded(t *testing.T) {
	c, err := ParseCatalog(catalogJSON)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(`nano-banana nano-banana-2 nano-banana-pro gpt-image-1 gpt-image-2 flux-2
		midjourney seedream-4-5 seedream-5-0 image-upscaler image-watermark-remover sora-2 sora-2-pro
		veo-3-1 kling-2-1 kling-2-5-turbo-pro kling-2-6 kling-3-0-std kling-3-0-turbo seedance-1-5-pro
		seedance-2-0 seedance-2-0-fast wan-2-5 wan-2-5-video wan-2-6-video ltx-2-19b vidu-q3
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

func checkSources(t *testing.T, path string, f *FieldSpec) {
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
	}
	for name, data := range tests {
		if _, err := ParseCatalog([]byte(data)); err == nil {
			t.Errorf("%s: ParseCatalog accepted %s", name, data)
		}
	}
}

// TestMergeSharesWithoutWriting checks Merge leaves the models it shares
// with the embedded catalog untouched, so library users may merge while
// other goroutines validate (run with -race).
func TestMergeSharesWithoutWriting(t *testing.T) {
	base := DefaultCatalog()
	extra, err := ParseCatalog([]byte(`{"version":1,"models":[{"id":"new-model","family":"image","source":"https://apixo.ai/x","fields":{"mode":{"type":"string","enum":["a"],"default":"a"},"prompt":{"type":"prompt","required":true,"maxLength":10}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			_, _ = Request(t.Context(), "nano-banana", []byte(`{"input":{"prompt":"a fox","aspect_ratio":"1:1"}}`))
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
	if m1, _ := merged.Model("nano-banana"); m1 != func() *Model { m, _ := base.Model("nano-banana"); return m }() {
		t.Error("merged catalog copied a shared model instead of sharing it")
	}
}

func TestModelSpec(t *testing.T) {
	c := DefaultCatalog()
	m, _ := c.Model("nano-banana")
	t2i, _ := m.Spec("image_urls", map[string]any{"mode": "text-to-image"})
	i2i, _ := m.Spec("image_urls", map[string]any{"mode": "image-to-image"})
	def, _ := m.Spec("image_urls", nil) // default mode: text-to-image
	if i2i.MaxItems == nil || *i2i.MaxItems != 5 || i2i.MinItems == nil || *i2i.MinItems != 1 {
		t.Errorf("image-to-image refs: %+v", i2i)
	}
	if (t2i.MinItems != nil && *t2i.MinItems > 0) || (def.MinItems != nil && *def.MinItems > 0) {
		t.Errorf("text-to-image needs no refs: %+v / %+v", t2i, def)
	}
	veo, _ := c.Model("veo-3-1")
	mode, _ := veo.Spec("mode", map[string]any{"generationType": "REFERENCE_2_VIDEO"})
	if len(mode.Enum) != 1 || mode.Enum[0] != "fast" {
		t.Errorf("veo REFERENCE_2_VIDEO modes: %v", mode.Enum)
	}
	if _, ok := m.Spec("nope", nil); ok {
		t.Error("Spec of an undocumented field")
	}
}
