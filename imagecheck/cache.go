package imagecheck

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
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
//
// Entries are signed with a key private to the user (HMAC-SHA256), and an
// entry is used only if its signature holds: a cache directory inside a
// repository holds whatever a pull request committed there, owned by the
// user who checked it out and writable by nobody else, so ownership alone
// cannot tell a planted entry from one this user's runs wrote.
type DirCache struct {
	Dir     string        // "" means DefaultCacheDir()
	TTL     time.Duration // lifetime of successful probes; 0 means 24h
	FailTTL time.Duration // lifetime of failed or unverified probes; 0 means 10m, negative means not cached
	// Key signs entries. nil means the user's key, KeyFile(), created on
	// first use; where it cannot be read or made, nothing is read or
	// written.
	Key []byte

	keyOnce sync.Once
	key     []byte
}

// DefaultCacheDir is os.UserCacheDir()/preflight/imagecheck.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("imagecheck cache: %w", err)
	}
	return filepath.Join(d, "preflight", "imagecheck"), nil
}

// cacheEntry is the file format; V changes when Facts change meaning. MAC
// is the hex HMAC-SHA256 of the facts' bytes exactly as stored.
type cacheEntry struct {
	V     int             `json:"v"`
	MAC   string          `json:"mac"`
	Facts json.RawMessage `json:"facts"`
}

// cacheVersion 2: facts carry their hops, judged again on every hit;
// 3: entries are signed.
const cacheVersion = 3

// sealEntry encodes f as a signed entry.
func sealEntry(key []byte, f Facts) ([]byte, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return json.Marshal(cacheEntry{V: cacheVersion, MAC: hex.EncodeToString(entryMAC(key, raw)), Facts: raw})
}

func entryMAC(key, facts []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(facts)
	return m.Sum(nil)
}

// KeyFile is where the user's cache key lives: the user cache dir's
// preflight/cache.key, beside (not inside) the default cache, so a cache
// directory a repository names never holds it.
func KeyFile() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("imagecheck cache: %w", err)
	}
	return filepath.Join(d, "preflight", "cache.key"), nil
}

const keyBytes = 32

func (d *DirCache) secret() []byte {
	d.keyOnce.Do(func() {
		if d.Key != nil {
			d.key = d.Key
			return
		}
		d.key, _ = userKey()
	})
	return d.key
}

// userKey reads the user's key, making it if there is none. The file must
// be a regular file of this user that no one else can write, of exactly
// keyBytes bytes; it is made in a temp file and linked into place, so two
// runs starting at once agree on one key.
func userKey() ([]byte, error) {
	p, err := KeyFile()
	if err != nil {
		return nil, err
	}
	if k, err := readKey(p); err == nil {
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("imagecheck cache key: %w", err)
	}
	k := make([]byte, keyBytes)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("imagecheck cache key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".key-*")
	if err != nil {
		return nil, fmt.Errorf("imagecheck cache key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(k)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		return nil, fmt.Errorf("imagecheck cache key: write: %w", errors.Join(werr, cerr))
	}
	if err := os.Link(tmp.Name(), p); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("imagecheck cache key: %w", err)
	}
	return readKey(p) // ours, or the one another run linked first
}

func readKey(p string) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|oNoFollow|oNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() != keyBytes || !ownedPrivate(st) {
		return nil, fmt.Errorf("imagecheck cache key %s: not a private %d-byte file of this user", p, keyBytes)
	}
	k := make([]byte, keyBytes)
	if _, err := io.ReadFull(f, k); err != nil {
		return nil, fmt.Errorf("imagecheck cache key: %w", err)
	}
	return k, nil
}

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
	key := d.secret()
	if key == nil {
		return Facts{}, false
	}
	f, ok := decodeEntry(io.LimitReader(file, maxEntryBytes+1), url, key)
	if !ok {
		return Facts{}, false
	}
	return d.fresh(f)
}

// decodeEntry reads one cache file's bytes: bounded, versioned, signed
// with key and for url only. The facts are not trusted further than that:
// Evaluate cleans their text and the Checker judges their hops again.
func decodeEntry(r io.Reader, url string, key []byte) (Facts, bool) {
	b, err := io.ReadAll(r)
	if err != nil || len(b) > maxEntryBytes {
		return Facts{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.V != cacheVersion {
		return Facts{}, false
	}
	mac, err := hex.DecodeString(e.MAC)
	if err != nil || !hmac.Equal(mac, entryMAC(key, e.Facts)) {
		return Facts{}, false
	}
	var f Facts
	if json.Unmarshal(e.Facts, &f) != nil || f.URL != url || len(f.Hops) == 0 {
		return Facts{}, false
	}
	return f, true
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
	key := d.secret()
	if key == nil {
		return errors.New("imagecheck cache: no key to sign entries with")
	}
	b, err := sealEntry(key, f)
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
