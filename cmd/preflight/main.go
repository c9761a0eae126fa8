// Command preflight lints APIXO generation requests before they are sent.
//
//	preflight lint requests/            # every *.json, *.jsonl under requests/
//	preflight lint --format json a.json # machine-readable findings
//
// See README.md for flags, output formats and exit codes.
package main

import "os"

func main() {
	cmd := Command{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(cmd.Main(os.Args))
}
