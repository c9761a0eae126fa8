package peer

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/preflight-dev/preflight/bench/internal/coldbody"
	"github.com/preflight-dev/preflight/validate"
)

// typical is the ~1 KB valid request of validate/bench_test.go.
var typical = []byte(`{
  "request_type": "callback",
  "callback_url": "https://hooks.example.com/apixo/done?job=8f3a2c",
  "provider": "auto",
  "input": {
    "mode": "image-to-image",
    "prompt": "A quiet harbour town at dawn, fishing boats resting on glassy water, soft pastel sky with thin clouds, gulls circling the lighthouse, warm light on whitewashed houses with blue shutters, morning mist drifting over the hills behind the town, cinematic composition, shallow depth of field, 35mm film look, gentle grain, rich but natural colours, highly detailed reflections in the water, a lone fisherman coiling rope on the pier, crates of fresh catch stacked beside him, a cat watching from a bollard. 港の朝、漁船が静かな水面に浮かぶ。 🌅",
    "image_urls": ["https://images.example.com/ref/harbour-01.jpg", "https://images.example.com/ref/harbour-02.png"],
    "aspect_ratio": "16:9",
    "resolution": "2K",
    "max_images": 2,
    "sequential_image_generation": "disabled"
  }
}`)

// spec is the hand-written OpenAPI 3.0 equivalent of `preflight schema
// seedream-4-5` without its per-mode conditions (if/then and const are not
// OpenAPI 3.0): the same envelope, enums, ranges and counts. It asks less of
// kin-openapi than preflight checks, so the ratio flatters the peer.
const spec = `{
  "openapi": "3.0.3",
  "info": {"title": "APIXO generateTask (seedream-4-5)", "version": "1"},
  "paths": {
    "/api/v1/generateTask/seedream-4-5": {
      "post": {
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["input"],
            "additionalProperties": false,
            "properties": {
              "model": {"type": "string", "enum": ["seedream-4-5"]},
              "request_type": {"type": "string", "enum": ["async", "callback"]},
              "callback_url": {"type": "string", "pattern": "^[Hh][Tt][Tt][Pp][Ss]://[^/?#]"},
              "provider": {"type": "string", "enum": ["auto", "value", "official"]},
              "input": {
                "type": "object",
                "required": ["prompt", "max_images"],
                "additionalProperties": false,
                "properties": {
                  "mode": {"type": "string", "enum": ["text-to-image", "image-to-image"]},
                  "prompt": {"type": "string", "minLength": 1, "maxLength": 3000},
                  "image_urls": {"type": "array", "maxItems": 14, "items": {"type": "string", "format": "uri"}},
                  "max_images": {"type": "integer", "minimum": 1, "maximum": 10},
                  "resolution": {"type": "string", "enum": ["2K", "4K"]},
                  "aspect_ratio": {"type": "string", "enum": ["1:1", "2:3", "3:2", "4:3", "3:4", "9:16", "16:9", "21:9"]},
                  "sequential_image_generation": {"type": "string", "enum": ["disabled", "auto"]}
                }
              }
            }
          }}}
        },
        "responses": {"200": {"description": "task created"}}
      }
    }
  }
}`

const url = "https://api.apixo.ai/api/v1/generateTask/seedream-4-5"

type kin struct {
	route  *routers.Route
	params map[string]string
	req    *http.Request
	body   *bytes.Reader
}

func newKin(tb testing.TB) *kin {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(spec))
	if err != nil {
		tb.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: "https://api.apixo.ai"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	req.Header.Set("Content-Type", "application/json")
	route, params, err := router.FindRoute(req)
	if err != nil {
		tb.Fatal(err)
	}
	return &kin{route: route, params: params, req: req, body: bytes.NewReader(nil)}
}

// check validates body; the route is found once, outside the loop, so only
// ValidateRequest is measured.
func (k *kin) check(body []byte) error {
	k.body.Reset(body)
	k.req.Body = io.NopCloser(k.body)
	k.req.ContentLength = int64(len(body))
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request:    k.req,
		PathParams: k.params,
		Route:      k.route,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
}

func TestSameVerdicts(t *testing.T) {
	k := newKin(t)
	bad := bytes.Replace(typical, []byte(`"2K"`), []byte(`"2k"`), 1)
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
	}{{"typical", typical, true}, {"enum-case", bad, false}} {
		rep, err := validate.Request(context.Background(), "seedream-4-5", c.body)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() != c.ok {
			t.Errorf("%s: preflight OK=%v, want %v: %v", c.name, rep.OK(), c.ok, rep.Findings)
		}
		if err := k.check(c.body); (err == nil) != c.ok {
			t.Errorf("%s: kin-openapi err=%v, want ok=%v", c.name, err, c.ok)
		}
	}
}

// BenchmarkPeer puts both validators on the same body; compare ns/op and
// allocs/op of the sub-benchmarks.
func BenchmarkPeer(b *testing.B) {
	b.Run("preflight", func(b *testing.B) {
		ctx := context.Background()
		b.SetBytes(int64(len(typical)))
		b.ReportAllocs()
		for b.Loop() {
			rep, err := validate.Request(ctx, "seedream-4-5", typical)
			if err != nil || len(rep.Findings) != 0 {
				b.Fatal(err, rep.Findings)
			}
		}
	})
	b.Run("kin-openapi", func(b *testing.B) {
		k := newKin(b)
		b.SetBytes(int64(len(typical)))
		b.ReportAllocs()
		for b.Loop() {
			if err := k.check(typical); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPeerCold is the peer column of issue 9's "library, cold" row:
// both validators on the 921-byte bodies of bench/internal/coldbody, each
// never seen before (distinct callback and reference URLs).
func BenchmarkPeerCold(b *testing.B) {
	b.Run("preflight", func(b *testing.B) {
		ctx := context.Background()
		src := coldbody.New()
		b.SetBytes(coldbody.Size)
		b.ReportAllocs()
		for b.Loop() {
			rep, err := validate.Request(ctx, coldbody.Model, src.Next())
			if err != nil || len(rep.Findings) != 0 {
				b.Fatal(err, rep.Findings)
			}
		}
	})
	b.Run("kin-openapi", func(b *testing.B) {
		k := newKin(b)
		src := coldbody.New()
		b.SetBytes(coldbody.Size)
		b.ReportAllocs()
		for b.Loop() {
			if err := k.check(src.Next()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestColdBodiesAgree(t *testing.T) {
	k := newKin(t)
	src := coldbody.New()
	for range 10 {
		body := src.Next()
		if rep, err := validate.Request(context.Background(), coldbody.Model, body); err != nil || !rep.OK() {
			t.Fatalf("preflight: %v %v", err, rep.Findings)
		}
		if err := k.check(body); err != nil {
			t.Fatalf("kin-openapi: %v", err)
		}
	}
}
