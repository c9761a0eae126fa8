package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/internal/digits"
	"github.com/preflight-dev/preflight/internal/fiximage"
	"github.com/preflight-dev/preflight/internal/suggest"
)

// maxInputBytes bounds what fix-image reads from a file, standard input or
// a URL: far above any model's limit (the largest is 20 MB), far below
// what would exhaust memory.
const maxInputBytes = 256 << 20

// fixImageFlags are the flags of `preflight fix-image`.
type fixImageFlags struct {
	output    string
	model     string
	field     string
	format    string
	report    string
	maxBytes  int64
	maxPixels int64
	network   networkFlags
}

func (c *Command) newFixImage() *cobra.Command {
	var f fixImageFlags
	cmd := &cobra.Command{
		Use:   "fix-image [flags] IN -o OUT",
		Short: "Rewrite an image so that a model accepts it",
		Long: `Rewrite an image (a file, - for standard input, or an http(s) URL) as JPEG or
PNG that the model's image field accepts: upright (EXIF orientation applied),
within its pixel bounds (keeping the aspect ratio), without transparency where
the model refuses alpha (flattened onto white), and under its byte limit (10 MB
unless the model says otherwise, or --max-bytes). It searches JPEG quality
first, then size (Lanczos), for the least loss; an image that already passes is
copied unchanged. The output is checked with the same image checks as lint
before success is reported. Reads JPEG, PNG, WebP, GIF (first frame), BMP and
TIFF; images above --max-pixels are refused before they are decoded.

URLs are fetched by lint's network checker, under the same flags: only public
addresses unless --allow-host names the host, through --proxy or the proxy
environment, within --timeout and --network-deadline.

Exit codes: 0 written and passing, 1 no passing image could be made,
2 usage error, 3 input or output failed.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("fix-image needs exactly one input (a file, - or a URL), got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runFixImage(cmd.Context(), args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the fixed image to `OUT` (- for standard output); required")
	fl.StringVar(&f.model, "model", "", "model ID whose image field the output must pass (default: the API's general image limits)")
	fl.StringVar(&f.field, "field", "image_urls", "the model's URL field the image is for (mask_url, ...)")
	fl.StringVar(&f.format, "format", "", "output image format: jpeg or png (default: PNG for lossless input, JPEG for lossy input or when PNG does not fit)")
	fl.StringVar(&f.report, "report", "text", "report format: text or json")
	fl.Int64Var(&f.maxBytes, "max-bytes", 0, "largest output in bytes (0: the model's limit, or 10,000,000); never above the model's limit")
	fl.Int64Var(&f.maxPixels, "max-pixels", fiximage.DefaultMaxPixels, "largest input width×height decoded; larger images are refused from their header")
	// lint's network flags, so the same guard applies; those about many
	// URLs and the cache are accepted (scripts may pass them to both) but
	// hidden, since one fetch uses none of them.
	f.network.register(fl)
	for _, name := range []string{"network", "concurrency", "per-host", "cache", "no-cache", "cache-ttl"} {
		_ = fl.MarkHidden(name) // the names are registered just above
	}
	return cmd
}

// fixReport is the --report json document.
type fixReport struct {
	Input  string `json:"input"`
	Output string `json:"output"`
	Model  string `json:"model,omitempty"`
	Field  string `json:"field,omitempty"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	*fiximage.Result
}

func (c *Command) runFixImage(ctx context.Context, in string, f *fixImageFlags) error {
	switch {
	case f.output == "":
		return usagef("fix-image needs -o OUT (- for standard output)")
	case f.format != "" && f.format != "jpeg" && f.format != "png":
		return usagef("unknown --format %q (want jpeg or png; the report format is --report)", f.format)
	case f.report != "text" && f.report != "json":
		return usagef("unknown --report %q (want text or json)", f.report)
	case f.maxBytes < 0 || f.maxPixels < 0:
		return usagef("--max-bytes and --max-pixels must not be negative")
	}
	if err := f.network.validate(); err != nil {
		return err
	}
	opt := fiximage.Options{Format: f.format, MaxBytes: f.maxBytes, MaxPixels: f.maxPixels}
	rep := fixReport{Input: in, Output: f.output}
	if f.model != "" {
		id, spec, ratios, err := fixTarget(f.model, f.field)
		if err != nil {
			return err
		}
		opt.Spec, opt.AspectRatios = spec, ratios
		rep.Model, rep.Field = id, f.field
	}

	data, err := c.readImage(ctx, in, &f.network)
	if err != nil {
		return err
	}
	out, res, err := fiximage.Fix(ctx, data, opt)
	rep.Result = res
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		rep.Error = err.Error()
		if perr := c.printFix(rep, f.report); perr != nil {
			return perr
		}
		if f.report == "text" {
			fmt.Fprintf(c.Stderr, "preflight: fix-image: %s\n", printable(err.Error()))
		}
		return exitError{ExitFindings}
	}
	if err := c.writeImage(f.output, out); err != nil {
		return err
	}
	rep.OK = true
	return c.printFix(rep, f.report)
}

// fixTarget reads from the catalog what a model's URL field accepts and the
// model's aspect_ratio values: the command's one catalog lookup. It
// resolves aliases to the canonical ID.
func fixTarget(model, field string) (string, imagecheck.Spec, []string, error) {
	cat := catalog.Embedded()
	m, ok := cat.Model(model)
	if !ok {
		if a, found := cat.Alias(model); found {
			m, ok = cat.Model(a.Model)
		}
	}
	if !ok {
		msg := fmt.Sprintf("unknown model %q", model)
		if s := suggest.Nearest(model, cat.IDs()); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return "", imagecheck.Spec{}, nil, usagef("%s (see preflight models)", msg)
	}
	cs := m.Plan().CaseFor(nil)
	var fs catalog.FieldSpec
	f := cs.Field(m, field)
	ok = f != nil
	if ok {
		fs = f.FieldSpec
		if f.Items != nil {
			fs = f.Items.FieldSpec
		}
	}
	if !ok || fs.Type != "url" || (fs.Media != "" && fs.Media != "image" && fs.Media != "mask") {
		return "", imagecheck.Spec{}, nil, usagef("model %s has no image field %q", m.ID, field)
	}
	spec := imagecheck.Spec{Media: fs.Media, Formats: fs.Formats}
	if fs.MaxFileBytes != nil {
		spec.MaxFileBytes = *fs.MaxFileBytes
	}
	if fs.MinPixels != nil {
		spec.MinPixels = *fs.MinPixels
	}
	if fs.MaxPixels != nil {
		spec.MaxPixels = *fs.MaxPixels
	}
	if fs.NoAlpha != nil {
		spec.NoAlpha = *fs.NoAlpha
	}
	var ratios []string
	if ar := cs.Field(m, "aspect_ratio"); ar != nil {
		for _, v := range ar.Enum {
			if s, ok := v.(string); ok {
				ratios = append(ratios, s)
			}
		}
	}
	return m.ID, spec, ratios, nil
}

// readImage reads IN: standard input, an http(s) URL through imagecheck's
// guarded fetcher, or a file; never more than maxInputBytes.
func (c *Command) readImage(ctx context.Context, in string, nf *networkFlags) ([]byte, error) {
	if lower := strings.ToLower(in); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		// lint's checker, so the address guard, --allow-host, the proxy
		// settings and the timeouts are the same; only its cache and
		// progress go unused.
		nr := nf.checker(c.Getenv, nil)
		if nf.deadline > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, nf.deadline)
			defer cancel()
		}
		return nr.checker.Fetch(ctx, in, maxInputBytes)
	}
	var r io.Reader = c.Stdin
	name := "standard input"
	if in != "-" {
		fh, err := os.Open(in)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		if st, err := fh.Stat(); err == nil && !st.Mode().IsRegular() {
			return nil, fmt.Errorf("read %s: not a regular file", printable(in))
		}
		r, name = fh, printable(in)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxInputBytes {
		return nil, fmt.Errorf("read %s: larger than %d MiB", name, maxInputBytes>>20)
	}
	return b, nil
}

// writeImage writes OUT whole or not at all: a temporary file in the same
// directory renamed over it, so a failure never leaves half an image.
func (c *Command) writeImage(path string, b []byte) error {
	if path == "-" {
		_, err := c.Stdout.Write(b)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", printable(path), err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", printable(path), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", printable(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", printable(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", printable(path), err)
	}
	return nil
}

// printFix prints the report: to standard error when the image itself goes
// to standard output.
func (c *Command) printFix(rep fixReport, format string) error {
	w := c.Stdout
	if rep.Output == "-" {
		w = c.Stderr
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	res := rep.Result
	if res == nil {
		return nil
	}
	var b strings.Builder
	target := "the API's general image limits"
	if rep.Model != "" {
		target = rep.Model + " " + rep.Field
	}
	fmt.Fprintf(&b, "%s: for %s, at most %s bytes\n", printable(rep.Input), target, digits.Commas(res.Limit))
	if res.Before.Format != "" {
		fmt.Fprintf(&b, "  before: %s\n", res.Before)
	}
	for _, a := range res.Actions {
		fmt.Fprintf(&b, "  - %s\n", a)
	}
	if rep.OK && res.After != nil {
		fmt.Fprintf(&b, "  after:  %s -> %s\n", res.After, printable(rep.Output))
	}
	if r := res.Ratio; r != nil {
		switch {
		case r.Match != "":
			fmt.Fprintf(&b, "  aspect_ratio: the image is %s, as %s allows\n", r.Image, rep.Model)
		case r.Nearest != "":
			fmt.Fprintf(&b, "  aspect_ratio: the image is %s, which %s does not offer; nearest allowed: %q\n", r.Image, rep.Model, r.Nearest)
		}
	}
	for _, p := range res.Problems {
		fmt.Fprintf(&b, "  %s: %s: %s\n", p.Severity, p.Rule, p.Message)
	}
	if rep.OK {
		b.WriteString("  checks: passed\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printable quotes a name that holds control or format characters, so a
// file or URL name cannot move the terminal's cursor or colour its output.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
