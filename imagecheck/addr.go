package imagecheck

import "net/netip"

// IsPublicAddr reports whether a is a globally routable unicast address, the
// only kind the API's servers can download from. IPv4-mapped IPv6 addresses
// are judged by the IPv4 address they carry, and so are the IPv4 addresses
// embedded in 6to4, NAT64 and Teredo addresses.
func IsPublicAddr(a netip.Addr) bool { return nonPublicReason(a) == "" }

// reserved lists special-purpose ranges (IANA registries) that the standard
// library's predicates do not cover, with the words used in messages.
var reserved = []struct {
	p   netip.Prefix
	why string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address (0.0.0.0/8)`},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address (100.64.0.0/10)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address (192.0.0.0/24)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address (192.0.2.0/24)"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a deprecated 6to4 relay address (192.88.99.0/24)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address (198.18.0.0/15)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address (198.51.100.0/24)"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address (203.0.113.0/24)"},
	{netip.MustParsePrefix("255.255.255.255/32"), "the broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address (240.0.0.0/4)"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address (2001:db8::/32)"},
	{netip.MustParsePrefix("3fff::/20"), "a documentation address (3fff::/20)"},
	{netip.MustParsePrefix("2001:2::/48"), "a benchmarking address (2001:2::/48)"},
	{netip.MustParsePrefix("2001:10::/28"), "a reserved ORCHID address (2001:10::/28)"},
	{netip.MustParsePrefix("2001:20::/28"), "a reserved ORCHIDv2 address (2001:20::/28)"},
}

var (
	globalV6  = netip.MustParsePrefix("2000::/3") // all IPv6 global unicast space
	sixToFour = netip.MustParsePrefix("2002::/16")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	teredo    = netip.MustParsePrefix("2001::/32")
)

// nonPublicReason says what kind of non-public address a is ("a loopback
// address", …), or returns "" for a public one.
func nonPublicReason(a netip.Addr) string {
	if !a.IsValid() {
		return "not a valid address"
	}
	a = a.WithZone("")
	if a.Is4In6() {
		if why := nonPublicReason(a.Unmap()); why != "" {
			return why + " (IPv4-mapped)"
		}
		return ""
	}
	switch {
	case a.IsUnspecified():
		return "the unspecified address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		if a.Is4() {
			return "a private (RFC 1918) address"
		}
		return "an IPv6 unique-local address (fc00::/7)"
	case a.IsLinkLocalUnicast():
		if a == netip.AddrFrom4([4]byte{169, 254, 169, 254}) {
			return "the link-local cloud metadata address"
		}
		return "a link-local address"
	case a.IsMulticast():
		return "a multicast address"
	}
	for _, r := range reserved {
		if r.p.Contains(a) {
			return r.why
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return embedded("NAT64", netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(a):
			return embedded("6to4", netip.AddrFrom4([4]byte(b[2:6])))
		case teredo.Contains(a):
			// Teredo carries the server's IPv4 address and, inverted, the
			// client's; a tunnel endpoint may route to either.
			if why := embedded("Teredo", netip.AddrFrom4([4]byte(b[4:8]))); why != "" {
				return why
			}
			client := [4]byte{^b[12], ^b[13], ^b[14], ^b[15]}
			return embedded("Teredo", netip.AddrFrom4(client))
		case !globalV6.Contains(a):
			return "a reserved IPv6 address (outside 2000::/3)"
		}
	}
	if !a.IsGlobalUnicast() {
		return "not a global unicast address"
	}
	return ""
}

func embedded(kind string, v4 netip.Addr) string {
	if why := nonPublicReason(v4); why != "" {
		return why + " (embedded in a " + kind + " address)"
	}
	return ""
}
