package imagecheck

import (
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	png := Facts{Format: "png", ContentType: "image/png", Size: 1000, SizeKnown: true, Width: 512, Height: 512}
	with := func(f Facts, mod func(*Facts)) Facts { mod(&f); return f }
	tests := []struct {
		name  string
		f     Facts
		spec  Spec
		v     Verdict
		rules string
	}{
		{"ok", png, Spec{}, OK, ""},
		{"content-type with params", with(png, func(f *Facts) { f.ContentType = "image/png; charset=binary" }), Spec{}, OK, ""},
		{"no content-type", with(png, func(f *Facts) { f.ContentType = "" }), Spec{}, OK, ""},
		{"exactly 10 MiB", with(png, func(f *Facts) { f.Size = ImageMaxBytes }), Spec{}, OK, "warning:image-size-ambiguous"},
		{"10,000,000 bytes", with(png, func(f *Facts) { f.Size = ImageAmbiguousBytes }), Spec{}, OK, ""},
		{"one byte over", with(png, func(f *Facts) { f.Size = ImageMaxBytes + 1 }), Spec{}, Failed, "error:image-too-large"},
		{"spec limit overrides", with(png, func(f *Facts) { f.Size = 6 << 20 }), Spec{MaxFileBytes: 5 << 20}, Failed, "error:image-too-large"},
		{"spec limit, no ambiguity", with(png, func(f *Facts) { f.Size = 10_200_000 }), Spec{MaxFileBytes: 20 << 20}, OK, ""},
		{"size unknown", with(png, func(f *Facts) { f.SizeKnown = false; f.Size = 65536 }), Spec{}, Unverified, "warning:url-unverified"},
		{"dims unknown", with(png, func(f *Facts) { f.Width = 0 }), Spec{MinPixels: 100}, Unverified, "warning:url-unverified"},
		{"dims unknown, no bounds", with(png, func(f *Facts) { f.Width = 0 }), Spec{}, OK, ""},
		{"no network", Facts{ErrKind: ErrNoNetwork, Err: "network unavailable (DNS: no such host x)"}, Spec{}, Unverified, "warning:url-unverified"},
		{"not public", Facts{ErrKind: ErrNotPublic, Err: "x"}, Spec{}, Failed, "error:url-not-public"},
		{"download", Facts{ErrKind: ErrDownload, Err: "HTTP 404"}, Spec{}, Failed, "error:image-download-failed"},
		{"transient", Facts{ErrKind: ErrTransient, Err: "HTTP 503"}, Spec{}, Unverified, "warning:url-unverified"},
		{"lora any format", Facts{Format: "unknown", Size: 5, SizeKnown: true}, Spec{Media: "lora"}, OK, ""},
		{"video no limit", Facts{Format: "mp4", Size: 1 << 30, SizeKnown: true}, Spec{Media: "video"}, OK, ""},
		{"mask is image", with(png, func(f *Facts) { f.HasAlpha = true }), Spec{Media: "mask", NoAlpha: true}, Failed, "error:image-alpha"},
	}
	for _, tt := range tests {
		v, ps := Evaluate(tt.f, tt.spec)
		if v != tt.v || rules(ps) != tt.rules {
			t.Errorf("%s: got %v %q %+v; want %v %q", tt.name, v, rules(ps), ps, tt.v, tt.rules)
		}
		for _, p := range ps {
			if p.Fix == "" || p.Message == "" {
				t.Errorf("%s: problem without fix or message: %+v", tt.name, p)
			}
		}
	}
}

func TestEvaluateMessages(t *testing.T) {
	_, ps := Evaluate(Facts{Format: "png", Size: 6 << 20, SizeKnown: true}, Spec{MaxFileBytes: 5 << 20})
	if !strings.Contains(ps[0].Message, "6,291,456") || ps[0].Fix != "Resize to under 5,242,880 bytes" {
		t.Errorf("%+v", ps[0])
	}
	_, ps = Evaluate(Facts{Format: "gif", Size: 1, SizeKnown: true}, Spec{Formats: []string{"jpeg", "png"}})
	if ps[0].Fix != "Use JPEG, PNG" || !strings.Contains(ps[0].Message, "found GIF") {
		t.Errorf("%+v", ps[0])
	}
	for rule, fix := range ruleFix {
		if Fix(rule) != fix || fix == "" {
			t.Errorf("Fix(%q) = %q", rule, Fix(rule))
		}
	}
}
