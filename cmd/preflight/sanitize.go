package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/validate"
)

// Output hygiene. Findings carry strings that came from input files and
// servers: file names, keys, values, server text. A terminal or a CI log
// must show them, never obey them, so every printer gets them with
//
//   - C0 controls (including newline and tab), DEL and C1 controls escaped
//     as \n, \t, \x1b, \x7f, \u0085: an ESC cannot recolor the terminal and
//     a newline cannot start a forged `::error` line;
//   - bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
//     escaped as \u202e, so text cannot display reordered ("Trojan Source");
//   - invalid UTF-8 bytes escaped as \xff;
//   - each string cut at maxOutputText characters, ending with the byte
//     count of the whole: "…[cut: 1048602 bytes]".
const maxOutputText = 1000

// cleanText escapes and cuts s for output, in the one style of escape.go
// (Go escapes, cut at maxNameBytes with the byte count of the whole).
func cleanText(s string) string { return escapeText(s, maxNameBytes, false) }

// needsClean reports whether s is longer than maxOutputText characters or
// holds anything cleanText escapes.
func needsClean(s string) bool {
	n := 0
	for _, r := range s {
		n++
		if n > maxOutputText || r == utf8.RuneError || escapeRune(r) {
			return true
		}
	}
	return false
}

// escapeRune reports whether r is shown escaped.
func escapeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escapedWidth is how many columns r takes once escaped (0 if it is not).
func escapedWidth(r rune) int {
	if !escapeRune(r) {
		return 0
	}
	var b strings.Builder
	writeEscaped(&b, r)
	return b.Len()
}

func writeEscaped(b *strings.Builder, r rune) {
	if !escapeRune(r) {
		b.WriteRune(r)
		return
	}
	switch r {
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	default:
		if r < 0x80 {
			fmt.Fprintf(b, `\x%02x`, r)
		} else {
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
}

// cleanFinding returns f with every string escaped and cut for output.
func cleanFinding(f validate.Finding) validate.Finding {
	f.File = cleanText(f.File)
	f.Pointer = cleanText(f.Pointer)
	f.Rule = cleanText(f.Rule)
	f.FailCode = cleanText(f.FailCode)
	f.Message = cleanText(f.Message)
	f.Fix = cleanText(f.Fix)
	f.Model = cleanText(f.Model)
	f.Source = cleanText(f.Source)
	return f
}
