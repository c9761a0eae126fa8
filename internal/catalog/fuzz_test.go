package catalog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds the loader arbitrary catalogs (a config file's models:
// are untrusted): it must not panic, and whatever it accepts must compile
// to plans and schemas without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"date":"x","models":[{"id":"m","family":"image","source":"s",
		"fields":{"mode":{"type":"string","enum":["a","b"],"default":"a"},"n":{"type":"integer","minimum":1},
		"o":{"type":"object","properties":{"p":{"type":"url"}}},"l":{"type":"array","items":{"type":"string"}}},
		"variants":[{"when":{"mode":["b"]},"fields":{"n":{"maximum":3,"required":true}},"requireOneOf":[["l","o"]]}]}],
		"aliases":[{"id":"mm","model":"m","accepted":true}]}`))
	f.Add(catalogJSON[:min(len(catalogJSON), 4096)])
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		for _, m := range c.Models {
			p := m.Plan()
			if len(p.Cases) == 0 || len(p.Cases) > maxCases {
				t.Fatalf("%s: %d cases", m.ID, len(p.Cases))
			}
			if _, err := c.Schema(m.ID); err != nil {
				t.Fatalf("%s: schema: %v", m.ID, err)
			}
		}
	})
}

// A catalog whose variants would multiply into too many cases is refused
// when parsed, before any plan is built.
func TestParseRefusesHugePlans(t *testing.T) {
	var fields, variants []string
	for i := range 12 {
		fields = append(fields, fmt.Sprintf(`"f%d":{"type":"string"}`, i))
		variants = append(variants, fmt.Sprintf(`{"when":{"f%d":["a","b","c"]},"fields":{"mode":{"enum":["a"]}}}`, i))
	}
	data := `{"version":1,"models":[{"id":"m","family":"image","source":"s","fields":{"mode":{"type":"string","enum":["a"]},` +
		strings.Join(fields, ",") + `},"variants":[` + strings.Join(variants, ",") + `]}]}`
	if _, err := Parse([]byte(data)); err == nil || !strings.Contains(err.Error(), "combinations") {
		t.Errorf("Parse accepted 4^12 cases: %v", err)
	}
}

// A fractional step at a magnitude where float64 cannot count by one must
// not loop forever in the schema export.
func TestSchemaHugeFractionalRange(t *testing.T) {
	c, err := Parse([]byte(`{"version":1,"models":[{"id":"m","family":"image","source":"s","fields":{"mode":{"type":"string","enum":["a"]},
		"n":{"type":"number","minimum":1e300,"maximum":1e300,"multipleOf":0.5}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.Schema("m")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Schema did not return")
	}
}
