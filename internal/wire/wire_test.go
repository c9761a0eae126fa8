package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestTaskModel(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/generateTask/nano-banana": "nano-banana",
		"/generateTask/flux-2":             "flux-2",
		"/prefix/generateTask/flux-2":      "flux-2",
		"/api/v1/generateTask/":            "",
		"/api/v1/generateTask":             "",
		"/api/v1/statusTask/t1":            "",
		"/api/v1/xgenerateTask/flux-2":     "",
		"":                                 "",
	} {
		if got := TaskModel(path); got != want {
			t.Errorf("TaskModel(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestReadBody(t *testing.T) {
	body := []byte(`{"input":{}}`)
	for _, tc := range []struct {
		name string
		n    int64
		want []byte
		err  error
	}{
		{"length known", int64(len(body)), body, nil},
		{"length unknown", -1, body, nil},
		{"length zero", 0, body, nil},
		{"length above 1 GiB is not allocated", 1<<30 + 1, body, nil},
		{"body shorter than declared", int64(len(body)) + 5, nil, io.ErrUnexpectedEOF},
		{"body longer than declared", 4, body[:4], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadBody(bytes.NewReader(body), tc.n)
			if !errors.Is(err, tc.err) || !bytes.Equal(got, tc.want) {
				t.Errorf("ReadBody(n=%d) = %q, %v; want %q, %v", tc.n, got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := ReadBody(strings.NewReader(""), 3); !errors.Is(err, io.EOF) {
		t.Errorf("ReadBody of an empty body with n=3: %v, want EOF", err)
	}
}
