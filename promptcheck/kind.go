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

// The failCodes the API answers prompt problems with, as named on the
// APIXO error-codes page: PROMPT_TOO_LONG for TooLong and TooManyBytes,
// INVALID_PROMPT ("Prompt is empty or malformed") for the others but
// Stripped, which the API does not fail.
const (
	FailInvalidPrompt = "INVALID_PROMPT"
	FailPromptTooLong = "PROMPT_TOO_LONG"
)
