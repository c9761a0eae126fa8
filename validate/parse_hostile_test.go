package validate

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDeepNestingIsAFinding(t *testing.T) {
	for _, body := range [][]byte{
		bytes.Repeat([]byte("["), 100_000),
		[]byte(`{"model":"nano-banana","input":` + strings.Repeat(`{"a":`, 20_000) + "1" + strings.Repeat("}", 20_001)),
	} {
		rep, err := (&Validator{}).Check(context.Background(), Input{Body: body})
		if err != nil || len(rep.Findings) != 1 || rep.Findings[0].Rule != "json-syntax" ||
			!strings.Contains(rep.Findings[0].Message, "nest") {
			t.Errorf("%v %+v", err, rep.Findings)
		}
	}
}

// TestStrictParseRetriesInvalidUTF8 checks bad bytes are still reported where they are
// (value and member name) while the rest of the request is checked.
func TestStrictParseRetriesInvalidUTF8(t *testing.T) {
	body := []byte("{\"model\":\"nano-banana\",\"input\":{\"prompt\":\"a fox\",\"aspect_ratio\":\"1:1\xff\",\"x\xfe\":1,\"output_format\":\"gif\"}}")
	rep, err := Request(context.Background(), "", body)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule+" "+f.Pointer)
	}
	got := strings.Join(rules, ", ")
	for _, want := range []string{"json-invalid-utf8 /input/aspect_ratio", "field-enum /input/output_format"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings %q lack %q", got, want)
		}
	}
}
