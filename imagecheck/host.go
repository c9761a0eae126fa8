package imagecheck

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// hostProfile maps a host the way URL parsers and net/http do before a
// name reaches DNS (UTS 46: case folding, width folding such as fullwidth
// digits, punycode). It is not STD3-strict: real hosts may carry "_".
var hostProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false))

// NormalizeHost is the one spelling of a host that every check compares: the
// offline URL check, AllowHosts entries and the dialer. Brackets, a trailing
// dot and case are dropped, names are mapped with IDNA/UTS 46 (so
// "127.0.0.１" is 127.0.0.1, as net/http would dial it), and IP literals are
// printed canonically. A host that cannot be mapped comes back lower-cased
// with ok false.
func NormalizeHost(h string) (host string, ok bool) {
	if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1] // brackets only as a pair: "a]" is not "a"
	}
	if strings.ContainsAny(h, "[]") {
		// url.Parse keeps "0.]" as a host, IDNA maps it, but net/http's
		// dialer cannot split "0.]:80": a stray bracket is no host.
		return strings.ToLower(h), false
	}
	if !utf8.ValidString(h) || strings.ContainsRune(h, utf8.RuneError) {
		// IDNA would map every invalid byte to U+FFFD, making unrelated
		// hosts equal; no real host is spelled so.
		return strings.ToLower(h), false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.WithZone("").String(), true
	}
	m, err := hostProfile.ToASCII(h)
	if err != nil {
		return strings.ToLower(strings.TrimSuffix(h, ".")), false
	}
	m = strings.ToLower(strings.TrimSuffix(m, "."))
	if a, err := netip.ParseAddr(m); err == nil {
		return a.WithZone("").String(), true
	}
	return m, m != ""
}

// defaultPort is the port a URL of scheme uses when it names none.
func defaultPort(scheme string) string {
	switch strings.ToLower(scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// normPort drops leading zeros ("080" is 80); "" stays "".
func normPort(p string) string {
	if p == "" {
		return ""
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return p // never equal to a real port
	}
	return strconv.FormatUint(n, 10)
}

// AllowList is a set of AllowHosts entries: "host" (any port) or
// "host:port", each spelled in any way NormalizeHost accepts ("[::1]",
// "Example.COM.", "cdn.example.com:0443"). Its zero value allows nothing.
type AllowList []string

// Allows reports whether host (as a URL or dial address names it) on port
// is listed. port "" matches only entries without a port.
func (l AllowList) Allows(host, port string) bool {
	host, ok := NormalizeHost(host)
	if !ok || host == "" {
		return false
	}
	port = normPort(port)
	for _, e := range l {
		h, p := e, ""
		if hh, pp, err := net.SplitHostPort(e); err == nil {
			h, p = hh, normPort(pp)
		}
		if nh, ok := NormalizeHost(h); ok && nh == host && (p == "" || p == port) {
			return true
		}
	}
	return false
}

// AllowsURL reports whether raw is an http(s) URL without credentials on a
// listed host: the offline check's exemption, judged as the dialer judges it.
func (l AllowList) AllowsURL(raw string) bool {
	if len(l) == 0 {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" {
		return false
	}
	s := strings.ToLower(u.Scheme)
	if s != "http" && s != "https" {
		return false
	}
	return l.Allows(u.Hostname(), orDefault(u.Port(), defaultPort(s)))
}
