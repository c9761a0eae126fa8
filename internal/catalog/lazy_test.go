package catalog

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEmbeddedMatchesParse checks the lazily decoded catalog holds what
// Parse reads from the same bytes: every model, in order, field for field,
// and the aliases.
func TestEmbeddedMatchesParse(t *testing.T) {
	want, err := Parse(catalogJSON)
	if err != nil {
		t.Fatal(err)
	}
	l := &lazyModels{data: catalogJSON}
	l.index()
	if l.err != nil {
		t.Fatal(l.err)
	}
	got := l.cat
	if got.Version != want.Version || got.Date != want.Date || !reflect.DeepEqual(got.Aliases, want.Aliases) {
		t.Errorf("head: got %d %q %v, want %d %q %v", got.Version, got.Date, got.Aliases, want.Version, want.Date, want.Aliases)
	}
	if !reflect.DeepEqual(got.IDs(), want.IDs()) {
		t.Errorf("IDs: got %v, want %v", got.IDs(), want.IDs())
	}
	for _, id := range want.IDs() {
		g, ok := got.Model(id)
		w, _ := want.Model(id)
		if !ok || !reflect.DeepEqual(g, w) {
			t.Errorf("model %s differs from Parse's", id)
		}
	}
	for _, a := range want.Aliases {
		if g, ok := got.Alias(a.ID); !ok || g.Model != a.Model {
			t.Errorf("alias %s: got %v", a.ID, g)
		}
	}
	if _, ok := got.Model("nope"); ok {
		t.Error("Model of an unknown ID")
	}
}

// TestEmbeddedDecodesOnLookup checks a lookup decodes one model only, and
// that Default shares the decoded models (and so their plans).
func TestEmbeddedDecodesOnLookup(t *testing.T) {
	l := &lazyModels{data: catalogJSON}
	l.index()
	if l.err != nil {
		t.Fatal(l.err)
	}
	m, _ := l.cat.Model("veo-3-1")
	for i := range l.slot {
		if decoded := l.slot[i].m != nil; decoded != (l.ids[i] == "veo-3-1") {
			t.Errorf("%s decoded: %v", l.ids[i], decoded)
		}
	}
	if again, _ := l.cat.Model("veo-3-1"); again != m {
		t.Error("a second lookup decoded the model again")
	}
	e, _ := Embedded().Model("kling-2-6")
	d, _ := Default().Model("kling-2-6")
	if e != d {
		t.Error("Default does not share Embedded's models")
	}
	if len(All(Embedded())) != len(Default().Models) || len(Embedded().Models) != 0 {
		t.Errorf("All(Embedded()): %d models, Default: %d", len(All(Embedded())), len(Default().Models))
	}
}

// TestEmbeddedIndexErrors checks the index refuses what Parse refuses at
// the top level, so a broken catalog.json fails the tests, not a run.
func TestEmbeddedIndexErrors(t *testing.T) {
	model := `{"id":"m","family":"image","source":"s","fields":{"mode":{"type":"string","enum":["a"]}}}`
	tests := map[string]string{
		"not an object":   `[]`,
		"unknown member":  `{"version":1,"nope":1,"models":[]}`,
		"version type":    `{"version":"1","models":[]}`,
		"models type":     `{"models":{}}`,
		"model not obj":   `{"models":[1]}`,
		"id type":         `{"models":[{"id":1}]}`,
		"no id":           `{"models":[{"family":"image"}]}`,
		"duplicate id":    `{"models":[` + model + `,` + model + `]}`,
		"alias unknown":   `{"models":[` + model + `],"aliases":[{"id":"x","model":"y"}]}`,
		"alias is model":  `{"models":[` + model + `],"aliases":[{"id":"m","model":"m"}]}`,
		"alias level":     `{"models":[` + model + `],"aliases":[{"id":"x","model":"m","level":"maybe"}]}`,
		"truncated":       `{"models":[` + model,
		"broken in model": `{"models":[{"id":"m","fields":{]}`,
	}
	for name, data := range tests {
		l := &lazyModels{data: []byte(data)}
		l.index()
		if l.err == nil {
			t.Errorf("%s: index accepted %s", name, data)
		}
		if _, err := Parse([]byte(data)); err == nil {
			t.Errorf("%s: Parse accepted %s", name, data)
		}
	}
	// Names match without regard to case and the last of duplicates
	// wins, as in Parse.
	l := &lazyModels{data: []byte(`{"Models":[{"id":"old"}],"models":[{"ID":"x","id":"m","family":"image","source":"s","fields":{"mode":{"type":"string","enum":["a"]}}}],"DATE":"d"}`)}
	l.index()
	if l.err != nil || strings.Join(l.ids, ",") != "m" || l.cat.Date != "d" {
		t.Errorf("index: %v, ids %v, date %q", l.err, l.ids, l.cat.Date)
	}
}

// FuzzEmbeddedIndex checks the index against Parse on any catalog Parse
// accepts: the same IDs, and each model decoded alike.
func FuzzEmbeddedIndex(f *testing.F) {
	f.Add([]byte(`{"version":1,"date":"x","models":[{"id":"m","family":"image","source":"s",
		"fields":{"mode":{"type":"string","enum":["a","b"],"default":"a"}}}],"aliases":[{"id":"mm","model":"m","accepted":true}]}`))
	f.Add(catalogJSON[:min(len(catalogJSON), 4096)])
	f.Fuzz(func(t *testing.T, data []byte) {
		l := &lazyModels{data: data}
		l.index() // must not panic, whatever data holds
		want, err := Parse(data)
		if err != nil {
			return
		}
		if l.err != nil {
			t.Fatalf("index refused what Parse accepts: %v", l.err)
		}
		if !slices.Equal(l.ids, want.IDs()) {
			t.Fatalf("IDs %v, Parse %v", l.ids, want.IDs())
		}
		for _, id := range l.ids {
			g, _ := l.cat.Model(id)
			w, _ := want.Model(id)
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("model %s differs from Parse's", id)
			}
		}
	})
}

// TestFingerprintSeesEdits checks an edit of one byte anywhere, or of the
// length, changes the fingerprint that decides whether the generated data
// is current.
func TestFingerprintSeesEdits(t *testing.T) {
	want := fingerprint(catalogJSON)
	data := slices.Clone(catalogJSON)
	// Every byte lane of a word, the unaligned tail and a sample between:
	// each step of the hash is a bijection, so one changed word changes
	// the result wherever it is.
	var at []int
	for i := range 16 {
		at = append(at, i, len(data)-1-i)
	}
	for i := 16; i < len(data); i += 251 {
		at = append(at, i)
	}
	for _, i := range at {
		data[i]++
		if fingerprint(data) == want {
			t.Fatalf("an edit at byte %d keeps the fingerprint", i)
		}
		data[i]--
	}
	if fingerprint(data[:len(data)-1]) == want || fingerprint(append(data, ' ')) == want {
		t.Error("a change of length keeps the fingerprint")
	}
}
