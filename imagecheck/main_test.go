package imagecheck

import (
	"os"
	"testing"
)

// TestMain keeps the user's cache key (KeyFile) of every test in a
// temporary directory, never the real user cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imagecheck-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	os.Setenv("HOME", dir) // os.UserCacheDir on darwin: $HOME/Library/Caches
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
