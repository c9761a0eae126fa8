package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseConfig feeds the config loader arbitrary YAML (a repository's
// config is untrusted): it returns a config or an error, never panics, and
// a config it accepts can be applied, listed and trust-checked.
func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/config/*.yaml")
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("version: 1\nfiles: [\"a/**\"]\nexclude: [node_modules]\nmaxRequestBytes: 10\n"))
	f.Add([]byte("version: 1\nnetwork: {allowHosts: [\"[::1]:80\"], timeout: 1000h, cache: {dir: ../x, ttl: 1h}}\n"))
	f.Add([]byte("version: 1\nignore: {\"**#/input\": [prompt-empty]}\nexpect: {\"a/*.json\": [field-enum]}\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		c, err := ParseConfig(data, "/repo/.preflight.yaml")
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("ParseConfig took %s on %d bytes", d, len(data))
		}
		if err != nil {
			if c != nil {
				t.Error("config and error")
			}
			return
		}
		_ = c.Relaxations()
		_ = c.Widenings("/repo", "/home/u/.cache", 1<<20)
		_ = c.Apply("a/b.json", nil)
		_ = c.Catalog()
	})
}
