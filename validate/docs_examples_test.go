package validate_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// docsExamples lists, for every request body in testdata/docs-examples,
// the warning rules spec-notes records a conflict for (sorted). A body the
// docs show as working must lint with no error: an error here is a false
// positive of preflight or an unrecorded docs conflict.
var docsExamples = map[string]struct {
	warnings []string
}{
	"flux-2-1":                  {},
	"flux-kontext-1":            {},
	"flux-kontext-2":            {},
	"flux-kontext-3":            {},
	"flux-kontext-4":            {warnings: []string{"field-deprecated"}}, // legacy page: image_url (the G3 page says image_urls; not in spec-notes)
	"flux2-1":                   {warnings: []string{"model-alias"}},      // spec-notes 8 flux-2: one ko page says flux2
	"gpt-image-1-1":             {},
	"gpt-image-1-2":             {},
	"gpt-image-1-3":             {},
	"gpt-image-1-4":             {warnings: []string{"field-deprecated"}}, // spec-notes 10.10: nVariants -> num_images
	"gpt-image-1-5":             {warnings: []string{"field-deprecated"}}, // same
	"grok-image-1":              {},
	"grok-video-1":              {},
	"hailuo-2-3-1":              {},
	"hailuo-2-3-2":              {warnings: []string{"callback-url-unused"}}, // spec-notes 2: callback_url with async warns
	"hailuo-2-3-fast-1":         {},
	"hailuo-2-3-fast-2":         {warnings: []string{"callback-url-unused"}}, // spec-notes 2: callback_url with async warns
	"image-upscaler-1":          {},
	"image-watermark-remover-1": {},
	"infinitetalk-1":            {warnings: []string{"callback-url-unused"}}, // spec-notes 2: callback_url with async warns
	"infinitetalk-2":            {},
	"infinitetalk-3":            {},
	"kling-2-1-1":               {},
	"kling-2-1-2":               {},
	"kling-2-5-turbo-pro-1":     {},
	"kling-2-6-1":               {},
	"kling-2-6-2":               {},
	"kling-2-6-3":               {},
	"kling-3-0-std-1":           {},
	"kling-3-0-turbo-1":         {},
	"ltx-2-19b-1":               {},
	"ltx-2-19b-2":               {},
	"nano-banana-1":             {},
	"nano-banana-2":             {},
	"nano-banana-2-1":           {},
	"nano-banana-2-2":           {warnings: []string{"field-enum"}}, // spec-notes 14: zh G2 example sends 2K
	"nano-banana-3":             {},
	"nano-banana-4":             {},
	"nano-banana-5":             {},
	"nano-banana-6":             {},
	"nano-banana-7":             {},
	"nano-banana-pro-1":         {},
	"seedance-1-5-pro-1":        {},
	"seedance-1-5-pro-2":        {},
	"seedance-1-5-pro-extend-1": {},
	"seedance-2-0-1":            {},
	"seedance-2-0-fast-1":       {},
	"seedance-2-0-fast-2":       {},
	"seedream-4-5-1":            {},
	"seedream-4-5-2":            {},
	"seedream-4-5-3":            {},
	"seedream-4-5-4":            {},
	"seedream-5-0-1":            {},
	"sora-2-1":                  {warnings: []string{"field-deprecated", "field-enum", "provider-unsupported"}},         // spec-notes 8/13: G2 duration 15, value, remove_watermark
	"sora-2-2":                  {warnings: []string{"field-deprecated"}},                                               // spec-notes 8: remove_watermark only in examples
	"sora-2-3":                  {warnings: []string{"field-enum", "field-enum", "field-type", "provider-unsupported"}}, // spec-notes 10.9/13/14: legacy page: 16:9, "10", no provider,
	"sora-2-4":                  {warnings: []string{"field-deprecated", "field-enum", "provider-unsupported"}},         // spec-notes 10.10/13: legacy image_url, 16:9, no provider,
	"sora-2-5":                  {warnings: []string{"provider-unsupported"}},                                           // spec-notes 13: the ko quickstart omits provider,
	"sora-2-pro-1":              {},
	"sora-2-pro-2":              {warnings: []string{"field-enum", "provider-unsupported"}},
	"sora-2-pro-3":              {warnings: []string{"field-enum", "provider-unsupported"}},
	"sora-2-pro-4":              {},
	"sora-2-pro-5":              {warnings: []string{"provider-unsupported"}},
	"suno-1":                    {},
	"suno-2":                    {},
	"suno-3":                    {},
	"veo-3-1-1":                 {},
	"veo-3-1-2":                 {},
	"veo-3-1-3":                 {},
	"veo-3-1-extend-1":          {},
	"veo-3-1-extend-2":          {},
	"vidu-q3-1":                 {},
	"wan-2-2-animate-1":         {},
	"wan-2-2-animate-2":         {},
	"wan-2-2-animate-3":         {warnings: []string{"callback-url-unused"}}, // spec-notes 2: callback_url with async warns
	"wan-2-5-1":                 {},
	"wan-2-5-2":                 {},
	"wan-2-5-video-1":           {},
	"wan-2-6-image-1":           {},
}

func TestDocsExamples(t *testing.T) {
	files, err := filepath.Glob("../testdata/docs-examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs examples: %v", err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := docsExamples[name]
			if !ok {
				t.Fatalf("%s is not in the docsExamples table: add it with the warnings spec-notes records", path)
			}
			src, err := os.ReadFile(path + ".source")
			if err != nil {
				t.Fatalf("every example names its docs page: %v", err)
			}
			for _, u := range strings.Fields(string(src)) {
				if !strings.HasPrefix(u, "https://apixo.ai/") {
					t.Errorf("source %q is not an apixo.ai docs page", u)
				}
			}
			var got []string
			var r runner.Runner // the file runner left validate (internal/runner)
			err = r.Run(context.Background(), []string{path}, nil, "", func(res runner.Result) error {
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				for _, f := range res.Findings {
					if f.Severity == validate.SeverityError {
						t.Errorf("error on a docs example: %s %s: %s", f.Rule, f.Pointer, f.Message)
						continue
					}
					got = append(got, f.Rule)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, want.warnings) {
				t.Errorf("warnings %q, want %q (only where spec-notes records a conflict)", got, want.warnings)
			}
		})
	}
	for name := range docsExamples {
		if !seen[name] {
			t.Errorf("docsExamples lists %s but testdata/docs-examples has no such file", name)
		}
	}
}
