package config

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// roundTrip builds the catalog of c's models:, aliases: and limits: the
// way buildCatalog did before it built them directly: through JSON and
// catalog.Parse. It is the oracle of TestBuildCatalogAsJSON.
func roundTrip(c *Config) (*catalog.Catalog, error) {
	cat := catalog.Embedded()
	if len(c.Models) > 0 || len(c.Aliases) > 0 {
		b, err := json.Marshal(map[string]any{"version": 1, "models": nonNil(c.Models), "aliases": nonNil(c.Aliases)})
		if err != nil {
			return nil, err
		}
		extra, err := catalog.Parse(b)
		if err != nil {
			return nil, err
		}
		if cat, err = cat.Merge(extra); err != nil {
			return nil, err
		}
	}
	if len(c.Limits) == 0 {
		return cat, nil
	}
	var models []json.RawMessage
	for _, id := range sortedKeys(c.Limits) {
		m, _ := cat.Model(id)
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, err
		}
		source := c.Path
		if source == "" {
			source = ConfigFileName
		}
		variants, _ := raw["variants"].([]any)
		raw["variants"] = append(variants, map[string]any{
			"when": map[string]any{"mode": m.Fields["mode"].Enum}, "fields": c.Limits[id],
			"level": catalog.LevelStated, "source": source, "note": "limit set in " + filepath.Base(source),
		})
		if b, err = json.Marshal(raw); err != nil {
			return nil, err
		}
		models = append(models, b)
	}
	b, err := json.Marshal(map[string]any{"version": 1, "models": models})
	if err != nil {
		return nil, err
	}
	extra, err := catalog.Parse(b)
	if err != nil {
		return nil, err
	}
	return cat.Merge(extra)
}

// TestBuildCatalogAsJSON checks the direct build gives the models the JSON
// round trip gave: YAML integers as float64, empty optional lists absent,
// anchors not shared, limits as a last variant over a copy.
func TestBuildCatalogAsJSON(t *testing.T) {
	model := "  - id: my-model\n    family: image\n    source: https://example.com/m\n    fields:\n"
	tests := map[string]string{
		"models": "version: 1\nmodels:\n" + model +
			"      mode: {type: string, enum: [a, b], default: a}\n" +
			"      n: {type: integer, enum: [1, 2, 3.5], default: 2, minimum: 1, maximum: 10, legacyValues: [{value: [1, {x: 2}], source: s}]}\n" +
			"      p: &p {type: prompt, maxLength: 9, hedgedLimits: []}\n" +
			"      q: *p\n" +
			"      o: {type: object, properties: {k: {type: url, formats: []}}}\n" +
			"    variants:\n      - when: {mode: [b], n: [2]}\n        fields: {p: {maxLength: 3}}\n" +
			"aliases:\n  - {id: mm, model: my-model, accepted: true}\n",
		"limits": "version: 1\nlimits:\n  nano-banana:\n    prompt: {maxLength: 20, enum: []}\n    aspect_ratio: {enum: [1, \"1:1\"]}\n  veo-3-1:\n    prompt: {maxLength: 30}\n",
		"both":   "version: 1\nmodels:\n" + model + "      mode: {type: string, enum: [a]}\n      n: {type: number, multipleOf: 0.5}\nlimits:\n  my-model:\n    n: {maximum: 5, enum: [0.5, 1]}\n",
	}
	for name, yml := range tests {
		c, err := ParseConfig([]byte(yml), "/repo/.preflight.yaml")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// ParseConfig built c's catalog directly; rebuild the oracle from
		// the decoded YAML, which the build must have left as it was.
		want, err := roundTrip(c)
		if err != nil {
			t.Fatalf("%s: round trip: %v", name, err)
		}
		got := c.Catalog()
		ids := got.IDs()
		if !reflect.DeepEqual(ids, want.IDs()) {
			t.Errorf("%s: IDs %v, want %v", name, ids, want.IDs())
		}
		for _, id := range ids {
			g, _ := got.Model(id)
			w, _ := want.Model(id)
			if !reflect.DeepEqual(g, w) {
				gb, _ := json.Marshal(g)
				wb, _ := json.Marshal(w)
				t.Errorf("%s: model %s:\n got %s\nwant %s", name, id, gb, wb)
			}
		}
		for _, a := range want.Aliases {
			if g, ok := got.Alias(a.ID); !ok || !reflect.DeepEqual(g, a) {
				t.Errorf("%s: alias %s: %+v, want %+v", name, a.ID, g, a)
			}
		}
	}
}

// TestBuildCatalogRefusesNaN checks values JSON cannot carry are refused,
// as the round trip refused them.
func TestBuildCatalogRefusesNaN(t *testing.T) {
	for _, yml := range []string{
		"version: 1\nlimits:\n  nano-banana:\n    prompt: {maxLength: 9, default: .nan}\n",
		"version: 1\nlimits:\n  nano-banana:\n    aspect_ratio: {enum: [.inf]}\n",
	} {
		if _, err := ParseConfig([]byte(yml), "x.yaml"); err == nil {
			t.Errorf("accepted %q", yml)
		}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// FuzzBuildCatalogAsJSON checks, on any config ParseConfig accepts, that
// the direct build and the JSON round trip give the same models.
func FuzzBuildCatalogAsJSON(f *testing.F) {
	f.Add([]byte("version: 1\nlimits:\n  nano-banana:\n    prompt: {maxLength: 20}\n"))
	f.Add([]byte("version: 1\nmodels:\n  - id: m\n    family: image\n    source: s\n    fields:\n      mode: {type: string, enum: [1, a], default: 1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data, "/repo/.preflight.yaml")
		if err != nil {
			return
		}
		want, err := roundTrip(c)
		if err != nil {
			t.Fatalf("the direct build accepted what the round trip refuses: %v", err)
		}
		got := c.Catalog()
		if !reflect.DeepEqual(got.IDs(), want.IDs()) {
			t.Fatalf("IDs %v, want %v", got.IDs(), want.IDs())
		}
		for _, id := range got.IDs() {
			g, _ := got.Model(id)
			w, _ := want.Model(id)
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("model %s differs from the round trip's", id)
			}
		}
	})
}
