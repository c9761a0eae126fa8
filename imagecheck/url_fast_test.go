package imagecheck

import (
	"strings"
	"testing"
)

// fastCases are URLs near the edges of plainPublicURL: each must get from
// CheckURL exactly the verdict and wording of checkURL, the full parse.
var fastCases = []string{
	"https://images.example.com/ref/harbour-01.jpg?v=3",
	"http://cdn.apixo.ai/a.png",
	"https://hooks.example.com/apixo/done?job=00ff",
	"https://a.b",
	"https://a.b/",
	"https://a.b?",
	"https://a.b#",
	"https://a.b/%41%zz",
	"https://a.b/%4",
	"https://a.b/%",
	"https://a.b/p%20q?x=%E2%9C%93#f%2F",
	"https://a.b/a b",
	"https://a.b/\x7f",
	"https://a.b/\x00",
	"https://a.b/é",
	"https://a.b/[x]",
	"https://a.b/#a#b",
	"https://a.b/@x:y",
	"https://x.localhost/a",
	"https://localhost/a",
	"https://intranet/a",
	"https://files.internal/a",
	"https://nas.local/a",
	"https://pi.home.arpa/a",
	"https://a.test/x",
	"https://127.0.0.1/x",
	"https://127.1/x",
	"https://0x7f.0.0.1/x",
	"https://1.2.3.a/x",
	"https://93.184.216.34/x",
	"https://xn--bcher-kva.example/x",
	"https://xn--bcher-kva.com/x",
	"https://ab--cd.com/x",
	"https://-a.com/x",
	"https://a-.com/x",
	"https://a.-b.com/x",
	"https://a..com/x",
	"https://.a.com/x",
	"https://a.com./x",
	"https://A.com/x",
	"HTTPS://a.com/x",
	"https://a.com:443/x",
	"https://a.com:/x",
	"https://a.com:99999/x",
	"https://u@a.com/x",
	"https://[::1]/x",
	"https://a_b.com/x",
	"https://a.com\\x",
	"https:///x",
	"https://",
	"http://a.co",
	"ftp://a.com/x",
	"data:image/png;base64,AAAA",
	" https://a.com/x",
	"https://a.com/x ",
	"https://" + strings.Repeat("a", 70) + ".com/x",
	"https://127.0.0.１/x",
}

// TestCheckURLFastPathAgrees holds the one-scan fast path to the full
// parse: same nil, same error text.
func TestCheckURLFastPathAgrees(t *testing.T) {
	fast := 0
	for _, raw := range fastCases {
		if plainPublicURL(raw) {
			fast++
		}
		if got, want := errText(CheckURL(raw)), errText(checkURL(raw)); got != want {
			t.Errorf("CheckURL(%q) = %q, the full parse says %q", raw, got, want)
		}
		if plainPublicURL(raw) && checkURL(raw) != nil {
			t.Errorf("fast path accepts %q, the full parse rejects it: %v", raw, checkURL(raw))
		}
	}
	// The common URLs must take the fast path, or the test proves nothing.
	for _, raw := range fastCases[:7] {
		if !plainPublicURL(raw) {
			t.Errorf("plainPublicURL(%q) = false, want the fast path", raw)
		}
	}
	if fast < 7 {
		t.Errorf("only %d cases took the fast path", fast)
	}
}

// TestCheckURLFastPathAllocs pins the point of the fast path: a typical
// media URL costs no allocation.
func TestCheckURLFastPathAllocs(t *testing.T) {
	raw := "https://images.example.com/ref/00000001-a.jpg"
	if n := testing.AllocsPerRun(100, func() { _ = CheckURL(raw) }); n != 0 {
		t.Errorf("CheckURL(%q) allocates %v times, want 0", raw, n)
	}
}

// FuzzCheckURLFastPath: whatever the input, the fast path never accepts
// what the full parse rejects, and CheckURL words every verdict as it does.
func FuzzCheckURLFastPath(f *testing.F) {
	for _, raw := range fastCases {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		want := checkURL(raw)
		if plainPublicURL(raw) && want != nil {
			t.Fatalf("fast path accepts %q, the full parse rejects it: %v", raw, want)
		}
		if got := CheckURL(raw); errText(got) != errText(want) {
			t.Fatalf("CheckURL(%q) = %v, want %v", raw, got, want)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
