package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestWidenings(t *testing.T) {
	repo := t.TempDir()
	cache := t.TempDir()
	for _, tc := range []struct {
		yaml string
		keys []string // the keys reported, in order
	}{
		{"version: 1\n", nil},
		{"version: 1\nnetwork: {allowHosts: [\"8.8.8.8\", \"[2606:4700::1111]:443\"]}\n", nil},
		{"version: 1\nnetwork: {allowHosts: [\"127.0.0.1\", \"[::1]:80\", \"10.0.0.1\", \"minio.internal\", \"169.254.169.254\"]}\n",
			[]string{"network.allowHosts", "network.allowHosts", "network.allowHosts", "network.allowHosts", "network.allowHosts"}},
		{"version: 1\nnetwork: {timeout: 1m}\n", nil},
		{"version: 1\nnetwork: {timeout: 61s}\n", []string{"network.timeout"}},
		{"version: 1\nnetwork: {cache: {dir: .cache/pf, ttl: 168h, failTTL: 24h}}\n", nil},
		{"version: 1\nnetwork: {cache: {dir: ../../elsewhere}}\n", []string{"network.cache.dir"}},
		{"version: 1\nnetwork: {cache: {dir: " + cache + "/pf}}\n", nil},
		{"version: 1\nnetwork: {cache: {ttl: 169h, failTTL: 25h}}\n", []string{"network.cache.ttl", "network.cache.failTTL"}},
		{"version: 1\nmaxRequestBytes: 1024\n", nil},
		{"version: 1\nmaxRequestBytes: 2097152\n", []string{"maxRequestBytes"}},
	} {
		c, err := ParseConfig([]byte(tc.yaml), filepath.Join(repo, ConfigFileName))
		if err != nil {
			t.Fatalf("%s: %v", tc.yaml, err)
		}
		var keys []string
		for _, w := range c.Widenings(repo, cache, 1<<20) {
			keys = append(keys, w.Key)
			if !strings.Contains(w.Error(), w.Key) || !strings.Contains(w.Error(), "--trust-config") {
				t.Errorf("error %q does not name the key and the way out", w.Error())
			}
		}
		if strings.Join(keys, ",") != strings.Join(tc.keys, ",") {
			t.Errorf("%s: widenings %v, want %v", tc.yaml, keys, tc.keys)
		}
	}
}

func TestUnder(t *testing.T) {
	dir := t.TempDir()
	user, err := ParseConfig([]byte("version: 1\nnetwork: {timeout: 30s, allowHosts: [a.internal], cache: {dir: pf}}\n"), filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := ParseConfig([]byte("version: 1\nnetwork: {timeout: 5s}\n"), "/r/.preflight.yaml")
	if err != nil {
		t.Fatal(err)
	}
	repo.Under(user)
	n := repo.Network
	if n.Timeout.Duration.String() != "5s" || len(n.AllowHosts) != 1 || n.Cache == nil || n.Cache.Dir != filepath.Join(dir, "pf") {
		t.Errorf("merged %+v cache %+v", n, n.Cache)
	}
}
