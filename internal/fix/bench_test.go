package fix

import (
	"context"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

// BenchmarkBody fixes a request with two fixes (the alias flux2, "2k" for
// "2K"): one check, one round of edits, one re-check.
func BenchmarkBody(b *testing.B) {
	body := []byte(`{"model":"flux2","input":{"prompt":"a red fox in the snow","resolution":"2k","aspect_ratio":"16:9"}}`)
	x := Fixer{Validator: &validate.Validator{}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, n, err := x.Body(ctx, validate.Input{Body: body}); err != nil || n != 2 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkBodyClean is the cost --fix adds to a request with nothing to
// fix: one check.
func BenchmarkBodyClean(b *testing.B) {
	body := []byte(`{"model":"flux-2","input":{"prompt":"a red fox in the snow","resolution":"2K","aspect_ratio":"16:9"}}`)
	x := Fixer{Validator: &validate.Validator{}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, n, err := x.Body(ctx, validate.Input{Body: body}); err != nil || n != 0 {
			b.Fatal(n, err)
		}
	}
}
