package imagecheck

import "testing"

// BenchmarkCheckURL is the offline URL check every media URL and callback
// pays on the validate hot path (parse, scheme, host, public-address rules).
func BenchmarkCheckURL(b *testing.B) {
	for _, bc := range []struct{ name, url string }{
		{"host", "https://images.example.com/ref/harbour-01.jpg?v=3"},
		{"ipv4", "https://93.184.216.34/ref/harbour-01.jpg"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if err := CheckURL(bc.url); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = CheckURL(bc.url)
			}
		})
	}
}
