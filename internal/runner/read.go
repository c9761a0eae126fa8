package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/preflight-dev/preflight/validate"
)

// DefaultMaxBytes is the default largest request (file or JSONL line)
// read: 1 MiB. See README "What preflight promises".
const DefaultMaxBytes = 1 << 20

// Rule IDs of what the runner refuses to read.
const (
	RuleTooLarge   = "request-too-large"
	RuleNotRegular = "file-not-regular"
)

// IsRequestFile reports whether a path has a request file extension.
func IsRequestFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".jsonl", ".ndjson":
		return true
	}
	return false
}

// isLines reports whether a file holds one request per line.
func isLines(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return true
	}
	return false
}

// refusal is a reason not to read a file, reported as a finding.
type refusal struct {
	rule, msg string
}

// openRegular opens path only if it is a regular file (after following
// symlinks): a FIFO would block, a device or socket may never end.
func openRegular(path string) (*os.File, *refusal, error) {
	f, _, ref, err := openRegularSize(path)
	return f, ref, err
}

// openRegularSize is openRegular that also returns the file's size at open.
func openRegularSize(path string) (*os.File, int64, *refusal, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, nil, err
	}
	if r := notRegular(st.Mode()); r != nil {
		return nil, 0, r, nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, 0, nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	if r := notRegular(st.Mode()); r != nil { // swapped after the first Stat
		f.Close()
		return nil, 0, r, nil
	}
	return f, st.Size(), nil, nil
}

func notRegular(m fs.FileMode) *refusal {
	if m.IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return &refusal{RuleNotRegular, "is " + kind + ", not a regular file; it was not read (use - to read standard input)"}
}

// readBounded reads all of r up to max bytes. A longer input is not read
// past max+1 bytes: it returns ok false.
func readBounded(r io.Reader, max int64) (body []byte, ok bool, err error) {
	return readSized(r, max, 0)
}

// readSized is readBounded for an input of about size bytes (a regular
// file's size at open): the buffer is allocated once, at that size plus
// the byte that shows the end, instead of grown from 512 bytes. size is
// only a hint: a file that grew or shrank since is read as it is now.
func readSized(r io.Reader, limit, size int64) (body []byte, ok bool, err error) {
	body = make([]byte, 0, min(limit, max(size, 511))+1)
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)] // grow
		}
		n, rerr := lr.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, false, rerr
		}
	}
	if int64(len(body)) > limit {
		return nil, false, nil
	}
	return body, true, nil
}

func tooLarge(max int64, what string) *refusal {
	return &refusal{RuleTooLarge, fmt.Sprintf("%s is larger than %d bytes (--max-request-bytes); it was not checked", what, max)}
}

// finding turns a refusal into a finding at the start of the file, or of
// the refused JSONL line.
func (r *refusal) finding(file string, line int) validate.Finding {
	f := validate.Finding{File: file, Line: max(line, 1), Column: 1, Rule: r.rule, Severity: validate.SeverityError, Message: r.msg}
	for _, rule := range validate.Rules() {
		if rule.ID == r.rule {
			f.Fix, f.Source = rule.Fix, rule.Source
		}
	}
	return f
}

// lineReader yields the non-blank lines of a JSONL stream, each at most
// max bytes. A longer line ends the stream with a too-large refusal: the
// rest of that line could be endless (stdin from /dev/zero), so it is not
// skipped but the file's remaining lines go unchecked.
type lineReader struct {
	br   *bufio.Reader
	max  int64
	line int
	buf  []byte
	// arena holds the lines returned, back to back: one allocation per
	// arenaSize of input instead of one per line. An arena is never
	// reused; it is freed when the last line in it is.
	arena []byte
}

// arenaSize is the size of an arena of lines; a longer line gets its own.
const arenaSize = 64 << 10

// keep returns a copy of b that outlives the reader's buffers.
func (lr *lineReader) keep(b []byte) []byte {
	if len(b) > cap(lr.arena)-len(lr.arena) {
		if len(b) > arenaSize/4 {
			return bytes.Clone(b)
		}
		lr.arena = make([]byte, 0, arenaSize)
	}
	n := len(lr.arena)
	lr.arena = append(lr.arena, b...)
	return lr.arena[n:len(lr.arena):len(lr.arena)]
}

func newLineReader(r io.Reader, max int64) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next non-blank line (a fresh copy) and its 1-based
// number; at the end, io.EOF. A line over the limit returns a refusal.
func (lr *lineReader) next() (line int, body []byte, ref *refusal, err error) {
	for {
		lr.buf = lr.buf[:0]
		var rerr error
		// whole is the line when it fit in the reader's buffer (the common
		// case): it is read there, copied once, by keep.
		var whole []byte
		for first := true; ; first = false {
			chunk, e := lr.br.ReadSlice('\n')
			if int64(len(lr.buf)+len(chunk)) > lr.max+2 { // + "\r\n"
				lr.line++
				return lr.line, nil, tooLarge(lr.max, fmt.Sprintf("line %d", lr.line)), nil
			}
			if first && !errors.Is(e, bufio.ErrBufferFull) {
				whole, rerr = chunk, e
				break
			}
			lr.buf = append(lr.buf, chunk...)
			if errors.Is(e, bufio.ErrBufferFull) {
				continue
			}
			rerr = e
			break
		}
		if whole == nil {
			whole = lr.buf
		}
		if len(whole) > 0 {
			lr.line++
			b := bytes.TrimRight(whole, "\r\n")
			if int64(len(b)) > lr.max {
				return lr.line, nil, tooLarge(lr.max, fmt.Sprintf("line %d", lr.line)), nil
			}
			if len(bytes.TrimSpace(b)) > 0 {
				return lr.line, lr.keep(b), nil, nil
			}
		}
		if rerr == io.EOF {
			return 0, nil, nil, io.EOF
		}
		if rerr != nil {
			return 0, nil, nil, fmt.Errorf("read line %d: %w", lr.line+1, rerr)
		}
	}
}
