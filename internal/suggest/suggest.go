// Package suggest finds the nearest of a set of names, for "did you mean"
// hints in usage and config errors.
package suggest

import (
	"fmt"
	"strings"
)

// Nearest returns the candidate closest to s (case-insensitive equality
// first, then edit distance within a third of the length), or "".
func Nearest(s string, candidates []string) string {
	if len(s) > maxName {
		return "" // no name is that long: nothing is near it
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

// DidYouMean returns ` (did you mean "x"?)` for the nearest candidate, or "".
func DidYouMean(s string, candidates []string) string {
	if n := Nearest(s, candidates); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// maxName bounds the names Nearest compares, so a hostile name (a 1 MB
// unknown key in a config) costs a bounded amount.
const maxName = 256

// editDistance is the Levenshtein distance of two strings, by bytes.
func editDistance(a, b string) int {
	a, b = a[:min(len(a), maxName)], b[:min(len(b), maxName)]
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
