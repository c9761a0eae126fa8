package validate

import (
	"context"
	"runtime"
	"testing"

	"github.com/preflight-dev/preflight/internal/jsonpos"
	"github.com/preflight-dev/preflight/internal/shapes"
)

// checkBytes is the heap a cold check of body allocates, and its report.
func checkBytes(t *testing.T, v *Validator, body []byte) (uint64, Report) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep, err := v.Check(context.Background(), Input{Body: body})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	return after.TotalAlloc - before.TotalAlloc, rep
}

// checkMultiple and checkConstant bound what a whole check of a body of n
// bytes allocates, garbage included, whatever its shape:
// checkMultiple*n + checkConstant (the README's "What preflight promises"
// states it). The parse takes up to jsonpos.MemoryMultiple; the rest is
// per-value garbage (a URL that is not one is parsed to say why), while
// findings past MaxFindingsPerRule are counted, not kept, and add a
// constant: at most 51 per rule and severity.
const (
	checkMultiple = 128
	checkConstant = 16 << 20
)

// A whole check, findings included, stays within one multiple of the body
// plus a constant for every shape: an image_urls of 500,000 numbers kept
// a finding each (98 MB for a 1 MiB body) and 175,000 duplicate names
// 180-230 MB. TotalAlloc is above the peak heap, so this bounds the peak.
func TestMemoryByShape(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates tens of megabytes")
	}
	const size = 1 << 20
	if checkMultiple < jsonpos.MemoryMultiple || checkConstant < jsonpos.MemoryConstant {
		t.Fatal("a check's bound is below its parse's")
	}
	for name, body := range shapes.Of(size) {
		got, rep := checkBytes(t, &Validator{}, body)
		limit := uint64(checkMultiple*len(body) + checkConstant)
		n := 0
		for _, f := range rep.Findings {
			n += f.Count()
		}
		if got > limit {
			t.Errorf("%s: %d bytes checking %d (%.1fx; %d findings listed for %d), want at most %d", name, got, len(body), float64(got)/float64(len(body)), len(rep.Findings), n, limit)
		} else {
			t.Logf("%s: %d bytes checking %d (%.1fx; %d findings listed for %d)", name, got, len(body), float64(got)/float64(len(body)), len(rep.Findings), n)
		}
	}
}
