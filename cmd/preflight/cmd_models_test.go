package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/internal/catalog"
)

func TestModelsJSON(t *testing.T) {
	code, out, errOut := run(t, "", nil, "models", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var infos []modelInfo
	if err := json.Unmarshal([]byte(out), &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(catalog.Default().Models) {
		t.Errorf("%d models, catalog has %d", len(infos), len(catalog.Default().Models))
	}
	byID := map[string]modelInfo{}
	for _, m := range infos {
		byID[m.ID] = m
		if m.Source == "" || m.Family == "" || len(m.PerMode) == 0 {
			t.Errorf("%s: incomplete %+v", m.ID, m)
		}
	}
	nb := byID["nano-banana"]
	if nb.DefaultMode != "text-to-image" || strings.Join(nb.Modes, ",") != "text-to-image,image-to-image" {
		t.Errorf("nano-banana modes %v default %q", nb.Modes, nb.DefaultMode)
	}
	for _, pm := range nb.PerMode {
		want := map[string]countRange{"text-to-image": {0, 0}, "image-to-image": {1, 5}}[pm.Mode]
		if got := pm.References["image_urls"]; got != want {
			t.Errorf("nano-banana %s image_urls %+v, want %+v", pm.Mode, got, want)
		}
		if pm.Prompt != (promptLimits{Accepted: true, Required: true, MinChars: 1, MaxChars: 5000}) {
			t.Errorf("nano-banana %s prompt %+v", pm.Mode, pm.Prompt)
		}
	}
	if mj := byID["midjourney"].PerMode[0].Prompt; mj.MaxBytes == 0 {
		t.Errorf("midjourney prompt bytes limit missing: %+v", mj)
	}
	if p := byID["image-upscaler"].PerMode[0].Prompt; p.Accepted {
		t.Errorf("image-upscaler takes no prompt: %+v", p)
	}
}

func TestModelsText(t *testing.T) {
	code, out, _ := run(t, "", nil, "models")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "MODEL ") {
		t.Fatalf("header %q", lines[0])
	}
	// Aligned: every column starts where its header does.
	col := strings.Index(lines[0], "PROMPT")
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "nano-banana ") {
			if !strings.Contains(l, "text-to-image (default)") || l[col-2:col] != "  " || !strings.HasPrefix(l[col:], "1-5000") {
				t.Errorf("nano-banana row %q", l)
			}
		}
	}
	if code, _, _ := run(t, "", nil, "models", "--format", "xml"); code != ExitUsage {
		t.Errorf("models --format xml: exit %d", code)
	}
}
