package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/internal/suggest"
	"github.com/preflight-dev/preflight/validate"
)

// lintFlags are the flags of `preflight lint`.
type lintFlags struct {
	model         string
	format        string
	stdinFilename string
	failLevel     string
	color         string
	offline       bool
	workers       int
	network       networkFlags
	outputs       []string    // --output FORMAT=PATH, see output.go
	cfg           configFlags // --config, --baseline, see config.go
	ux            uxFlags     // --select, --quiet, --statistics, ..., see lint_ux.go
	fixes         fixFlags    // --fix, --dry-run, see lint_fix.go
}

// formats maps each --format name to its printer. Printers are written one
// per file (format_*.go) and register here.
var formats = map[string]func(w io.Writer, c *Command, f *lintFlags) printer{
	"json": func(w io.Writer, _ *Command, _ *lintFlags) printer { return newJSONPrinter(w) },
}

func formatNames() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (c *Command) newLint() *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:   "lint [flags] PATH...",
		Short: "Check request files (.json, .jsonl, .ndjson, directories, - for stdin)",
		Long: `Check request files: a .json file holds one request body, optionally with a
top-level "model" member; .jsonl and .ndjson files hold one request per line;
directories are searched recursively, skipping hidden directories,
node_modules/, vendor/ and what git ignores; - reads standard input.
--force-exclude applies that selection to paths given explicitly too.

Exit codes: 0 no error findings, 1 error findings (or warnings with
--fail-level warning), 2 usage error, 3 internal failure.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("lint needs at least one path (use - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runLint(cmd, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model ID for every request (overrides a \"model\" member)")
	fl.StringVarP(&f.format, "format", "f", "text", "output format: "+strings.Join(formatNames(), ", "))
	fl.StringVar(&f.stdinFilename, "stdin-filename", "<stdin>", "name for standard input in findings")
	fl.StringVar(&f.failLevel, "fail-level", "error", "lowest severity that fails the run: error or warning")
	fl.StringVar(&f.color, "color", "auto", "color text output: auto, always or never (NO_COLOR turns auto off)")
	fl.BoolVar(&f.offline, "offline", false, "make no network requests (URL syntax is still checked)")
	fl.IntVarP(&f.workers, "jobs", "j", 0, "files (or batches of JSONL lines) checked at once (0: four per CPU)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "also write FORMAT to PATH, as FORMAT=PATH (repeatable; PATH - is standard output)")
	fl.BoolVar(&f.fixes.fix, "fix", false, "rewrite files in place where the fix cannot change the request's meaning (see README \"Fixing requests\")")
	fl.BoolVar(&f.fixes.dryRun, "dry-run", false, "with --fix: print the fixes as a unified diff and change nothing")
	f.network.register(fl)
	f.cfg.register(fl)
	f.ux.register(fl)
	return cmd
}

// summary counts what a run saw, for every output format.
type summary struct {
	Files    int `json:"files"`
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Unverified counts media URLs whose network check could not be made.
	Unverified int `json:"unverified"`
}

// printer writes findings in one format as they arrive, file by file.
type printer interface {
	file(res runner.Result) error
	finish(s summary) error
}

func (c *Command) runLint(cmd *cobra.Command, f *lintFlags, args []string) error {
	outputs, err := c.resolveOutputs(cmd, f)
	if err != nil {
		return err
	}
	if f.failLevel != "error" && f.failLevel != "warning" {
		return usagef("unknown --fail-level %q (want error or warning)", f.failLevel)
	}
	if f.ux.maxPerRule < 0 {
		return usagef("--max-findings-per-rule must be 0 (no cap) or more")
	}
	if f.color != "auto" && f.color != "always" && f.color != "never" {
		return usagef("unknown --color %q (want auto, always or never)", f.color)
	}
	if err := checkFixFlags(f, args); err != nil {
		return err
	}
	stage, err := c.newStage(cmd, f) // config and baseline; network: settings under the flags
	if err != nil {
		return err
	}
	if err := f.network.validate(); err != nil {
		return err
	}
	if f.model != "" {
		cat := stage.catalog()
		_, known := cat.Model(f.model)
		if _, alias := cat.Alias(f.model); !known && !alias {
			return usagef("unknown --model %q%s (see preflight models)", f.model, suggest.DidYouMean(f.model, stage.catalog().IDs()))
		}
	}
	stdin, err := c.setupUX(f, stage, args)
	if err != nil {
		return err
	}
	files, err := f.selection(stage.cfg).Expand(cmd.Context(), args)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, runner.ErrNoFiles) {
			return usageError{err}
		}
		return err
	}
	out := bufio.NewWriterSize(c.Stdout, 64<<10)
	var fixed fixResult
	if f.fixes.fix {
		// Fix first, then lint what the files now hold: the findings and
		// the exit code are what remains.
		if fixed, err = c.fixFiles(cmd.Context(), f, stage, files, out); err != nil {
			return err
		}
	}
	p, err := c.openOutputs(outputs, out, f)
	if err != nil {
		return err
	}
	defer p.close()
	v := &validate.Validator{AllowHosts: f.network.allowHosts, Catalog: stage.catalog(), MaxFindingsPerRule: f.ux.perRule()}
	var nr *netRun
	if !f.offline {
		var progress io.Writer
		if c.IsTerminal(c.Stderr) && f.format != "json" && !f.ux.quiet {
			progress = c.Stderr // a TTY only: nothing reaches a pipe
		}
		nr = f.network.checker(c.Getenv, progress)
		v.Network, v.NetworkDeadline = nr.checker, nr.deadline
	}
	r := runner.Runner{Validator: v, Model: f.model, Workers: f.workers, MaxBytes: f.cfg.maxBytes}
	if v.Network != nil {
		// Each request waits on its URLs: keep enough of them in flight,
		// one line per unit, that the checker's own pool stays busy.
		if f.workers == 0 {
			r.Workers = max(4*runtime.NumCPU(), 2*f.network.concurrency)
		}
		r.BatchLines = 1
		r.OnInputRead = nr.progress.inputRead
		nr.checker.OnExpect = runner.URLsHanded // the total is final only once every URL is known
	}
	var sum summary
	var failures []error
	err = r.Run(cmd.Context(), files, stdin, f.stdinFilename, func(res runner.Result) error {
		res = stage.file(res)
		if !res.Partial {
			sum.Files++ // a large JSONL file arrives in chunks
		}
		sum.Requests += res.Requests
		sum.Unverified += res.Unverified
		if res.Err != nil {
			failures = append(failures, res.Err)
		}
		for _, fd := range res.Findings {
			// A closing finding of --max-findings-per-rule counts for
			// those it stands for.
			if fd.Severity == validate.SeverityError {
				sum.Errors += fd.Count()
			} else {
				sum.Warnings += fd.Count()
			}
		}
		return p.file(res)
	})
	nr.done(c.Stderr) // erase the progress line before the summary
	if err == nil {
		err = p.finish(sum)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if f.fixes.fix {
		fmt.Fprintln(c.Stderr, fixSummary(fixed, f.fixes.dryRun))
	}
	expectFailed, err := stage.finish(c)
	if err != nil {
		return err
	}
	if len(failures) > 0 {
		for _, e := range failures {
			fmt.Fprintf(c.Stderr, "preflight: %s\n", printableLine(e.Error()))
		}
		return exitError{ExitFailure}
	}
	if f.cfg.baselineWrite != "" {
		return nil // recording a baseline accepts what it records
	}
	if expectFailed || sum.Errors > 0 || (f.failLevel == "warning" && sum.Warnings > 0) {
		return exitError{ExitFindings}
	}
	if f.ux.tooManyWarnings(sum.Warnings) {
		fmt.Fprintln(c.Stderr, maxWarningsNote(sum.Warnings, f.ux.maxWarnings))
		return exitError{ExitFindings}
	}
	return nil
}

// useColor decides color for text output: never without a terminal or
// with NO_COLOR set, as no-color.org asks.
func (c *Command) useColor(mode string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if c.Getenv("NO_COLOR") != "" || c.Getenv("TERM") == "dumb" {
		return false
	}
	return c.IsTerminal(c.Stdout)
}
