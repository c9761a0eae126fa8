package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/config"
	"github.com/preflight-dev/preflight/internal/runner"
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
limits, models, globs, and what a repository config may not set by itself
(see --trust-config of lint). Every problem is printed with its line, and
the network settings each file asks for are listed.

Exit codes: 0 valid, 2 invalid or not found.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				wd, err := os.Getwd()
				if err != nil {
					return err
				}
				path, err := config.Find(wd)
				if err != nil {
					return err
				}
				if path == "" {
					return usagef("no %s in this directory or its parents up to the repository root", config.ConfigFileName)
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
	cfg, err := config.LoadConfig(path)
	if err != nil {
		var ces config.ConfigErrors
		var ce *config.ConfigError
		switch {
		// Problems quote the file: escaped like findings (sanitize.go).
		case errors.As(err, &ces):
			for _, e := range ces {
				fmt.Fprintln(c.Stderr, printableLine(e.Error()))
			}
		case errors.As(err, &ce):
			fmt.Fprintln(c.Stderr, printableLine(ce.Error()))
		default:
			fmt.Fprintf(c.Stderr, "preflight: %s\n", printableLine(err.Error()))
		}
		return false
	}
	fmt.Fprintf(c.Stdout, "%s: valid (%d rule settings, %d limited models, %d extra models, %d ignores, %d expectations)\n",
		path, len(cfg.Rules), len(cfg.Limits), len(cfg.Models), len(cfg.Ignore), len(cfg.Expect))
	for _, line := range networkSettings(cfg) {
		fmt.Fprintf(c.Stdout, "  %s\n", line)
	}
	repo := config.RepoRoot(cfg.Dir)
	if repo == "" {
		repo = cfg.Dir
	}
	userCache, _ := os.UserCacheDir()
	for _, w := range cfg.Widenings(repo, userCache, runner.DefaultMaxBytes) {
		fmt.Fprintf(c.Stdout, "  needs --trust-config: %s %s\n", w.Key, w.Why)
	}
	return true
}

// networkSettings lists the network: settings a config asks for, so a
// reviewer sees what a config changes about the network in one place.
func networkSettings(cfg *config.Config) []string {
	n := cfg.Network
	var out []string
	if n.Offline != nil {
		out = append(out, fmt.Sprintf("network.offline: %t", *n.Offline))
	}
	if len(n.AllowHosts) > 0 {
		out = append(out, "network.allowHosts: "+strings.Join(n.AllowHosts, ", "))
	}
	if n.Concurrency != nil {
		out = append(out, fmt.Sprintf("network.concurrency: %d", *n.Concurrency))
	}
	if n.Timeout != nil {
		out = append(out, "network.timeout: "+n.Timeout.Duration.String())
	}
	if cc := n.Cache; cc != nil {
		if cc.Enabled != nil {
			out = append(out, fmt.Sprintf("network.cache.enabled: %t", *cc.Enabled))
		}
		if cc.Dir != "" {
			out = append(out, "network.cache.dir: "+cfg.Resolve(cc.Dir))
		}
		if cc.TTL != nil {
			out = append(out, "network.cache.ttl: "+cc.TTL.Duration.String())
		}
		if cc.FailTTL != nil {
			out = append(out, "network.cache.failTTL: "+cc.FailTTL.Duration.String())
		}
	}
	if len(out) == 0 {
		out = append(out, "network: defaults")
	}
	return out
}
