// Package digits writes numbers as preflight's messages show them, so that
// imagecheck, the image fixer and the CLI print a byte count alike.
package digits

import (
	"strconv"
	"strings"
)

// Commas formats n with thousands separators: 10485760 -> "10,485,760".
func Commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
