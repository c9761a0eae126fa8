package imagecheck

import (
	"fmt"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/preflight-dev/preflight/internal/digits"
)

// Limits the API docs state for images: "each under 10 MB". Which megabyte
// is not said, so sizes between the two values are only a warning.
const (
	ImageMaxBytes       = 10 << 20   // 10,485,760: above this, IMAGE_TOO_LARGE
	ImageAmbiguousBytes = 10_000_000 // above this (and up to ImageMaxBytes), a warning
)

// Spec is what one request field accepts, as the model catalog states it
// (docs/catalog.md: the url field properties). The zero Spec is an image
// field with the API's defaults.
type Spec struct {
	Media        string   // "image" (default), "mask", "video", "audio" or "lora"
	Formats      []string // allowed formats by magic bytes; default by Media
	MaxFileBytes int64    // largest file; default ImageMaxBytes for images, none otherwise
	MinPixels    int      // smallest allowed width and height (0: no bound)
	MaxPixels    int      // largest allowed width and height (0: no bound)
	NoAlpha      bool     // the image must not carry alpha
	MinSeconds   float64  // shortest allowed duration (0: no bound)
	MaxSeconds   float64  // longest allowed duration (0: no bound)
}

// DefaultFormats are the formats a field accepts when its Spec lists none.
var DefaultFormats = map[string][]string{
	"image": {"jpeg", "png", "webp"},
	"mask":  {"jpeg", "png", "webp"},
	"video": {"mp4", "mov", "m4v"},
	"audio": {"mp3", "wav", "m4a"},
}

func (s Spec) media() string {
	if s.Media == "" {
		return "image"
	}
	return s.Media
}

func (s Spec) isImage() bool { m := s.media(); return m == "image" || m == "mask" }

func (s Spec) formats() []string {
	if len(s.Formats) > 0 {
		return s.Formats
	}
	return DefaultFormats[s.media()]
}

// limit is the byte limit for the field, and whether one applies.
func (s Spec) limit() (int64, bool) {
	if s.MaxFileBytes > 0 {
		return s.MaxFileBytes, true
	}
	if s.isImage() {
		return ImageMaxBytes, true
	}
	return 0, false
}

// ErrKind classifies why a probe did not get the file.
type ErrKind string

const (
	ErrNone      ErrKind = ""                // the file was read
	ErrNotPublic ErrKind = "not-public"      // the URL or a resolved address is not public; nothing was sent
	ErrDownload  ErrKind = "download-failed" // 4xx, DNS name not found, refused, TLS: the API would fail too
	ErrTransient ErrKind = "unverified"      // 429, 5xx, timeout, cancellation, a cut-short body: no verdict possible
	// ErrNoNetwork: this machine could not reach the far side (no resolver,
	// no route, proxy refused or down, no outside network proven yet). No
	// verdict; the CLI summarises these once.
	ErrNoNetwork ErrKind = "no-network"
)

// Hop is one request of a fetch: the URL asked for and the address the
// connection went to ("" when through a proxy, which connects itself).
// Cached facts keep their hops, so a later run judges every hop again under
// its own allow list and address rules.
type Hop struct {
	URL   string `json:"url"`
	Addr  string `json:"addr,omitempty"`  // ip:port connected to
	Proxy bool   `json:"proxy,omitempty"` // sent through a proxy
}

// Facts are what a probe learned about a URL. They do not depend on any
// Spec, so they are what the cache stores; Evaluate judges them against a
// Spec.
type Facts struct {
	URL           string  `json:"url"`
	FinalURL      string  `json:"finalUrl,omitempty"` // after redirects
	Status        int     `json:"status,omitempty"`   // HTTP status of the final response
	Size          int64   `json:"size"`               // exact if SizeKnown, else a lower bound (bytes counted before the probe stopped)
	SizeKnown     bool    `json:"sizeKnown"`
	Format        string  `json:"format,omitempty"`      // see SniffFormat
	ContentType   string  `json:"contentType,omitempty"` // as the server sent it
	Width         int     `json:"width,omitempty"`
	Height        int     `json:"height,omitempty"`
	HasAlpha      bool    `json:"hasAlpha,omitempty"`
	Duration      float64 `json:"duration,omitempty"` // seconds
	DurationKnown bool    `json:"durationKnown,omitempty"`
	DurationNote  string  `json:"durationNote,omitempty"` // why the duration is unknown
	DimsNote      string  `json:"dimsNote,omitempty"`     // why an image's width and height are unknown
	TracksNote    string  `json:"tracksNote,omitempty"`   // why an "mp4" file's tracks are unknown (moov not read): it may be an audio-only M4A
	BytesRead     int64   `json:"bytesRead"`              // body bytes read, over all attempts' final one
	Attempts      int     `json:"attempts,omitempty"`
	Err           string  `json:"err,omitempty"`
	ErrKind       ErrKind `json:"errKind,omitempty"`
	// NeedsNetwork marks a failure ("no such host", a refused connection)
	// that is the far side's answer only if the outside network works; the
	// Checker reads it as ErrNoNetwork until this run has seen it work.
	NeedsNetwork bool      `json:"needsNetwork,omitempty"`
	Hops         []Hop     `json:"hops,omitempty"` // every request made, in order
	CheckedAt    time.Time `json:"checkedAt"`
}

// Evaluate judges probe facts against a field's Spec. It is pure, so cached
// facts can be re-judged for every field that uses the same URL.
func Evaluate(f Facts, spec Spec) (Verdict, []Problem) {
	v, ps := evaluate(f, spec)
	for i := range ps {
		// Facts come from a server or a cache file: print them safely.
		ps[i].Message = cleanText(ps[i].Message, 2*maxErrText)
	}
	return v, ps
}

func evaluate(f Facts, spec Spec) (Verdict, []Problem) {
	var ps []Problem
	add := func(rule, code, sev, format string, args ...any) {
		ps = append(ps, Problem{Rule: rule, FailCode: code, Severity: sev,
			Message: fmt.Sprintf(format, args...), Fix: ruleFix[rule]})
	}
	switch f.ErrKind {
	case ErrNotPublic:
		add(RuleNotPublic, FailInvalidImageURL, SeverityError, "%s", f.Err)
		return Failed, ps
	case ErrDownload:
		add(RuleDownloadFailed, FailImageDownloadFailed, SeverityError, "the API could not download this file: %s", f.Err)
		return Failed, ps
	case ErrTransient, ErrNoNetwork:
		add(RuleUnverified, "", SeverityWarning, "could not check this URL: %s", f.Err)
		return Unverified, ps
	}

	media := spec.media()
	allowed := spec.formats()
	if len(allowed) > 0 && !slices.Contains(allowed, f.Format) && f.Format == "mp4" && f.TracksNote != "" && slices.Contains(allowed, "m4a") {
		// An MP4 whose tracks were not read may hold sound alone: an M4A
		// this field accepts. Not a pass, not a failure.
		add(RuleUnverified, "", SeverityWarning, "found MP4 whose tracks were not checked (%s); this %s field accepts it only as M4A, with sound tracks alone", f.TracksNote, media)
	} else if len(allowed) > 0 && !slices.Contains(allowed, f.Format) {
		found := f.Format
		switch found {
		case "":
			found = "an empty file"
		case "unknown":
			found = "a file of unknown format"
		case "html":
			found = "an HTML page (often an error or login page)"
		default:
			found = strings.ToUpper(found)
		}
		fix := ruleFix[RuleUnsupportedFormat]
		if !spec.isImage() || len(spec.Formats) > 0 {
			fix = "Use " + strings.ToUpper(strings.Join(allowed, ", "))
		}
		ps = append(ps, Problem{Rule: RuleUnsupportedFormat, FailCode: FailUnsupportedFormat, Severity: SeverityError,
			Message: fmt.Sprintf("found %s; this %s field accepts %s", found, media, strings.ToUpper(strings.Join(allowed, ", "))),
			Fix:     fix})
	} else if f.ContentType != "" && !contentTypeAgrees(f.ContentType, f.Format) {
		add(RuleContentTypeMismatch, "", SeverityWarning, "served as %q but the bytes are %s", f.ContentType, strings.ToUpper(f.Format))
	}

	if limit, ok := spec.limit(); ok {
		rule, code := RuleTooLarge, FailImageTooLarge
		if !spec.isImage() {
			rule, code = RuleMediaTooLarge, ""
		}
		switch {
		case f.Size > limit:
			qual := ""
			if !f.SizeKnown {
				qual = "at least "
			}
			add(rule, code, SeverityError, "file is %s%s bytes; the limit is %s bytes", qual, digits.Commas(f.Size), digits.Commas(limit))
			if spec.MaxFileBytes > 0 && spec.isImage() {
				ps[len(ps)-1].Fix = "Resize to under " + digits.Commas(limit) + " bytes"
			}
		case !f.SizeKnown:
			add(RuleUnverified, "", SeverityWarning, "file size could not be determined (counted %s bytes)", digits.Commas(f.Size))
		case spec.isImage() && spec.MaxFileBytes == 0 && f.Size > ImageAmbiguousBytes:
			add(RuleSizeAmbiguous, "", SeverityWarning, "file is %s bytes: under 10 MiB but over 10,000,000 bytes, and the docs do not say which \"10MB\" they mean", digits.Commas(f.Size))
		}
	}

	if spec.isImage() {
		if spec.MinPixels > 0 || spec.MaxPixels > 0 {
			switch {
			case f.Width == 0 || f.Height == 0:
				// Not a pass: the bounds were not checked.
				note := f.DimsNote
				if note == "" {
					note = "not found in the bytes read"
				}
				add(RuleUnverified, "", SeverityWarning, "image dimensions could not be read (%s), so pixel bounds were not checked", note)
			case spec.MinPixels > 0 && (f.Width < spec.MinPixels || f.Height < spec.MinPixels):
				add(RuleDimensions, "", SeverityError, "image is %d×%d; width and height must be at least %d", f.Width, f.Height, spec.MinPixels)
			case spec.MaxPixels > 0 && (f.Width > spec.MaxPixels || f.Height > spec.MaxPixels):
				add(RuleDimensions, "", SeverityError, "image is %d×%d; width and height must be at most %d", f.Width, f.Height, spec.MaxPixels)
			}
		}
		if spec.NoAlpha && f.HasAlpha {
			add(RuleAlpha, "", SeverityError, "%s image has an alpha channel or transparency, which this field does not accept", strings.ToUpper(f.Format))
		}
	} else if spec.MinSeconds > 0 || spec.MaxSeconds > 0 {
		switch {
		case !f.DurationKnown:
			note := f.DurationNote
			if note == "" {
				note = "duration unverified"
			}
			add(RuleMediaDuration, "", SeverityWarning, "%s", note)
		case spec.MinSeconds > 0 && f.Duration < spec.MinSeconds:
			add(RuleMediaDuration, "", SeverityError, "%s is %.2f s long; the minimum is %g s", media, f.Duration, spec.MinSeconds)
		case spec.MaxSeconds > 0 && f.Duration > spec.MaxSeconds:
			add(RuleMediaDuration, "", SeverityError, "%s is %.2f s long; the maximum is %g s", media, f.Duration, spec.MaxSeconds)
		}
	}

	v := OK
	for _, p := range ps {
		switch {
		case p.Severity == SeverityError:
			return Failed, ps
		case p.Rule == RuleUnverified:
			v = Unverified // part of the check did not run: never a pass
		}
	}
	return v, ps
}

// formatMIME maps formats to the media types a server should send for them.
var formatMIME = map[string][]string{
	"jpeg": {"image/jpeg", "image/jpg", "image/pjpeg"},
	"png":  {"image/png", "image/x-png"},
	"webp": {"image/webp"},
	"gif":  {"image/gif"},
	"bmp":  {"image/bmp", "image/x-bmp", "image/x-ms-bmp"},
	"tiff": {"image/tiff"},
	"heic": {"image/heic", "image/heif"},
	"avif": {"image/avif"},
	"svg":  {"image/svg+xml"},
	"mp4":  {"video/mp4", "application/mp4"},
	"mov":  {"video/quicktime"},
	"m4v":  {"video/x-m4v", "video/mp4"},
	"m4a":  {"audio/mp4", "audio/m4a", "audio/x-m4a", "audio/aac", "video/mp4"}, // an isom file with only sound tracks is often served as video/mp4
	"mp3":  {"audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3"},
	"wav":  {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"},
}

// contentTypeAgrees reports whether a Content-Type header fits the sniffed
// format. Formats without a known media type always agree.
func contentTypeAgrees(ct, format string) bool {
	want, ok := formatMIME[format]
	if !ok {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	mt = strings.ToLower(mt)
	// A generic type says "some bytes", not a different format: the API
	// sniffs the bytes, so WebP served as octet-stream is fine.
	if mt == "application/octet-stream" || mt == "binary/octet-stream" {
		return true
	}
	return slices.Contains(want, mt)
}
