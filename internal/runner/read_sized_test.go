package runner

import (
	"bytes"
	"strings"
	"testing"
)

// The size hint only sizes the buffer: whatever it says, the input is read
// as it is, and the bound holds.
func TestReadSized(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 10000} {
		src := []byte(strings.Repeat("x", n))
		for _, hint := range []int64{0, 1, int64(n) - 1, int64(n), int64(n) + 1, 1 << 30} {
			for _, limit := range []int64{int64(n), int64(n) + 1, int64(n)/2 + 1} {
				body, ok, err := readSized(bytes.NewReader(src), limit, hint)
				if err != nil {
					t.Fatal(err)
				}
				wantOK := int64(n) <= limit
				if ok != wantOK || ok && !bytes.Equal(body, src) {
					t.Errorf("n=%d hint=%d limit=%d: ok=%v len=%d, want ok=%v", n, hint, limit, ok, len(body), wantOK)
				}
				// A right hint allocates once; a wrong one grows as
				// io.ReadAll would, never past twice the bound.
				if hint == int64(n) && int64(cap(body)) > max(hint, 511)+1 || int64(cap(body)) > 2*(max(limit, 511)+1) {
					t.Errorf("n=%d hint=%d limit=%d: buffer of %d bytes", n, hint, limit, cap(body))
				}
			}
		}
	}
}
