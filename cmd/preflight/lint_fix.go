package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/preflight-dev/preflight/internal/fix"
	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// fixFlags are the flags of `preflight lint --fix`.
type fixFlags struct {
	fix    bool
	dryRun bool
}

// fixResult counts what --fix did, for the summary.
type fixResult struct {
	fixes, files int
}

// checkFixFlags refuses what --fix cannot do. Standard input has no file
// to rewrite, and its fixed body on standard output would mix with the
// findings: lint a file instead.
func checkFixFlags(f *lintFlags, args []string) error {
	if f.fixes.dryRun && !f.fixes.fix {
		return usagef("--dry-run needs --fix")
	}
	if f.fixes.dryRun && f.format != "text" {
		return usagef("--dry-run prints a diff on standard output: use it with --format text (other formats can go to a file with --output)")
	}
	if f.fixes.fix && slices.Contains(args, runner.Stdin) {
		return usagef("--fix cannot rewrite standard input; write the request to a file and lint that")
	}
	return nil
}

// fixFiles applies the engine's safe edits to files before they are
// linted, or with --dry-run writes their unified diff to w and changes
// nothing. A file it cannot fix safely (a symbolic link, too large,
// unreadable) is left alone with a note on stderr: the lint that follows
// still reports its findings.
func (c *Command) fixFiles(ctx context.Context, f *lintFlags, stage *lintStage, files []string, w io.Writer) (fixResult, error) {
	x := &fix.Fixer{
		// Offline: whether a URL answers never decides a rewrite.
		// The cap of the lint: a pass fixes what it lists, and the lint
		// that follows reports what is left (see README "Fixing requests").
		Validator: &validate.Validator{Catalog: stage.catalog(), AllowHosts: f.network.allowHosts, MaxFindingsPerRule: f.ux.perRule()},
		Keep: func(file string, fs []validate.Finding) []validate.Finding {
			a := stage.cfg.Apply(file, fs)
			if a.Expect != nil {
				return nil // a negative fixture (expect:) must keep failing as declared
			}
			return a.Findings
		},
	}
	var res fixResult
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		lines := isLinesFile(path)
		limit := f.cfg.maxBytes
		if lines {
			limit = fix.MaxFileBytes
		}
		src, st, err := fix.ReadFile(path, limit)
		if err != nil {
			fmt.Fprintf(c.Stderr, "preflight: --fix: %s\n", printableLine(err.Error()))
			continue
		}
		in := validate.Input{File: path, Model: f.model, Body: src}
		var out []byte
		var n int
		if lines {
			out, n, err = x.Lines(ctx, in, int(f.cfg.maxBytes))
		} else {
			out, n, err = x.Body(ctx, in)
		}
		if err != nil {
			return res, fmt.Errorf("fix %s: %w", path, err)
		}
		if n == 0 || string(out) == string(src) {
			continue
		}
		res.fixes += n
		res.files++
		if f.fixes.dryRun {
			if err := fix.Diff(w, printableName(path), src, out); err != nil {
				return res, err
			}
			continue
		}
		if err := fix.WriteFile(path, out, st); err != nil {
			return res, err
		}
	}
	return res, nil
}

// fixSummary says what --fix did; the lint summary after it counts what
// remains.
func fixSummary(r fixResult, dryRun bool) string {
	verb := "applied"
	if dryRun {
		verb = "would apply"
	}
	fixes := fmt.Sprintf("%d fixes", r.fixes)
	if r.fixes == 1 {
		fixes = "1 fix"
	}
	return fmt.Sprintf("preflight: --fix %s %s in %s", verb, fixes, plural(r.files, "file"))
}
