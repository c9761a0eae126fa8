package main

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want [][]string
	}{
		{[]string{"a", "x"}, [][]string{{"a", "x"}}},
		{[]string{"a", ":::", "b", "y", "z"}, [][]string{{"a"}, {"b", "y", "z"}}},
		{[]string{":::", "a", ":::", ":::"}, [][]string{{"a"}}},
		{nil, nil},
	} {
		if got := split(tc.args); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("split(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestMedianRatios(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if r := ratios([]float64{2, 9}, []float64{1, 0}); !reflect.DeepEqual(r, []float64{2, 0}) {
		t.Errorf("ratios = %v", r)
	}
}

// TestRun checks the exit-code contract: 0 and 1 (findings) succeed, 2 and
// a timeout fail.
func TestRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, tc := range []struct {
		script string
		ok     bool
	}{{"exit 0", true}, {"exit 1", true}, {"exit 2", false}, {"sleep 5", false}} {
		_, _, err := run([]string{sh, "-c", tc.script}, 200*time.Millisecond)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.script, err, tc.ok)
		}
	}
}

// TestReport checks the columns run.sh reads: ratios are medians of
// per-round ratios, to the first command and to command k.
func TestReport(t *testing.T) {
	cmds := [][]string{{"floor"}, {"pf"}, {"peer"}}
	wall := [][]float64{{1, 1, 2}, {2, 3, 4}, {20, 30, 20}}
	cpu := [][]float64{{1, 1, 1}, {1, 2, 2}, {10, 10, 10}}
	var b strings.Builder
	report(&b, cmds, wall, cpu, 1)
	want := `1.000000 1.000000 1.000 1.000000 1.000 0.500 0.500 "floor"
3.000000 2.000000 2.000 2.000000 2.000 1.000 1.000 "pf"
20.000000 20.000000 20.000 10.000000 10.000 10.000 5.000 "peer"
`
	if b.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", b.String(), want)
	}
}
