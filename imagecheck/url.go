package imagecheck

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// needPublic ends every URL reason: the API downloads the file from its own
// servers, so only an address the whole internet can reach will work.
const needPublic = "the API needs a publicly accessible URL"

// URLError reports why a string cannot be a publicly accessible URL.
// It is returned by CheckURL and recorded for the url-not-public rule.
type URLError struct {
	URL    string // the string as given (Error shortens it)
	Reason string // what is wrong, ending with what the API needs
	// Malformed is set when raw is no well-formed http(s) URL at all
	// (whitespace, scheme, no host, credentials, a port outside 1-65535),
	// as opposed to a well-formed URL whose host is not public.
	Malformed bool
}

func (e *URLError) Error() string {
	return fmt.Sprintf("invalid image URL %q: %s", shorten(e.URL, 80), e.Reason)
}

// shorten keeps messages readable when the input is, say, a multi-megabyte
// data: URL.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// cleanText makes text that came from a server (a status reason, an error
// quoting its bytes, a cached entry) safe to print: control and format
// characters (terminal escapes, bidi overrides) are spelled as Go escapes,
// and it is cut to about n bytes.
func cleanText(s string, n int) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
			clean = false
			break
		}
	}
	if !clean {
		var b strings.Builder
		for _, r := range s {
			if r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
				q := strconv.QuoteRuneToASCII(r)
				b.WriteString(q[1 : len(q)-1])
				continue
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	return shorten(s, n)
}

// CheckURL reports, without any network access, whether raw could be a
// publicly accessible http(s) URL. It returns nil or a *URLError.
//
// It rejects what the API's servers can never download: relative URLs, other
// schemes (data:, file:, ftp: …), credentials in the URL, IP literals outside
// public unicast space, and hosts that only resolve on a local network
// (localhost, *.localhost, single-label names such as "intranet", and
// special-use names such as *.local and *.internal). A hostname that passes
// may still resolve to a private address; the network probe re-checks every
// resolved address at dial time.
//
// The common URL (a lower-case host name and a plain path) is accepted by a
// single scan that allocates nothing; everything else goes through
// checkURL, which parses it as net/http would.
func CheckURL(raw string) error {
	if plainPublicURL(raw) {
		return nil
	}
	return checkURL(raw)
}

// checkURL is CheckURL without the fast path: the reference its
// differential test and fuzz test hold plainPublicURL to.
func checkURL(raw string) error {
	bad := func(format string, args ...any) error {
		return &URLError{URL: raw, Reason: fmt.Sprintf(format, args...) + "; " + needPublic, Malformed: true}
	}
	notPublic := func(format string, args ...any) error {
		return &URLError{URL: raw, Reason: fmt.Sprintf(format, args...) + "; " + needPublic}
	}
	if strings.TrimSpace(raw) == "" {
		return bad("URL is empty")
	}
	if raw != strings.TrimSpace(raw) {
		return bad("URL has leading or trailing whitespace")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		msg := err.Error()
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		return bad("URL cannot be parsed (%s)", msg)
	}
	if !u.IsAbs() {
		return bad("URL is not absolute (no scheme)")
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http", "https":
	case "data":
		return bad("data: URLs are not downloadable; upload the file and pass its http(s) URL")
	default:
		return bad("scheme %q is not supported (use http or https)", scheme+":")
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("URL has no host")
	}
	if u.User != nil {
		return bad("URL carries credentials (user info before @), which a public URL must not need")
	}
	if u.Hostname() == "" {
		return bad("URL has no host")
	}
	// net/url takes any digit string as a port; only the dial would fail.
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("port %s is outside 1-65535, so the URL can never be fetched", shorten(p, 12))
		}
	}
	// Judge the host as net/http will dial it: "127.0.0.１" is 127.0.0.1.
	host, ok := NormalizeHost(u.Hostname())
	if !ok {
		return bad("host %q is not a valid host name", u.Hostname())
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if why := nonPublicReason(a); why != "" {
			return notPublic("host %s is %s", host, why)
		}
		return nil
	}
	if why := hostNameReason(host); why != "" {
		return notPublic("host %q %s", host, why)
	}
	return nil
}

// hostNameReason explains why a (non-IP) host name cannot be public, or
// returns "". It allocates nothing for a lower-case host.
func hostNameReason(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "" {
		return "is empty"
	}
	if h[0] == '.' || h[len(h)-1] == '.' || strings.Contains(h, "..") {
		return "has an empty label"
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if h == "localhost" || tld == "localhost" {
		return "is the local machine (localhost)"
	}
	if len(tld) == len(h) {
		return "is a single-label name that only resolves on a local network"
	}
	// Browsers and curl read hosts such as "127.1" or "0x7f.0.0.1" as IPv4
	// addresses; no real top-level domain is numeric.
	if isNumericLabel(tld) {
		return "is a non-canonical IP address form"
	}
	if strings.HasSuffix(h, ".home.arpa") {
		return "is a home-network name (home.arpa)"
	}
	switch tld {
	case "local":
		return "is a multicast-DNS name (.local) that only resolves on a local network"
	case "internal", "lan", "intranet", "corp", "home":
		return "uses a private-use top-level domain (." + tld + ")"
	case "test", "invalid", "example", "onion":
		return "uses a reserved top-level domain (." + tld + ")"
	}
	return ""
}

func isNumericLabel(l string) bool {
	if strings.HasPrefix(l, "0x") || strings.HasPrefix(l, "0X") {
		return true
	}
	for i := 0; i < len(l); i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return true
}

// plainPublicURL reports whether raw is certainly accepted by checkURL,
// judged by one scan that allocates nothing: "http://" or "https://", a host
// of lower-case LDH labels (no port, no credentials, no IP literal, nothing
// IDNA would map: no "--", no label starting or ending with '-'), then only
// RFC 3986 characters with well-formed %-escapes, and a host hostNameReason
// accepts. False means "not sure", never "invalid": the caller then runs
// checkURL, so every rejection keeps its one wording.
func plainPublicURL(raw string) bool {
	var rest string
	switch {
	case strings.HasPrefix(raw, "https://"):
		rest = raw[len("https://"):]
	case strings.HasPrefix(raw, "http://"):
		rest = raw[len("http://"):]
	default:
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if !plainHost(host) {
		return false
	}
	for i := end; i < len(rest); i++ {
		c := rest[i]
		if c == '%' {
			if i+2 >= len(rest) || !isHex(rest[i+1]) || !isHex(rest[i+2]) {
				return false
			}
			continue
		}
		if c >= 0x80 || !uriChar[c] {
			return false
		}
	}
	return hostNameReason(host) == ""
}

// plainHost reports whether h is lower-case LDH labels that IDNA maps to
// themselves and that no IP parser reads as an address (it has a letter).
func plainHost(h string) bool {
	if h == "" || h[0] == '.' || h[0] == '-' || h[len(h)-1] == '-' || h[len(h)-1] == '.' {
		return false
	}
	letter := false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9':
		case c == '-':
			if h[i+1] == '-' || h[i+1] == '.' || h[i-1] == '.' {
				return false
			}
		case c == '.':
			if h[i+1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return letter
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// uriChar marks the ASCII characters RFC 3986 allows in a path, query and
// fragment besides '%'.
var uriChar = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~!$&'()*+,;=:@/?#" {
		t[c] = true
	}
	return t
}()
