package apixotag

import (
	"os"
	"strings"
	"testing"
)

// The README's snippet is the one Example runs: every line of it appears
// in example_test.go.
func TestReadmeSnippet(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "<!-- readme:apixotag -->")
	if i < 0 {
		t.Fatal("README.md has no <!-- readme:apixotag --> block")
	}
	s = s[i:]
	s = s[strings.Index(s, "```go\n")+len("```go\n"):]
	s = s[:strings.Index(s, "```")]
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.Contains(string(example), line) {
			t.Errorf("README line not in example_test.go: %s", line)
		}
	}
}
