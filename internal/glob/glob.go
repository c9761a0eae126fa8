// Package glob matches slash-separated paths against the globs of
// .preflight.yaml and --exclude: path.Match per segment, "**" for any
// number of segments.
package glob

import (
	"fmt"
	"path"
	"strings"
)

// Check reports a malformed glob.
func Check(glob string) error {
	for _, seg := range strings.Split(glob, "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("bad glob segment %q", seg)
		}
	}
	return nil
}

// Match matches a slash-separated path against a glob: path.Match per
// segment, and a "**" segment matching any number of segments (also none).
func Match(glob, name string) bool {
	return matchSegs(strings.Split(glob, "/"), strings.Split(name, "/"))
}

// MatchAny is Match, except that a glob without a slash matches any one
// segment of name (as .gitignore and ruff's exclude do): "node_modules"
// excludes every node_modules directory, "*.min.json" every such file.
func MatchAny(glob, name string) bool {
	if !strings.Contains(glob, "/") {
		for _, seg := range strings.Split(name, "/") {
			if ok, err := path.Match(glob, seg); err == nil && ok {
				return true
			}
		}
		return false
	}
	return Match(strings.TrimPrefix(glob, "/"), name)
}

// matchSegs matches segment lists by dynamic programming over (pattern,
// name) positions, so a glob of many "**" segments (configs are untrusted)
// costs len(pat) x len(name) steps, not an exponential search.
func matchSegs(pat, name []string) bool {
	// ok[j] reports whether pat[i:] matches name[j:], for the current i,
	// computed from the last pattern segment backwards.
	ok := make([]bool, len(name)+1)
	ok[len(name)] = true
	next := make([]bool, len(name)+1)
	for i := len(pat) - 1; i >= 0; i-- {
		if pat[i] == "**" {
			// ** matches name[j:k] for any k >= j: next[j] = any ok[k], k >= j.
			any := false
			for j := len(name); j >= 0; j-- {
				any = any || ok[j]
				next[j] = any
			}
		} else {
			next[len(name)] = false
			for j := len(name) - 1; j >= 0; j-- {
				m, err := path.Match(pat[i], name[j])
				next[j] = err == nil && m && ok[j+1]
			}
		}
		ok, next = next, ok
	}
	return ok[0]
}
