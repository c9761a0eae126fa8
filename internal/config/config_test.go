package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preflight-dev/preflight/internal/glob"
	"github.com/preflight-dev/preflight/validate"
)

func TestLoadConfigFull(t *testing.T) {
	c, err := LoadConfig("../../testdata/config/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.Rules["field-unknown"] != RuleOff {
		t.Errorf("rules not read: %+v", c.Rules)
	}
	n := c.Network
	if n.Offline == nil || !*n.Offline || n.Concurrency == nil || *n.Concurrency != 4 ||
		n.Timeout == nil || n.Timeout.Duration != 10*time.Second || !slices.Equal(n.AllowHosts, []string{"cdn.example.com"}) ||
		n.Cache == nil || n.Cache.TTL.Duration != 24*time.Hour || n.Cache.FailTTL.Duration != 10*time.Minute {
		t.Errorf("network not read: %+v", n)
	}
	if _, ok := c.Catalog().Model("my-model"); !ok {
		t.Error("models: entry not merged")
	}
	if _, ok := c.Catalog().Model("sora-2"); !ok {
		t.Error("merge dropped embedded models")
	}
	// The stricter prompt limit applies in every mode.
	v := &validate.Validator{Catalog: c.Catalog()}
	for _, mode := range []string{"text-to-image", "image-to-image"} {
		refs := ""
		if mode == "image-to-image" {
			refs = `,"image_urls":["https://example.com/a.png"]`
		}
		body := `{"model":"nano-banana","input":{"mode":"` + mode + `","prompt":"` + strings.Repeat("a", 2001) + `"` + refs + `}}`
		rep, err := v.Check(context.Background(), validate.Input{Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 1 || rep.Findings[0].Rule != "prompt-too-long" || rep.Findings[0].Severity != validate.SeverityError {
			t.Errorf("%s: want one prompt-too-long error, got %v", mode, rep.Findings)
		} else if strings.Contains(rep.Findings[0].Message, "in mode") {
			t.Errorf("limit message names modes: %s", rep.Findings[0].Message)
		}
	}
	// The default catalog is unchanged.
	rep, _ := validate.Request(context.Background(), "nano-banana", []byte(`{"input":{"prompt":"`+strings.Repeat("a", 2001)+`"}}`))
	if len(rep.Findings) != 0 {
		t.Errorf("default catalog changed: %v", rep.Findings)
	}
	rep, _ = v.Check(context.Background(), validate.Input{Body: []byte(`{"model":"my-model","input":{"prompt":"` + strings.Repeat("a", 101) + `"}}`)})
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "prompt-too-long" {
		t.Errorf("config model not checked: %v", rep.Findings)
	}
}

func TestConfigErrorsHaveLines(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"unknown-key.yaml", []string{`unknown-key.yaml:4:1: unknown field "networks"`}},
		{"bad-rule.yaml", []string{
			`bad-rule.yaml:3:3: unknown rule "prompt-emtpy" (did you mean "prompt-empty"?)`,
			`bad-rule.yaml:4:15: rule field-enum: severity "fatal" is not off, warning or error`,
			`bad-rule.yaml:6:16: ignore "a/*.json": unknown rule "no-such-rule"`,
		}},
		{"no-version.yaml", []string{"version: 1 is required"}},
		{"bad-limit.yaml", []string{`bad-limit.yaml:4:14: unknown field "maxLenght"`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := LoadConfig(filepath.Join("../../testdata/config", tc.file))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestConfigLimitUnknownField(t *testing.T) {
	_, err := ParseConfig([]byte("version: 1\nlimits:\n  nano-banana:\n    promt: {maxLength: 3}\n  nano-bananna: {}\n"), "x.yaml")
	if err == nil || !strings.Contains(err.Error(), `x.yaml:4:5: limits: nano-banana has no field "promt" (did you mean "prompt"?)`) ||
		!strings.Contains(err.Error(), `x.yaml:5:3: limits: unknown model "nano-bananna"`) {
		t.Errorf("got %v", err)
	}
}

func TestFindConfig(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "repo", "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(root, "repo", ".git"), 0o755)
	// Above the repository root: never found.
	os.WriteFile(filepath.Join(root, ConfigFileName), []byte("version: 1\n"), 0o644)
	if p, err := Find(sub); err != nil || p != "" {
		t.Errorf("found %q %v above the repo root", p, err)
	}
	want := filepath.Join(root, "repo", "a", ConfigFileName)
	os.WriteFile(want, []byte("version: 1\n"), 0o644)
	if p, err := Find(sub); err != nil || p != want {
		t.Errorf("got %q %v, want %q", p, err, want)
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"a/*.json", "a/x.json", true},
		{"a/*.json", "a/b/x.json", false},
		{"a/**/x.json", "a/x.json", true},
		{"a/**/x.json", "a/b/c/x.json", true},
		{"**", "a/b", true},
		{"**/*.json", "x.json", true},
		{"fixtures/bad/empty-prompt.json", "fixtures/bad/empty-prompt.json", true},
		{"a/?.json", "a/xy.json", false},
	} {
		if got := glob.Match(tc.glob, tc.name); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v", tc.glob, tc.name, got)
		}
	}
}

func TestApply(t *testing.T) {
	c, err := ParseConfig([]byte(`version: 1
rules:
  field-unknown: off
  field-enum: warning
ignore:
  "legacy/**#/input/image_urls": [references-count]
  "all.json": [field-type]
expect:
  "bad/*.json": [prompt-empty]
  "bad/two.json": [field-range]
`), filepath.Join(t.TempDir(), ConfigFileName))
	if err != nil {
		t.Fatal(err)
	}
	fs := []validate.Finding{
		{Rule: "field-unknown", Pointer: "/input/x", Severity: validate.SeverityWarning},
		{Rule: "field-enum", Pointer: "/input/y", Severity: validate.SeverityError},
		{Rule: "references-count", Pointer: "/input/image_urls/3", Severity: validate.SeverityError},
		{Rule: "references-count", Pointer: "/input/image_urls_x", Severity: validate.SeverityError},
		{Rule: "field-type", Pointer: "/input/z", Severity: validate.SeverityError},
	}
	a := c.Apply("legacy/sub/r.json", fs)
	if a.Suppressed != 2 || len(a.Findings) != 3 || a.Findings[0].Severity != validate.SeverityWarning || a.Expect != nil {
		t.Errorf("legacy: %+v", a)
	}
	if fs[1].Severity != validate.SeverityError {
		t.Error("Apply modified its input")
	}
	a = c.Apply("all.json", fs)
	if a.Suppressed != 2 || len(a.Findings) != 3 {
		t.Errorf("all.json: %+v", a)
	}
	a = c.Apply("bad/one.json", []validate.Finding{{Rule: "prompt-empty"}, {Rule: "prompt-empty"}})
	if a.Expect == nil || !a.Expect.OK() || len(a.Findings) != 0 || len(a.Expected) != 2 {
		t.Errorf("expected fixture: %+v", a)
	}
	a = c.Apply("bad/two.json", []validate.Finding{{Rule: "prompt-empty"}, {Rule: "field-type"}})
	if a.Expect == nil || a.Expect.OK() || !slices.Equal(a.Expect.Missing, []string{"field-range"}) ||
		!slices.Equal(a.Expect.Unexpected, []string{"field-type"}) || len(a.Findings) != 2 {
		t.Errorf("mismatch: %+v %+v", a, a.Expect)
	}
	if s := a.Expect.String(); !strings.Contains(s, "- field-range (expected, did not fire)") || !strings.Contains(s, "+ field-type (fired, not expected)") {
		t.Errorf("diff text: %s", s)
	}
	var nilCfg *Config
	if a := nilCfg.Apply("x", fs); len(a.Findings) != len(fs) {
		t.Error("nil config filtered")
	}
}

func TestConfigErrorType(t *testing.T) {
	_, err := ParseConfig([]byte("version: 2\n"), "v.yaml")
	var ces ConfigErrors
	if !errors.As(err, &ces) || len(ces) != 1 || ces[0].Line != 1 {
		t.Errorf("got %#v", err)
	}
}

func TestUserFile(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("XDG layout")
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/preflight/config.yaml"},
		{map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, "/h/.config/preflight/config.yaml"},
		{map[string]string{"HOME": "/h"}, "/h/.config/preflight/config.yaml"},
		{map[string]string{}, ""},
	} {
		if got := UserFile(env(tc.env)); got != tc.want {
			t.Errorf("UserFile(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

// TestConfigListsEveryProblem: one run of `config verify` lists every
// problem of a file, not only the first the YAML decoder meets: unknown
// keys at any depth, values of the wrong type, bad durations, and the
// checks that run on what decoded (rules, limits), in file order.
func TestConfigListsEveryProblem(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown keys and rules",
			"version: 1\nrulez:\n  foo: off\nrules:\n  prompt-emty: off\n  prompt-empty: mute\nfilez: [a]\nmaxRequestBytes: 0\n",
			[]string{
				`x.yaml:2:1: unknown field "rulez"`,
				`x.yaml:5:3: unknown rule "prompt-emty" (did you mean "prompt-empty"?)`,
				`x.yaml:6:17: rule prompt-empty: severity "mute" is not off, warning or error`,
				`x.yaml:7:1: unknown field "filez"`,
				`x.yaml:8:18: maxRequestBytes must be at least 1`,
			}},
		{"types, durations and nesting",
			"version: x\nnetwork:\n  concurrancy: 3\n  concurrency: abc\n  cache: {ttl: forever, dirr: x, failTTL: -1s}\nfiles: [a, {b: 1}, \"c\"]\nmodels:\n  - idd: x\n",
			[]string{
				`x.yaml:1:10: cannot unmarshal string into Go struct field Config.Version of type int`,
				`x.yaml:3:3: unknown field "concurrancy"`,
				`x.yaml:4:16: cannot unmarshal string into Go struct field Config.Network of type int`,
				`x.yaml:5:16: bad duration "forever" (want e.g. 10s, 2m, 1h)`,
				`x.yaml:5:25: unknown field "dirr"`,
				`x.yaml:5:43: negative duration "-1s"`,
				`x.yaml:6:12: cannot unmarshal map[string]interface {} into Go struct field Config.Files of type string`,
				`x.yaml:8:5: unknown field "idd"`,
			}},
		{"rules beside limits",
			"version: 1\nrules:\n  prompt-emty: off\nlimits:\n  nano-banan:\n    prompt: {maxLength: 3}\n  nano-banana:\n    promt: {maxLength: 3}\n",
			[]string{
				`x.yaml:3:3: unknown rule "prompt-emty" (did you mean "prompt-empty"?)`,
				`x.yaml:5:3: limits: unknown model "nano-banan" (did you mean "nano-banana"?)`,
				`x.yaml:8:5: limits: nano-banana has no field "promt" (did you mean "prompt"?)`,
			}},
		{"anchors survive dropping",
			"version: 1\nx-common: &hosts [cdn.example.com]\nnetwork:\n  allowHosts: *hosts\n  timeot: 5s\n",
			[]string{
				`x.yaml:2:1: unknown field "x-common"`,
				`x.yaml:5:3: unknown field "timeot"`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml), "x.yaml")
			var ces ConfigErrors
			if !errors.As(err, &ces) {
				t.Fatalf("got %v, want ConfigErrors", err)
			}
			var got []string
			for _, e := range ces {
				got = append(got, e.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

// go-yaml picks among unknown keys of one mapping in map order; the list
// is the same on every run all the same.
func TestConfigProblemsDeterministic(t *testing.T) {
	src := []byte("version: 1\nnetwork:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n")
	var first string
	for i := range 20 {
		_, err := ParseConfig(src, "x.yaml")
		if err == nil {
			t.Fatal("no error")
		}
		if i == 0 {
			first = err.Error()
			if strings.Count(first, "unknown field") != 4 {
				t.Fatalf("not every key listed:\n%s", first)
			}
		} else if err.Error() != first {
			t.Fatalf("run %d:\n%s\nrun 0:\n%s", i, err, first)
		}
	}
}

// A config with more problems than maxDecodeErrors lists that many and
// stops: each costs a decode of the whole file.
func TestConfigProblemsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\n")
	for i := range 3 * maxDecodeErrors {
		fmt.Fprintf(&b, "k%d: 1\n", i)
	}
	_, err := ParseConfig([]byte(b.String()), "x.yaml")
	var ces ConfigErrors
	if !errors.As(err, &ces) || len(ces) != maxDecodeErrors {
		t.Errorf("%d problems listed, want %d: %v", len(ces), maxDecodeErrors, err)
	}
}
