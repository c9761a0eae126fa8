package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// junitPrinter writes JUnit XML, which GitLab (artifacts:reports:junit),
// Jenkins (junit step) and Azure Pipelines (PublishTestResults) show as
// test results: one <testsuite> per file, one <testcase> per request (a
// .json file is one request; a JSONL line is one), and one <failure> per
// error finding of that request. Warnings go to the test case's
// <system-out>, so they are visible without failing it.
//
// A testsuite is written when its file is complete, so memory holds one
// file's findings, not the run's.
type junitPrinter struct {
	w     io.Writer
	src   *frameSource // reads JSONL files for the lines of passing requests
	cur   string
	res   []validate.Finding
	reqs  int
	begun bool
}

func init() {
	formats["junit"] = func(w io.Writer, _ *Command, f *lintFlags) printer {
		src := &frameSource{} // its own reader: the text printer's stays where it is
		if f.ux.src != nil {
			src.stdinName, src.stdin = f.ux.src.stdinName, f.ux.src.stdin
		}
		return &junitPrinter{w: w, src: src}
	}
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	File      string         `xml:"file,attr,omitempty"`
	Line      int            `xml:"line,attr,omitempty"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (p *junitPrinter) begin() error {
	if p.begun {
		return nil
	}
	p.begun = true
	_, err := io.WriteString(p.w, xml.Header+`<testsuites name="preflight">`+"\n")
	return err
}

func (p *junitPrinter) file(res runner.Result) error {
	if err := p.begin(); err != nil {
		return err
	}
	if res.File != p.cur {
		if err := p.flush(); err != nil {
			return err
		}
		p.cur = res.File
	}
	p.res = append(p.res, res.Findings...)
	p.reqs += res.Requests
	if res.Partial {
		return nil
	}
	return p.flush()
}

// flush writes the testsuite of the current file.
func (p *junitPrinter) flush() error {
	if p.cur == "" && len(p.res) == 0 && p.reqs == 0 {
		return nil
	}
	suite := p.suite(p.cur, p.res, p.reqs)
	p.cur, p.res, p.reqs = "", nil, 0
	b, err := xml.MarshalIndent(suite, "  ", "  ")
	if err != nil {
		return fmt.Errorf("encode JUnit testsuite: %w", err)
	}
	_, err = fmt.Fprintf(p.w, "%s\n", b)
	return err
}

func (p *junitPrinter) suite(file string, findings []validate.Finding, requests int) junitSuite {
	name := printableName(file)
	s := junitSuite{Name: name}
	if !isLinesFile(file) {
		// One request: one test case, whatever the lines of its findings.
		c := junitCase{Name: name, Classname: "preflight", File: name}
		for _, f := range findings {
			addFinding(&c, f)
		}
		s.Cases = []junitCase{c}
	} else {
		byLine := map[int][]validate.Finding{}
		for _, f := range findings {
			byLine[f.Line] = append(byLine[f.Line], f)
		}
		lines := p.requestLines(file)
		if len(lines) != requests {
			// The file is gone or changed, or is standard input beyond
			// what was kept: name the requests with findings by line.
			lines = lines[:0]
			for l := range byLine {
				lines = append(lines, l)
			}
			slices.Sort(lines)
		}
		for _, l := range lines {
			c := junitCase{Name: name + ":" + strconv.Itoa(l), Classname: "preflight." + name, File: name, Line: l}
			for _, f := range byLine[l] {
				addFinding(&c, f)
			}
			s.Cases = append(s.Cases, c)
		}
	}
	for _, c := range s.Cases {
		if len(c.Failures) > 0 {
			s.Failures++
		}
	}
	s.Tests = len(s.Cases)
	return s
}

// addFinding adds an error finding as a failure and a warning as output.
func addFinding(c *junitCase, f validate.Finding) {
	if c.Line == 0 && f.Line > 0 {
		c.Line = f.Line
	}
	text := fmt.Sprintf("%s %s: %s [%s]\n%s", position(f), f.Severity, f.Message, f.Rule, fixText(f))
	if f.Severity == validate.SeverityError {
		c.Failures = append(c.Failures, junitFailure{Message: f.Message + " [" + f.Rule + "]", Type: f.Rule, Text: text})
		return
	}
	c.SystemOut += text + "\n"
}

// fixText is the predicted failure and the fix, worded as the text format
// words them.
func fixText(f validate.Finding) string {
	return strings.TrimSpace((&textPrinter{}).fixLine(f))
}

// requestLines returns the lines of file holding a request (non-blank
// lines), read once from the file as the linter read it.
func (p *junitPrinter) requestLines(file string) []int {
	p.src.open(file)
	defer p.src.close()
	if p.src.r == nil {
		return nil
	}
	var lines []int
	br := p.src.r
	for n := 1; ; n++ {
		text, err := readLine(br, 4096)
		if strings.TrimSpace(text) != "" {
			lines = append(lines, n)
		}
		if err != nil {
			return lines
		}
	}
}

func (p *junitPrinter) finish(summary) error {
	if err := p.begin(); err != nil {
		return err
	}
	if err := p.flush(); err != nil {
		return err
	}
	_, err := io.WriteString(p.w, "</testsuites>\n")
	return err
}
