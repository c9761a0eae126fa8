package imagecheck

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/gif" // registered for DecodeConfig, so a GIF is named and measured
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"strings"

	"github.com/h2non/filetype"
	"github.com/h2non/filetype/matchers/isobmff"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// HeadBytes is how much of a file the probe asks for and sniffs: enough for
// every image header and, usually, an MP4's moov box when it comes first.
const HeadBytes = 64 << 10

// Sniff reads what the first bytes of a file say about it: the format (by
// magic bytes, never by name or Content-Type), image dimensions and alpha
// from the header (no pixel decode), and media duration where the header
// holds it. Only the Format, Width, Height, HasAlpha, Duration,
// DurationKnown, DurationNote and TracksNote fields are set.
//
// Sniff also serves files the caller already has (a local file, a data:
// URL's payload); fill in Size and SizeKnown and pass the Facts to Evaluate.
func Sniff(head []byte) Facts {
	f, _ := sniff(head, -1)
	return f
}

// sniff is Sniff for a file of the given size (-1: unknown), which a CBR
// MP3's duration needs. When the duration lies beyond head (an MP4's moov
// box at the end, an MP3 behind a large ID3 tag), need names the bytes to
// read next; pass them to further.
func sniff(head []byte, size int64) (Facts, byteRange) {
	f := Facts{Format: SniffFormat(head)}
	switch f.Format {
	case "jpeg", "png", "webp", "gif", "bmp", "tiff":
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(head)); err == nil {
			f.Width, f.Height = cfg.Width, cfg.Height
		}
		switch f.Format {
		case "png":
			f.HasAlpha = pngHasAlpha(head)
		case "webp":
			f.HasAlpha = webpHasAlpha(head)
		}
	case "mp4", "mov", "m4v", "m4a", "wav", "mp3":
		return f, f.further(head, 0, size)
	}
	return f, byteRange{}
}

// further feeds the media parser b, the file's bytes from offset off, and
// records the duration or why it is unknown. An ISO-BMFF file whose tracks
// are all sound is named m4a whatever its brand ("isom" audio files are
// common); while its moov box is unread, an "mp4" keeps in TracksNote why
// it may still be one. It returns the bytes still needed, if any.
func (f *Facts) further(b []byte, off, size int64) byteRange {
	info, need, err := mediaScan(f.Format, b, off, size)
	f.Duration, f.DurationKnown, f.DurationNote = durationOf(info.seconds, err)
	switch {
	case info.tracksRead:
		f.TracksNote = ""
		if info.audioOnly && f.Format == "mp4" {
			f.Format = "m4a"
		}
	case f.Format == "mp4":
		f.TracksNote = "moov box not read"
		if err != nil {
			f.TracksNote = err.Error()
		}
	}
	return need
}

func durationOf(secs float64, err error) (float64, bool, string) {
	if err == nil && (secs != secs || secs < 0 || secs > 1e9) {
		err = fmt.Errorf("implausible duration %g s", secs)
	}
	if err != nil {
		return 0, false, "duration unverified: " + err.Error()
	}
	return secs, true, ""
}

// SniffFormat names a file's format from its first bytes: "jpeg", "png",
// "webp", "gif", "bmp", "tiff", "heic", "avif", "svg", "html", "mp4", "mov",
// "m4v", "m4a", "mp3", "wav", another filetype extension ("pdf", "webm" …),
// "xml" or "text" for other text, "" for no bytes and "unknown" otherwise.
func SniffFormat(head []byte) string {
	if len(head) == 0 {
		return ""
	}
	// filetype knows MP3 only by "ID3" or an FF FB frame sync (MPEG-1
	// without CRC); MPEG-2/2.5 and CRC-protected frames are Layer III MP3s
	// too.
	if looksMP3(head) {
		return "mp3"
	}
	// filetype tries ISO-BMFF matchers in map order and has no AVIF, so
	// those files are named by their ftyp brands here.
	if isobmff.IsISOBMFF(head) {
		if f := bmffFormat(isobmff.GetFtyp(head)); f != "" {
			return f
		}
	}
	if t, err := filetype.Match(head); err == nil && t != filetype.Unknown {
		switch t.Extension {
		case "jpg":
			return "jpeg"
		case "tif":
			return "tiff"
		case "heif":
			return "heic"
		}
		return t.Extension
	}
	return sniffText(head)
}

// bmffFormat maps ISO-BMFF brands to a format name.
func bmffFormat(major, _ string, compatible []string) string {
	brands := append([]string{major}, compatible...)
	for _, b := range brands {
		switch b {
		case "avif", "avis":
			return "avif"
		case "heic", "heix", "hevc", "hevx", "heim", "heis":
			return "heic"
		}
	}
	switch major {
	case "qt  ":
		return "mov"
	case "M4V ", "M4VH", "M4VP":
		return "m4v"
	case "M4A ", "M4B ":
		return "m4a"
	case "mif1", "msf1":
		return "heic"
	case "crx ":
		return "" // Canon raw; let filetype decide
	}
	return "mp4"
}

// sniffText recognises the text answers servers give instead of an image:
// HTML error and login pages, and SVG, which filetype does not detect.
func sniffText(head []byte) string {
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/html") {
		return "html"
	}
	if !strings.HasPrefix(ct, "text/") {
		return "unknown"
	}
	s := head
	if len(s) > 4096 {
		s = s[:4096]
	}
	lower := bytes.ToLower(s)
	switch {
	case bytes.Contains(lower, []byte("<svg")):
		return "svg"
	case bytes.Contains(lower, []byte("<html")), bytes.Contains(lower, []byte("<!doctype html")):
		return "html"
	case strings.HasPrefix(ct, "text/xml"):
		return "xml"
	}
	return "text"
}

// pngHasAlpha reports whether a PNG has an alpha channel (color type 4 or
// 6) or a tRNS transparency chunk before its image data.
func pngHasAlpha(b []byte) bool {
	const sig = 8
	if len(b) < sig+8+13 || string(b[sig+4:sig+8]) != "IHDR" {
		return false
	}
	if ct := b[sig+8+9]; ct == 4 || ct == 6 {
		return true
	}
	for p := sig; p+8 <= len(b); {
		n := int64(binary.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		switch typ {
		case "tRNS":
			return true
		case "IDAT", "IEND":
			return false
		}
		next := int64(p) + 12 + n // length, type, data, CRC
		if next > int64(len(b)) {
			return false
		}
		p = int(next)
	}
	return false
}

// webpHasAlpha reads the alpha flag of an extended (VP8X) or lossless
// (VP8L) WebP; simple lossy WebP has no alpha.
func webpHasAlpha(b []byte) bool {
	if len(b) < 25 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return false
	}
	switch string(b[12:16]) {
	case "VP8X":
		return b[20]&0x10 != 0
	case "VP8L":
		return b[20] == 0x2f && binary.LittleEndian.Uint32(b[21:25])>>28&1 == 1
	}
	return false
}
