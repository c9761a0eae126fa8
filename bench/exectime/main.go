// Command exectime times whole processes, alternating between them so that
// a machine's drift (other load, CPU frequency) falls on all alike. It is
// bench/run.sh's stopwatch: a Go loop over exec has no shell in the
// measured time and needs nothing installed.
//
//	exectime [-runs N] [-warmup W] [-timeout D] [-vs K] -- CMD ARGS... [::: CMD ARGS...]...
//
// Each command runs W times unmeasured, then N rounds run every command
// once in turn. Per command it prints one line: the median and the minimum
// wall time in seconds, the median of its per-round wall-time ratio to the
// first command, the median CPU time (user+system) in seconds and the median
// per-round CPU-time ratio to the first command, then the median per-round
// wall and CPU ratios to command -vs (1-based; the first by default), and
// the command's name. A ratio to a second reference (preflight against a
// peer beside the floor) is then a per-round ratio too, not a ratio of two
// medians. CPU time is what a busy machine distorts least, and it shows what
// parallelism hides. Exit codes 0 and 1 (findings) count as success; any
// other exit, or a run longer than the timeout, fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "measured rounds")
	warmup := flag.Int("warmup", 1, "unmeasured runs of each command first")
	timeout := flag.Duration("timeout", 2*time.Minute, "limit of one run")
	vs := flag.Int("vs", 1, "the command (1-based) the last two ratio columns divide by")
	flag.Parse()
	cmds := split(flag.Args())
	if len(cmds) == 0 || *runs < 1 || *vs < 1 || *vs > len(cmds) {
		fmt.Fprintln(os.Stderr, "usage: exectime [-runs N] [-warmup W] [-timeout D] [-vs K] -- CMD ARGS... [::: CMD ARGS...]...")
		os.Exit(2)
	}
	for _, c := range cmds {
		for range *warmup {
			if _, _, err := run(c, *timeout); err != nil {
				fail(err)
			}
		}
	}
	wall := make([][]float64, len(cmds))
	cpu := make([][]float64, len(cmds))
	for range *runs {
		for i, c := range cmds {
			w, u, err := run(c, *timeout)
			if err != nil {
				fail(err)
			}
			wall[i] = append(wall[i], w.Seconds())
			cpu[i] = append(cpu[i], u.Seconds())
		}
	}
	report(os.Stdout, cmds, wall, cpu, *vs-1)
}

// report prints one line per command of the wall and CPU times of its
// rounds; ratios are per round, to the first command and to command k.
func report(w io.Writer, cmds [][]string, wall, cpu [][]float64, k int) {
	for i, c := range cmds {
		fmt.Fprintf(w, "%.6f %.6f %.3f %.6f %.3f %.3f %.3f %q\n", median(wall[i]), slices.Min(wall[i]), median(ratios(wall[i], wall[0])),
			median(cpu[i]), median(ratios(cpu[i], cpu[0])), median(ratios(wall[i], wall[k])), median(ratios(cpu[i], cpu[k])), c[0])
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

// ratios divides a by b, round by round.
func ratios(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for r := range a {
		if b[r] > 0 {
			out[r] = a[r] / b[r]
		}
	}
	return out
}

// run starts c with output discarded and returns its wall and CPU time.
func run(c []string, timeout time.Duration) (wall, cpu time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c[0], c[1:]...)
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if ps := cmd.ProcessState; ps != nil {
		cpu = ps.UserTime() + ps.SystemTime()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && ctx.Err() == nil {
		err = nil
	}
	if err != nil {
		return wall, cpu, fmt.Errorf("%q: %w", c, err)
	}
	return wall, cpu, nil
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
