package validate

import (
	"context"

	"github.com/preflight-dev/preflight/imagecheck"
)

// URLChecker checks media URLs over the network. ImageChecker adapts an
// imagecheck.Checker; it is an interface so callers can substitute their
// own (a stub in tests, a shared service).
type URLChecker interface {
	CheckURLs(ctx context.Context, jobs []URLJob) []URLResult
}

// Prefetcher is a URLChecker that can start fetching URLs ahead of the
// requests that name them, so a run over many files keeps its fetch pool
// busy while results are still emitted in file order.
type Prefetcher interface {
	Prefetch(ctx context.Context, jobs []URLJob)
}

// URLJob is one media URL and what its field requires of it.
type URLJob struct {
	URL  string
	Spec *FieldSpec
}

// URLResult is what a URLChecker found for one job.
type URLResult struct {
	Problems []URLProblem
	// Unverified is set when the check could not be made (timeouts, 429,
	// 5xx after retries): neither a pass nor a failure.
	Unverified bool
}

// URLProblem is one network finding about a URL.
type URLProblem struct {
	Rule     string
	Severity Severity
	FailCode string
	Message  string
	Fix      string
}

// ImageChecker adapts imagecheck.Checker to URLChecker. One ImageChecker per
// run fetches each unique URL once, however many requests name it.
type ImageChecker struct {
	Checker *imagecheck.Checker
	// Context, if set, bounds all network checks of the run (a whole-run
	// deadline): once it is done, URLs not yet judged are unverified while
	// the offline checks go on.
	Context context.Context
}

func (c ImageChecker) ctx(ctx context.Context) context.Context {
	if c.Context != nil {
		return c.Context
	}
	return ctx
}

// Spec converts a catalog URL field to an imagecheck.Spec.
func (f *FieldSpec) imageSpec() imagecheck.Spec {
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

func (c ImageChecker) requests(jobs []URLJob) []imagecheck.Request {
	reqs := make([]imagecheck.Request, len(jobs))
	for i, j := range jobs {
		reqs[i] = imagecheck.Request{URL: j.URL}
		if j.Spec != nil {
			reqs[i].Spec = j.Spec.imageSpec()
		}
	}
	return reqs
}

// CheckURLs probes each URL (or takes it from the cache) and judges it
// against its field's spec.
func (c ImageChecker) CheckURLs(ctx context.Context, jobs []URLJob) []URLResult {
	results := c.Checker.CheckAll(c.ctx(ctx), c.requests(jobs))
	out := make([]URLResult, len(results))
	for i, r := range results {
		out[i].Unverified = r.Verdict == imagecheck.Unverified
		for _, p := range r.Problems {
			// A URL with an unverified part (its size could not be read)
			// was not fully checked: count it, never as a pass.
			out[i].Unverified = out[i].Unverified || p.Rule == imagecheck.RuleUnverified
			out[i].Problems = append(out[i].Problems, URLProblem{
				Rule: p.Rule, Severity: Severity(p.Severity), FailCode: p.FailCode, Message: p.Message, Fix: p.Fix,
			})
		}
	}
	return out
}

// Prefetch starts probing the URLs in the background; later CheckURLs calls
// for the same URLs share the fetch.
func (c ImageChecker) Prefetch(ctx context.Context, jobs []URLJob) {
	reqs := c.requests(jobs)
	c.Checker.Expect(reqs) // progress knows its total before the first result
	go c.Checker.CheckAll(c.ctx(ctx), reqs)
}

// networkRules describe the findings of imagecheck's probe. url-not-public
// is shared with the offline URL check.
var networkRules = []Rule{
	{ID: imagecheck.RuleDownloadFailed, Severity: SeverityError, FailCode: FailImageDownloadFailed, Source: srcErrorCodes,
		Summary: "The media URL cannot be fetched (404, 403, DNS failure, refused connection, TLS failure).",
		Fix:     imagecheck.Fix(imagecheck.RuleDownloadFailed)},
	{ID: imagecheck.RuleTooLarge, Severity: SeverityError, FailCode: FailImageTooLarge, Source: srcErrorCodes,
		Summary: "The image is larger than 10 MB (10,485,760 bytes), or the field's own limit.",
		Fix:     imagecheck.Fix(imagecheck.RuleTooLarge)},
	{ID: imagecheck.RuleSizeAmbiguous, Severity: SeverityWarning, FailCode: FailImageTooLarge, Source: srcErrorCodes,
		Summary: "The image is between 10,000,000 and 10,485,760 bytes: over 10 MB by one reading of the docs.",
		Fix:     imagecheck.Fix(imagecheck.RuleSizeAmbiguous)},
	{ID: imagecheck.RuleUnsupportedFormat, Severity: SeverityError, FailCode: FailUnsupportedFormat, Source: srcErrorCodes,
		Summary: "The file's bytes are not a format the field accepts (images: JPEG, PNG, WebP), whatever its name says.",
		Fix:     imagecheck.Fix(imagecheck.RuleUnsupportedFormat)},
	{ID: imagecheck.RuleContentTypeMismatch, Severity: SeverityWarning, Source: srcErrorCodes,
		Summary: "The server's Content-Type disagrees with the file's bytes.",
		Fix:     imagecheck.Fix(imagecheck.RuleContentTypeMismatch)},
	{ID: imagecheck.RuleDimensions, Severity: SeverityError, Source: "https://apixo.ai/fr/docs/models/video/wan-2-5-video",
		Summary: "The image's width or height is outside the field's pixel bounds (wan-2-5-video: 240-8000 px).",
		Fix:     imagecheck.Fix(imagecheck.RuleDimensions)},
	{ID: imagecheck.RuleAlpha, Severity: SeverityError, Source: "https://apixo.ai/fr/docs/models/video/wan-2-5-video",
		Summary: "The image has an alpha channel where the field forbids one (wan-2-5-video: PNG without alpha).",
		Fix:     imagecheck.Fix(imagecheck.RuleAlpha)},
	{ID: imagecheck.RuleMediaTooLarge, Severity: SeverityError, Source: "https://apixo.ai/es/docs/models/video/infinitetalk",
		Summary: "A video or audio file is larger than the field allows.",
		Fix:     imagecheck.Fix(imagecheck.RuleMediaTooLarge)},
	{ID: imagecheck.RuleMediaDuration, Severity: SeverityError, Source: "https://apixo.ai/es/docs/models/video/infinitetalk",
		Summary: "A video or audio file is shorter or longer than the field allows, or its duration could not be read.",
		Fix:     imagecheck.Fix(imagecheck.RuleMediaDuration)},
	{ID: imagecheck.RuleUnverified, Severity: SeverityWarning, Source: srcErrorCodes,
		Summary: "The URL could not be checked (timeouts, 429, 5xx after retries): not a pass, not a failure.",
		Fix:     imagecheck.Fix(imagecheck.RuleUnverified)},
}

func (r *run) checkNetwork(ctx context.Context) error {
	jobs := make([]URLJob, len(r.urls))
	for i, u := range r.urls {
		jobs[i] = URLJob{URL: u.url, Spec: u.spec}
	}
	results := r.v.Network.CheckURLs(ctx, jobs)
	for i, res := range results {
		u := r.urls[i]
		if res.Unverified {
			r.unverified++
		}
		for _, p := range res.Problems {
			ru, ok := RuleByID(p.Rule)
			if !ok {
				ru = Rule{ID: p.Rule}
			}
			if p.FailCode != "" {
				ru.FailCode = p.FailCode
			}
			if p.Fix != "" {
				ru.Fix = p.Fix
			}
			sev := p.Severity
			if sev == SeverityError && u.spec.Level.severity() == SeverityWarning {
				sev = SeverityWarning // the limit itself is only inferred
			}
			src := u.spec.Source
			if ru.ID == imagecheck.RuleDownloadFailed || ru.ID == imagecheck.RuleUnverified || ru.ID == imagecheck.RuleNotPublic {
				src = ru.Source
			}
			label := r.d.pointer(u.node)
			r.addAt(ru, sev, int(r.d.nodes[u.node].start), label, src, p.Message)
		}
	}
	return ctx.Err()
}
