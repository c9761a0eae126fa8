package validate

import (
	"context"
	"testing"
)

// typicalBody is a ~1 KB valid request, the unit of the per-call budget.
var typicalBody = []byte(`{
  "model": "seedream-4-5",
  "request_type": "callback",
  "callback_url": "https://hooks.example.com/apixo/done?job=8f3a2c",
  "provider": "auto",
  "input": {
    "mode": "image-to-image",
    "prompt": "A quiet harbour town at dawn, fishing boats resting on glassy water, soft pastel sky with thin clouds, gulls circling the lighthouse, warm light on whitewashed houses with blue shutters, morning mist drifting over the hills behind the town, cinematic composition, shallow depth of field, 35mm film look, gentle grain, rich but natural colours, highly detailed reflections in the water, a lone fisherman coiling rope on the pier, crates of fresh catch stacked beside him, a cat watching from a bollard. 港の朝。",
    "image_urls": ["https://images.example.com/ref/harbour-01.jpg", "https://images.example.com/ref/harbour-02.png"],
    "aspect_ratio": "16:9",
    "resolution": "2K",
    "max_images": 2,
    "sequential_image_generation": "disabled"
  }
}`)

func BenchmarkCheckTypical(b *testing.B) {
	v := &Validator{}
	ctx := context.Background()
	in := Input{Body: typicalBody}
	rep, _ := v.Check(ctx, in)
	if len(rep.Findings) != 0 {
		b.Fatalf("typical request has findings: %v", rep.Findings)
	}
	b.SetBytes(int64(len(typicalBody)))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = v.Check(ctx, in)
	}
}

// BenchmarkParseCatalog measures the one-time cost every CLI run pays to
// load the embedded catalog (part of the start-up budget).
func BenchmarkParseCatalog(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCatalog(catalogJSON); err != nil {
			b.Fatal(err)
		}
	}
}
