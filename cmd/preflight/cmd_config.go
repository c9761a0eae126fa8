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
		Use:   "verify [PATH]",
		Short: "Check a config file (default: the one lint would use)",
		Long: `Check a .preflight.yaml: version, unknown keys, rule IDs, severities, limits,
models, globs. Every problem is printed with its line.

Exit codes: 0 valid, 2 invalid or not found.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			} else {
				wd, err := os.Getwd()
				if err != nil {
					return err
				}
				if path, err = validate.FindConfig(wd); err != nil {
					return err
				}
				if path == "" {
					return usagef("no %s in this directory or its parents up to the repository root", validate.ConfigFileName)
				}
			}
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
				return exitError{ExitUsage}
			}
			fmt.Fprintf(c.Stdout, "%s: valid (%d rule settings, %d limited models, %d extra models, %d ignores, %d expectations)\n",
				path, len(cfg.Rules), len(cfg.Limits), len(cfg.Models), len(cfg.Ignore), len(cfg.Expect))
			return nil
		},
	})
	return cmd
}
