package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/validate"
)

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "", nil, "version")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	cat := validate.DefaultCatalog()
	for _, want := range []string{"preflight ", "catalog " + cat.Date, runtime.Version()} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
}

func TestModuleVersion(t *testing.T) {
	defer func(f func() (*debug.BuildInfo, bool)) { readBuildInfo = f }(readBuildInfo)
	for _, tc := range []struct {
		bi        *debug.BuildInfo
		ok        bool
		ver, semv string
	}{
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "v1.2.3", "1.2.3"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "(devel)", ""},
		{&debug.BuildInfo{}, true, "(devel)", ""},
		{nil, false, "(devel)", ""},
	} {
		readBuildInfo = func() (*debug.BuildInfo, bool) { return tc.bi, tc.ok }
		if v, s := moduleVersion(), semanticVersion(); v != tc.ver || s != tc.semv {
			t.Errorf("%+v: version %q semantic %q, want %q %q", tc.bi, v, s, tc.ver, tc.semv)
		}
	}
}
