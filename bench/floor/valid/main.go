// Command valid is issue 9's process floor: the least a Go linter of one
// file must do, start, read the file and run json.Valid. bench/run.sh times
// `preflight lint --offline one.json` against it.
//
//	valid FILE   exit 0 if FILE is valid JSON, 1 if not, 2 on a read error
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: valid FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !json.Valid(data) {
		os.Exit(1)
	}
}
