package imagecheck

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Cache stores probe facts between runs. Facts, not verdicts, are stored,
// so a cached URL is judged afresh against each field's Spec. Set
// Checker.Cache to nil to disable caching.
type Cache interface {
	// Get returns fresh facts for url, or false.
	Get(url string) (Facts, bool)
	// Put stores facts under f.URL.
	Put(f Facts) error
}

// DirCache is a Cache of one JSON file per URL, named by the SHA-256 of the
// URL, shared by the CLI, the pre-commit hook and CI on one machine.
// Facts of failed or unverified checks expire sooner, so a fixed URL or a
// recovered server is seen soon.
type DirCache struct {
	Dir     string        // "" means DefaultCacheDir()
	TTL     time.Duration // lifetime of successful probes; 0 means 24h
	FailTTL time.Duration // lifetime of failed or unverified probes; 0 means 10m, negative means not cached
}

// DefaultCacheDir is os.UserCacheDir()/preflight/imagecheck.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("imagecheck cache: %w", err)
	}
	return filepath.Join(d, "preflight", "imagecheck"), nil
}

// cacheEntry is the file format; V changes when Facts change meaning.
type cacheEntry struct {
	V     int   `json:"v"`
	Facts Facts `json:"facts"`
}

const cacheVersion = 1

func (d *DirCache) path(url string) (string, error) {
	dir := d.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultCacheDir(); err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
}

func (d *DirCache) ttl(f Facts) time.Duration {
	if f.ErrKind != ErrNone {
		return orDefault(d.FailTTL, 10*time.Minute)
	}
	return orDefault(d.TTL, 24*time.Hour)
}

// maxEntryBytes bounds a cache file; real entries are a few hundred bytes.
const maxEntryBytes = 1 << 20

// clockSkew is how far in the future an entry's CheckedAt may be.
const clockSkew = time.Minute

// Get implements Cache. A missing, unreadable, oversized, stale, future or
// foreign entry is a miss, and so is anything but a regular file (Put never
// makes a symlink).
func (d *DirCache) Get(url string) (Facts, bool) {
	p, err := d.path(url)
	if err != nil {
		return Facts{}, false
	}
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() || st.Size() > maxEntryBytes {
		return Facts{}, false
	}
	file, err := os.Open(p)
	if err != nil {
		return Facts{}, false
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxEntryBytes+1))
	if err != nil || len(b) > maxEntryBytes {
		return Facts{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.V != cacheVersion || e.Facts.URL != url {
		return Facts{}, false
	}
	ttl := d.ttl(e.Facts)
	age := time.Since(e.Facts.CheckedAt)
	if ttl < 0 || age > ttl || age < -clockSkew {
		return Facts{}, false
	}
	return e.Facts, true
}

// Put implements Cache. It writes atomically (temp file and rename), so
// concurrent runs never read half an entry. Directories it creates are
// private to the user (0700) and entries are 0600: they name the URLs
// checked.
func (d *DirCache) Put(f Facts) error {
	if d.ttl(f) < 0 {
		return nil
	}
	p, err := d.path(f.URL)
	if err != nil {
		return err
	}
	b, err := json.Marshal(cacheEntry{V: cacheVersion, Facts: f})
	if err != nil {
		return fmt.Errorf("imagecheck cache: encode: %w", err)
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("imagecheck cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("imagecheck cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("imagecheck cache: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("imagecheck cache: write: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("imagecheck cache: %w", err)
	}
	return nil
}
