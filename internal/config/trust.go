package config

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Caps on what a repository config may set by itself. Above them (or for
// the other keys Widenings names) the setting has to come from a flag, the
// environment, the user's own config file, or --trust-config.
const (
	MaxTimeout  = time.Minute
	MaxCacheTTL = 7 * 24 * time.Hour
	MaxFailTTL  = 24 * time.Hour
)

// WidenError is a repository config asking for more reach than a
// repository may grant itself.
type WidenError struct {
	File, Key, Why string
}

func (e *WidenError) Error() string {
	return fmt.Sprintf("%s: %s %s; a repository config may not widen the run: set it by flag or in your own config file, or pass --trust-config", e.File, e.Key, e.Why)
}

// Widenings lists what c (a config found in or named for a repository)
// asks that widens the run's reach: allowHosts other than public
// addresses, a cache directory outside repo and userCache, a timeout or
// cache TTLs above the caps, maxRequestBytes above maxBytes. A config may
// make checks stricter freely.
func (c *Config) Widenings(repo, userCache string, maxBytes int64) []*WidenError {
	if c == nil {
		return nil
	}
	var out []*WidenError
	add := func(key, why string) { out = append(out, &WidenError{File: c.Path, Key: key, Why: why}) }
	n := c.Network
	for _, h := range n.AllowHosts {
		if !publicLiteral(h) {
			add("network.allowHosts", fmt.Sprintf("lets %q past the public-address guard", h))
		}
	}
	if n.Timeout != nil && n.Timeout.Duration > MaxTimeout {
		add("network.timeout", fmt.Sprintf("%s is above the %s cap", n.Timeout.Duration, MaxTimeout))
	}
	if cc := n.Cache; cc != nil {
		if cc.Dir != "" {
			dir := c.Resolve(cc.Dir)
			if !within(dir, repo) && (userCache == "" || !within(dir, userCache)) {
				add("network.cache.dir", fmt.Sprintf("%s is outside the repository and the user cache", dir))
			}
		}
		if cc.TTL != nil && cc.TTL.Duration > MaxCacheTTL {
			add("network.cache.ttl", fmt.Sprintf("%s is above the %s cap", cc.TTL.Duration, MaxCacheTTL))
		}
		if cc.FailTTL != nil && cc.FailTTL.Duration > MaxFailTTL {
			add("network.cache.failTTL", fmt.Sprintf("%s is above the %s cap", cc.FailTTL.Duration, MaxFailTTL))
		}
	}
	if c.MaxRequestBytes != nil && *c.MaxRequestBytes > maxBytes {
		add("maxRequestBytes", fmt.Sprintf("%d is above the default %d", *c.MaxRequestBytes, maxBytes))
	}
	return out
}

// Resolve makes a path of the config absolute against the config file's
// directory (not the working directory).
func (c *Config) Resolve(p string) string {
	if filepath.IsAbs(p) || c == nil || c.Dir == "" {
		return filepath.Clean(p)
	}
	return filepath.Join(c.Dir, p)
}

// within reports whether p is dir or below it, lexically after cleaning,
// so ".." cannot climb out.
func within(p, dir string) bool {
	if dir == "" {
		return false
	}
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// publicLiteral reports whether an allow-host entry is an IP literal of a
// public address (allowing it changes nothing). Names are not: they may
// resolve to anything.
func publicLiteral(h string) bool {
	if hp, err := netip.ParseAddrPort(h); err == nil {
		h = hp.Addr().String()
	}
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast()
}

// Relaxations says what c turns off or relaxes, one phrase each, so a run
// can print it: a weakening is never silent.
func (c *Config) Relaxations() []string {
	if c == nil {
		return nil
	}
	var off, warn []string
	for _, id := range sortedKeys(c.Rules) {
		switch c.Rules[id] {
		case RuleOff:
			off = append(off, id)
		case RuleWarning:
			warn = append(warn, id)
		}
	}
	var out []string
	if len(off) > 0 {
		out = append(out, "rules off: "+strings.Join(off, ", "))
	}
	if len(warn) > 0 {
		out = append(out, "rules made warnings: "+strings.Join(warn, ", "))
	}
	for _, pat := range sortedKeys(c.Ignore) {
		out = append(out, fmt.Sprintf("ignores %s in %q", strings.Join(c.Ignore[pat], ", "), pat))
	}
	for _, pat := range sortedKeys(c.Expect) {
		out = append(out, fmt.Sprintf("expects %s in %q", strings.Join(c.Expect[pat], ", "), pat))
	}
	if len(c.Files) > 0 {
		out = append(out, "checks only files: "+strings.Join(c.Files, ", "))
	}
	if len(c.Exclude) > 0 {
		out = append(out, "excludes: "+strings.Join(c.Exclude, ", "))
	}
	if o := c.Network.Offline; o != nil && *o {
		out = append(out, "network checks off (network.offline)")
	}
	if cc := c.Network.Cache; cc != nil && cc.Enabled != nil && !*cc.Enabled {
		out = append(out, "cache off")
	}
	if len(c.Network.AllowHosts) > 0 {
		out = append(out, "allows hosts: "+strings.Join(c.Network.AllowHosts, ", "))
	}
	return out
}

// ParseUser parses the user's own config file, which is trusted for the
// network settings and maxRequestBytes and may hold nothing else: rules
// and suppressions belong to a project.
func ParseUser(path string) (*Config, error) {
	c, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	if len(c.Rules) > 0 || len(c.Limits) > 0 || len(c.Models) > 0 || len(c.Aliases) > 0 ||
		len(c.Ignore) > 0 || len(c.Expect) > 0 || len(c.Files) > 0 || len(c.Exclude) > 0 {
		return nil, &ConfigError{File: path, Msg: errNotUser.Error()}
	}
	return c, nil
}

// Under fills the network settings and maxRequestBytes that c leaves unset
// from base (the user's config): c's own settings win.
func (c *Config) Under(base *Config) {
	if base == nil {
		return
	}
	n, b := &c.Network, base.Network
	if n.Offline == nil {
		n.Offline = b.Offline
	}
	if len(n.AllowHosts) == 0 {
		n.AllowHosts = slices.Clone(b.AllowHosts)
	}
	if n.Concurrency == nil {
		n.Concurrency = b.Concurrency
	}
	if n.Timeout == nil {
		n.Timeout = b.Timeout
	}
	if n.Cache == nil && b.Cache != nil {
		cc := *b.Cache
		cc.Dir = base.Resolve(cc.Dir)
		if b.Cache.Dir == "" {
			cc.Dir = ""
		}
		n.Cache = &cc
	}
	if c.MaxRequestBytes == nil {
		c.MaxRequestBytes = base.MaxRequestBytes
	}
}
