package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// Shell completion. cobra generates the bash, zsh, fish and PowerShell
// scripts (`preflight completion SHELL`); the scripts ask the binary
// (`preflight __complete ...`) for values, which these functions give:
// model IDs for --model and `schema MODEL`, format names for --format and
// --output, rule IDs for `explain RULE` and the comma-separated lists of
// --select, --ignore, --warn and --error.

// addCompletions registers the value completions on root's subcommands.
func addCompletions(root *cobra.Command) {
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "lint":
			lintCompletions(cmd)
		case "schema":
			if cmd.ValidArgsFunction == nil {
				cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
					if len(args) > 0 {
						return nil, cobra.ShellCompDirectiveNoFileComp
					}
					return modelIDs(), cobra.ShellCompDirectiveNoFileComp
				}
			}
		}
	}
}

func lintCompletions(cmd *cobra.Command) {
	fixed := func(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	reg := func(flag string, fn func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)) {
		if cmd.Flags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, fn)
		}
	}
	reg("model", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return modelIDs(), cobra.ShellCompDirectiveNoFileComp
	})
	reg("format", fixed(formatNames()...))
	reg("fail-level", fixed("error", "warning"))
	reg("color", fixed("auto", "always", "never"))
	reg("output", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if strings.Contains(toComplete, "=") {
			return nil, cobra.ShellCompDirectiveDefault // a path
		}
		var out []string
		for _, n := range formatNames() {
			out = append(out, n+"=")
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	})
	for _, flag := range []string{"select", "ignore", "warn", "error"} {
		reg(flag, completeRuleList)
	}
}

// completeRuleList completes the last rule of a comma-separated list.
func completeRuleList(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	head := ""
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		head = toComplete[:i+1]
	}
	var out []string
	for _, id := range ruleIDs() {
		out = append(out, head+id)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// modelIDs lists the catalog's model IDs and accepted aliases.
func modelIDs() []string {
	cat := catalog.Default()
	var ids []string
	for _, m := range cat.Models {
		ids = append(ids, m.ID)
	}
	for _, a := range cat.Aliases {
		if a.Accepted {
			ids = append(ids, a.ID)
		}
	}
	return ids
}
