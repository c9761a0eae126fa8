// Package promptcheck checks one prompt string against a model's prompt
// limits before it is sent to the APIXO generation API, so that requests the
// API would fail with INVALID_PROMPT or PROMPT_TOO_LONG, or silently alter,
// are caught on the client.
//
// The package knows nothing about models: the caller looks the limits up
// (for example in the preflight catalog) and passes them as [Limits]. It
// imports no other preflight package so it can be reused on its own.
//
// # What is checked
//
// [Check] reports, in this order, every problem that applies:
//
//   - [Empty]: the prompt is "" (INVALID_PROMPT).
//   - [Blank]: every code point is Unicode White_Space, e.g. "\t\n",
//     NBSP or U+2028 only (INVALID_PROMPT).
//   - [InvalidUTF8]: the bytes are not valid UTF-8; Offset is the first bad
//     byte, Count the number of bad bytes (INVALID_PROMPT).
//   - [ControlChar]: a Unicode Cc character other than tab, line feed and
//     carriage return: C0 controls including NUL, DEL, and the C1 range
//     U+0080–U+009F; Offset is the first one, Count how many there are
//     (INVALID_PROMPT).
//   - [TooShort]: fewer code points than Limits.MinChars; not reported for
//     Empty or Blank prompts, which already say more (INVALID_PROMPT).
//   - [TooLong]: more code points than Limits.MaxChars; Offset is the byte
//     offset of the first code point past the limit, i.e. where to cut
//     (PROMPT_TOO_LONG).
//   - [TooManyBytes]: more UTF-8 bytes than Limits.MaxBytes; Offset is the
//     start of the first code point that does not fit entirely
//     (PROMPT_TOO_LONG).
//   - [Stripped]: Limits.StripFrom occurs in the prompt; the backend drops
//     the text from there on (Midjourney drops everything from the first
//     "--"). A warning: the request succeeds, but not as written.
//
// Besides the Kind, Offset, Count and Limit of the first design, a
// [Problem] carries Text, the offending part of the prompt as a substring
// (no copy): Message and Fix need it to name the control character or the
// Midjourney flag ("--ar" → set aspect_ratio) without seeing the prompt.
//
// Control characters and invalid bytes are each reported once, at their
// first occurrence, with the total in Count: a prompt with ten thousand NULs
// yields one problem, not ten thousand.
//
// # How length is counted
//
// Lengths are measured on the raw string, exactly as it is sent: the API
// counts the characters it receives, so nothing is trimmed or normalized
// first. Leading and trailing whitespace, a byte order mark and combining
// marks all count. A "character" is a Unicode code point (what Python's len
// returns), so "e\u0301" is two characters and an emoji is one even though
// it takes four UTF-8 bytes. An invalid byte counts as one code point, the
// way [unicode/utf8.DecodeRuneInString] and range loops treat it; a prompt
// with invalid bytes fails anyway.
//
// # Cost
//
// Check is on the hot path of every request: for a valid prompt it makes one
// pass over the bytes and allocates nothing (Check returns nil).
// [AppendCheck] lets a caller with a reused buffer stay allocation-free when
// there are findings too. [Problem.Message] and [Problem.Fix] build strings
// and are meant only for reporting findings.
package promptcheck
