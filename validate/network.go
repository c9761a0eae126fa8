package validate

import (
	"context"
	"fmt"

	"github.com/preflight-dev/preflight/imagecheck"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// The rules of imagecheck's probe. url-not-public is shared with the
// offline URL check (fields.go). Severity here is the default shown in
// Rules; each finding's severity is the one imagecheck decided.
var (
	ruleImageDownloadFailed = &Rule{ID: imagecheck.RuleDownloadFailed, Severity: SeverityError, FailCode: imagecheck.FailImageDownloadFailed, Source: srcErrorCodes,
		Summary: "The media URL cannot be fetched (404, 403, DNS failure, refused connection, TLS failure).",
		Fix:     imagecheck.Fix(imagecheck.RuleDownloadFailed)}
	ruleImageTooLarge = &Rule{ID: imagecheck.RuleTooLarge, Severity: SeverityError, FailCode: imagecheck.FailImageTooLarge, Source: srcErrorCodes,
		Summary: "The image is larger than 10 MB (10,485,760 bytes), or the field's own limit.",
		Fix:     imagecheck.Fix(imagecheck.RuleTooLarge)}
	ruleImageSizeAmbiguous = &Rule{ID: imagecheck.RuleSizeAmbiguous, Severity: SeverityWarning, FailCode: imagecheck.FailImageTooLarge, Source: srcErrorCodes,
		Summary: "The image is between 10,000,000 and 10,485,760 bytes: over 10 MB by one reading of the docs.",
		Fix:     imagecheck.Fix(imagecheck.RuleSizeAmbiguous)}
	ruleUnsupportedFormat = &Rule{ID: imagecheck.RuleUnsupportedFormat, Severity: SeverityError, FailCode: imagecheck.FailUnsupportedFormat, Source: srcErrorCodes,
		Summary: "The file's bytes are not a format the field accepts (images: JPEG, PNG, WebP), whatever its name says.",
		Fix:     imagecheck.Fix(imagecheck.RuleUnsupportedFormat)}
	ruleContentTypeMismatch = &Rule{ID: imagecheck.RuleContentTypeMismatch, Severity: SeverityWarning, Source: srcErrorCodes,
		Summary: "The server's Content-Type disagrees with the file's bytes.",
		Fix:     imagecheck.Fix(imagecheck.RuleContentTypeMismatch)}
	ruleImageDimensions = &Rule{ID: imagecheck.RuleDimensions, Severity: SeverityError, Source: "https://apixo.ai/fr/docs/models/video/wan-2-5-video",
		Summary: "The image's width or height is outside the field's pixel bounds (wan-2-5-video: 240-8000 px).",
		Fix:     imagecheck.Fix(imagecheck.RuleDimensions)}
	ruleImageAlpha = &Rule{ID: imagecheck.RuleAlpha, Severity: SeverityError, Source: "https://apixo.ai/fr/docs/models/video/wan-2-5-video",
		Summary: "The image has an alpha channel where the field forbids one (wan-2-5-video: PNG without alpha).",
		Fix:     imagecheck.Fix(imagecheck.RuleAlpha)}
	ruleMediaTooLarge = &Rule{ID: imagecheck.RuleMediaTooLarge, Severity: SeverityError, Source: "https://apixo.ai/es/docs/models/video/infinitetalk",
		Summary: "A video or audio file is larger than the field allows.",
		Fix:     imagecheck.Fix(imagecheck.RuleMediaTooLarge)}
	ruleMediaDuration = &Rule{ID: imagecheck.RuleMediaDuration, Severity: SeverityError, Source: "https://apixo.ai/es/docs/models/video/infinitetalk",
		Summary: "A video or audio file is shorter or longer than the field allows, or its duration could not be read.",
		Fix:     imagecheck.Fix(imagecheck.RuleMediaDuration)}
	ruleURLUnverified = &Rule{ID: imagecheck.RuleUnverified, Severity: SeverityWarning, Source: srcErrorCodes,
		Summary: "The URL could not be checked (timeouts, 429, 5xx after retries): not a pass, not a failure.",
		Fix:     imagecheck.Fix(imagecheck.RuleUnverified)}
)

// networkRules maps imagecheck's rule IDs to the rules that report them:
// the one table between imagecheck's findings and this package's.
var networkRules = map[string]*Rule{
	imagecheck.RuleDownloadFailed:      ruleImageDownloadFailed,
	imagecheck.RuleNotPublic:           ruleURLNotPublic,
	imagecheck.RuleTooLarge:            ruleImageTooLarge,
	imagecheck.RuleSizeAmbiguous:       ruleImageSizeAmbiguous,
	imagecheck.RuleUnsupportedFormat:   ruleUnsupportedFormat,
	imagecheck.RuleContentTypeMismatch: ruleContentTypeMismatch,
	imagecheck.RuleDimensions:          ruleImageDimensions,
	imagecheck.RuleAlpha:               ruleImageAlpha,
	imagecheck.RuleMediaTooLarge:       ruleMediaTooLarge,
	imagecheck.RuleMediaDuration:       ruleMediaDuration,
	imagecheck.RuleUnverified:          ruleURLUnverified,
}

// networkRule returns the rule for an imagecheck rule ID. An ID this
// package does not know yet (a newer imagecheck) still reports, under its
// own ID, rather than being dropped.
func networkRule(id string) *Rule {
	if r := networkRules[id]; r != nil {
		return r
	}
	return &Rule{ID: id, Severity: SeverityWarning, Source: srcErrorCodes}
}

// imageSpec converts a catalog URL field to what imagecheck judges.
func imageSpec(f *catalog.FieldSpec) imagecheck.Spec {
	s := imagecheck.Spec{Media: f.Media, Formats: f.Formats}
	if f.MaxFileBytes != nil {
		s.MaxFileBytes = *f.MaxFileBytes
	}
	if f.MinPixels != nil {
		s.MinPixels = *f.MinPixels
	}
	if f.MaxPixels != nil {
		s.MaxPixels = *f.MaxPixels
	}
	if f.NoAlpha != nil {
		s.NoAlpha = *f.NoAlpha
	}
	if f.MinSeconds != nil {
		s.MinSeconds = *f.MinSeconds
	}
	if f.MaxSeconds != nil {
		s.MaxSeconds = *f.MaxSeconds
	}
	return s
}

// checkNetwork probes the URLs that passed the offline checks through the
// Validator's checker (which fetches each unique URL once per run, however
// many requests name it) and reports what it found.
func (r *run) checkNetwork(ctx context.Context) error {
	netCtx := ctx
	if !r.v.NetworkDeadline.IsZero() {
		var cancel context.CancelFunc
		netCtx, cancel = context.WithDeadline(ctx, r.v.NetworkDeadline)
		defer cancel()
	}
	reqs := make([]imagecheck.Request, len(r.urls))
	for i, u := range r.urls {
		reqs[i] = imagecheck.Request{URL: u.url, Spec: imageSpec(u.spec)}
	}
	results := r.v.Network.CheckAll(netCtx, reqs)
	for i, res := range results {
		u := r.urls[i]
		unverified := res.Verdict == imagecheck.Unverified
		for _, p := range res.Problems {
			// A URL with an unverified part (its size could not be read)
			// was not fully checked: count it, never as a pass.
			unverified = unverified || p.Rule == imagecheck.RuleUnverified
			ru := networkRule(p.Rule)
			sev := Severity(p.Severity) // imagecheck decides; the catalog may only lower it
			if sev == SeverityError && u.spec.Level.Stated() == false {
				sev = SeverityWarning // the limit itself is only inferred
			}
			src := u.spec.Source
			if ru == ruleImageDownloadFailed || ru == ruleURLUnverified || ru == ruleURLNotPublic {
				src = ru.Source
			}
			f := r.addAt(ru, sev, int(r.d.Nodes[u.node].Start), r.d.Pointer(u.node), src, p.Message)
			if p.FailCode != "" {
				f.FailCode = p.FailCode
			}
			if ru == ruleURLNotPublic && u.spec.FailCode != "" {
				// The field names its own failCode (audio_urls, loras[].path).
				f.FailCode = u.spec.FailCode
			}
			if p.Fix != "" {
				f.Fix = p.Fix
			}
		}
		if unverified {
			r.unverified++
		}
	}
	for _, t := range r.totals {
		r.checkTotal(t, results)
	}
	// The caller's context ending is an error; the network deadline
	// passing only leaves URLs unverified.
	return ctx.Err()
}

// checkTotal sums the durations of an array's media once every item's
// is known: above the maximum is media-duration; any unknown leaves the
// total unverified, never a pass.
func (r *run) checkTotal(t totalRef, results []imagecheck.Result) {
	sum, known := 0.0, 0
	for _, res := range results[t.start:t.end] {
		if res.DurationKnown {
			sum += res.Duration
			known++
		}
	}
	max := *t.spec.MaxTotalSeconds
	l := t.spec.Origin(func(s *catalog.FieldSpec) bool { return s.MaxTotalSeconds != nil })
	off, ptr := int(r.d.Nodes[t.node].Start), r.d.Pointer(t.node)
	name := t.spec.Name
	if known < t.items {
		r.addAt(ruleURLUnverified, SeverityWarning, off, ptr, l.Spec.Source,
			fmt.Sprintf("%s total duration not checked: %d of %d durations unknown (at most %s s in total%s)", name, t.items-known, t.items, catalog.FormatNumber(max), l.Context()))
		r.unverified++
		return
	}
	if sum > max {
		r.addAt(ruleMediaDuration, severityOf(l.Spec.Level), off, ptr, l.Spec.Source,
			fmt.Sprintf("%s are %.2f s long in total; %s allows at most %s s in total%s%s", name, sum, r.model.ID, catalog.FormatNumber(max), l.Context(), l.Note()))
	}
}
