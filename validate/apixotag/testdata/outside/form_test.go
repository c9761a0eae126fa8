package outside

import (
	"strings"
	"testing"
)

func TestBind(t *testing.T) {
	tests := []struct {
		body string
		want []string // lines of the error; nil for none
	}{
		{`{"model":"kling-2-6","prompt":"a corgi surfing","image_urls":["https://cdn.example.com/a.png"]}`, nil},
		{`{"model":"kling-2-6","prompt":"` + strings.Repeat("x", 1001) + `"}`,
			[]string{"prompt: prompt is 1,001 characters; at most 1,000 allowed (the excess starts at character 1,001) (kling-2-6)"}},
		{`{"model":"kling26","prompt":"a corgi","image_urls":["http://localhost/a.png"]}`, []string{
			`model: unknown model "kling26"; did you mean "kling-2-6"?`,
			`image_urls[0]: invalid image URL "http://localhost/a.png": `}},
	}
	for _, tt := range tests {
		_, err := Bind([]byte(tt.body))
		if tt.want == nil {
			if err != nil {
				t.Errorf("%.60s: %v", tt.body, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%.60s: accepted", tt.body)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(tt.want) {
			t.Errorf("%.60s: %q, want %d lines", tt.body, lines, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%.60s: line %d %q, want prefix %q", tt.body, i, lines[i], w)
			}
		}
	}
}
