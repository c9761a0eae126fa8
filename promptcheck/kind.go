package promptcheck

import "strconv"

// Kind identifies one rule of the prompt check.
//
// The zero Kind is not a rule, so a zero Problem is recognizably unset.
type Kind uint8

// The rules, in the order Check reports them.
const (
	Empty        Kind = iota + 1 // prompt is ""
	Blank                        // only White_Space code points
	InvalidUTF8                  // not valid UTF-8
	ControlChar                  // Cc other than \t \n \r
	TooShort                     // fewer code points than MinChars
	TooLong                      // more code points than MaxChars
	TooManyBytes                 // more UTF-8 bytes than MaxBytes
	Stripped                     // StripFrom marker present; the backend drops the rest
)

// kindNames are stable rule IDs: callers use them in output, config files
// and suppression lists, so they must never change.
var kindNames = [...]string{
	Empty:        "prompt-empty",
	Blank:        "prompt-blank",
	InvalidUTF8:  "prompt-invalid-utf8",
	ControlChar:  "prompt-control-char",
	TooShort:     "prompt-too-short",
	TooLong:      "prompt-too-long",
	TooManyBytes: "prompt-too-many-bytes",
	Stripped:     "prompt-param-stripped",
}

// String returns the stable kebab-case rule ID, e.g. "prompt-too-long".
func (k Kind) String() string {
	if k != 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "promptcheck.Kind(" + strconv.Itoa(int(k)) + ")"
}

// FailCode returns the failCode the API answers this problem with, as named
// on the APIXO error-codes page: PROMPT_TOO_LONG for the length limits,
// INVALID_PROMPT ("Prompt is empty or malformed") for the others, and "" for
// Stripped, which the API does not fail.
func (k Kind) FailCode() string {
	switch k {
	case TooLong, TooManyBytes:
		return "PROMPT_TOO_LONG"
	case Empty, Blank, InvalidUTF8, ControlChar, TooShort:
		return "INVALID_PROMPT"
	}
	return ""
}

// Severity returns "error" for problems that make the request fail and
// "warning" for Stripped, where it succeeds but not as the user wrote it.
func (k Kind) Severity() string {
	if k == Stripped {
		return "warning"
	}
	return "error"
}
