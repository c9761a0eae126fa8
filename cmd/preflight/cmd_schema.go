package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/catalog"
)

func (c *Command) newSchema() *cobra.Command {
	var cf configFlags
	cmd := &cobra.Command{
		Use:   "schema [MODEL]",
		Short: "Print a JSON Schema (draft 2020-12) for request files",
		Long: `Print a JSON Schema (draft 2020-12) for request files of MODEL, or of every
model (discriminated by the top-level "model" member) without MODEL. It is
generated from the catalog (with the config's models and limits), and holds
only facts the docs state, so whatever it rejects the linter rejects too.
Editors use it to validate while typing; ajv-cli checks with --spec=draft2020.

Rules a schema cannot express (run preflight lint for these):
` + catalog.SchemaRuleNote(),
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			cfg, err := c.loadConfig(cf.path, cf.noConfig, true) // no network: nothing to widen
			if err != nil {
				return err
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			s, err := cfg.Catalog().Schema(id)
			if err != nil {
				return usageError{err}
			}
			b, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				return err
			}
			_, err = c.Stdout.Write(append(b, '\n'))
			return err
		},
	}
	cmd.Flags().StringVar(&cf.path, "config", "", "config file whose models and limits to include (default: discovered like lint)")
	cmd.Flags().BoolVar(&cf.noConfig, "no-config", false, "use the embedded catalog only")
	return cmd
}
