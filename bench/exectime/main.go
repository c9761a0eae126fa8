// Command exectime times whole processes, alternating between them so that
// a machine's drift (other load, CPU frequency) falls on all alike. It is
// bench/run.sh's stopwatch: a Go loop over exec has no shell in the
// measured time and needs nothing installed.
//
//	exectime [-runs N] [-warmup W] [-timeout D] -- CMD ARGS... [::: CMD ARGS...]...
//
// Each command runs W times unmeasured, then N rounds run every command
// once in turn. Per command it prints one line: the median and the minimum
// wall time in seconds, then the median of its per-round ratio to the first
// command. Exit codes 0 and 1 (findings) count as success; any other exit,
// or a run longer than the timeout, fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "measured rounds")
	warmup := flag.Int("warmup", 1, "unmeasured runs of each command first")
	timeout := flag.Duration("timeout", 2*time.Minute, "limit of one run")
	flag.Parse()
	cmds := split(flag.Args())
	if len(cmds) == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: exectime [-runs N] [-warmup W] -- CMD ARGS... [::: CMD ARGS...]...")
		os.Exit(2)
	}
	for _, c := range cmds {
		for range *warmup {
			if _, err := run(c, *timeout); err != nil {
				fail(err)
			}
		}
	}
	times := make([][]float64, len(cmds))
	for range *runs {
		for i, c := range cmds {
			d, err := run(c, *timeout)
			if err != nil {
				fail(err)
			}
			times[i] = append(times[i], d.Seconds())
		}
	}
	for i, c := range cmds {
		ratios := make([]float64, *runs)
		for r := range ratios {
			ratios[r] = times[i][r] / times[0][r]
		}
		fmt.Printf("%.6f %.6f %.3f %q\n", median(times[i]), slices.Min(times[i]), median(ratios), c[0])
	}
}

// split cuts args at each ":::".
func split(args []string) [][]string {
	var out [][]string
	cur := []string{}
	for _, a := range args {
		if a == ":::" {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// run starts c with output discarded and returns its wall time.
func run(c []string, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c[0], c[1:]...)
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && ctx.Err() == nil {
		err = nil
	}
	if err != nil {
		return d, fmt.Errorf("%q: %w", c, err)
	}
	return d, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "exectime:", err)
	os.Exit(2)
}
