// Package wire holds what validate.NewTransport and the proxy must decide
// alike about a request to the APIXO API: which paths are generateTask
// calls, and how such a body is read into memory.
package wire

import (
	"io"
	"strings"
)

// TaskModel returns the {model} of a path ending in /generateTask/{model},
// or "" for any other path.
func TaskModel(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 || !strings.HasSuffix(path[:i], "/generateTask") {
		return ""
	}
	return path[i+1:]
}

// ReadBody reads a whole body, in one allocation when its length n is
// known. The caller bounds r (http.MaxBytesReader, io.LimitReader); a
// declared length above 1 GiB is not trusted for the allocation.
func ReadBody(r io.Reader, n int64) ([]byte, error) {
	if n <= 0 || n > 1<<30 {
		return io.ReadAll(r)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}
