package main

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/preflight-dev/preflight/validate"
)

// fingerprinter gives each finding of a run a fingerprint of its own, for
// SARIF partialFingerprints and GitLab Code Quality: GitHub and GitLab
// merge results with equal fingerprints. The inputs are the file, the JSON
// pointer and the rule, not the line, so an alert survives reformatting of
// a .json file; in a JSONL file each line is its own request, so the line
// is an input too. A repeat of the same inputs (two findings of one rule at
// one place) adds its occurrence index.
//
// Files arrive in order and JSONL lines in ascending order, so only the
// counts of the current file (or JSONL line) are kept.
type fingerprinter struct {
	scope string // file, plus the line for JSONL
	seen  map[string]int
}

func (fp *fingerprinter) of(file string, f validate.Finding) string {
	scope := file
	if isLinesFile(f.File) {
		scope += "\x00line=" + strconv.Itoa(f.Line)
	}
	if scope != fp.scope || fp.seen == nil {
		fp.scope, fp.seen = scope, map[string]int{}
	}
	key := scope + "\x00" + f.Pointer + "\x00" + f.Rule
	n := fp.seen[key]
	fp.seen[key] = n + 1
	if n > 0 {
		key += "\x00#" + strconv.Itoa(n)
	}
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// isLinesFile reports whether name holds one request per line.
func isLinesFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return true
	}
	return false
}
