package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/internal/catalog"
)

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "", nil, "version")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	cat := catalog.Default()
	for _, want := range []string{"preflight ", "catalog " + cat.Date, runtime.Version()} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
}

func TestModuleVersion(t *testing.T) {
	defer func(f func() (*debug.BuildInfo, bool), v, c string) { readBuildInfo, version, commit = f, v, c }(readBuildInfo, version, commit)
	rev := func(r, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: r}, {Key: "vcs.modified", Value: modified}}
	}
	const sha = "3b8bbb1c0ffee0123456789abcdef0123456789a"
	for _, tc := range []struct {
		name            string
		stamped, commit string
		bi              *debug.BuildInfo
		ok              bool
		ver, semv       string
		line            string
	}{
		{"go install @v1.2.3", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "v1.2.3", "1.2.3", "preflight v1.2.3"},
		{"work tree, no vcs info", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "(devel)", "", "preflight (devel)"},
		{"empty build info", "", "", &debug.BuildInfo{}, true, "(devel)", "", "preflight (devel)"},
		{"no build info", "", "", nil, false, "(devel)", "", "preflight (devel)"},
		{"work tree with vcs info", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev(sha, "false")}, true,
			"(devel)", "", "preflight (devel) (commit " + sha + ")"},
		{"dirty work tree", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev(sha, "true")}, true,
			"(devel)", "", "preflight (devel) (commit " + sha + "+dirty)"},
		{"pseudo-version names the commit", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202054000-3b8bbb1c0ffe"}, Settings: rev(sha, "false")}, true,
			"v0.0.0-20261202054000-3b8bbb1c0ffe", "0.0.0-20261202054000-3b8bbb1c0ffe", "preflight v0.0.0-20261202054000-3b8bbb1c0ffe"},
		{"stamped by make dist", "v0.2.0", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev(sha, "false")}, true,
			"v0.2.0", "0.2.0", "preflight v0.2.0 (commit " + sha + ")"},
		{"stamped, untagged", "3b8bbb1", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev(sha, "false")}, true,
			"3b8bbb1", "", "preflight 3b8bbb1"},
		{"stamped with commit, no build info", "v0.2.0", sha + "+dirty", nil, false,
			"v0.2.0", "0.2.0", "preflight v0.2.0 (commit " + sha + "+dirty)"},
	} {
		version, commit = tc.stamped, tc.commit
		readBuildInfo = func() (*debug.BuildInfo, bool) { return tc.bi, tc.ok }
		if v, s, l := moduleVersion(), semanticVersion(), versionLine(); v != tc.ver || s != tc.semv || l != tc.line {
			t.Errorf("%s: version %q semantic %q line %q, want %q %q %q", tc.name, v, s, l, tc.ver, tc.semv, tc.line)
		}
	}
}
