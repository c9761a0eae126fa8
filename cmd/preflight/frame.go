package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Code frames: the source line of a finding with the fault underlined, as
// rustc, ruff and actionlint print them:
//
//	5 |   "prompt": "ab",
//	  |             ^^^^
//
// Columns are code points (validate's unit); the underline is placed in
// display cells, so CJK and emoji before the column (two cells each) and
// combining marks (none) keep it under the right character. A line wider
// than frameWidth cells is shown as a window around the column, cut with
// "…" on either side.
const (
	frameWidth = 100 // cells of source shown at most
	// maxFrameLine is the most of one line kept to draw a frame; a fault
	// further right gets no frame (its file:line:col still says where).
	maxFrameLine = 1 << 20
	// maxStdinKeep is the most of standard input kept for frames.
	maxStdinKeep = 16 << 20
)

// frame renders the frame for a finding at col (1-based code points) on
// line, underlining up to endCol (exclusive; 0: the token at col). The
// gutter holds lineNo. paint colors the underline. It returns "" when col
// lies beyond the text kept of the line.
func frame(lineNo int, line string, col, endCol int, paint func(string) string) string {
	line = strings.TrimSuffix(line, "\r")
	runes := []rune(line)
	start := col - 1
	if start < 0 || start > len(runes) {
		return ""
	}
	end := endCol - 1
	if endCol <= 0 || end <= start {
		end = tokenEnd(runes, start)
	}
	end = min(end, len(runes))
	if end <= start {
		end = start + 1 // a caret past the end of the line: truncated input
	}

	// Cells of rune i as shown: escapes are wider than one cell, a rune
	// after a ZWJ joins the glyph before it, and a caret past the end
	// needs one. Computed on the way, so a 1 MiB line costs no table.
	cells := func(i int) int {
		switch {
		case i >= len(runes):
			return 1
		case i > 0 && runes[i-1] == 0x200d:
			return 0
		}
		return runeCells(runes[i])
	}
	fits := true
	for i, w := 0, 0; i < len(runes); i++ {
		if w += cells(i); w > frameWidth {
			fits = false
			break
		}
	}
	lo, hi := 0, len(runes)
	if !fits {
		// Put the start of the fault a third of the way into the window.
		lo = start
		for w := 0; lo > 0 && w+cells(lo-1) <= frameWidth/3; lo-- {
			w += cells(lo - 1)
		}
		hi = lo
		for w := 0; hi < len(runes) && w+cells(hi) <= frameWidth; hi++ {
			w += cells(hi)
		}
	}
	var src, mark strings.Builder
	if lo > 0 {
		src.WriteString("…")
		mark.WriteString(" ")
	}
	for i := lo; i < hi; i++ {
		writeCell(&src, runes[i])
		pad := " "
		if i >= start && i < end {
			pad = "^"
		}
		mark.WriteString(strings.Repeat(pad, cells(i)))
	}
	if hi < len(runes) {
		src.WriteString("…")
	}
	if start >= hi {
		mark.WriteString("^") // past the end of the line
	}
	num := strconv.Itoa(lineNo)
	gutter := strings.Repeat(" ", len(num))
	return "  " + num + " | " + src.String() + "\n" +
		"  " + gutter + " | " + paint(strings.TrimRight(mark.String(), " ")) + "\n"
}

// writeCell writes r as the frame shows it: escaped when it is a control
// (see sanitize.go), else as is.
func writeCell(b *strings.Builder, r rune) {
	if r == '\t' {
		b.WriteString(" ") // a tab is one cell in the frame, not a jump
		return
	}
	writeEscaped(b, r)
}

// runeCells is the number of terminal cells r takes in a frame.
func runeCells(r rune) int {
	if r == '\t' {
		return 1
	}
	if w := escapedWidth(r); w > 0 {
		return w
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || r == 0x200d {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// tokenEnd is the end (exclusive) of the JSON token starting at i: a
// string with its quotes, a number, a literal, or one character.
func tokenEnd(rs []rune, i int) int {
	if i >= len(rs) {
		return i + 1
	}
	switch r := rs[i]; {
	case r == '"':
		for j := i + 1; j < len(rs); j++ {
			switch rs[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(rs)
	case r == '-' || r >= '0' && r <= '9':
		j := i + 1
		for j < len(rs) && strings.ContainsRune("0123456789.eE+-", rs[j]) {
			j++
		}
		return j
	case r >= 'a' && r <= 'z':
		j := i + 1
		for j < len(rs) && rs[j] >= 'a' && rs[j] <= 'z' {
			j++
		}
		return j
	}
	return i + 1
}

// frameSource reads the lines frames need. Files arrive in order and a
// large JSONL file in chunks whose lines only grow, so it keeps the
// current file open and reads each file once, whatever the number of
// findings. Only regular files are opened (never a FIFO or a device), and
// each line is kept up to maxFrameLine bytes.
type frameSource struct {
	stdinName string        // the name standard input has in findings
	stdin     *bytes.Buffer // standard input as read, nil if not read

	name string
	file *os.File
	r    *bufio.Reader
	line int // lines consumed from r
}

// lines returns the text of the wanted lines (ascending, 1-based) of file;
// lines that cannot be read are missing from the map.
func (s *frameSource) lines(file string, want []int) map[int]string {
	if len(want) == 0 {
		return nil
	}
	if s.name != file || s.r == nil || want[0] <= s.line {
		s.open(file)
	}
	if s.r == nil {
		return nil
	}
	out := make(map[int]string, len(want))
	for _, n := range want {
		for s.line < n {
			text, err := readLine(s.r, maxFrameLine)
			s.line++
			if s.line == n && (err == nil || len(text) > 0) {
				out[n] = text
			}
			if err != nil {
				s.close()
				return out
			}
		}
	}
	return out
}

func (s *frameSource) open(file string) {
	s.close()
	s.name = file
	if file == s.stdinName && s.stdin != nil {
		s.r = bufio.NewReader(bytes.NewReader(s.stdin.Bytes()))
		return
	}
	st, err := os.Stat(file)
	if err != nil || !st.Mode().IsRegular() {
		return
	}
	f, err := os.Open(file)
	if err != nil {
		return
	}
	s.file, s.r = f, bufio.NewReaderSize(f, 64<<10)
}

func (s *frameSource) close() {
	if s.file != nil {
		s.file.Close()
	}
	s.file, s.r, s.line = nil, nil, 0
}

// readLine reads one line without its newline, keeping at most limit
// bytes of it.
func readLine(r *bufio.Reader, limit int) (string, error) {
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if room := limit - len(b); room > 0 {
			b = append(b, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			b = bytes.TrimSuffix(b, []byte("\n"))
		}
		return string(b), err
	}
}

// keepStdin wraps standard input so what the linter reads of it, up to
// maxStdinKeep bytes, stays available to frames.
func keepStdin(r io.Reader, s *frameSource) io.Reader {
	s.stdin = &bytes.Buffer{}
	return io.TeeReader(r, &limitWriter{w: s.stdin, n: maxStdinKeep})
}

// limitWriter keeps the first n bytes written and drops the rest, without
// failing the writer it tees from.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
