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

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
