package promptcheck

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message describes the problem with its measured values, e.g. "prompt is
// 5,123 characters; at most 5,000 are allowed". It names no model: the
// caller knows which one it checked and adds that context.
func (p Problem) Message() string {
	switch p.Kind {
	case Empty:
		return "prompt is empty"
	case Blank:
		return "prompt contains only whitespace (" + plural(p.Count, "character") + ")"
	case InvalidUTF8:
		m := fmt.Sprintf("prompt is not valid UTF-8: byte 0x%02X at offset %s", p.badByte(), group(p.Offset))
		if p.Count > 1 {
			m += " (" + group(p.Count) + " invalid bytes in total)"
		}
		return m
	case ControlChar:
		m := "prompt contains control character " + p.codePoint() + " at byte offset " + group(p.Offset)
		if p.Count > 1 {
			m += " (" + group(p.Count) + " control characters in total)"
		}
		return m
	case TooShort:
		return "prompt is " + plural(p.Count, "character") + "; at least " + group(p.Limit) + " required"
	case TooLong:
		return "prompt is " + plural(p.Count, "character") + "; at most " + group(p.Limit) +
			" allowed (the excess starts at character " + group(p.Limit+1) + ")"
	case TooManyBytes:
		return "prompt is " + plural(p.Count, "UTF-8 byte") + "; at most " + group(p.Limit) + " allowed"
	case Stripped:
		if p.Count == 0 {
			return fmt.Sprintf("prompt starts with %q: the backend drops the prompt from there on, so nothing of it is used", p.Text)
		}
		return fmt.Sprintf("prompt contains %q at byte offset %s: the backend drops everything from there on and uses only the first %s",
			p.Text, group(p.Offset), plural(p.Count, "character"))
	}
	return p.Kind.String()
}

// Fix says what to change, starting from the documented solution for the
// failCode ("Provide a valid prompt", "Shorten your prompt").
func (p Problem) Fix() string {
	switch p.Kind {
	case Empty:
		return "Provide a valid prompt: a non-empty text"
	case Blank:
		return "Provide a valid prompt: it must contain text other than whitespace"
	case InvalidUTF8:
		return "Provide a valid prompt: send it as UTF-8 text (remove or re-encode the byte at offset " + group(p.Offset) + ")"
	case ControlChar:
		return "Provide a valid prompt: remove control characters such as " + p.codePoint() + " (tabs and line breaks are fine)"
	case TooShort:
		return "Provide a valid prompt of at least " + plural(p.Limit, "character")
	case TooLong:
		return "Shorten your prompt to at most " + plural(p.Limit, "character")
	case TooManyBytes:
		return "Shorten your prompt to at most " + plural(p.Limit, "UTF-8 byte") + " (characters outside ASCII take 2 to 4 bytes each)"
	case Stripped:
		return strippedFix(p.Text)
	}
	return ""
}

// flagFields maps Midjourney prompt flags to the request fields that replace
// them (spec: "Use aspect_ratio, stylization, variety, weirdness").
var flagFields = map[string]string{
	"ar": "aspect_ratio", "aspect": "aspect_ratio",
	"s": "stylization", "stylize": "stylization",
	"c": "variety", "chaos": "variety",
	"w": "weirdness", "weird": "weirdness",
	"v": "version", "version": "version",
}

func strippedFix(text string) string {
	marker := strings.TrimRight(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	flag := text[len(marker):]
	if field, ok := flagFields[strings.ToLower(flag)]; ok {
		return "Remove " + text + " from the prompt and set the " + field + " field instead"
	}
	return "Keep " + strconv.Quote(marker) + " out of the prompt: use the aspect_ratio, stylization, variety or weirdness fields instead of --ar/--stylize/--chaos/--weird flags"
}

func (p Problem) badByte() byte {
	if p.Text == "" {
		return 0
	}
	return p.Text[0]
}

// codePoint names the control character in U+XXXX notation.
func (p Problem) codePoint() string {
	if p.Text == "" {
		return "(unknown)"
	}
	r, _ := utf8.DecodeRuneInString(p.Text)
	return fmt.Sprintf("%U", r)
}

// plural formats n with a noun, "1 character" / "5,000 characters".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return group(n) + " " + noun + "s"
}

// group formats n with thousands separators, as limits are written in the
// docs ("1–5,000 characters" reads better than 5000 next to 50000).
func group(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
