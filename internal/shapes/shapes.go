// Package shapes builds request bodies of a given size in each shape a
// hostile file can take, so memory tests of the parser (internal/jsonpos)
// and of the whole check (validate) hold every shape to one bound.
package shapes

import (
	"fmt"
	"strings"
)

// head opens a request whose input the rules read: nano-banana in its
// image-to-image mode reads image_urls item by item.
const head = `{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"a cat",`

// Of returns bodies of about n bytes (at least n/2), by shape name.
func Of(n int) map[string][]byte {
	fill := func(open, unit, last, close string) []byte {
		k := max((n-len(open)-len(close))/len(unit), 1)
		return []byte(open + strings.Repeat(unit, k) + last + close)
	}
	deep := min(n/2-64, 10000-3)
	return map[string][]byte{
		// Values no rule reads: checked for syntax, counted.
		"numbers":     fill(`{"x":[`, `1,`, `1`, `]}`),
		"strings":     fill(`{"x":[`, `"",`, `""`, `]}`),
		"objects":     fill(`{"x":[`, `{},`, `{}`, `]}`),
		"long string": fill(`{"x":"`, `a`, ``, `"}`),
		"deep":        []byte(`{"x":` + strings.Repeat("[", deep) + strings.Repeat("]", deep) + `}`),
		// Names: one record each to find duplicates; duplicates and bad
		// UTF-8 are findings wherever they are.
		"distinct names":   distinctNames(`{"x":{`, n),
		"duplicates":       fill(`{"x":{`, `"a":1,`, `"a":1`, `}}`),
		"escaped dups":     fill(`{"x":{`, `"\u0061":1,`, `"a":1`, `}}`),
		"invalid utf-8":    fill(`{"x":[`, "\"\xff\",", `""`, `]}`),
		"input unknown":    distinctNames(head, n),
		"input duplicates": fill(head, `"a":1,`, `"a":1`, `}}`),
		// Values the rules read: an array of a known field, item by item.
		"input numbers": fill(head+`"image_urls":[`, `1,`, `1`, `]}}`),
		"input strings": fill(head+`"image_urls":[`, `"x",`, `"x"`, `]}}`),
		"input urls":    fill(head+`"image_urls":[`, `"http://10.0.0.1/a.png",`, `"http://10.0.0.1/a.png"`, `]}}`),
		"input objects": fill(head+`"image_urls":[`, `{},`, `{}`, `]}}`),
		"input nulls":   fill(head+`"image_urls":[`, `null,`, `null`, `]}}`),
	}
}

// distinctNames is an object of about n bytes of distinct member names.
func distinctNames(open string, n int) []byte {
	var b strings.Builder
	b.WriteString(open)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `"%x":1,`, i)
	}
	b.WriteString(`"":1`)
	b.WriteString(strings.Repeat("}", strings.Count(open, "{")))
	return []byte(b.String())
}
