package promptcheck_test

import (
	"fmt"

	"github.com/preflight-dev/preflight/promptcheck"
)

func Example() {
	// Midjourney: up to 2000 characters or 7500 UTF-8 bytes, and the
	// backend drops everything from the first "--".
	mj := promptcheck.Limits{MinChars: 1, MaxChars: 2000, MaxBytes: 7500, StripFrom: "--"}

	for _, p := range promptcheck.Check("a red fox in snow --ar 16:9\x00", mj) {
		fmt.Printf("%s at %d: %s\n  fix: %s\n", p.Kind, p.Offset, p.Message(), p.Fix())
	}
	fmt.Println(promptcheck.Check("a red fox in snow", mj) == nil)
	// Output:
	// prompt-control-char at 27: prompt contains control character U+0000 at byte offset 27
	//   fix: Provide a valid prompt: remove control characters such as U+0000 (tabs and line breaks are fine)
	// prompt-param-stripped at 18: prompt contains "--ar" at byte offset 18: the backend drops everything from there on and uses only the first 18 characters
	//   fix: Remove --ar from the prompt and set the aspect_ratio field instead
	// true
}
