package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/preflight-dev/preflight/validate"
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

func (p *jsonPrinter) file(res validate.FileResult) error {
	if err := p.begin(); err != nil {
		return err
	}
	for _, f := range res.Findings {
		sep := "\n"
		if p.n > 0 {
			sep = ",\n"
		}
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("encode finding: %w", err)
		}
		if _, err := io.WriteString(p.w, sep); err != nil {
			return err
		}
		if _, err := p.w.Write(b); err != nil {
			return err
		}
		p.n++
	}
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
