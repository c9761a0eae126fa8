package imagecheck

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		raw  string
		want string // substring of Reason; "" means the URL passes
	}{
		{"https://cdn.example.com/cat.png", ""},
		{"http://images.example.org:8080/a/b.jpg?x=1#frag", ""},
		{"HTTPS://CDN.EXAMPLE.COM/cat.png", ""},
		{"https://example.com./cat.png", ""},
		{"https://8.8.8.8/cat.png", ""},
		{"https://[2606:4700::1111]/cat.png", ""},
		{"https://[::ffff:8.8.8.8]/x.png", ""},
		{"https://bücher.example/x.png", "reserved top-level domain"},
		{"https://xn--bcher-kva.de/x.png", ""},

		{"", "empty"},
		{"   ", "empty"},
		{" https://example.com/x.png", "whitespace"},
		{"https://exa mple.com/x.png", "cannot be parsed"},
		{"http://[::1", "cannot be parsed"},
		{"%zz", "cannot be parsed"},
		{"/images/cat.png", "not absolute"},
		{"cdn.example.com/cat.png", "not absolute"},
		{"data:image/png;base64,iVBORw0KGgo=", "data: URLs"},
		{"file:///etc/passwd", `"file:"`},
		{"ftp://example.com/cat.png", `"ftp:"`},
		{"javascript:alert(1)", `"javascript:"`},
		{"gopher://example.com/", `"gopher:"`},
		{"http:example.com/x.png", "no host"},
		{"https:///x.png", "no host"},
		{"https://example.com:0/x.png", "port 0 is outside 1-65535"},
		{"https://example.com:65536/x.png", "port 65536 is outside"},
		{"https://example.com:99999999999999999999/x.png", "is outside 1-65535"},
		{"https://example.com:65535/x.png", ""},
		{"https://example.com:1/x.png", ""},
		{"https://:443/x.png", "no host"},
		{"https://user:pass@example.com/x.png", "credentials"},
		{"https://user@example.com/x.png", "credentials"},

		{"http://127.0.0.1/x.png", "loopback"},
		{"http://127.8.9.10:8080/x.png", "loopback"},
		{"http://[::1]/x.png", "loopback"},
		{"http://10.1.2.3/x.png", "private (RFC 1918)"},
		{"http://172.16.0.1/x.png", "private (RFC 1918)"},
		{"http://172.31.255.255/x.png", "private (RFC 1918)"},
		{"http://192.168.1.1/x.png", "private (RFC 1918)"},
		{"http://100.64.0.1/x.png", "carrier-grade NAT"},
		{"http://100.127.255.254/x.png", "carrier-grade NAT"},
		{"http://169.254.169.254/latest/meta-data/", "metadata"},
		{"http://169.254.1.1/x.png", "link-local"},
		{"http://[fe80::1]/x.png", "link-local"},
		{"http://[fe80::1%25eth0]/x.png", "link-local"},
		{"http://0.0.0.0/x.png", "unspecified"},
		{"http://0.1.2.3/x.png", "this network"},
		{"http://[::]/x.png", "unspecified"},
		{"http://224.0.0.1/x.png", "multicast"},
		{"http://239.255.255.250/x.png", "multicast"},
		{"http://[ff02::1]/x.png", "multicast"},
		{"http://255.255.255.255/x.png", "broadcast"},
		{"http://240.0.0.1/x.png", "reserved"},
		{"http://[fd00::1]/x.png", "unique-local"},
		{"http://[fc00::1]/x.png", "unique-local"},
		{"http://[::ffff:127.0.0.1]/x.png", "IPv4-mapped"},
		{"http://[::ffff:10.0.0.1]/x.png", "IPv4-mapped"},
		{"http://[::ffff:169.254.169.254]/x.png", "IPv4-mapped"},
		{"http://192.0.2.10/x.png", "documentation"},
		{"http://198.51.100.7/x.png", "documentation"},
		{"http://203.0.113.9/x.png", "documentation"},
		{"http://198.18.0.1/x.png", "benchmarking"},
		{"http://[2001:db8::1]/x.png", "documentation"},
		{"http://[64:ff9b::a00:1]/x.png", "NAT64"},
		{"http://[2002:a00:1::1]/x.png", "6to4"},
		{"http://[100::1]/x.png", "reserved IPv6"},

		{"http://localhost/x.png", "localhost"},
		{"http://LOCALHOST:3000/x.png", "localhost"},
		{"http://localhost./x.png", "localhost"},
		{"http://app.localhost/x.png", "localhost"},
		{"http://intranet/x.png", "single-label"},
		{"http://printer.local/x.png", ".local"},
		{"http://db.internal/x.png", "private-use"},
		{"http://nas.home.arpa/x.png", "home.arpa"},
		{"http://127.1/x.png", "non-canonical IP"},
		{"http://0x7f.0.0.1/x.png", "non-canonical IP"},
		{"http://2130706433/x.png", "single-label"},
		{"http://a..b.com/x.png", "empty label"},
	}
	for _, tt := range tests {
		err := CheckURL(tt.raw)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckURL(%q) = %v, want nil", tt.raw, err)
			}
			continue
		}
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("CheckURL(%q) = %v, want *URLError containing %q", tt.raw, err, tt.want)
			continue
		}
		if !strings.Contains(ue.Reason, tt.want) {
			t.Errorf("CheckURL(%q).Reason = %q, want it to contain %q", tt.raw, ue.Reason, tt.want)
		}
		if !strings.HasSuffix(ue.Reason, needPublic) {
			t.Errorf("CheckURL(%q).Reason = %q, want it to say %q", tt.raw, ue.Reason, needPublic)
		}
		if ue.URL != tt.raw {
			t.Errorf("CheckURL(%q).URL = %q", tt.raw, ue.URL)
		}
	}
}

func TestURLErrorShortensLongURLs(t *testing.T) {
	raw := "data:image/png;base64," + strings.Repeat("A", 1<<20)
	msg := CheckURL(raw).Error()
	if len(msg) > 300 {
		t.Fatalf("Error() is %d bytes long; want a short message", len(msg))
	}
}

func TestIsPublicAddr(t *testing.T) {
	public := []string{"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
		"192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::1"}
	private := []string{"127.0.0.1", "10.0.0.0", "172.16.0.0", "192.168.255.255", "100.64.0.0", "169.254.169.254",
		"0.0.0.0", "0.255.255.255", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd12:3456::1",
		"::ffff:192.168.0.1", "::ffff:0.0.0.0", "ff02::1", "2001:db8::1", "198.19.255.255", "::1.2.3.4"}
	for _, s := range public {
		if !IsPublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("IsPublicAddr(%s) = false, want true", s)
		}
	}
	for _, s := range private {
		if IsPublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("IsPublicAddr(%s) = true, want false", s)
		}
	}
	if IsPublicAddr(netip.Addr{}) {
		t.Error("IsPublicAddr(zero Addr) = true")
	}
}

// FuzzCheckURL checks that CheckURL never panics and that whatever it accepts
// really is an absolute http(s) URL with a host and, for IP literals, a
// public address.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.com/a.png", "http://127.0.0.1/", "http://[::ffff:10.0.0.1]/",
		"data:image/png;base64,AA==", "http://intranet/", "https://u:p@h.com/", "http://0x7f.1/", "http://[fe80::1%25en0]/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := CheckURL(raw)
		if err != nil {
			var ue *URLError
			if !errors.As(err, &ue) || ue.Reason == "" {
				t.Fatalf("CheckURL(%q) = %#v, want *URLError with a reason", raw, err)
			}
			_ = err.Error()
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("accepted %q, which url.Parse rejects: %v", raw, perr)
		}
		if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
			t.Fatalf("accepted scheme %q in %q", u.Scheme, raw)
		}
		if u.Hostname() == "" || u.User != nil {
			t.Fatalf("accepted %q without host or with user info", raw)
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && !IsPublicAddr(a) {
			t.Fatalf("accepted non-public address %v in %q", a, raw)
		}
	})
}
