// Command agree compares what `preflight lint --format json` and ajv-cli
// flag on the same directory of request files, for bench/run.sh.
//
//	agree -preflight pf.json -ajv ajv.log -skip skip.txt -n 10000
//
// A file counts as structurally invalid for preflight when it has an error
// finding of a rule the JSON Schema can express: every rule except those
// listed in -skip (one rule ID at the start of each line, as printed by
// `preflight schema --help`). ajv's verdicts are its "FILE invalid" lines.
// Files are matched by base name.
//
//	agree -order out.json
//
// checks that the findings of a lint run are in input order (file, line).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type finding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
}

type report struct {
	Findings []finding `json:"findings"`
}

func main() {
	var (
		pf    = flag.String("preflight", "", "preflight lint --format json output")
		ajv   = flag.String("ajv", "", "ajv-cli output (stdout and stderr together)")
		skip  = flag.String("skip", "", "rules the schema cannot express, one per line")
		n     = flag.Int("n", 0, "number of files linted")
		order = flag.String("order", "", "check that this lint output is in input order")
	)
	flag.Parse()
	var err error
	if *order != "" {
		err = checkOrder(*order)
	} else {
		err = compare(*pf, *ajv, *skip, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "agree:", err)
		os.Exit(1)
	}
}

func load(path string) (*report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r report
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

var ruleLine = regexp.MustCompile(`^\s*([a-z0-9]+(?:-[a-z0-9]+)+)\s`)

func compare(pfPath, ajvPath, skipPath string, n int) error {
	skip := map[string]bool{}
	if skipPath != "" {
		data, err := os.ReadFile(skipPath)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if m := ruleLine.FindStringSubmatch(line + " "); m != nil {
				skip[m[1]] = true
			}
		}
	}
	r, err := load(pfPath)
	if err != nil {
		return err
	}
	pfBad := map[string][]string{}
	for _, f := range r.Findings {
		if f.Severity == "error" && !skip[f.Rule] {
			k := filepath.Base(f.File)
			pfBad[k] = append(pfBad[k], f.Rule)
		}
	}
	data, err := os.ReadFile(ajvPath)
	if err != nil {
		return err
	}
	ajvBad := map[string]bool{}
	ajvSeen := 0
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			continue
		}
		switch fields[1] {
		case "invalid":
			ajvBad[filepath.Base(fields[0])] = true
			ajvSeen++
		case "valid":
			ajvSeen++
		}
	}
	both, onlyPF, onlyAJV := 0, []string{}, []string{}
	for k := range pfBad {
		if ajvBad[k] {
			both++
		} else {
			onlyPF = append(onlyPF, k)
		}
	}
	for k := range ajvBad {
		if _, ok := pfBad[k]; !ok {
			onlyAJV = append(onlyAJV, k)
		}
	}
	sort.Strings(onlyPF)
	sort.Strings(onlyAJV)
	if n == 0 {
		n = ajvSeen
	}
	agree := n - len(onlyPF) - len(onlyAJV)
	// Machine-readable first line for run.sh: agree n both onlyPF onlyAJV ajvSeen
	fmt.Printf("%d %d %d %d %d %d\n", agree, n, both, len(onlyPF), len(onlyAJV), ajvSeen)
	for i, k := range onlyPF {
		if i == 10 {
			fmt.Printf("  ... %d more only preflight flags\n", len(onlyPF)-10)
			break
		}
		fmt.Printf("  only preflight: %s %s\n", k, strings.Join(pfBad[k], ","))
	}
	for i, k := range onlyAJV {
		if i == 10 {
			fmt.Printf("  ... %d more only ajv flags\n", len(onlyAJV)-10)
			break
		}
		fmt.Printf("  only ajv: %s\n", k)
	}
	return nil
}

func checkOrder(path string) error {
	r, err := load(path)
	if err != nil {
		return err
	}
	for i := 1; i < len(r.Findings); i++ {
		a, b := r.Findings[i-1], r.Findings[i]
		if a.File > b.File || a.File == b.File && a.Line > b.Line {
			return fmt.Errorf("finding %d (%s:%d) comes after %s:%d: not in input order", i, b.File, b.Line, a.File, a.Line)
		}
	}
	fmt.Printf("%d findings in input order\n", len(r.Findings))
	return nil
}
