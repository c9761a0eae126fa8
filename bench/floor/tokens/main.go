// Command tokens is issue 9's parse floor as a process: a bare jsontext
// token pass, with one reused decoder, over the same bytes preflight lints.
// bench/run.sh times it against `preflight lint --offline` on the 10,000
// files and on the 100,000-line JSONL.
//
//	tokens PATH...
//
// A directory is walked for *.json and *.jsonl files (sorted, as preflight
// does); a file is read as a stream of JSON values, so a JSONL file is one
// pass over all its lines. Files are read one after another, on one core:
// the floor is what a single decoder costs, not a parallel linter. It
// prints files, values, tokens and invalid files, and exits 1 if any file
// was not JSON.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

type counts struct{ files, values, tokens, invalid int }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tokens PATH...")
		os.Exit(2)
	}
	var c counts
	// One decoder for every file; Reset rebinds it without reallocating its
	// buffer.
	dec := jsontext.NewDecoder(strings.NewReader(""))
	for _, arg := range os.Args[1:] {
		if err := walk(dec, arg, &c); err != nil {
			fmt.Fprintln(os.Stderr, "tokens:", err)
			os.Exit(2)
		}
	}
	fmt.Printf("%d files, %d values, %d tokens, %d invalid\n", c.files, c.values, c.tokens, c.invalid)
	if c.invalid > 0 {
		os.Exit(1)
	}
}

func walk(dec *jsontext.Decoder, root string, c *counts) error {
	info, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return file(dec, root, c)
	}
	// WalkDir visits entries in lexical order.
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && (strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".jsonl")) {
			return file(dec, path, c)
		}
		return nil
	})
}

// file reads every token of path; a syntax error marks the file invalid.
func file(dec *jsontext.Decoder, path string, c *counts) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	c.files++
	dec.Reset(f)
	for {
		_, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *jsontext.SyntacticError
			if errors.As(err, &se) {
				c.invalid++
				return nil
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		c.tokens++
		if dec.StackDepth() == 0 {
			c.values++
		}
	}
}
