package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/validate"
)

// readBuildInfo is runtime/debug.ReadBuildInfo, replaceable in tests.
var readBuildInfo = debug.ReadBuildInfo

// moduleVersion is the version of the preflight module in this binary:
// the tag `go install ...@v1.2.3` recorded, or "(devel)" for a build from a
// work tree.
func moduleVersion() string {
	bi, ok := readBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
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

func (c *Command) newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the preflight version, the catalog date and the Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat := validate.DefaultCatalog()
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "preflight %s\ncatalog %s (%d models)\n%s %s/%s\n",
				moduleVersion(), cat.Date, len(cat.Models), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
