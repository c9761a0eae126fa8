// Command memshape measures the peak RSS of `preflight lint --offline` on
// one file of each hostile shape (internal/shapes) at the given sizes, with
// /usr/bin/time -v, for the README's "What preflight promises":
//
//	go build -o /tmp/preflight ./cmd/preflight
//	go run ./bench/memshape -bin /tmp/preflight -sizes 1048576,10485760
//
// It prints one row per shape: the peak RSS at each size, in MB, and the
// largest (RSS - base)/size over the shapes, where base is the RSS of a
// small valid request.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/preflight-dev/preflight/internal/shapes"
)

func main() {
	bin := flag.String("bin", "preflight", "the preflight binary")
	sizes := flag.String("sizes", "1048576,10485760", "body sizes in bytes, comma-separated")
	flag.Parse()
	dir, err := os.MkdirTemp("", "memshape")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			log.Fatalf("bad size %q", s)
		}
		ns = append(ns, n)
	}
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte(`{"model":"nano-banana","input":{"prompt":"a cat"}}`), 0o644); err != nil {
		log.Fatal(err)
	}
	base := rss(*bin, small, 1<<20)
	fmt.Printf("base (a valid 50-byte request): %.1f MB\n", float64(base)/1e6)
	rows := map[string][]int64{}
	worst := make([]float64, len(ns))
	for i, n := range ns {
		for name, body := range shapes.Of(n) {
			f := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			if err := os.WriteFile(f, body, 0o644); err != nil {
				log.Fatal(err)
			}
			r := rss(*bin, f, len(body))
			rows[name] = append(rows[name], r)
			worst[i] = max(worst[i], float64(r-base)/float64(n)) // deep is capped by nesting, not n
			os.Remove(f)
		}
	}
	names := make([]string, 0, len(rows))
	for n := range rows {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Printf("%-18s", "shape")
	for _, n := range ns {
		fmt.Printf("  %10s", fmt.Sprintf("%d B", n))
	}
	fmt.Println("  (peak RSS, MB)")
	for _, name := range names {
		fmt.Printf("%-18s", name)
		for _, r := range rows[name] {
			fmt.Printf("  %10.1f", float64(r)/1e6)
		}
		fmt.Println()
	}
	for i, n := range ns {
		fmt.Printf("at %d bytes: the largest (RSS - base) / size is %.1f\n", n, worst[i])
	}
}

var maxRSS = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)

// rss runs one lint of file under /usr/bin/time -v and returns its peak RSS
// in bytes.
func rss(bin, file string, size int) int64 {
	cmd := exec.Command("/usr/bin/time", "-v", bin, "lint", "--offline", "--quiet", "--format", "json",
		"--max-request-bytes", strconv.Itoa(size+1), file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = nil
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			log.Fatalf("%s: %v", file, err)
		}
	}
	m := maxRSS.FindSubmatch(stderr.Bytes())
	if m == nil {
		log.Fatalf("%s: no RSS in %q", file, stderr.String())
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb * 1024
}
