package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// manyBadURLs is a flux-2 style request whose input_urls hold n numbers,
// each a field-type error.
func capBody(n int) []byte {
	return []byte(`{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"a cat","image_urls":[` + strings.TrimSuffix(strings.Repeat("1,", n), ",") + `]}}`)
}

// The cap lists at most N findings of one rule and severity, then one
// closing finding that counts the rest, so counts and the verdict stay
// what the uncapped check says.
func TestMaxFindingsPerRule(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		max, n     int
		wantListed int // findings of the rule, the closing one included
		wantMore   int
	}{
		{max: 0, n: 10, wantListed: 10},
		{max: 3, n: 3, wantListed: 3},
		{max: 3, n: 4, wantListed: 4, wantMore: 1},
		{max: 3, n: 40, wantListed: 4, wantMore: 37},
		{max: -1, n: 80, wantListed: 80},
		{max: 0, n: 80, wantListed: 51, wantMore: 30},
	} {
		t.Run(fmt.Sprintf("max=%d/n=%d", tc.max, tc.n), func(t *testing.T) {
			unc, err := (&Validator{MaxFindingsPerRule: -1}).Check(ctx, Input{Body: capBody(tc.n)})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := (&Validator{MaxFindingsPerRule: tc.max}).Check(ctx, Input{Body: capBody(tc.n)})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors() != unc.Errors() || rep.Warnings() != unc.Warnings() {
				t.Errorf("capped counts %d errors %d warnings, uncapped %d %d", rep.Errors(), rep.Warnings(), unc.Errors(), unc.Warnings())
			}
			listed, more := 0, 0
			var closing *Finding
			for i, f := range rep.Findings {
				if f.Rule != "field-type" {
					continue
				}
				listed++
				if f.More > 0 {
					if closing != nil {
						t.Fatalf("two closing findings: %v and %v", *closing, f)
					}
					closing = &rep.Findings[i]
					more = f.More
				}
			}
			if listed != tc.wantListed || more != tc.wantMore {
				t.Fatalf("listed %d (more %d), want %d (more %d): %v", listed, more, tc.wantListed, tc.wantMore, rep.Findings)
			}
			if closing == nil {
				return
			}
			max := tc.max
			if max == 0 {
				max = defaultMaxPerRule
			}
			// The closing finding stands where the first one left out would,
			// under the pointer all those left out share.
			first := unc.Findings[0]
			k := 0
			for _, f := range unc.Findings {
				if f.Rule == "field-type" {
					if k == max {
						first = f
						break
					}
					k++
				}
			}
			if closing.Line != first.Line || closing.Column != first.Column || closing.Severity != first.Severity {
				t.Errorf("closing at %d:%d %s, first left out at %d:%d %s", closing.Line, closing.Column, closing.Severity, first.Line, first.Column, first.Severity)
			}
			wantPtr := "/input/image_urls"
			if tc.wantMore == 1 {
				wantPtr = first.Pointer
			}
			if closing.Pointer != wantPtr {
				t.Errorf("closing pointer %q, want %q", closing.Pointer, wantPtr)
			}
			want := fmt.Sprintf("%d more field-type finding", tc.wantMore)
			if !strings.HasPrefix(closing.Message, want) || closing.Edit != nil {
				t.Errorf("closing message %q (edit %v), want it to start %q", closing.Message, closing.Edit, want)
			}
		})
	}
}

func TestCommonPointer(t *testing.T) {
	for _, tc := range [][3]string{
		{"/input/a/1", "/input/a/2", "/input/a"},
		{"/input/a/1", "/input/a/10", "/input/a"},
		{"/input/a/10", "/input/a/1", "/input/a"},
		{"/input/a", "/input/a", "/input/a"},
		{"/input/a", "/input/a/3", "/input/a"},
		{"/input/a/3", "/input/a", "/input/a"},
		{"/input/ab", "/input/a", "/input"},
		{"/x", "/y", ""},
		{"", "/y", ""},
	} {
		if got := commonPointer(tc[0], tc[1]); got != tc[2] {
			t.Errorf("commonPointer(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}
