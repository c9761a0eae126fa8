package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hostile repository config must be refused by its size before go-yaml,
// whose parse time grows with the square of the input, ever sees it.
func TestConfigSizeCap(t *testing.T) {
	if MaxFileBytes > 64<<10 {
		t.Fatalf("MaxFileBytes = %d; above 64 KiB go-yaml's quadratic parse takes seconds", MaxFileBytes)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, ".preflight.yaml")
	data := "version: 1\n" + strings.Repeat("#", MaxFileBytes)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("LoadConfig(%d bytes) = %v, want a size error naming the limit", len(data), err)
	}
	if _, err := ParseConfig([]byte(data), path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("ParseConfig(%d bytes) = %v, want a size error", len(data), err)
	}
}
