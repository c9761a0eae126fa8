package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/preflight-dev/preflight/validate"
)

// baseline is a recorded set of findings keyed by (file, JSON pointer,
// rule), not by line, so reformatting a file keeps its findings known.
// A key recorded n times absorbs n findings. The closing finding of
// --max-findings-per-rule keys with its count (more), so a baseline
// absorbs it only while the findings it stands for are as many as when
// it was recorded: more of them is news.
type baseline struct {
	Version  int             `json:"version"`
	Findings []baselineEntry `json:"findings"`

	left map[baselineEntry]int
}

type baselineEntry struct {
	File    string `json:"file"`
	Pointer string `json:"pointer"`
	Rule    string `json:"rule"`
	More    int    `json:"more,omitempty"`
}

const baselineVersion = 1

func baselineKey(f validate.Finding) baselineEntry {
	file := f.File
	if file != "" && !strings.HasPrefix(file, "<") {
		file = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(file)), "./")
	}
	return baselineEntry{File: file, Pointer: f.Pointer, Rule: f.Rule, More: f.More}
}

// maxBaselineBytes bounds a baseline file: about half a million findings.
const maxBaselineBytes = 64 << 20

func readBaseline(path string) (*baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("baseline %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBaselineBytes+1))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if len(data) > maxBaselineBytes {
		return nil, fmt.Errorf("baseline %s: larger than %d bytes", path, maxBaselineBytes)
	}
	return parseBaseline(data, path)
}

// parseBaseline reads a baseline file's bytes; name is for errors.
func parseBaseline(data []byte, name string) (*baseline, error) {
	var b baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", name, err)
	}
	if b.Version != baselineVersion {
		return nil, fmt.Errorf("baseline %s: version %d, want %d", name, b.Version, baselineVersion)
	}
	b.left = map[baselineEntry]int{}
	for _, e := range b.Findings {
		b.left[e]++
	}
	return &b, nil
}

func (b *baseline) add(fs []validate.Finding) {
	for _, f := range fs {
		b.Findings = append(b.Findings, baselineKey(f))
	}
}

// filter drops the findings the baseline records.
func (b *baseline) filter(fs []validate.Finding) []validate.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		k := baselineKey(f)
		if b.left[k] > 0 {
			b.left[k]--
			continue
		}
		out = append(out, f)
	}
	return out
}

func (b *baseline) write(path string) error {
	b.Version = baselineVersion
	if b.Findings == nil {
		b.Findings = []baselineEntry{}
	}
	slices.SortStableFunc(b.Findings, func(x, y baselineEntry) int {
		return cmp.Or(strings.Compare(x.File+"\x00"+x.Pointer+"\x00"+x.Rule, y.File+"\x00"+y.Pointer+"\x00"+y.Rule), cmp.Compare(x.More, y.More))
	})
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return nil
}
