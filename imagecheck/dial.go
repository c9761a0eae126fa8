package imagecheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Resolver looks up a host's addresses. *net.Resolver satisfies it; tests
// inject one that maps a public-looking name to a private address.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// NotPublicError is the dialer's refusal to connect to a non-public address,
// whether the URL named it, DNS returned it, or a redirect led to it.
type NotPublicError struct {
	Host   string     // the host as the URL named it
	Addr   netip.Addr // the refused address
	Reason string     // what kind of address it is
}

func (e *NotPublicError) Error() string {
	if e.Host == e.Addr.String() {
		return fmt.Sprintf("host %s is %s; %s", e.Host, e.Reason, needPublic)
	}
	return fmt.Sprintf("host %s resolves to %s, %s; %s", e.Host, e.Addr, e.Reason, needPublic)
}

// allowedKey marks a dial whose host is in AllowHosts, so the socket-level
// check lets it through.
type allowedKey struct{}

// allowed reports whether host on port (as a URL or dial address names
// them) is in AllowHosts, compared as NormalizeHost spells hosts.
func (c *Checker) allowed(host, port string) bool {
	return AllowList(c.AllowHosts).Allows(host, port)
}

// checkHop vets a URL before a request is sent to it, the first one and each
// redirect target alike. Hosts in AllowHosts skip the public-host rules but
// not the scheme rule.
func (c *Checker) checkHop(u *url.URL) error {
	port := orDefault(u.Port(), defaultPort(u.Scheme))
	if u.Host != "" && c.allowed(u.Hostname(), port) {
		if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
			return &URLError{URL: u.String(), Reason: fmt.Sprintf("scheme %q is not supported (use http or https); %s", s+":", needPublic)}
		}
		return nil
	}
	return CheckURL(u.String())
}

// vetURL parses rawURL and checks it as the first hop of a fetch; a URL
// that does not parse gets CheckURL's reason.
func (c *Checker) vetURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, CheckURL(rawURL)
	}
	return u, c.checkHop(u)
}

// maxRedirects is how many redirects the probe follows; more fail the check.
const maxRedirects = 5

var errTooManyRedirects = errors.New("stopped after 5 redirects")

func (c *Checker) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return errTooManyRedirects
	}
	traceOf(req.Context()).addHop(req.URL.String())
	return c.checkHop(req.URL)
}

func (c *Checker) resolver() Resolver {
	if c.Resolver != nil {
		return c.Resolver
	}
	return net.DefaultResolver
}

// DialContext resolves the host itself and refuses, before any connection,
// when any address it resolves to is not public (unless the host is in
// AllowHosts). Every connection attempt is checked again at the socket
// (net.Dialer.ControlContext), so neither DNS rebinding nor a redirect can
// reach a private range. Use it in a custom Transport given to Checker.Client
// to keep this protection.
func (c *Checker) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port: %w", address, err)
	}
	if host == "" {
		// net.Dial reads an empty host as this machine.
		return nil, &URLError{URL: address, Reason: "URL has no host; " + needPublic}
	}
	allowed := c.allowed(host, portStr) || traceOf(ctx).isProxyAddr(host, portStr)
	var addrs []netip.Addr
	h, ok := NormalizeHost(host)
	if !ok {
		return nil, &URLError{URL: address, Reason: "host is not a valid host name; " + needPublic}
	}
	host = h // "127.0.0.1." and "127.0.0.１" are the literal they spell
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ipNet := "ip"
		switch network {
		case "tcp4":
			ipNet = "ip4"
		case "tcp6":
			ipNet = "ip6"
		}
		addrs, err = c.resolver().LookupNetIP(ctx, ipNet, host)
		if err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	if !allowed {
		for _, a := range addrs {
			if why := nonPublicReason(a); why != "" {
				return nil, &NotPublicError{Host: host, Addr: a, Reason: why}
			}
		}
	}
	ctx = context.WithValue(ctx, allowedKey{}, allowed)
	d := net.Dialer{Timeout: 10 * time.Second, ControlContext: controlPublic}
	var firstErr error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(a.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// controlPublic is the last check before a socket connects: whatever path
// led here, a non-public address is refused unless its host was allowed.
func controlPublic(ctx context.Context, network, address string, _ syscall.RawConn) error {
	if ok, _ := ctx.Value(allowedKey{}).(bool); ok {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if why := nonPublicReason(ap.Addr()); why != "" {
		return &NotPublicError{Host: ap.Addr().String(), Addr: ap.Addr(), Reason: why}
	}
	return nil
}

// newClient builds the client: the guarded dialer, the guarded proxy choice
// (proxyFor: the address rules apply before a proxy is asked), no
// transparent gzip (byte counts must be the file's), bounded response
// headers, and the redirect policy.
//
// A caller's Client keeps its Timeout, Jar and TLS settings, but its
// *http.Transport (or the default one, for a nil Transport) is cloned with
// the guard put back: any Proxy, Dial or DialTLS it set is replaced, since
// each of them could connect to a private address unchecked. A Transport
// of another type is used as given and must do its own guarding.
func (c *Checker) newClient() *http.Client {
	cl := &http.Client{}
	if c.Client != nil {
		*cl = *c.Client
	}
	cl.CheckRedirect = c.checkRedirect
	switch t := cl.Transport.(type) {
	case nil:
		cl.Transport = c.guard(&http.Transport{
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   c.perHost(),
			IdleConnTimeout:       30 * time.Second,
			ExpectContinueTimeout: time.Second,
		})
	case *http.Transport:
		cl.Transport = c.guard(t.Clone())
	}
	return cl
}

// maxHeaderBytes bounds a response's header: a hostile server cannot make
// each fetch buffer the transport's default of 10 MB.
const maxHeaderBytes = 256 << 10

// guard makes t connect only through DialContext, and through a proxy only
// as proxyFor decides.
func (c *Checker) guard(t *http.Transport) *http.Transport {
	t.Proxy = c.proxyFor
	t.OnProxyConnectResponse = func(ctx context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			traceOf(ctx).setConnectStatus(resp.StatusCode)
		}
		return nil
	}
	t.GetProxyConnectHeader = nil
	t.Dial = nil
	t.DialTLS = nil
	t.DialTLSContext = nil
	t.DialContext = c.DialContext
	t.DisableCompression = true
	if t.MaxResponseHeaderBytes <= 0 || t.MaxResponseHeaderBytes > maxHeaderBytes {
		t.MaxResponseHeaderBytes = maxHeaderBytes
	}
	return t
}
