package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/validate"
)

// ruleInfo is one rule in `preflight rules --format json`.
type ruleInfo struct {
	ID         string `json:"id"`
	Severity   string `json:"severity"`
	FailCode   string `json:"failCode"`
	HTTPStatus int    `json:"httpStatus"`
	// Predicts is FailCode, or "HTTP 400"/"HTTP 404", or "" for a risk.
	Predicts string `json:"predicts"`
	Summary  string `json:"summary"`
	Fix      string `json:"fix"`
	Source   string `json:"source"`
	Docs     string `json:"docs"`
}

func (c *Command) newRules() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule with its default severity, the failure it predicts and a summary",
		Long: `List every rule: its ID (the name --select, --ignore, --warn and the
config's rules: use), its default severity, the failCode or HTTP status it
predicts, and what it checks. preflight explain RULE says more about one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			infos := rulesInfo()
			switch format {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(infos)
			case "text":
				return printRules(cmd.OutOrStdout(), infos)
			}
			return usagef("unknown format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func rulesInfo() []ruleInfo {
	rules := validate.Rules()
	out := make([]ruleInfo, len(rules))
	for i, r := range rules {
		out[i] = ruleInfo{
			ID: r.ID, Severity: string(r.Severity), FailCode: r.FailCode, HTTPStatus: r.HTTPStatus,
			Predicts: r.Predicts(), Summary: r.Summary, Fix: r.Fix, Source: r.Source, Docs: ruleDocURL(r.ID),
		}
	}
	return out
}

func printRules(w io.Writer, infos []ruleInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tPREDICTS\tSUMMARY")
	for _, r := range infos {
		pred := r.Predicts
		if pred == "" {
			pred = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, pred, r.Summary)
	}
	return tw.Flush()
}
