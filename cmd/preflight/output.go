package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// outputSpec is one --output FORMAT=PATH; PATH "-" is standard output.
type outputSpec struct {
	format, path string
}

// resolveOutputs checks --format and --output before any work is done, and
// picks the github format when running in GitHub Actions without --format.
func (c *Command) resolveOutputs(cmd *cobra.Command, f *lintFlags) ([]outputSpec, error) {
	formatSet := cmd.Flags().Changed("format")
	if !formatSet && c.Getenv("GITHUB_ACTIONS") == "true" {
		f.format = "github"
	}
	if _, ok := formats[f.format]; !ok {
		return nil, usagef("unknown format %q (want %s)", f.format, strings.Join(formatNames(), ", "))
	}
	var specs []outputSpec
	toStdout := 0
	for _, o := range f.outputs {
		format, path, ok := strings.Cut(o, "=")
		if !ok || format == "" || path == "" {
			return nil, usagef("--output %q: want FORMAT=PATH (PATH - for standard output)", o)
		}
		if _, ok := formats[format]; !ok {
			return nil, usagef("--output %q: unknown format %q (want %s)", o, format, strings.Join(formatNames(), ", "))
		}
		if path == "-" {
			toStdout++
			if toStdout > 1 || (formatSet && format != f.format) {
				return nil, usagef("--output %q: only one format can go to standard output", o)
			}
		}
		specs = append(specs, outputSpec{format, path})
	}
	if toStdout == 0 {
		// --format writes to standard output unless an --output took it.
		specs = append([]outputSpec{{f.format, "-"}}, specs...)
	}
	return specs, nil
}

// openOutputs makes one printer per spec and returns them as one fan-out
// printer. stdout is the (buffered) standard output; files are created now,
// so a bad path fails before the checks run.
func (c *Command) openOutputs(specs []outputSpec, stdout io.Writer, f *lintFlags) (*fanOut, error) {
	fo := &fanOut{}
	for _, s := range specs {
		if s.path == "-" {
			var p printer
			if f.ux.statistics {
				p = newStatsPrinter(stdout, f.ux.quiet)
			} else {
				p = formats[s.format](stdout, c, f)
			}
			fo.targets = append(fo.targets, target{p: p})
			continue
		}
		// An output file that cannot be created is an I/O failure (exit 3),
		// not a misuse of the command line.
		file, err := os.Create(s.path)
		if err != nil {
			fo.close()
			return nil, fmt.Errorf("--output %s=%s: %w", s.format, s.path, err)
		}
		buf := bufio.NewWriterSize(file, 64<<10)
		ff := *f
		ff.color = "never" // no escape codes in files
		fo.targets = append(fo.targets, target{p: formats[s.format](buf, c, &ff), buf: buf, file: file})
	}
	return fo, nil
}

// fanOut forwards every file and the summary to several printers, so one
// run (and its network checks) feeds every output format.
type fanOut struct {
	targets []target
}

type target struct {
	p    printer
	buf  *bufio.Writer // nil for standard output, which the caller flushes
	file *os.File
}

// file cleans the findings' strings for output (sanitize.go) and forwards
// them. res.File stays as given, for the printers that read the source.
func (fo *fanOut) file(res runner.Result) error {
	if len(res.Findings) > 0 {
		clean := make([]validate.Finding, len(res.Findings))
		for i, f := range res.Findings {
			clean[i] = cleanFinding(f)
		}
		res.Findings = clean
	}
	for _, t := range fo.targets {
		if err := t.p.file(res); err != nil {
			return err
		}
	}
	return nil
}

// finish ends every output and closes the files, reporting the first error.
func (fo *fanOut) finish(s summary) error {
	var errs []error
	for i := range fo.targets {
		t := &fo.targets[i]
		errs = append(errs, t.p.finish(s))
		if t.buf != nil {
			errs = append(errs, t.buf.Flush())
		}
		if t.file != nil {
			errs = append(errs, t.file.Close())
			t.file = nil
		}
	}
	return errors.Join(errs...)
}

// close closes files finish did not reach (after an error).
func (fo *fanOut) close() {
	for i := range fo.targets {
		if f := fo.targets[i].file; f != nil {
			f.Close()
			fo.targets[i].file = nil
		}
	}
}

// pathBase is the directory output paths are relative to: $GITHUB_WORKSPACE
// in GitHub Actions (the repository root there), else the working directory.
func (c *Command) pathBase() string {
	if ws := c.Getenv("GITHUB_WORKSPACE"); ws != "" {
		return ws
	}
	wd, _ := os.Getwd()
	return wd
}

// relPath makes file relative to base with forward slashes, for SARIF and
// GitHub annotations. Files outside base, and names that are no paths
// (<stdin>), are kept as given, with forward slashes.
func relPath(base, file string) string {
	p := file
	if base != "" && file != "" {
		abs, err := filepath.Abs(file)
		if err == nil {
			if r, err := filepath.Rel(base, abs); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				p = r
			}
		}
	}
	p = filepath.ToSlash(p)
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	return p
}
