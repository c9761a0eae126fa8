package validate

import "testing"

func TestTaskModel(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/generateTask/nano-banana": "nano-banana",
		"/generateTask/flux-2":             "flux-2",
		"/api/v1/generateTask/":            "",
		"/api/v1/generateTask":             "",
		"/api/v1/xgenerateTask/flux-2":     "",
		"":                                 "",
	} {
		if got := taskModel(path); got != want {
			t.Errorf("taskModel(%q) = %q, want %q", path, got, want)
		}
	}
}
