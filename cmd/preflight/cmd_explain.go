package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/suggest"
	"github.com/preflight-dev/preflight/validate"
)

// ruleExamples holds, per rule, a request that triggers it offline. The
// explain command runs the check on it, so the output it shows is real;
// TestExplainExamples keeps every example firing its rule. Built on first
// use: its long prompts cost every run's start-up otherwise.
var ruleExamples = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"json-syntax":            `{"model": "nano-banana", "input": {"prompt": "a fox",}}`,
		"json-invalid-utf8":      "{\"model\": \"nano-banana\", \"input\": {\"prompt\": \"a fox\", \"aspect_ratio\": \"16:9\xff\"}}",
		"json-duplicate-key":     `{"model": "nano-banana", "input": {"prompt": "a fox", "prompt": "a cat"}}`,
		"request-not-object":     `[{"model": "nano-banana", "input": {"prompt": "a fox"}}]`,
		"model-missing":          `{"input": {"prompt": "a fox"}}`,
		"model-unknown":          `{"model": "nano-bananna", "input": {"prompt": "a fox"}}`,
		"model-alias":            `{"model": "flux2", "input": {"mode": "pro-text-to-image", "prompt": "a red fox", "resolution": "1K"}}`,
		"request-type-invalid":   `{"model": "nano-banana", "request_type": "sync", "input": {"prompt": "a fox"}}`,
		"callback-url-missing":   `{"model": "nano-banana", "request_type": "callback", "input": {"prompt": "a fox"}}`,
		"callback-url-invalid":   `{"model": "nano-banana", "request_type": "callback", "callback_url": "http://hooks.example.com/apixo", "input": {"prompt": "a fox"}}`,
		"callback-url-unused":    `{"model": "nano-banana", "request_type": "async", "callback_url": "https://hooks.example.com/apixo", "input": {"prompt": "a fox"}}`,
		"provider-invalid":       `{"model": "nano-banana", "provider": "cheapest", "input": {"prompt": "a fox"}}`,
		"provider-unsupported":   `{"model": "sora-2-pro", "input": {"mode": "text-to-video", "prompt": "a glacier", "size": "1280*720", "duration": 8}}`,
		"input-missing":          `{"model": "nano-banana", "prompt": "a fox"}`,
		"input-not-object":       `{"model": "nano-banana", "input": "a fox"}`,
		"envelope-unknown-field": `{"model": "nano-banana", "webhook": "https://hooks.example.com/x", "input": {"prompt": "a fox"}}`,
		"mode-invalid":           `{"model": "kling-2-6", "input": {"mode": "image2video", "prompt": "leaves rustle", "image_urls": ["https://cdn.example.com/tree.jpg"], "sound": false}}`,
		"mode-missing":           `{"model": "veo-3-1", "input": {"generationType": "TEXT_2_VIDEO", "prompt": "clouds over mountains"}}`,
		"prompt-missing":         `{"model": "nano-banana", "input": {"aspect_ratio": "1:1"}}`,
		"prompt-not-accepted":    `{"model": "image-watermark-remover", "input": {"prompt": "remove the watermark", "image_urls": ["https://cdn.example.com/stock.jpg"]}}`,
		"prompt-empty":           `{"model": "nano-banana", "input": {"prompt": ""}}`,
		"prompt-blank":           `{"model": "nano-banana", "input": {"prompt": " \n\t "}}`,
		"prompt-invalid-utf8":    "{\"model\": \"nano-banana\", \"input\": {\"prompt\": \"Caf\xe9 at night\"}}",
		"prompt-control-char":    `{"model": "nano-banana", "input": {"prompt": "a red fox\u0000 in snow"}}`,
		"prompt-too-short":       `{"model": "flux-2", "input": {"mode": "pro-text-to-image", "prompt": "ok"}}`,
		"prompt-too-long":        `{"model": "kling-2-6", "input": {"mode": "text-to-video", "prompt": "` + strings.Repeat("a fox in snow. ", 70) + `", "sound": false}}`,
		"prompt-too-many-bytes":  `{"model": "midjourney", "input": {"mode": "text-to-image", "prompt": "` + strings.Repeat("🦊🌲", 950) + `"}}`,
		"prompt-param-stripped":  `{"model": "midjourney", "input": {"mode": "text-to-image", "prompt": "a tea shop in a rainy alley --ar 3:2"}}`,
		"field-required":         `{"model": "seedance-2-0-fast", "input": {"mode": "text-to-video", "prompt": "a sailboat"}}`,
		"field-not-allowed":      `{"model": "kling-2-1", "input": {"mode": "master-text-to-video", "prompt": "a paper boat", "image_urls": ["https://cdn.example.com/boat.jpg"]}}`,
		"field-type":             `{"model": "seedance-2-0-fast", "input": {"mode": "text-to-video", "prompt": "a sailboat", "duration": "8"}}`,
		"field-enum":             `{"model": "nano-banana", "input": {"prompt": "a fox", "aspect_ratio": "16:10"}}`,
		"field-range":            `{"model": "seedance-2-0-fast", "input": {"mode": "text-to-video", "prompt": "a sailboat", "duration": 20}}`,
		"field-step":             `{"model": "midjourney", "input": {"mode": "text-to-image", "prompt": "a koi pond", "variety": 12}}`,
		"field-length":           `{"model": "suno", "input": {"mode": "V5", "customMode": true, "instrumental": true, "style": "lo-fi", "title": "` + strings.Repeat("Rainy Night ", 8) + `"}}`,
		"field-count":            `{"model": "ltx-2-19b", "input": {"mode": "text-to-video-LoRA", "prompt": "a robot waters a plant", "loras": [{"path": "https://cdn.example.com/a.safetensors", "scale": 0.5}, {"path": "https://cdn.example.com/b.safetensors", "scale": 0.5}, {"path": "https://cdn.example.com/c.safetensors", "scale": 0.5}, {"path": "https://cdn.example.com/d.safetensors", "scale": 0.5}]}}`,
		"field-unknown":          `{"model": "nano-banana", "input": {"prompt": "a fox", "colour": "red"}}`,
		"field-deprecated":       `{"model": "midjourney", "input": {"mode": "text-to-image", "prompt": "a koi pond", "stylize": 100}}`,
		"references-count":       `{"model": "image-upscaler", "input": {"resolution": "4k"}}`,
		"references-required":    `{"model": "seedance-2-0-fast", "input": {"mode": "omni_reference", "prompt": "lip-sync to this", "audio_urls": ["https://cdn.example.com/track.mp3"], "duration": 5}}`,
		"url-invalid":            `{"model": "nano-banana", "input": {"mode": "image-to-image", "prompt": "a fox", "image_urls": ["file:///Users/me/fox.png"]}}`,
		"url-not-public":         `{"model": "nano-banana", "input": {"mode": "image-to-image", "prompt": "a fox", "image_urls": ["http://10.0.3.7/fox.png"]}}`,
	}
})

// networkExample is shown for rules only the network checks report.
const networkExample = `{"model": "nano-banana", "input": {"mode": "image-to-image", "prompt": "a fox", "image_urls": ["https://cdn.example.com/fox.png"]}}`

func (c *Command) newExplain() *cobra.Command {
	return &cobra.Command{
		Use:   "explain RULE",
		Short: "Explain a rule: what it checks, what the API would answer, the fix, an example",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, r := range validate.Rules() {
				ids = append(ids, r.ID)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			r, ok := ruleByID(args[0])
			if !ok {
				if s := suggestRule(args[0]); s != "" {
					return usagef("unknown rule %q; did you mean %q?", args[0], s)
				}
				return usagef("unknown rule %q; rules: %s", args[0], strings.Join(ruleIDs(), ", "))
			}
			return explainRule(cmd.Context(), cmd.OutOrStdout(), r)
		},
	}
}

func explainRule(ctx context.Context, w io.Writer, r validate.Rule) error {
	fmt.Fprintf(w, "%s (%s)\n\n  %s\n\n", r.ID, r.Severity, r.Summary)
	if pred := r.Predicts(); pred != "" {
		kind := "failCode"
		if r.FailCode == "" {
			kind = "status"
		}
		fmt.Fprintf(w, "Predicts:  %s %s\n", kind, pred)
	} else {
		fmt.Fprintf(w, "Predicts:  a risk, not a certain failure\n")
	}
	fmt.Fprintf(w, "Fix:       %s\nSource:    %s\nDocs:      %s\n", r.Fix, r.Source, ruleDocURL(r.ID))
	body, ok := ruleExamples()[r.ID]
	if !ok {
		_, err := fmt.Fprintf(w, "\nExample (found by the network checks, so lint without --offline):\n\n  %s\n", networkExample)
		return err
	}
	fmt.Fprintf(w, "\nExample:\n\n  %s\n\n", shorten(body, 160))
	rep, err := validate.Request(ctx, "", []byte(body), validate.WithFile("example.json"))
	if err != nil {
		return err
	}
	for _, f := range rep.Findings {
		if f.Rule == r.ID {
			fmt.Fprintf(w, "  %s\n", shorten(f.String(), 240))
		}
	}
	return nil
}

// shorten keeps long examples (prompt-too-long) readable.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n/2]) + " … " + string(r[len(r)-n/2:])
}

// ruleByID returns the rule with the given ID.
func ruleByID(id string) (validate.Rule, bool) {
	for _, r := range validate.Rules() {
		if r.ID == id {
			return r, true
		}
	}
	return validate.Rule{}, false
}

func ruleIDs() []string {
	var ids []string
	for _, r := range validate.Rules() {
		ids = append(ids, r.ID)
	}
	return ids
}

// suggestRule returns the rule ID nearest to s, if near enough to be a
// typo, or the first rule s is a prefix of.
func suggestRule(s string) string {
	ids := ruleIDs()
	if best := suggest.Nearest(s, ids); best != "" {
		return best
	}
	var prefixed []string
	for _, id := range ids {
		if strings.HasPrefix(id, s) {
			prefixed = append(prefixed, id)
		}
	}
	if len(prefixed) > 0 {
		slices.Sort(prefixed)
		return prefixed[0]
	}
	return ""
}
