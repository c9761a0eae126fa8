package suggest

import (
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	ids := []string{"nano-banana", "nano-banana-2", "flux-2", "sora-2"}
	for _, tc := range []struct{ in, want string }{
		{"nano-banan", "nano-banana"},
		{"NANO-BANANA", "nano-banana"},
		{"flux2", "flux-2"},
		{"midjourney", ""},
		{strings.Repeat("x", 100000), ""}, // bounded work on a hostile name
	} {
		if got := Nearest(tc.in, ids); got != tc.want {
			t.Errorf("Nearest(%.20q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := DidYouMean("sora2", ids); got != ` (did you mean "sora-2"?)` {
		t.Errorf("DidYouMean = %q", got)
	}
}
