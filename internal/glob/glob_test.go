package glob

import (
	"path"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"a/*.json", "a/x.json", true},
		{"a/*.json", "a/b/x.json", false},
		{"a/**/x.json", "a/x.json", true},
		{"a/**/x.json", "a/b/c/x.json", true},
		{"**", "a/b", true},
		{"**", "", true},
		{"**/*.json", "x.json", true},
		{"**/**/b", "a/b", true},
		{"a/**", "a", true},
		{"a/**", "b", false},
		{"fixtures/bad/empty-prompt.json", "fixtures/bad/empty-prompt.json", true},
		{"a/?.json", "a/xy.json", false},
		{"a/[", "a/[", false},
	} {
		if got := Match(tc.glob, tc.name); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.glob, tc.name, got)
		}
	}
}

func TestMatchAny(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"node_modules", "a/node_modules/x.json", true},
		{"*.min.json", "a/b/c.min.json", true},
		{"gen", "fixtures/generated/x.json", false},
		{"fixtures/gen", "fixtures/gen", true},
		{"/fixtures/**", "fixtures/a/b.json", true},
	} {
		if got := MatchAny(tc.glob, tc.name); got != tc.want {
			t.Errorf("MatchAny(%q, %q) = %v", tc.glob, tc.name, got)
		}
	}
}

// A glob of many ** segments against a deep path is quick: globs come
// from untrusted configs.
func TestMatchNotExponential(t *testing.T) {
	pat := strings.Repeat("**/a/", 40) + "b"
	name := strings.Repeat("a/", 200) + "c"
	if Match(pat, name) {
		t.Error("matched")
	}
}

// FuzzMatch checks Match against a plain recursive matcher on small inputs.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{{"a/**/x.json", "a/b/x.json"}, {"**", ""}, {"*/[a-c]?", "x/by"}, {"**/**/b", "a/b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, glob, name string) {
		if len(glob) > 64 || len(name) > 64 {
			return
		}
		p, n := strings.Split(glob, "/"), strings.Split(name, "/")
		if got, want := Match(glob, name), naive(p, n); got != want {
			t.Errorf("Match(%q, %q) = %v, recursive matcher says %v", glob, name, got, want)
		}
		_ = MatchAny(glob, name)
		_ = Check(glob)
	})
}

func naive(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if naive(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], name[0])
	return err == nil && ok && naive(pat[1:], name[1:])
}
