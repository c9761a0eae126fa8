package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/validate"
)

// maxNameBytes caps a file name as printed: a path longer than any file
// system allows (PATH_MAX is 4096 on Linux) is cut, with its byte count.
const maxNameBytes = 4096

// printableName makes a file name, which came from the input (a repository
// of someone else's pull request), safe for one line of a terminal or a CI
// log: C0 and C1 controls, DEL, bidi and other format characters and bytes
// that are not UTF-8 are spelled as Go escapes (\x1b, \n, \u202e), so a name
// can neither forge a line (a newline then "::error") nor drive the
// terminal; a name longer than maxNameBytes is cut, saying how long it was.
func printableName(s string) string { return escapeText(s, maxNameBytes, false) }

// maxDiagBytes caps one diagnostic on standard error (a config notice that
// lists every relaxation, an error quoting a path).
const maxDiagBytes = 64 << 10

// printableLine is printableName for a one-line diagnostic (an error, the
// config notice), which may quote paths, globs and keys from the input.
func printableLine(s string) string { return escapeText(s, maxDiagBytes, false) }

// printableLines is printableLine for a report we compose over several
// lines: its newlines are kept, every other control is escaped.
func printableLines(s string) string { return escapeText(s, maxDiagBytes, true) }

func escapeText(s string, limit int, keepNewline bool) string {
	if wasCut(s, limit) {
		limit = len(s) // escaped and cut before: cutting again would lose the byte count
	}
	if len(s) <= limit && isPlainText(s, keepNewline) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= limit {
			b.WriteString("…(" + strconv.Itoa(len(s)) + " bytes)")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case plainRune(r) || keepNewline && r == '\n':
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func isPlainText(s string, keepNewline bool) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII: printable, or a kept newline (plainRune without
			// the table lookup).
			if ' ' <= c && c < 0x7f || keepNewline && c == '\n' {
				i++
				continue
			}
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || !plainRune(r) && !(keepNewline && r == '\n') {
			return false
		}
		i += size
	}
	return true
}

// plainRune is a rune printed as itself: printable, or a plain space.
// unicode.IsPrint is false for controls (C0, DEL, C1) and for format
// characters (Cf: bidi embeddings, overrides and isolates, zero-width
// joiners), which is what must not reach a terminal raw.
func plainRune(r rune) bool { return r == ' ' || unicode.IsPrint(r) }

// escapeJSONControls spells, in marshaled JSON, the characters
// encoding/json leaves raw although a terminal or a log viewer acts on
// them: DEL, C1 controls and format characters (bidi overrides). Outside
// ASCII a JSON document holds such runes only inside strings, where \uXXXX
// decodes to the same value, so the data is unchanged and the bytes are
// safe to show.
func escapeJSONControls(b []byte) []byte {
	clean := true
	for i := 0; i < len(b); {
		if b[i] < 0x7f {
			i++ // ASCII below DEL is left as it is
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && !plainRune(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r < 0x7f || plainRune(r) || r == utf8.RuneError && size <= 1 {
			out = append(out, b[i:i+size]...)
		} else if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = appendU(appendU(out, r1), r2)
		} else {
			out = appendU(out, r)
		}
		i += size
	}
	return out
}

func appendU(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}

// clipText cuts s to about n bytes at a rune boundary, saying how long it
// was; JSON and SARIF escape what they hold, so only the length is theirs
// to bound (a message quoting a 1 MB key).
func clipText(s string, n int) string {
	if len(s) <= n || wasCut(s, n) {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// cleanFinding returns f with every string escaped and cut for output
// (printableName), once for every printer of a run.
func cleanFinding(f validate.Finding) validate.Finding {
	f.File = printableName(f.File)
	f.Pointer = printableName(f.Pointer)
	f.Rule = printableName(f.Rule)
	f.FailCode = printableName(f.FailCode)
	f.Message = printableName(f.Message)
	f.Fix = printableName(f.Fix)
	f.Model = printableName(f.Model)
	f.Source = printableName(f.Source)
	return f
}

// escapeRune reports whether r is shown escaped: it is not plainRune.
func escapeRune(r rune) bool { return !plainRune(r) }

// writeEscaped writes r as escapeText shows it, for the code frame, which
// measures and cuts its line rune by rune.
func writeEscaped(b *strings.Builder, r rune) {
	if plainRune(r) {
		b.WriteRune(r)
		return
	}
	q := strconv.QuoteRuneToASCII(r)
	b.WriteString(q[1 : len(q)-1])
}

// escapedWidth is how many columns r takes once escaped (0 if it is not).
func escapedWidth(r rune) int {
	if plainRune(r) {
		return 0
	}
	return len(strconv.QuoteRuneToASCII(r)) - 2
}

// wasCut reports whether s is already the output of a cut at limit bytes:
// at most limit bytes (plus one escaped rune) then "…(N bytes)". fanOut
// cuts every finding once for all printers; a printer that escapes and
// cuts again for its own callers leaves such a string as it is.
func wasCut(s string, limit int) bool {
	const maxEscape = len(`\U000e0001`)
	body, tail, ok := cutLast(s, "…(")
	if !ok || len(body) > limit+maxEscape {
		return false
	}
	digits, ok := strings.CutSuffix(tail, " bytes)")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(digits)
	return err == nil && n > limit && digits == strconv.Itoa(n)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
