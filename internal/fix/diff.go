package fix

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// contextLines is how many unchanged lines surround a hunk, as in diff -u.
const contextLines = 3

// Diff writes a unified diff of a and b, labelled name, to w. Fixes never
// add or remove line breaks, so line i of a is line i of b and the diff is
// linear; texts whose line counts differ get one hunk of everything.
func Diff(w io.Writer, name string, a, b []byte) error {
	if bytes.Equal(a, b) {
		return nil
	}
	la, lb := splitLines(a), splitLines(b)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--- %s\n+++ %s\n", name, name)
	if len(la) != len(lb) {
		hunk(&buf, la, lb, 0, len(la), 0, len(lb))
		_, err := w.Write(buf.Bytes())
		return err
	}
	for i := 0; i < len(la); {
		if bytes.Equal(la[i], lb[i]) {
			i++
			continue
		}
		start := max(i-contextLines, 0)
		end := i
		// Extend over changes closer than two contexts apart.
		for j := i; j < len(la) && j < end+2*contextLines+1; j++ {
			if !bytes.Equal(la[j], lb[j]) {
				end = j + 1
			}
		}
		stop := min(end+contextLines, len(la))
		hunk(&buf, la, lb, start, stop, start, stop)
		i = stop
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// hunk writes lines a[as:ae] against b[bs:be]; with equal line counts it
// pairs them, else it removes all of a and adds all of b.
func hunk(buf *bytes.Buffer, a, b [][]byte, as, ae, bs, be int) {
	fmt.Fprintf(buf, "@@ -%s +%s @@\n", span(as, ae-as), span(bs, be-bs))
	if ae-as == be-bs {
		var minus, plus [][]byte
		flush := func() {
			for _, l := range minus {
				writeLine(buf, '-', l)
			}
			for _, l := range plus {
				writeLine(buf, '+', l)
			}
			minus, plus = minus[:0], plus[:0]
		}
		for i := 0; i < ae-as; i++ {
			if bytes.Equal(a[as+i], b[bs+i]) {
				flush()
				writeLine(buf, ' ', a[as+i])
				continue
			}
			minus, plus = append(minus, a[as+i]), append(plus, b[bs+i])
		}
		flush()
		return
	}
	for _, l := range a[as:ae] {
		writeLine(buf, '-', l)
	}
	for _, l := range b[bs:be] {
		writeLine(buf, '+', l)
	}
}

func span(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func writeLine(buf *bytes.Buffer, op byte, l []byte) {
	buf.WriteByte(op)
	writeEscaped(buf, l)
	if !bytes.HasSuffix(l, []byte("\n")) {
		buf.WriteString("\n\\ No newline at end of file\n")
	}
}

// splitLines splits after each '\n', keeping it (and a '\r' before it).
func splitLines(s []byte) [][]byte {
	var ls [][]byte
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\n')
		if i < 0 {
			ls = append(ls, s)
			break
		}
		ls = append(ls, s[:i+1])
		s = s[i+1:]
	}
	return ls
}

// writeEscaped writes a line of an untrusted file for a terminal: bytes
// that are not UTF-8 and control characters other than tab, CR and LF (an
// escape sequence would drive the terminal) become \xNN or \u00NN.
func writeEscaped(buf *bytes.Buffer, l []byte) {
	for len(l) > 0 {
		r, size := utf8.DecodeRune(l)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(buf, `\x%02x`, l[0])
		case r < 0x20 && r != '\t' && r != '\r' && r != '\n', r == 0x7f, r >= 0x80 && r < 0xa0:
			fmt.Fprintf(buf, `\u%04x`, r)
		default:
			buf.Write(l[:size])
		}
		l = l[size:]
	}
}
