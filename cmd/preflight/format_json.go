package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/preflight-dev/preflight/internal/runner"
)

// jsonPrinter streams one JSON object:
//
//	{"version":1,"findings":[...],"summary":{...}}
//
// findings are written as files finish, so a million-line batch is never
// held in memory; the array is always present, [] when empty.
type jsonPrinter struct {
	w     io.Writer
	n     int
	begun bool
	buf   []byte // one finding's JSON, reused
}

func newJSONPrinter(w io.Writer) *jsonPrinter {
	return &jsonPrinter{w: w}
}

func (p *jsonPrinter) begin() error {
	if p.begun {
		return nil
	}
	p.begun = true
	_, err := io.WriteString(p.w, `{"version":1,"findings":[`)
	return err
}

func (p *jsonPrinter) file(res runner.Result) error {
	if err := p.begin(); err != nil {
		return err
	}
	for _, f := range res.Findings {
		f.Message, f.Fix = clipText(f.Message, maxNameBytes), clipText(f.Fix, maxNameBytes)
		p.buf = appendFinding(p.buf[:0], &f)
		if err := writeRaw(p.w, &p.n, escapeJSONControls(p.buf)); err != nil {
			return fmt.Errorf("write finding: %w", err)
		}
	}
	return nil
}

// writeElement streams v as the next element of a JSON array already
// opened on w, one element per line; n counts the elements written. The
// JSON and SARIF printers share it so neither holds a run's findings.
func writeElement(w io.Writer, n *int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeRaw(w, n, escapeJSONControls(b))
}

// writeRaw is writeElement for an element already encoded and escaped.
func writeRaw(w io.Writer, n *int, b []byte) error {
	sep := "\n"
	if *n > 0 {
		sep = ",\n"
	}
	if _, err := io.WriteString(w, sep); err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	*n++
	return nil
}

func (p *jsonPrinter) finish(s summary) error {
	if err := p.begin(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	nl := ""
	if p.n > 0 {
		nl = "\n"
	}
	_, err = fmt.Fprintf(p.w, "%s],\n\"summary\":%s}\n", nl, b)
	return err
}
