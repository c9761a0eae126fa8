package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/validate"
)

func (c *Command) newConfig() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with .preflight.yaml config files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify [PATH...]",
		Short: "Check config files (default: the one lint would use)",
		Long: `Check .preflight.yaml files: version, unknown keys, rule IDs, severities,
limits, models, globs. Every problem is printed with its line.

Exit codes: 0 valid, 2 invalid or not found.`,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				wd, err := os.Getwd()
				if err != nil {
					return err
				}
				path, err := validate.FindConfig(wd)
				if err != nil {
					return err
				}
				if path == "" {
					return usagef("no %s in this directory or its parents up to the repository root", validate.ConfigFileName)
				}
				args = []string{path}
			}
			bad := false
			for _, path := range args {
				if !c.verifyConfig(path) {
					bad = true
				}
			}
			if bad {
				return exitError{ExitUsage}
			}
			return nil
		},
	})
	return cmd
}

// verifyConfig checks one config file and reports on it.
func (c *Command) verifyConfig(path string) bool {
	cfg, err := validate.LoadConfig(path)
	if err != nil {
		var ces validate.ConfigErrors
		var ce *validate.ConfigError
		switch {
		case errors.As(err, &ces):
			for _, e := range ces {
				fmt.Fprintln(c.Stderr, e)
			}
		case errors.As(err, &ce):
			fmt.Fprintln(c.Stderr, ce)
		default:
			fmt.Fprintf(c.Stderr, "preflight: %v\n", err)
		}
		return false
	}
	fmt.Fprintf(c.Stdout, "%s: valid (%d rule settings, %d limited models, %d extra models, %d ignores, %d expectations)\n",
		path, len(cfg.Rules), len(cfg.Limits), len(cfg.Models), len(cfg.Ignore), len(cfg.Expect))
	return true
}
