// Package coldbody makes the request bodies of issue 9's "library, cold"
// measure: a 921-byte seedream-4-5 request that is never the same twice,
// because its callback URL and both reference URLs carry a counter. A
// validator that remembers verdicts per value gets no help from it, as for a
// service that sees each body once.
//
// The floor, preflight and the kin-openapi peer all read the same bodies,
// made the same way, so their ratios compare like with like.
package coldbody

import (
	"bytes"
	"fmt"
)

// Size is the length of every body, the size the issue names.
const Size = 921

// Model is the model the bodies are for (also named in the body).
const Model = "seedream-4-5"

// mark is where the counter goes; it appears three times in the template.
const mark = "00000000"

// template is a valid request for Model, compact as a JSONL line, with a
// prompt of mixed scripts and an emoji.
const template = `{"model":"seedream-4-5","request_type":"callback",` +
	`"callback_url":"https://hooks.example.com/apixo/done?job=00000000","provider":"auto",` +
	`"input":{"mode":"image-to-image",` +
	`"prompt":"A quiet harbour town at dawn, fishing boats resting on glassy water, soft pastel sky with thin clouds, ` +
	`gulls circling the lighthouse, warm light on whitewashed houses with blue shutters, morning mist drifting over the ` +
	`hills behind the town, cinematic composition, shallow depth of field, 35mm film look, gentle grain, rich but natural ` +
	`colours, detailed reflections in the water, a lone fisherman coiling rope on the pier, crates of fresh catch ` +
	`stacked beside him, a cat waits. 港の朝、漁船が静かな水面に浮かぶ。 🌅",` +
	`"image_urls":["https://images.example.com/ref/00000000-a.jpg","https://images.example.com/ref/00000000-b.png"],` +
	`"aspect_ratio":"16:9","resolution":"2K","max_images":2,"sequential_image_generation":"disabled"}}`

// Bodies hands out the bodies. The zero value is not ready: use New.
type Bodies struct {
	buf  []byte
	offs []int
	n    uint32
}

// New returns a source of bodies whose counter starts at 0.
func New() *Bodies {
	b := &Bodies{buf: []byte(template)}
	for i := 0; ; {
		j := bytes.Index(b.buf[i:], []byte(mark))
		if j < 0 {
			break
		}
		b.offs = append(b.offs, i+j)
		i += j + len(mark)
	}
	if len(b.buf) != Size || len(b.offs) != 3 {
		panic(fmt.Sprintf("coldbody: template is %d bytes with %d counters, want %d and 3", len(b.buf), len(b.offs), Size))
	}
	return b
}

// Next returns the next body: the template with the counter, in hex, in its
// three URLs. The slice is reused: it is valid until the next call, and the
// caller must not keep it (validators must not retain the body anyway).
func (b *Bodies) Next() []byte {
	b.n++
	const hex = "0123456789abcdef"
	for _, off := range b.offs {
		v := b.n
		for k := len(mark) - 1; k >= 0; k-- {
			b.buf[off+k] = hex[v&15]
			v >>= 4
		}
	}
	return b.buf
}

// Copy returns a body with the counter at n that the caller may keep, for
// tests and warm runs.
func Copy(n uint32) []byte {
	b := New()
	b.n = n - 1
	return bytes.Clone(b.Next())
}
