package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// version is stamped in by release builds (`make dist`):
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/preflight
//
// Empty, the module's build info decides (see moduleVersion).
var version string

// commit is stamped in beside version: the go command records no
// vcs.revision for builds in a git worktree or with -buildvcs=false.
var commit string

// readBuildInfo is runtime/debug.ReadBuildInfo, replaceable in tests.
var readBuildInfo = debug.ReadBuildInfo

// moduleVersion is the version of the preflight module in this binary: the
// one stamped in with -ldflags, else the one `go install ...@v1.2.3` (or a
// build of a tagged checkout) recorded, else "(devel)".
func moduleVersion() string {
	if version != "" {
		return version
	}
	bi, ok := readBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}

// vcsRevision is the commit the binary was built from: the one stamped in
// with -ldflags, else the one the go command records for builds inside a git work tree, with "+dirty" when the tree
// had uncommitted changes; "" when unknown (builds with -buildvcs=false,
// `go install ...@version`, test binaries).
func vcsRevision() string {
	if commit != "" {
		return commit
	}
	bi, ok := readBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && modified == "true" {
		rev += "+dirty"
	}
	return rev
}

// semanticVersion is moduleVersion without the leading v, or "" when the
// binary carries no release version.
func semanticVersion() string {
	v := moduleVersion()
	if !strings.HasPrefix(v, "v") {
		return ""
	}
	return strings.TrimPrefix(v, "v")
}

// versionLine is the first line of `preflight version`: the version and,
// when known and not already part of it (pseudo-versions and `git describe`
// output name the commit), the commit.
func versionLine() string {
	v := moduleVersion()
	line := "preflight " + v
	if rev := vcsRevision(); rev != "" && !(len(rev) >= 7 && strings.Contains(v, rev[:7])) {
		line += " (commit " + rev + ")"
	}
	return line
}

func (c *Command) newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the preflight version, the catalog date and the Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat := catalog.Embedded() // the count needs no model decoded
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\ncatalog %s (%d models)\n%s %s/%s\n",
				versionLine(), cat.Date, len(cat.IDs()), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
