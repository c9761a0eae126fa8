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

const cacheVersion = 2 // 2: facts carry their hops, judged again on every hit

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
// makes a symlink). The directory and the entry must belong to the current
// user and be writable by nobody else: another user's entry, or one in a
// directory others can write to, could say anything.
func (d *DirCache) Get(url string) (Facts, bool) {
	p, err := d.path(url)
	if err != nil {
		return Facts{}, false
	}
	if st, err := os.Lstat(filepath.Dir(p)); err != nil || !st.IsDir() || !ownedPrivate(st) {
		return Facts{}, false
	}
	// Open without following a link or blocking on a FIFO, then judge
	// what was opened (a concurrent Put may rename a new entry in).
	file, err := os.OpenFile(p, os.O_RDONLY|oNoFollow|oNonBlock, 0)
	if err != nil {
		return Facts{}, false
	}
	defer file.Close()
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() > maxEntryBytes || !ownedPrivate(st) {
		return Facts{}, false
	}
	f, ok := decodeEntry(io.LimitReader(file, maxEntryBytes+1), url)
	if !ok {
		return Facts{}, false
	}
	return d.fresh(f)
}

// decodeEntry reads one cache file's bytes: bounded, versioned and for url
// only. The facts are not trusted further than that: Evaluate cleans their
// text and the Checker judges their hops again.
func decodeEntry(r io.Reader, url string) (Facts, bool) {
	b, err := io.ReadAll(r)
	if err != nil || len(b) > maxEntryBytes {
		return Facts{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.V != cacheVersion || e.Facts.URL != url || len(e.Facts.Hops) == 0 {
		return Facts{}, false
	}
	return e.Facts, true
}

// fresh applies the TTLs to facts read back.
func (d *DirCache) fresh(f Facts) (Facts, bool) {
	ttl := d.ttl(f)
	age := time.Since(f.CheckedAt)
	if ttl < 0 || age > ttl || age < -clockSkew {
		return Facts{}, false
	}
	return f, true
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
